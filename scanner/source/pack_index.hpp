// One pack file's index and entry headers, parsed once and shared read-only by every reader
// (bulk, PackScan; random access, PackReader), plus the primitives both use.
#pragma once

#include "source/entry_bits.hpp"
#include "source/fd.hpp"

#include <git2.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ks::pack {

enum : std::uint8_t { kCommit = 1, kTree = 2, kBlob = 3, kTag = 4, kOfsDelta = 6, kRefDelta = 7 };
inline constexpr std::uint32_t kNone = 0xffffffffu;

// Where an object is stored: a pack (its position in the list of packs) and an entry in it.
struct Location {
    std::uint32_t pack = kNone, entry = kNone;
    bool found() const { return pack != kNone; }
    bool operator==(const Location&) const = default;
};

// Entry offsets, increasing, at 4 bytes each: the low 32 bits, and the entries at which the high part
// steps up (none in a pack under 4 GiB; one per 4 GiB past that).
class Offsets {
public:
    // From offsets in increasing order.
    void assign(const std::vector<std::uint64_t>& sorted);
    std::uint64_t operator[](std::uint32_t e) const {
        if (steps_.empty()) return low_[e];
        const auto hi = std::uint64_t(std::upper_bound(steps_.begin(), steps_.end(), e) - steps_.begin());
        return (hi << 32) | low_[e];
    }
    std::uint32_t size() const { return std::uint32_t(low_.size()); }
    // The first entry before `end` whose offset is not less than `off` (`end` if none).
    std::uint32_t lower_bound(std::uint64_t off, std::uint32_t end) const;

private:
    std::vector<std::uint32_t> low_;
    std::vector<std::uint32_t> steps_;  // sorted; an entry appears once per 4 GiB its high part rises by
};

// A full scan keeps one of these per pack for the whole run, so it is the scan's memory per object:
// 29 bytes (a 12-byte id key, two cross-references, offset, type, delta base), and 8 more per blob in
// the blobs' delta trees. Whole ids stay in the .idx and are read from it when asked for (a blob's id
// is asked for once); sizes and data offsets are read again from the entry's header when it is
// inflated.
struct Index {
    std::filesystem::path path;
    Fd file;  // the .pack
    std::uint64_t size = 0;
    Fd idx;                                 // the .idx, for whole ids
    std::uint64_t ids_at = 0;               // where its table of ids starts
    // Index order (sorted by id): the first 12 bytes of each id, as numbers. Ids that share them (two
    // in a pack by chance: about 2^-96 per pair; or made to, by someone who can afford 2^48 SHA-1s)
    // are listed in `same_key` and told apart by their whole ids.
    std::vector<std::uint64_t> key_hi;      // bytes 0-7, big-endian
    std::vector<std::uint32_t> key_lo;      // bytes 8-11
    std::vector<std::uint32_t> same_key;    // positions, sorted
    std::vector<std::uint32_t> entry_of;    // per id: its entry
    // Ids whose first `fanout_bits` bits are k: [fanout[k], fanout[k + 1]). About 4 ids per bucket,
    // so a lookup touches one or two cache lines after the table.
    unsigned fanout_bits = 8;
    std::vector<std::uint32_t> fanout;
    // Per entry, in pack-offset order:
    std::vector<std::uint32_t> index;       // position in the id order
    Offsets offset;                         // where the entry starts
    std::vector<std::uint8_t> type;
    std::vector<std::uint32_t> base;        // entry of the delta base, kNone if none or outside the pack
    EntryBits based_on;                     // some delta's base (worth caching)
    // The delta trees of the blobs: each non-delta blob (in pack order) with every delta that hangs
    // under it, in preorder: tree[k] is an entry, tree_size[k] how many places its subtree takes from
    // k on. Its deltas' subtrees follow it one after another; the next blob's tree starts where its
    // own ends. Commits and trees are read through `base` (PackReader) and are not listed.
    std::vector<std::uint32_t> tree, tree_size;

    Index() = default;
    Index(const Index&) = delete;
    Index& operator=(const Index&) = delete;
    std::uint64_t end_of(std::uint32_t e) const { return e + 1 < offset.size() ? offset[e + 1] : size - 20; }
    std::uint32_t entries() const { return offset.size(); }
    bool is_base(std::uint32_t e) const { return based_on.test(e); }
    // Entry e's id, read from the .idx (all zeros if that read fails: the file was read whole before).
    git_oid id_of(std::uint32_t e) const { return id_at(index[e]); }
    git_oid id_at(std::uint32_t position) const;
    // The entry holding `id`, or kNone.
    std::uint32_t find(const git_oid& id) const;
};

using Packs = std::vector<std::unique_ptr<Index>>;

// Lists, in every pack's same_key, ids whose key another pack, or one of `others` (the loose objects),
// holds too: a lookup in one pack of an id that only the other place holds then compares whole ids.
// (Without it, two objects made to share 12 bytes, about 2^48 SHA-1s of work, one in each place, would
// let the pack answer for the other place's object and hide it from the walk.)
void mark_shared_keys(Packs& packs, const std::vector<git_oid>& others);

// The first pack (in `packs` order) holding `id`; not found() if none does.
Location locate(const Packs& packs, const git_oid& id);

// Parses a v2 .idx and the entry headers of its pack (read sequentially, in large chunks). Returns
// an empty string, or why the pack cannot be used.
std::string load(Index& p, const std::filesystem::path& idx_path);

// An entry's header: type, inflated size (of the delta itself, for deltas), and its delta base.
struct Header {
    std::uint8_t type = 0;
    std::uint64_t size = 0;
    std::uint64_t base_distance = 0;  // kOfsDelta: how far before this entry its base starts
    git_oid base_id{};                // kRefDelta
    std::uint32_t length = 0;         // bytes before the zlib data
};
// Parses the header at `h` (no further than `lim`); false if it is malformed or runs past `lim`.
bool parse_header(const unsigned char* h, const unsigned char* lim, Header& out);

bool pread_all(int fd, void* buf, std::size_t len, std::uint64_t off);

// One DEFLATE decompressor, reused across objects. libdeflate: every pack entry's inflated size is in
// its header, so whole-buffer decompression fits, at about twice zlib's speed (it still checks each
// stream's Adler-32).
class Inflater {
public:
    Inflater();
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    // Inflates the zlib stream `in` into exactly `size` bytes of `out`.
    bool inflate_exact(std::string_view in, std::size_t size, std::string& out);

private:
    libdeflate_decompressor* d_;
};

// Reads entry `e` (into `packed`, scratch) and inflates its data into `out`: the object, or for a
// delta the delta itself. `size` gets the inflated size from the entry's header; over `limit`, the
// data is not inflated (too_large).
enum class EntryData { ok, unreadable, corrupt, too_large };
EntryData inflate_entry(const Index& p, std::uint32_t e, Inflater& z, std::string& packed, std::string& out,
                        std::uint64_t& size, std::uint64_t limit = ~std::uint64_t(0));

}  // namespace ks::pack

namespace ks {

// Applies a git delta to `base`, writing the result into `out`. False on a malformed delta.
bool apply_git_delta(std::string_view base, std::string_view delta, std::string& out);

}  // namespace ks
