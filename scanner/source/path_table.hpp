// Paths interned to 32-bit ids: a history names the same few thousand paths in every commit.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ks {

class PathTable {
public:
    std::uint32_t intern(const std::string& p) {
        auto [it, inserted] = ids_.emplace(p, std::uint32_t(paths_.size()));
        if (inserted) paths_.push_back(&it->first);  // node keys stay put as the map grows
        return it->second;
    }
    const std::string& operator[](std::uint32_t i) const { return *paths_[i]; }

private:
    std::unordered_map<std::string, std::uint32_t> ids_;
    std::vector<const std::string*> paths_;
};

}  // namespace ks
