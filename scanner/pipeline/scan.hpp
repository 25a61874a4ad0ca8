// Wires the stages for `keysweep scan`: source → match → (verify, report happen in cli/).
#pragma once

#include "match/matcher.hpp"
#include "model/diagnostics.hpp"
#include "model/finding.hpp"
#include "model/summary.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ks {

struct ScanOptions {
    unsigned threads = 0;                        // 0: the machine's cores
    std::uint64_t max_blob_size = 64ull << 20;
    bool scan_binary = false;
    bool no_git = false;                         // treat repositories as plain folders
    bool all_objects = false;                    // also blobs no ref reaches
    std::vector<std::string> include, exclude;   // revisions (from --range / --since); empty: all refs
    bool only_introduced = false;                // history: drop secrets the introducing commit's parents
                                                 // already had in that file (pipeline/push_range.hpp)
    bool progress = false;                       // live progress line on stderr
};

struct ScanOutcome {
    std::vector<Finding> findings;  // sorted: path, line, column, rule
    ScanSummary summary;
};

// Kinds of target, as the CLI resolves them.
enum class TargetKind { git, folder, file, stdin_ };
TargetKind classify_target(const std::string& target, bool no_git);

// Scans every target. Per-input problems are warnings in `diag`; a target that does not exist or a
// bad revision throws std::runtime_error (the run fails as a whole, exit 2).
ScanOutcome scan_targets(const std::vector<std::string>& targets, std::shared_ptr<const CompiledRules> rules,
                         const ScanOptions& opts, Diagnostics& diag);

// Fills author, email and date of findings that carry a commit id.
void attribute(const std::string& repo_path, std::vector<Finding>& findings);

// Deterministic order for reports.
void sort_findings(std::vector<Finding>& findings);

}  // namespace ks
