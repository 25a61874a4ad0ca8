// `keysweep scan --staged` / `keysweep hook pre-commit`: the staged blobs only, no history walk,
// and only what the change adds.
#pragma once

#include "match/matcher.hpp"
#include "model/diagnostics.hpp"
#include "pipeline/scan.hpp"
#include "source/staged.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ks {

struct StagedScanOptions {
    std::uint64_t max_blob_size = 64ull << 20;
    bool scan_binary = false;
};

// Scans each staged blob (source/staged.hpp) and keeps the findings that are new in it (see
// keep_new_findings, against HEAD's version). Paths are repository-relative, lines are those of the
// staged version; blob_id is the staged blob, commit is empty. A binary blob gets the path rules
// only. An unreadable blob is a warning in `diag`. Throws std::runtime_error when the index or HEAD
// cannot be read.
ScanOutcome scan_staged(StagedSource& source, const std::shared_ptr<const CompiledRules>& rules,
                        const StagedScanOptions& opts, Diagnostics& diag);

// A version of a file before a change: its path then, and its bytes.
struct OldVersion {
    std::string path;
    std::string_view data;
};

// The ids of the rules that fire on a path alone (Rule::Kind::path).
std::unordered_set<std::string> path_rule_ids(const CompiledRules& rules);

// Drops from `findings` (found by `matcher` in `after`) those that are not new relative to the old
// versions `before`. A content finding stays when one of its lines is added (source/added_lines.hpp)
// and no old version holds a finding with the same fingerprint (a moved or re-indented secret is not
// new). A path finding stays when no old version's path draws the same one (editing a key store that
// was already there is not new; adding or renaming one in is). With no `before`, everything is new.
void keep_new_findings(std::vector<Finding>& findings, std::string_view after, const std::vector<OldVersion>& before,
                       BlobMatcher& matcher, const std::unordered_set<std::string>& path_rules);

}  // namespace ks
