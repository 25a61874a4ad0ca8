#include "source/pack_index.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <compare>
#include <cstring>
#include <functional>
#include <new>
#include <queue>

namespace ks::pack {
namespace fs = std::filesystem;

namespace {

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

std::uint64_t be64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap64(v);
}

// What the index keeps of an id: its first 12 bytes, as numbers (ordered as the ids are).
struct Key {
    std::uint64_t hi;  // bytes 0-7
    std::uint32_t lo;  // bytes 8-11
    auto operator<=>(const Key&) const = default;
};
Key key_of(const unsigned char* id) { return {be64(id), be32(id + 8)}; }
Key key_at(const Index& p, std::uint32_t position) { return {p.key_hi[position], p.key_lo[position]}; }

// The fanout bucket of ids whose first 8 bytes are `hi`.
std::uint32_t bucket_of(const Index& p, std::uint64_t hi) { return std::uint32_t(hi >> (64 - p.fanout_bits)); }

// The first position in k's fanout bucket whose key is not below `k`, and (`end`) the bucket's end:
// the positions holding `k` follow from there. Buckets hold about 4 ids, in order, compared as
// numbers (inlined, where git_oid_cmp is a call per step). Forced inline: left a call, it cost every
// walk lookup a sixth more.
inline __attribute__((always_inline)) std::uint32_t seek(const Index& p, const Key& k, std::uint32_t& end) {
    const std::uint32_t b = bucket_of(p, k.hi);
    std::uint32_t i = p.fanout[b];
    end = p.fanout[b + 1];
    while (i < end && key_at(p, i) < k) ++i;
    return i;
}

}  // namespace

bool parse_header(const unsigned char* h, const unsigned char* lim, Header& out) {
    const unsigned char* p = h;
    if (p >= lim) return false;
    unsigned char c = *p++;
    out.type = (c >> 4) & 7;
    out.size = c & 15;
    for (int shift = 4; c & 0x80; shift += 7) {
        if (p >= lim || shift > 57) return false;
        c = *p++;
        out.size |= std::uint64_t(c & 0x7f) << shift;
    }
    if (out.type == kOfsDelta) {
        if (p >= lim) return false;
        c = *p++;
        out.base_distance = c & 0x7f;
        while (c & 0x80) {
            if (p >= lim || out.base_distance >> 56) return false;
            c = *p++;
            out.base_distance = ((out.base_distance + 1) << 7) | (c & 0x7f);
        }
    } else if (out.type == kRefDelta) {
        if (lim - p < GIT_OID_RAWSZ) return false;
        std::memcpy(out.base_id.id, p, GIT_OID_RAWSZ);
        p += GIT_OID_RAWSZ;
    } else if (out.type < kCommit || out.type > kTag) {
        return false;
    }
    out.length = std::uint32_t(p - h);
    return true;
}

void Offsets::assign(const std::vector<std::uint64_t>& sorted) {
    low_.resize(sorted.size());
    steps_.clear();
    std::uint64_t hi = 0;
    for (std::uint32_t e = 0; e < sorted.size(); ++e) {
        for (; hi < sorted[e] >> 32; ++hi) steps_.push_back(e);
        low_[e] = std::uint32_t(sorted[e]);
    }
}

std::uint32_t Offsets::lower_bound(std::uint64_t off, std::uint32_t end) const {
    std::uint32_t lo = 0, n = end;
    while (n > 0) {
        const std::uint32_t half = n / 2;
        if ((*this)[lo + half] < off) lo += half + 1, n -= half + 1;
        else n = half;
    }
    return lo;
}

std::uint32_t Index::find(const git_oid& id) const {
    // Almost always one position, not shared: its entry. Ids listed in same_key are told apart by
    // their whole ids, from the .idx.
    const Key k = key_of(id.id);
    std::uint32_t end = 0;
    for (std::uint32_t i = seek(*this, k, end); i < end && key_at(*this, i) == k; ++i) {
        if (same_key.empty() || !std::binary_search(same_key.begin(), same_key.end(), i)) return entry_of[i];
        if (const git_oid whole = id_at(i); git_oid_equal(&whole, &id)) return entry_of[i];
    }
    return kNone;
}

