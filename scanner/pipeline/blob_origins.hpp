// Where each blob of a full scan was first seen, and whether the pack scan has matched it.
#pragma once

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

// The reachable blobs of a full scan and where each was first seen. A blob in a pack has a slot at
// its entry (8 bytes, found without hashing: the walk located it already) and a bit saying the pack
// scan has matched it; the rest (loose objects) are in a hash table.
class BlobOrigins {
public:
    explicit BlobOrigins(const pack::Packs& packs) {
        for (const auto& p : packs) {
            packed_.emplace_back(p->entries());
            visited_.emplace_back(std::make_unique<std::atomic<std::uint64_t>[]>((p->entries() + 63) / 64));
        }
    }
    void add(const BlobTask& t, std::uint32_t path) {
        if (t.at.found()) packed_[t.at.pack][t.at.entry] = {t.commit, path};
        else loose_.insert(t.id, BlobOrigin{t.commit, path});
    }
    const BlobOrigin& at(pack::Location a) const { return packed_[a.pack][a.entry]; }
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
        for (std::uint32_t pk = 0; pk < packed_.size(); ++pk)
            for (std::uint32_t e = 0; e < packed_[pk].size(); ++e)
                if (packed_[pk][e].reached() && !visited({pk, e})) f(packs[pk]->id_of(e), packed_[pk][e]);
        for (std::size_t s = 0; s < loose_.capacity(); ++s)
            if (loose_.used(s)) f(loose_.key(s), loose_.value(s));
    }
    bool reached_loose(const git_oid& id) const { return loose_.contains(id); }

private:
    std::vector<std::vector<BlobOrigin>> packed_;
    std::vector<std::unique_ptr<std::atomic<std::uint64_t>[]>> visited_;
    OidTable<BlobOrigin> loose_;
};

}  // namespace ks
