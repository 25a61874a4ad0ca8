#include "source/pack_index.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ks::pack {
namespace fs = std::filesystem;

namespace {

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

}  // namespace

Index::~Index() {
    if (fd >= 0) ::close(fd);
}

std::uint32_t Index::find(const git_oid& id) const {
    const unsigned b = id.id[0];
    auto lo = ids.begin() + fanout[b], hi = ids.begin() + std::min<std::size_t>(fanout[b + 1], ids.size());
    auto it = std::lower_bound(lo, hi, id, [](const git_oid& a, const git_oid& x) { return git_oid_cmp(&a, &x) < 0; });
    if (it == hi || !git_oid_equal(&*it, &id)) return kNone;
    return entry_of[std::size_t(it - ids.begin())];
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

bool ZStream::inflate_exact(std::string_view in, std::size_t size, std::string& out) {
    out.resize(size);
    inflateReset(&z);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = uInt(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(size);
    int rc = inflate(&z, Z_FINISH);
    if (rc == Z_BUF_ERROR && size == 0 && z.avail_out == 0) rc = Z_STREAM_END;
    return rc == Z_STREAM_END && z.total_out == size;
}

EntryData inflate_entry(const Index& p, std::uint32_t e, ZStream& z, std::string& packed, std::string& out) {
    const std::uint64_t start = p.data_start[e];
    packed.resize(std::size_t(p.end_of(e) - start));
    if (!pread_all(p.fd, packed.data(), packed.size(), start)) return EntryData::unreadable;
    return z.inflate_exact(packed, std::size_t(p.obj_size[e]), out) ? EntryData::ok : EntryData::corrupt;
}

std::string hex_of(const git_oid& id) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &id);
    return buf;
}

std::string load(Index& p, const fs::path& idx_path) {
    fs::path pack_path = idx_path;
    pack_path.replace_extension(".pack");
    p.path = pack_path;
    int ifd = ::open(idx_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ifd < 0) return "cannot open pack index";
    std::string idx;
    {
        off_t len = ::lseek(ifd, 0, SEEK_END);
        idx.resize(std::size_t(len > 0 ? len : 0));
        bool ok = len > 0 && pread_all(ifd, idx.data(), idx.size(), 0);
        ::close(ifd);
        if (!ok) return "cannot read pack index";
    }
    const auto* d = reinterpret_cast<const unsigned char*>(idx.data());
    if (idx.size() < 8 + 256 * 4 || std::memcmp(d, "\377tOc", 4) != 0 || be32(d + 4) != 2)
        return "not a version 2 pack index";
    const std::uint32_t n = be32(d + 8 + 255 * 4);
    const std::size_t ids_at = 8 + 256 * 4, crc_at = ids_at + std::size_t(n) * 20, off_at = crc_at + std::size_t(n) * 4,
                      big_at = off_at + std::size_t(n) * 4;
    if (idx.size() < big_at + 40) return "truncated pack index";
    p.fd = ::open(pack_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (p.fd < 0) return "cannot open " + pack_path.string();
    off_t psize = ::lseek(p.fd, 0, SEEK_END);
    if (psize < 32) return "truncated pack";
    p.size = std::uint64_t(psize);

    p.ids.resize(n);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::memcpy(p.ids[i].id, d + ids_at + std::size_t(i) * 20, 20);
        std::uint64_t off = be32(d + off_at + std::size_t(i) * 4);
        if (off & 0x80000000u) {
            std::size_t k = std::size_t(off & 0x7fffffffu);
            if (big_at + (k + 1) * 8 > idx.size() - 40) return "bad large offset in pack index";
            off = (std::uint64_t(be32(d + big_at + k * 8)) << 32) | be32(d + big_at + k * 8 + 4);
        }
        if (off + 2 > p.size - 20) return "pack index points past the pack";
        order[i] = {off, i};
    }
    std::sort(order.begin(), order.end());
    p.index.resize(n), p.offset.resize(n), p.data_start.resize(n), p.obj_size.resize(n), p.type.resize(n);
    p.base.assign(n, kNone), p.first_child.assign(n, kNone), p.next_sibling.assign(n, kNone);
    p.entry_of.resize(n);
    std::vector<std::uint32_t>& entry_of_index = p.entry_of;
    for (std::uint32_t e = 0; e < n; ++e) {
        p.offset[e] = order[e].first;
        p.index[e] = order[e].second;
        entry_of_index[order[e].second] = e;
    }
    for (std::uint32_t b = 0; b < 256; ++b) p.fanout[b + 1] = be32(d + 8 + b * 4);

    // Entry headers, read through a sliding window so the pack is read once, in order.
    std::string win;
    std::uint64_t win_off = 0;
    constexpr std::size_t kWin = 1 << 20;
    for (std::uint32_t e = 0; e < n; ++e) {
        std::uint64_t off = p.offset[e];
        if (off < win_off || off + 32 > win_off + win.size()) {
            win_off = off;
            std::size_t len = std::size_t(std::min<std::uint64_t>(kWin, p.size - off));
            win.resize(len);
            if (!pread_all(p.fd, win.data(), len, off)) return "cannot read pack";
        }
        const auto* h = reinterpret_cast<const unsigned char*>(win.data()) + (off - win_off);
        const auto* lim = reinterpret_cast<const unsigned char*>(win.data()) + win.size();
        unsigned char c = *h++;
        std::uint8_t type = (c >> 4) & 7;
        std::uint64_t size = c & 15;
        for (int shift = 4; (c & 0x80) && h < lim; shift += 7) {
            c = *h++;
            size |= std::uint64_t(c & 0x7f) << shift;
        }
        p.type[e] = type;
        p.obj_size[e] = size;
        if (type == kOfsDelta) {
            c = *h++;
            std::uint64_t rel = c & 0x7f;
            while ((c & 0x80) && h < lim) {
                c = *h++;
                rel = ((rel + 1) << 7) | (c & 0x7f);
            }
            if (rel == 0 || rel > off) return "bad delta offset at " + std::to_string(off);
            std::uint64_t base_off = off - rel;
            auto it = std::lower_bound(p.offset.begin(), p.offset.begin() + e, base_off);
            if (it == p.offset.begin() + e || *it != base_off) return "delta base missing at " + std::to_string(off);
            p.base[e] = std::uint32_t(it - p.offset.begin());
        } else if (type == kRefDelta) {
            git_oid base_id;
            std::memcpy(base_id.id, h, 20);
            h += 20;
            auto it = std::lower_bound(p.ids.begin(), p.ids.end(), base_id,
                                       [](const git_oid& a, const git_oid& b) { return git_oid_cmp(&a, &b) < 0; });
            if (it != p.ids.end() && git_oid_equal(&*it, &base_id)) p.base[e] = entry_of_index[std::size_t(it - p.ids.begin())];
        } else if (type < kCommit || type > kTag) {
            return "unknown object type at " + std::to_string(off);
        }
        p.data_start[e] = off + std::uint64_t(h - (reinterpret_cast<const unsigned char*>(win.data()) + (off - win_off)));
    }
    // Children lists: every delta hangs under its base.
    for (std::uint32_t e = n; e-- > 0;) {
        if (p.base[e] == kNone) continue;
        p.next_sibling[e] = p.first_child[p.base[e]];
        p.first_child[p.base[e]] = e;
    }
    for (std::uint32_t e = 0; e < n; ++e)
        if (p.type[e] == kBlob) p.blob_roots.push_back(e);
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
