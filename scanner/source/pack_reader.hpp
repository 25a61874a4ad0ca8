// Random access to objects in pack files, for the history walk's trees and commits: no locks (each
// thread has its own reader; the pack indexes are shared read-only), and a bounded cache of delta
// bases so a chain of 50 tree versions costs one inflation per version, not one per link.
#pragma once

#include "source/pack_index.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ks {

class PackReader {
public:
    enum class Status { ok, not_found, corrupt };

    // REQUIRES: `packs` outlives the reader. `cache_bytes` bounds the delta bases kept.
    explicit PackReader(const pack::Packs& packs, std::size_t cache_bytes = 4u << 20);

    // Reads object `id` into `out` (git object type in `type`: pack::kCommit, kTree, kBlob, kTag).
    // not_found: no pack holds it (a loose object, or missing); ask libgit2.
    Status read(const git_oid& id, std::string& out, std::uint8_t& type);
    // The same, for an object already located (not_found if `at` is not found()).
    Status read(pack::Location at, std::string& out, std::uint8_t& type);

private:
    struct Cached {
        std::string data;
        std::uint8_t type;
    };
    // The bytes of entry `e` of pack `pk`: from the cache, or built into `scratch`.
    const std::string* entry(std::uint32_t pk, std::uint32_t e, std::uint8_t& type, std::string& scratch);
    void remember(std::uint64_t key, const std::string& data, std::uint8_t type);

    const pack::Packs& packs_;
    std::size_t budget_, used_ = 0;
    std::unordered_map<std::uint64_t, Cached> cache_;
    std::vector<std::uint64_t> order_;  // insertion order, for eviction (oldest first)
    std::size_t order_head_ = 0;
    pack::Inflater z_;
    std::string packed_, delta_, a_, b_;
    std::vector<std::uint32_t> chain_;
};

}  // namespace ks
