// One pack file's index and entry headers, parsed once and shared read-only by every reader
// (bulk, PackScan; random access, PackReader), plus the primitives both use.
#pragma once

#include <git2.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ks::pack {

enum : std::uint8_t { kCommit = 1, kTree = 2, kBlob = 3, kTag = 4, kOfsDelta = 6, kRefDelta = 7 };
inline constexpr std::uint32_t kNone = 0xffffffffu;

struct Index {
    std::filesystem::path path;
    int fd = -1;
    std::uint64_t size = 0;
    std::vector<git_oid> ids;               // index order (sorted by id)
    std::vector<std::uint32_t> entry_of;    // per id: its entry
    std::uint32_t fanout[257] = {};         // ids starting with byte b: [fanout[b], fanout[b + 1])
    // Per entry, in pack-offset order:
    std::vector<std::uint32_t> index;       // position in `ids`
    std::vector<std::uint64_t> offset;      // where the entry starts
    std::vector<std::uint64_t> data_start;  // where its zlib data starts
    std::vector<std::uint64_t> obj_size;    // inflated size (of the delta itself, for deltas)
    std::vector<std::uint8_t> type;
    std::vector<std::uint32_t> base;        // entry of the delta base, kNone if none or outside the pack
    std::vector<std::uint32_t> first_child, next_sibling;
    std::vector<std::uint32_t> blob_roots;  // non-delta blobs, in pack order

    Index() = default;
    Index(const Index&) = delete;
    Index& operator=(const Index&) = delete;
    ~Index();
    std::uint64_t end_of(std::uint32_t e) const { return e + 1 < offset.size() ? offset[e + 1] : size - 20; }
    // The entry holding `id`, or kNone.
    std::uint32_t find(const git_oid& id) const;
};

// Parses a v2 .idx and the entry headers of its pack (read sequentially, in large chunks). Returns
// an empty string, or why the pack cannot be used.
std::string load(Index& p, const std::filesystem::path& idx_path);

bool pread_all(int fd, void* buf, std::size_t len, std::uint64_t off);

// One zlib stream, reset per object.
struct ZStream {
    z_stream z{};
    ZStream() { inflateInit(&z); }
    ~ZStream() { inflateEnd(&z); }
    ZStream(const ZStream&) = delete;
    ZStream& operator=(const ZStream&) = delete;
    // Inflates `in` into exactly `size` bytes of `out`.
    bool inflate_exact(std::string_view in, std::size_t size, std::string& out);
};

std::string hex_of(const git_oid& id);

// Reads entry `e`'s zlib data (into `packed`, scratch) and inflates it into `out`: the object, or for
// a delta the delta itself. REQUIRES: p.end_of(e) >= p.data_start[e].
enum class EntryData { ok, unreadable, corrupt };
EntryData inflate_entry(const Index& p, std::uint32_t e, ZStream& z, std::string& packed, std::string& out);

}  // namespace ks::pack

namespace ks {

// Applies a git delta to `base`, writing the result into `out`. False on a malformed delta.
bool apply_git_delta(std::string_view base, std::string_view delta, std::string& out);

}  // namespace ks
