// Reads every blob stored in a repository's pack files, each object inflated exactly once: delta
// chains are resolved base-first, the way `git index-pack` does, so no base is inflated twice and
// objects are read in pack order. Commits, trees and tags are never inflated here.
#pragma once

#include "model/diagnostics.hpp"
#include "source/pack_index.hpp"

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

// A blob's bytes, shared between the reader (which applies the deltas of its children to it) and
// whoever matches it: handing a blob over copies nothing. Buffers go back to a pool when the last
// holder lets go, so a scan allocates (and page-faults) about as many as are in flight.
using BlobBuffer = std::shared_ptr<const std::string>;

// Called once per blob entry in the packs (`at`: where), from any of the worker threads (`thread` <
// threads). For ok, `data` is the blob (never null); otherwise `detail` says why it could not be read.
using PackVisit = std::function<void(unsigned thread, pack::Location at, const git_oid& id, PackBlobStatus status,
                                     const BlobBuffer& data, const std::string& detail)>;
using PackWant = std::function<bool(pack::Location at, const git_oid& id)>;

class PackScan {
public:
    // Opens objects/pack/*.idx under `objects_dir`. A pack that cannot be parsed is warned about and
    // left out (its objects are then read one by one by the caller's fallback).
    PackScan(const std::filesystem::path& objects_dir, Diagnostics& diag);
    ~PackScan();

    // Visits every blob of every opened pack on `threads` threads. `want` false: the blob is still
    // inflated if a wanted blob deltas against it, but not visited. Each thread calls `when_idle(t)`
    // once it has no more delta trees to resolve (a caller can have it help the busy ones then).
    void run(unsigned threads, std::uint64_t max_size, const PackWant& want, const PackVisit& visit, const std::function<void(unsigned)>& when_idle = {});

    std::size_t pack_count() const { return packs_.size(); }
    const pack::Packs& packs() const { return packs_; }

    class BufferPool;

private:
    pack::Packs packs_;
    std::shared_ptr<BufferPool> pool_;  // shared with every buffer handed out, which may outlive run()
    Diagnostics& diag_;
};


}  // namespace ks
