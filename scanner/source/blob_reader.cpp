#include "source/blob_reader.hpp"

#include <stdexcept>

namespace ks {

BlobReader::BlobReader(const std::string& repo_path) : repo_(git::open(repo_path)) {
    if (!repo_) throw std::runtime_error(repo_path + ": cannot open repository: " + git::last_error());
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo_.get()) != 0)
        throw std::runtime_error(repo_path + ": cannot open object database: " + git::last_error());
    odb_.reset(odb);
}

ReadStatus BlobReader::read(const git_oid& id, std::uint64_t max_size, std::string& detail) {
    obj_.reset();
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    // The header gives the size without inflating, so an oversized blob costs nothing.
    int rc = git_odb_read_header(&len, &type, odb_.get(), &id);
    if (rc == GIT_ENOTFOUND) {
        detail = "object not found in the object database (partial clone or trimmed mirror?)";
        return ReadStatus::missing;
    }
    if (rc != 0) {
        detail = git::last_error();
        return ReadStatus::corrupt;
    }
    if (len > max_size) {
        detail = "blob of " + std::to_string(len) + " bytes is over --max-blob-size (" + std::to_string(max_size) + ")";
        return ReadStatus::too_large;
    }
    git_odb_object* o = nullptr;
    rc = git_odb_read(&o, odb_.get(), &id);
    if (rc != 0) {
        detail = git::last_error();
        return rc == GIT_ENOTFOUND ? ReadStatus::missing : ReadStatus::corrupt;
    }
    obj_.reset(o);
    if (git_odb_object_type(o) != GIT_OBJECT_BLOB) {
        detail = "object is not a blob";
        obj_.reset();
        return ReadStatus::corrupt;
    }
    return ReadStatus::ok;
}

std::string_view BlobReader::data() const {
    if (!obj_) return {};
    return {static_cast<const char*>(git_odb_object_data(obj_.get())), git_odb_object_size(obj_.get())};
}

}  // namespace ks
