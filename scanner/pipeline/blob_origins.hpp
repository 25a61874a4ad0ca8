// Where each blob of a full scan was first seen, and whether the pack scan has matched it.
#pragma once

#include "source/entry_bits.hpp"
#include "source/history.hpp"
#include "source/oid_set.hpp"
#include "source/pack_index.hpp"
#include "source/path_table.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace ks {

// Where a blob was first seen: commit index and an interned path.
struct BlobOrigin {
    std::uint32_t commit = BlobTask::kNoCommit;
    std::uint32_t path = kUnreached;
    static constexpr std::uint32_t kUnreached = 0xffffffffu;
    bool reached() const { return path != kUnreached; }
};

// The reachable blobs of a full scan and where each was first seen. A blob in one of the packs' blob
// delta trees (pack::Index::tree: every blob the pack scan resolves) has a slot of 8 bytes, found
// without hashing (the walk located it already) through a rank over a bit per entry; every entry has
// a bit saying the pack scan has matched it. The rest (loose objects, and packed blobs outside those
// trees) are in a hash table.
class BlobOrigins {
public:
    explicit BlobOrigins(const pack::Packs& packs) {
        for (const auto& p : packs) {
            Slots s;
            s.has = EntryBits(p->entries());
            for (const std::uint32_t e : p->tree) s.has.set(e);
            std::uint32_t count = 0;
            s.before = s.has.prefix_counts(count);
            s.origin.resize(count);
            slots_.push_back(std::move(s));
            visited_.emplace_back(std::make_unique<std::atomic<std::uint64_t>[]>((std::size_t(p->entries()) + 63) / 64));
        }
    }
    void add(const BlobTask& t, std::uint32_t path) {
        if (const std::uint32_t i = t.at.found() ? slot(t.at) : kNoSlot; i != kNoSlot)
            slots_[t.at.pack].origin[i] = {t.commit, path};
        else
            loose_.insert(t.id, BlobOrigin{t.commit, path});
    }
    // The origin of a blob the pack scan resolves (unreached for any other entry).
    const BlobOrigin& at(pack::Location a) const {
        static const BlobOrigin kUnreachedOrigin;
        const std::uint32_t i = slot(a);
        return i != kNoSlot ? slots_[a.pack].origin[i] : kUnreachedOrigin;
    }
    // Whether the walk reached the blob `id`, stored at `a` (not found(): outside the packs).
    bool reached(pack::Location a, const git_oid& id) const {
        const std::uint32_t i = a.found() ? slot(a) : kNoSlot;
        return i != kNoSlot ? slots_[a.pack].origin[i].reached() : loose_.contains(id);
    }
    // Marks a packed entry matched; false if it was already.
    bool visit(pack::Location a) {
        const std::uint64_t bit = std::uint64_t(1) << (a.entry & 63);
        return !(visited_[a.pack][a.entry >> 6].fetch_or(bit, std::memory_order_relaxed) & bit);
    }
    bool visited(pack::Location a) const {
        return (visited_[a.pack][a.entry >> 6].load(std::memory_order_relaxed) >> (a.entry & 63)) & 1;
    }
    // Calls f(id, origin) for every reached blob the pack scan did not match.
    template <class F>
    void for_each_unvisited(const pack::Packs& packs, F&& f) const {
        for (std::uint32_t pk = 0; pk < slots_.size(); ++pk)
            for (const std::uint32_t e : packs[pk]->tree)
                if (const BlobOrigin& o = at({pk, e}); o.reached() && !visited({pk, e})) f(packs[pk]->id_of(e), o);
        for (std::size_t s = 0; s < loose_.capacity(); ++s)
            if (loose_.used(s)) f(loose_.key(s), loose_.value(s));
    }

private:
    struct Slots {
        EntryBits has;                      // the entries that have a slot
        std::vector<std::uint32_t> before;  // has.prefix_counts()
        std::vector<BlobOrigin> origin;
    };
    static constexpr std::uint32_t kNoSlot = 0xffffffffu;
    std::uint32_t slot(pack::Location a) const {
        const Slots& s = slots_[a.pack];
        return s.has.test(a.entry) ? s.has.rank(a.entry, s.before) : kNoSlot;
    }
    std::vector<Slots> slots_;
    std::vector<std::unique_ptr<std::atomic<std::uint64_t>[]>> visited_;
    OidTable<BlobOrigin> loose_;
};

}  // namespace ks
