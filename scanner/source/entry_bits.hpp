// A bit per pack entry: what a scan keeps per object where one bit says it (a delta base, seen by
// the walk, given an origin slot), so that such state costs an eighth of a byte per object.
#pragma once

#include <cstdint>
#include <vector>

namespace ks {

class EntryBits {
public:
    EntryBits() = default;
    explicit EntryBits(std::uint32_t n) : words_((std::size_t(n) + 63) / 64, 0) {}

    bool test(std::uint32_t i) const { return words_[i >> 6] & mask(i); }
    void set(std::uint32_t i) { words_[i >> 6] |= mask(i); }
    // Sets bit i; false if it was set already.
    bool insert(std::uint32_t i) {
        std::uint64_t& w = words_[i >> 6];
        if (w & mask(i)) return false;
        w |= mask(i);
        return true;
    }
    // How many of the bits before i are set, given `before`: per word, the set bits of the words
    // before it (see prefix_counts).
    std::uint32_t rank(std::uint32_t i, const std::vector<std::uint32_t>& before) const {
        return before[i >> 6] + std::uint32_t(__builtin_popcountll(words_[i >> 6] & (mask(i) - 1)));
    }
    // Per word, the set bits of the words before it; `total` gets them all.
    std::vector<std::uint32_t> prefix_counts(std::uint32_t& total) const {
        std::vector<std::uint32_t> before(words_.size());
        total = 0;
        for (std::size_t w = 0; w < words_.size(); ++w) {
            before[w] = total;
            total += std::uint32_t(__builtin_popcountll(words_[w]));
        }
        return before;
    }

private:
    static std::uint64_t mask(std::uint32_t i) { return std::uint64_t(1) << (i & 63); }
    std::vector<std::uint64_t> words_;
};

}  // namespace ks
