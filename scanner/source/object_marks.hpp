// Which objects a history walk has met. An object in a pack costs one bit, indexed by its pack
// entry, so a walk's memory does not grow by a hash-table slot per tree and blob of the history;
// the rest (loose objects, and walks without pack indexes) go in a hash set.
#pragma once

#include "source/entry_bits.hpp"
#include "source/oid_set.hpp"
#include "source/pack_index.hpp"

#include <cstdint>
#include <vector>

namespace ks {

class ObjectMarks {
public:
    // REQUIRES: `packs` (may be null) outlives the marks.
    explicit ObjectMarks(const pack::Packs* packs) : packs_(packs) {
        if (packs_)
            for (const auto& p : *packs_) bits_.emplace_back(p->entries());
    }

    // Marks `id`; true if it was not marked yet. `at` gets where the packs hold it (not found():
    // nowhere, or the walk has no pack indexes).
    bool insert(const git_oid& id, pack::Location& at) {
        at = packs_ ? pack::locate(*packs_, id) : pack::Location{};
        if (!at.found()) return loose_.insert(id);
        return bits_[at.pack].insert(at.entry);
    }
    bool insert(const git_oid& id) {
        pack::Location at;
        return insert(id, at);
    }
    bool contains(const git_oid& id) const {
        const pack::Location at = packs_ ? pack::locate(*packs_, id) : pack::Location{};
        if (!at.found()) return loose_.contains(id);
        return bits_[at.pack].test(at.entry);
    }

private:
    const pack::Packs* packs_;
    std::vector<EntryBits> bits_;  // per pack
    OidSet loose_;
};

}  // namespace ks
