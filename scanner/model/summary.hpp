// What a whole scan reports besides its findings: counts, skips, timing, and the rules used.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ks {

struct RuleInfo {
    std::string id;
    std::string description;
};

struct ScanSummary {
    std::vector<std::string> targets;
    std::uint64_t blobs_scanned = 0;
    std::uint64_t bytes_scanned = 0;
    std::uint64_t commits = 0;                     // commits walked (history scans)
    std::map<std::string, std::uint64_t> skipped;  // reason ("missing", "corrupt", "too-large", "binary", "unreadable", ...) -> count
    std::uint64_t suppressed = 0;                  // findings dropped by baseline / ignore file
    double seconds = 0.0;
    std::vector<RuleInfo> rules;                   // every rule that was active, in load order
};

}  // namespace ks
