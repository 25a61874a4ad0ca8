#include "source/pack_reader.hpp"

namespace ks {

using namespace pack;

PackReader::PackReader(const std::vector<std::unique_ptr<Index>>& packs, std::size_t cache_bytes)
    : packs_(packs), budget_(cache_bytes) {}

PackReader::Status PackReader::read(const git_oid& id, std::string& out, std::uint8_t& type) {
    return read(locate(packs_, id), out, type);
}

PackReader::Status PackReader::read(Location at, std::string& out, std::uint8_t& type) {
    if (!at.found()) return Status::not_found;
    const std::string* data = entry(at.pack, at.entry, type, out);
    if (!data) return Status::corrupt;
    if (data != &out) out = *data;
    return Status::ok;
}

void PackReader::remember(std::uint64_t key, const std::string& data, std::uint8_t type) {
    if (data.size() > budget_ / 4) return;  // one huge base would flush everything else
    while (used_ + data.size() > budget_ && order_head_ < order_.size()) {
        auto it = cache_.find(order_[order_head_++]);
        if (it != cache_.end()) {
            used_ -= it->second.data.size();
            cache_.erase(it);
        }
    }
    if (order_head_ > 4096 && order_head_ * 2 > order_.size()) {
        order_.erase(order_.begin(), order_.begin() + long(order_head_));
        order_head_ = 0;
    }
    if (cache_.emplace(key, Cached{data, type}).second) {
        used_ += data.size();
        order_.push_back(key);
    }
}

const std::string* PackReader::entry(std::uint32_t pk, std::uint32_t e, std::uint8_t& type, std::string& scratch) {
    const Index& p = *packs_[pk];
    const std::uint64_t tag = std::uint64_t(pk) << 32;
    if (auto it = cache_.find(tag | e); it != cache_.end()) {
        type = it->second.type;
        return &it->second.data;
    }
    // The chain from `e` down to a cached base or a whole object.
    chain_.clear();
    const std::string* base = nullptr;
    std::uint32_t x = e;
    for (;;) {
        if (p.type[x] != kOfsDelta && p.type[x] != kRefDelta) break;
        if (chain_.size() > 10000) return nullptr;  // a cycle: the pack is damaged
        chain_.push_back(x);
        x = p.base[x];
        if (x == kNone) return nullptr;  // base in another pack (thin packs are not kept in repositories)
        if (auto it = cache_.find(tag | x); it != cache_.end()) {
            // Copied out: caching the links below may evict it. Trees and commits are small.
            a_ = it->second.data;
            base = &a_;
            type = it->second.type;
            break;
        }
    }
    auto inflate = [&](std::uint32_t y, std::string& into) {
        std::uint64_t size = 0;
        return inflate_entry(p, y, z_, packed_, into, size) == EntryData::ok;
    };
    // Two buffers take turns as base and result; each intermediate base is cached.
    std::string* cur = base ? &b_ : &a_;
    if (!base) {
        if (!inflate(x, *cur)) return nullptr;
        type = p.type[x];
        if (chain_.empty()) {
            scratch.swap(*cur);
            return &scratch;
        }
        if (p.is_base(x)) remember(tag | x, *cur, type);
        base = cur;
        cur = &b_;
    }
    for (std::size_t i = chain_.size(); i-- > 0;) {
        const std::uint32_t y = chain_[i];
        if (!inflate(y, delta_) || !apply_git_delta(*base, delta_, *cur)) return nullptr;
        if (i == 0) break;
        if (p.is_base(y)) remember(tag | y, *cur, type);
        base = cur;
        cur = cur == &a_ ? &b_ : &a_;
    }
    // `e` itself: cached too when later reads will delta against it.
    if (p.is_base(e)) remember(tag | e, *cur, type);
    scratch.swap(*cur);
    return &scratch;
}

}  // namespace ks
