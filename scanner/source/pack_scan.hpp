// Reads every blob stored in a repository's pack files, each object inflated exactly once: delta
// chains are resolved base-first, the way `git index-pack` does, so no base is inflated twice and
// objects are read in pack order. Commits, trees and tags are never inflated here.
#pragma once

#include "model/diagnostics.hpp"

#include <git2.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

enum class PackBlobStatus { ok, too_large, corrupt };

// Called once per blob entry in the packs, from any of the worker threads (`thread` < threads).
// For ok, `data` is the blob; otherwise `detail` says why it could not be read.
using PackVisit = std::function<void(unsigned thread, const git_oid& id, PackBlobStatus status,
                                     std::string_view data, const std::string& detail)>;

class PackScan {
public:
    // Opens objects/pack/*.idx under `objects_dir`. A pack that cannot be parsed is warned about and
    // left out (its objects are then read one by one by the caller's fallback).
    PackScan(const std::filesystem::path& objects_dir, Diagnostics& diag);
    ~PackScan();

    // Visits every blob of every opened pack on `threads` threads. `want(id)` false: the blob is still
    // inflated if a wanted blob deltas against it, but not visited.
    void run(unsigned threads, std::uint64_t max_size, const std::function<bool(const git_oid&)>& want,
             const PackVisit& visit);

    std::size_t pack_count() const { return packs_.size(); }

    struct Pack;  // one pack's index and entry headers (pack_scan.cpp)

private:
    std::vector<std::unique_ptr<Pack>> packs_;
    Diagnostics& diag_;
};

// Applies a git delta to `base`, writing the result into `out`. False on a malformed delta.
bool apply_git_delta(std::string_view base, std::string_view delta, std::string& out);

}  // namespace ks