git_oid Index::id_at(std::uint32_t position) const {
    git_oid id{};
    if (!pread_all(idx.fd, id.id, GIT_OID_RAWSZ, ids_at + std::uint64_t(position) * GIT_OID_RAWSZ)) return git_oid{};
    return id;
}

namespace {

// Positions of keys that one of `others` has.
void mark_keys_of(Packs& packs, const std::vector<git_oid>& others) {
    for (const git_oid& id : others) {
        const Key k = key_of(id.id);
        for (auto& p : packs) {
            std::uint32_t end = 0;
            for (std::uint32_t i = seek(*p, k, end); i < end && key_at(*p, i) == k; ++i) p->same_key.push_back(i);
        }
    }
}

// Positions of keys that another pack holds too: a merge of the packs' sorted keys, where equal keys
// come out one after another.
void mark_keys_across(Packs& packs) {
    struct Head {
        Key key;
        std::uint32_t pack, pos;
        bool operator>(const Head& o) const { return key != o.key ? key > o.key : pack > o.pack; }
    };
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
    auto push = [&](std::uint32_t pk, std::uint32_t pos) {
        if (pos < packs[pk]->key_hi.size()) heads.push({key_at(*packs[pk], pos), pk, pos});
    };
    for (std::uint32_t pk = 0; pk < packs.size(); ++pk) push(pk, 0);
    Head prev{};
    bool have_prev = false, prev_marked = false;
    while (!heads.empty()) {
        const Head h = heads.top();
        heads.pop();
        push(h.pack, h.pos + 1);
        if (have_prev && prev.key == h.key && prev.pack != h.pack) {
            if (!prev_marked) packs[prev.pack]->same_key.push_back(prev.pos);
            packs[h.pack]->same_key.push_back(h.pos);
            prev_marked = true;
        } else {
            prev_marked = false;
        }
        prev = h, have_prev = true;
    }
}

}  // namespace

void mark_shared_keys(Packs& packs, const std::vector<git_oid>& others) {
    mark_keys_of(packs, others);
    if (packs.size() > 1) mark_keys_across(packs);
    for (auto& p : packs) {
        std::sort(p->same_key.begin(), p->same_key.end());
        p->same_key.erase(std::unique(p->same_key.begin(), p->same_key.end()), p->same_key.end());
    }
}

Location locate(const Packs& packs, const git_oid& id) {
    for (std::uint32_t pk = 0; pk < packs.size(); ++pk)
        if (std::uint32_t e = packs[pk]->find(id); e != kNone) return {pk, e};
    return {};
}

bool pread_all(int fd, void* buf, std::size_t len, std::uint64_t off) {
    auto* p = static_cast<char*>(buf);
    while (len) {
        ssize_t n = ::pread(fd, p, len, off_t(off));
        if (n <= 0) return false;
        p += n, len -= std::size_t(n), off += std::uint64_t(n);
    }
    return true;
}

Inflater::Inflater() : d_(libdeflate_alloc_decompressor()) {
    if (!d_) throw std::bad_alloc();
}

Inflater::~Inflater() { libdeflate_free_decompressor(d_); }

bool Inflater::inflate_exact(std::string_view in, std::size_t size, std::string& out) {
    out.resize(size);
    // No `actual_out` pointer: anything but exactly `size` bytes is an error (LIBDEFLATE_SHORT_OUTPUT).
    return libdeflate_zlib_decompress(d_, in.data(), in.size(), out.data(), size, nullptr) == LIBDEFLATE_SUCCESS;
}

