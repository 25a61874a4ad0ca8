#include "source/oid_set.hpp"

namespace ks {

bool OidSet::insert(const git_oid& id) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
        if (!used_[i]) {
            used_[i] = true;
            slots_[i] = id;
            ++size_;
            return true;
        }
        if (git_oid_equal(&slots_[i], &id)) return false;
    }
}

bool OidSet::contains(const git_oid& id) const {
    if (slots_.empty()) return false;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
        if (!used_[i]) return false;
        if (git_oid_equal(&slots_[i], &id)) return true;
    }
}

void OidSet::grow() {
    std::vector<git_oid> old = std::move(slots_);
    std::vector<bool> old_used = std::move(used_);
    std::size_t n = old.empty() ? 1024 : old.size() * 2;
    slots_.assign(n, git_oid{});
    used_.assign(n, false);
    size_ = 0;
    for (std::size_t i = 0; i < old.size(); ++i)
        if (old_used[i]) insert(old[i]);
}

}  // namespace ks
