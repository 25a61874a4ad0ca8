// Compact tables keyed by object id (open addressing, linear probing). The history walker's memory
// is these tables, so they stay small: 20 bytes of id + the value per slot, at most 70% full.
#pragma once

#include <git2.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace ks {

template <class Value>
class OidTable {
public:
    static constexpr std::size_t npos = ~std::size_t(0);

    // Inserts with `v` unless present; returns {slot, inserted}.
    std::pair<std::size_t, bool> insert(const git_oid& id, const Value& v = Value{}) {
        if ((size_ + 1) * 10 > slots_.size() * 7) grow();
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
            if (!used_[i]) {
                used_[i] = 1;
                slots_[i] = id;
                values_[i] = v;
                ++size_;
                return {i, true};
            }
            if (std::memcmp(slots_[i].id, id.id, GIT_OID_RAWSZ) == 0) return {i, false};
        }
    }
    std::size_t find(const git_oid& id) const {
        if (slots_.empty()) return npos;
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
            if (!used_[i]) return npos;
            if (std::memcmp(slots_[i].id, id.id, GIT_OID_RAWSZ) == 0) return i;
        }
    }
    bool contains(const git_oid& id) const { return find(id) != npos; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }
    bool used(std::size_t slot) const { return used_[slot]; }
    const git_oid& key(std::size_t slot) const { return slots_[slot]; }
    Value& value(std::size_t slot) { return values_[slot]; }
    const Value& value(std::size_t slot) const { return values_[slot]; }

private:
    static std::uint64_t hash(const git_oid& id) {
        std::uint64_t h;
        std::memcpy(&h, id.id, sizeof h);  // object ids are already uniformly distributed
        return h;
    }
    void grow() {
        std::vector<git_oid> old = std::move(slots_);
        std::vector<Value> old_values = std::move(values_);
        std::vector<std::uint8_t> old_used = std::move(used_);
        std::size_t n = old.empty() ? 1024 : old.size() * 2;
        slots_.assign(n, git_oid{});
        values_.assign(n, Value{});
        used_.assign(n, 0);
        size_ = 0;
        for (std::size_t i = 0; i < old.size(); ++i)
            if (old_used[i]) insert(old[i], old_values[i]);
    }
    std::vector<git_oid> slots_;
    std::vector<Value> values_;
    std::vector<std::uint8_t> used_;
    std::size_t size_ = 0;
};

struct Empty {};

// A set of object ids.
class OidSet {
public:
    bool insert(const git_oid& id) { return table_.insert(id).second; }
    bool contains(const git_oid& id) const { return table_.contains(id); }
    std::size_t size() const { return table_.size(); }

private:
    OidTable<Empty> table_;
};

}  // namespace ks