EntryData inflate_entry(const Index& p, std::uint32_t e, Inflater& z, std::string& packed, std::string& out,
                        std::uint64_t& size, std::uint64_t limit) {
    const std::uint64_t start = p.offset[e], end = p.end_of(e);
    if (end <= start) return EntryData::corrupt;
    Header h;
    if (end - start > (1u << 20)) {
        // A big entry may be a blob over the limit: its header says so before the rest is read.
        unsigned char head[64];
        const std::size_t len = sizeof head;
        if (!pread_all(p.file.fd, head, len, start)) return EntryData::unreadable;
        if (!parse_header(head, head + len, h)) return EntryData::corrupt;
        size = h.size;
        if (h.size > limit) return EntryData::too_large;
    }
    packed.resize(std::size_t(end - start));
    if (!pread_all(p.file.fd, packed.data(), packed.size(), start)) return EntryData::unreadable;
    const auto* at = reinterpret_cast<const unsigned char*>(packed.data());
    if (!parse_header(at, at + packed.size(), h)) return EntryData::corrupt;
    size = h.size;
    if (h.size > limit) return EntryData::too_large;
    return z.inflate_exact(std::string_view(packed).substr(h.length), std::size_t(h.size), out) ? EntryData::ok
                                                                                                : EntryData::corrupt;
}

namespace {

// Sorts (offset, index) pairs by offset into p.offset and p.index. Packed into one 64-bit key when
// they fit (packs under 1 TiB with under 16M objects: all but the rarest), which needs no memory
// beyond the two arrays; else through a temporary array of pairs.
void sort_entries(Index& p, std::vector<std::uint64_t>& off_by_index) {
    const std::uint32_t n = std::uint32_t(off_by_index.size());
    p.index.resize(n);
    if (p.size < (std::uint64_t(1) << 40) && n < (1u << 24)) {
        for (std::uint32_t i = 0; i < n; ++i) off_by_index[i] = (off_by_index[i] << 24) | i;
        std::sort(off_by_index.begin(), off_by_index.end());
        for (std::uint32_t e = 0; e < n; ++e) {
            p.index[e] = std::uint32_t(off_by_index[e] & 0xffffffu);
            off_by_index[e] >>= 24;
        }
        p.offset.assign(off_by_index);
        return;
    }
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = {off_by_index[i], i};
    std::sort(order.begin(), order.end());
    for (std::uint32_t e = 0; e < n; ++e) off_by_index[e] = order[e].first, p.index[e] = order[e].second;
    p.offset.assign(off_by_index);
}

void build_fanout(Index& p) {
    // Enough buckets for about 4 ids each (a byte or so per object), 256 at least.
    const std::size_t n = p.key_hi.size();
    p.fanout_bits = 8;
    while (p.fanout_bits < 24 && (n >> p.fanout_bits) > 4) ++p.fanout_bits;
    p.fanout.assign((std::size_t(1) << p.fanout_bits) + 1, 0);
    for (const std::uint64_t hi : p.key_hi) ++p.fanout[bucket_of(p, hi) + 1];
    for (std::size_t k = 1; k < p.fanout.size(); ++k) p.fanout[k] += p.fanout[k - 1];
}

// Which entries are delta bases, and the blobs' delta trees in preorder (see Index::tree), through
// children lists that are let go once they are laid out.
void build_trees(Index& p) {
    const std::uint32_t n = p.entries();
    std::vector<std::uint32_t> first_child(n, kNone), next_sibling(n, kNone);
    // Built from the back, so each list is in pack order.
    for (std::uint32_t e = n; e-- > 0;) {
        if (p.base[e] == kNone) continue;
        next_sibling[e] = first_child[p.base[e]];
        first_child[p.base[e]] = e;
    }
    p.based_on = EntryBits(n);
    for (std::uint32_t e = 0; e < n; ++e)
        if (first_child[e] != kNone) p.based_on.set(e);
    p.tree.clear();
    p.tree_size.clear();
    std::vector<std::uint32_t> open;  // places in `tree` whose subtree is still being laid out
    for (std::uint32_t root = 0; root < n; ++root) {
        if (p.type[root] != kBlob) continue;
        // Preorder without recursion: a place's size is known once the next place at its depth or
        // above is reached; `next` walks down to first children and across to siblings, and back up.
        std::uint32_t x = root;
        while (x != kNone) {
            open.push_back(std::uint32_t(p.tree.size()));
            p.tree.push_back(x);
            p.tree_size.push_back(0);
            if (first_child[x] != kNone) {
                x = first_child[x];
                continue;
            }
            // Close finished subtrees until one has a next sibling (or the root is closed).
            x = kNone;
            while (!open.empty()) {
                const std::uint32_t k = open.back();
                open.pop_back();
                p.tree_size[k] = std::uint32_t(p.tree.size()) - k;
                const std::uint32_t y = p.tree[k];
                if (y != root && next_sibling[y] != kNone) {
                    x = next_sibling[y];
                    break;
                }
            }
        }
    }
    p.tree.shrink_to_fit();
    p.tree_size.shrink_to_fit();
}

// The keys, from the .idx's table of ids read in pieces (a copy of the whole table would cost 20 bytes
// per object at the scan's peak), and the ids that share a key. False if the table cannot be read or
// is out of order.
bool read_keys(Index& p, std::uint32_t n) {
    p.key_hi.resize(n);
    p.key_lo.resize(n);
    constexpr std::uint32_t kChunk = 4096;
    std::vector<unsigned char> buf(std::size_t(kChunk) * GIT_OID_RAWSZ);
    for (std::uint32_t at = 0; at < n; at += kChunk) {
        const std::uint32_t m = std::min(kChunk, n - at);
        if (!pread_all(p.idx.fd, buf.data(), std::size_t(m) * GIT_OID_RAWSZ, p.ids_at + std::uint64_t(at) * GIT_OID_RAWSZ))
            return false;
        for (std::uint32_t i = 0; i < m; ++i) {
            const Key k = key_of(buf.data() + std::size_t(i) * GIT_OID_RAWSZ);
            p.key_hi[at + i] = k.hi;
            p.key_lo[at + i] = k.lo;
        }
    }
    for (std::uint32_t i = 1; i < n; ++i) {
        const Key before = key_at(p, i - 1), here = key_at(p, i);
        if (before < here) continue;
        if (before > here) return false;  // lookups need the order
        if (p.same_key.empty() || p.same_key.back() != i - 1) p.same_key.push_back(i - 1);
        p.same_key.push_back(i);
    }
    return true;
}

}  // namespace

