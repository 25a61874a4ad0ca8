// Suppression of findings a person already reviewed: an ignore file and a baseline report.
// Both are keyed by content fingerprints (rule_id:hash of the secret), so an entry survives line
// moves and history rewrites, and a changed secret is reported again.
//
// Ignore file (.keysweepignore): one entry per line, `#` starts a comment (at line start or after
// whitespace). An entry is `FINGERPRINT` (suppressed everywhere) or `FINGERPRINT PATH-GLOB`
// (suppressed only where the finding's path matches; fnmatch without flags, so `*` also crosses `/`).
//
// Baseline: a previous keysweep report: the JSON object form, a bare array of findings, JSON lines,
// or our SARIF (partialFingerprints "keysweep/v1"). Every fingerprint in it is suppressed everywhere.
#pragma once

#include "model/finding.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ks::report {

class Suppressor {
public:
    // Empty paths mean "none". Throws std::runtime_error, one line naming the file (and line where it
    // helps), for an unreadable or malformed file. Messages never quote the file's content: a
    // baseline holds secrets and an ignore file may hold one pasted by mistake.
    static Suppressor load(const std::filesystem::path& ignore_file, const std::filesystem::path& baseline);

    // The same parsers over text in memory; `name` is what error messages call the input.
    void add_ignore_text(std::string_view text, std::string_view name);
    void add_baseline_text(std::string_view text, std::string_view name);

    bool suppressed(const Finding& f) const;
    // Removes the suppressed findings, keeping the others' order; returns how many it removed
    // (the CLI adds this to ScanSummary::suppressed).
    std::size_t filter(std::vector<Finding>& findings) const;

    bool empty() const { return everywhere_.empty() && scoped_.empty(); }

private:
    std::unordered_set<std::string> everywhere_;                     // fingerprint
    std::unordered_map<std::string, std::vector<std::string>> scoped_;  // fingerprint -> path globs
};

// True for "rule_id:<32 lowercase hex>", the shape ks::fingerprint() produces.
bool is_fingerprint(std::string_view s);

}  // namespace ks::report
