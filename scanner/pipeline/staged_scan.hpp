// `keysweep scan --staged` / `keysweep hook pre-commit`: the staged blobs only, no history walk,
// and only what the change adds.
#pragma once

#include "match/matcher.hpp"
#include "model/diagnostics.hpp"
#include "pipeline/scan.hpp"
#include "source/staged.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ks {

struct StagedScanOptions {
    std::uint64_t max_blob_size = 64ull << 20;
    bool scan_binary = false;
};

// Scans each staged blob (source/staged.hpp) and keeps the findings that are new in it (see
// keep_new_findings, against HEAD's version). Paths are repository-relative, lines are those of the
// staged version; blob_id is the staged blob, commit is empty. An unreadable blob is a warning in
// `diag`. Throws std::runtime_error when the index or HEAD cannot be read.
ScanOutcome scan_staged(StagedSource& source, const std::shared_ptr<const CompiledRules>& rules,
                        const StagedScanOptions& opts, Diagnostics& diag);

// Drops from `findings` (all found by `matcher` in `after`) those that are not new relative to the
// old versions `before`: a finding stays when one of its lines is added (source/added_lines.hpp) and
// no old version holds a finding with the same fingerprint. With no `before`, everything is new.
void keep_new_findings(std::vector<Finding>& findings, std::string_view after,
                       const std::vector<std::string_view>& before, std::string_view path, BlobMatcher& matcher);

}  // namespace ks