std::string load(Index& p, const fs::path& idx_path) {
    fs::path pack_path = idx_path;
    pack_path.replace_extension(".pack");
    p.path = pack_path;
    // The index is read a section at a time, straight into the tables that keep it: a copy of the
    // whole file would be the scan's largest allocation.
    p.idx = Fd(::open(idx_path.c_str(), O_RDONLY | O_CLOEXEC));
    const Fd& idx = p.idx;
    if (idx.fd < 0) return "cannot open pack index";
    const off_t idx_len = ::lseek(idx.fd, 0, SEEK_END);
    unsigned char head[8 + 256 * 4];
    if (idx_len < off_t(sizeof head) || !pread_all(idx.fd, head, sizeof head, 0)) return "cannot read pack index";
    if (std::memcmp(head, "\377tOc", 4) != 0 || be32(head + 4) != 2) return "not a version 2 pack index";
    const std::uint32_t n = be32(head + 8 + 255 * 4);
    const std::uint64_t ids_at = sizeof head, off_at = ids_at + std::uint64_t(n) * 24,
                        big_at = off_at + std::uint64_t(n) * 4;
    if (std::uint64_t(idx_len) < big_at + 40) return "truncated pack index";
    p.file = Fd(::open(pack_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (p.file.fd < 0) return "cannot open " + pack_path.string();
    off_t psize = ::lseek(p.file.fd, 0, SEEK_END);
    if (psize < 32) return "truncated pack";
    p.size = std::uint64_t(psize);

    static_assert(sizeof(git_oid) == GIT_OID_RAWSZ);
    p.ids_at = ids_at;
    if (!read_keys(p, n)) return "cannot read the ids of the pack index, or they are out of order";
    std::vector<std::uint64_t> off_by_index(n);
    {
        std::vector<std::uint32_t> small(n);
        std::vector<unsigned char> big(std::size_t(std::uint64_t(idx_len) - 40 - big_at));
        if (!pread_all(idx.fd, small.data(), std::size_t(n) * 4, off_at) ||
            !pread_all(idx.fd, big.data(), big.size(), big_at))
            return "cannot read pack index";
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint64_t off = be32(reinterpret_cast<const unsigned char*>(&small[i]));
            if (off & 0x80000000u) {
                std::size_t k = std::size_t(off & 0x7fffffffu);
                if ((k + 1) * 8 > big.size()) return "bad large offset in pack index";
                off = (std::uint64_t(be32(big.data() + k * 8)) << 32) | be32(big.data() + k * 8 + 4);
            }
            if (off + 2 > p.size - 20) return "pack index points past the pack";
            off_by_index[i] = off;
        }
    }
    sort_entries(p, off_by_index);
    std::vector<std::uint64_t>().swap(off_by_index);
    build_fanout(p);
    p.type.resize(n);
    p.base.assign(n, kNone);
    p.entry_of.resize(n);
    for (std::uint32_t e = 0; e < n; ++e) p.entry_of[p.index[e]] = e;

    // Entry headers, read through a sliding window so the pack is read once, in order.
    std::string win;
    std::uint64_t win_off = 0;
    constexpr std::size_t kWin = 1 << 20;
    for (std::uint32_t e = 0; e < n; ++e) {
        const std::uint64_t off = p.offset[e];
        if (off < win_off || off + 64 > win_off + win.size()) {
            win_off = off;
            std::size_t len = std::size_t(std::min<std::uint64_t>(kWin, p.size - off));
            win.resize(len);
            if (!pread_all(p.file.fd, win.data(), len, off)) return "cannot read pack";
        }
        const auto* h = reinterpret_cast<const unsigned char*>(win.data()) + (off - win_off);
        const auto* lim = reinterpret_cast<const unsigned char*>(win.data()) + win.size();
        Header hd;
        if (!parse_header(h, lim, hd)) return "bad entry header at " + std::to_string(off);
        p.type[e] = hd.type;
        if (hd.type == kOfsDelta) {
            if (hd.base_distance == 0 || hd.base_distance > off) return "bad delta offset at " + std::to_string(off);
            const std::uint64_t base_off = off - hd.base_distance;
            const std::uint32_t b = p.offset.lower_bound(base_off, e);
            if (b == e || p.offset[b] != base_off) return "delta base missing at " + std::to_string(off);
            p.base[e] = b;
        } else if (hd.type == kRefDelta) {
            p.base[e] = p.find(hd.base_id);
        }
    }
    build_trees(p);
    return "";
}

}  // namespace ks::pack

