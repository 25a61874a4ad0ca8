// Reads blobs by id. One reader per thread: each owns its own repository handle, as libgit2's
// threading rules ask.
#pragma once

#include "source/git_handles.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ks {

enum class ReadStatus { ok, missing, corrupt, too_large };

class BlobReader {
public:
    // Throws std::runtime_error when the repository cannot be opened.
    explicit BlobReader(const std::string& repo_path);

    // On ok, `data()` holds the blob until the next read. `detail` explains any other status.
    ReadStatus read(const git_oid& id, std::uint64_t max_size, std::string& detail);
    std::string_view data() const;

private:
    git::Repository repo_;
    git::Odb odb_;
    git::OdbObject obj_;
};

}  // namespace ks
