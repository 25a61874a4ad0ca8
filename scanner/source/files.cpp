#include "source/files.hpp"

#include "source/fd.hpp"
#include "source/git_handles.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <vector>

namespace ks {
namespace fs = std::filesystem;

namespace {
void walk_dir(const fs::path& root, const fs::path& dir, Diagnostics& diag,
              const std::function<void(const fs::path&, std::string)>& sink) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        diag.warn("unreadable", dir.string(), "cannot list folder: " + ec.message());
        return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        entries.push_back(*it);
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& e : entries) {
        if (e.is_symlink(ec)) continue;
        if (e.is_directory(ec)) {
            if (e.path().filename() == ".git") continue;
            walk_dir(root, e.path(), diag, sink);
        } else if (e.is_regular_file(ec)) {
            sink(e.path(), e.path().lexically_relative(root).generic_string());
        }
    }
}
}  // namespace

void enumerate_files(const fs::path& root, Diagnostics& diag,
                     const std::function<void(const fs::path&, std::string)>& sink) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
        sink(root, root.filename().generic_string());
        return;
    }
    walk_dir(root, root, diag, sink);
}

FileStatus read_file(const fs::path& p, std::uint64_t max_size, std::string& buf, std::string& detail) {
    const Fd file(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    const int fd = file.fd;
    if (fd < 0) {
        detail = std::strerror(errno);
        return FileStatus::unreadable;
    }
    struct stat st{};
    if (fstat(fd, &st) != 0) {
        detail = std::strerror(errno);
        return FileStatus::unreadable;
    }
    if (std::uint64_t(st.st_size) > max_size) {
        detail = "file of " + std::to_string(st.st_size) + " bytes is over --max-blob-size (" + std::to_string(max_size) + ")";
        return FileStatus::too_large;
    }
    buf.resize(std::size_t(st.st_size));
    std::size_t got = 0;
    while (got < buf.size()) {
        ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            detail = std::strerror(errno);
            return FileStatus::unreadable;
        }
        if (n == 0) break;
        got += std::size_t(n);
    }
    buf.resize(got);
    return FileStatus::ok;
}

std::string read_stdin() {
    std::string data;
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(0, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) data.append(buf, std::size_t(n));
    return data;
}

std::string blob_id_of(std::string_view data) {
    git::init();
    git_oid id;
    git_odb_hash(&id, data.data(), data.size(), GIT_OBJECT_BLOB);
    return git::hex(id);
}

}  // namespace ks
