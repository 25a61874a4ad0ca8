// A compact set of object ids (open addressing, 20 bytes a slot): the walker's memory is this set,
// so it must stay small — about 28 bytes per distinct object.
#pragma once

#include <git2.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace ks {

class OidSet {
public:
    // Inserts; returns true when `id` was not there before.
    bool insert(const git_oid& id);
    bool contains(const git_oid& id) const;
    std::size_t size() const { return size_; }

private:
    static std::uint64_t hash(const git_oid& id) {
        std::uint64_t h;
        std::memcpy(&h, id.id, sizeof h);  // object ids are already uniformly distributed
        return h;
    }
    void grow();
    std::vector<git_oid> slots_;
    std::vector<bool> used_;
    std::size_t size_ = 0;
};

}  // namespace ks