namespace ks {

bool apply_git_delta(std::string_view base, std::string_view delta, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(delta.data());
    const auto* end = p + delta.size();
    auto varint = [&](std::uint64_t& v) {
        v = 0;
        for (int shift = 0; p < end; shift += 7) {
            unsigned char c = *p++;
            v |= std::uint64_t(c & 0x7f) << shift;
            if (!(c & 0x80)) return shift < 64;
        }
        return false;
    };
    std::uint64_t src_size, dst_size;
    if (!varint(src_size) || !varint(dst_size) || src_size != base.size()) return false;
    out.resize(dst_size);
    std::uint64_t pos = 0;
    while (p < end) {
        unsigned char op = *p++;
        if (op & 0x80) {
            std::uint64_t off = 0, sz = 0;
            for (int i = 0; i < 4; ++i)
                if (op & (1u << i)) {
                    if (p >= end) return false;
                    off |= std::uint64_t(*p++) << (8 * i);
                }
            for (int i = 0; i < 3; ++i)
                if (op & (0x10u << i)) {
                    if (p >= end) return false;
                    sz |= std::uint64_t(*p++) << (8 * i);
                }
            if (sz == 0) sz = 0x10000;
            if (off + sz > base.size() || pos + sz > dst_size) return false;
            std::memcpy(out.data() + pos, base.data() + off, sz);
            pos += sz;
        } else if (op) {
            if (std::uint64_t(end - p) < op || pos + op > dst_size) return false;
            std::memcpy(out.data() + pos, p, op);
            p += op, pos += op;
        } else {
            return false;  // opcode 0 is reserved
        }
    }
    return pos == dst_size;
}

}  // namespace ks
