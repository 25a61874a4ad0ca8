// Printers for findings: text (people), json / jsonl (programs), sarif (code-scanning services).
//
// Output contract (what tests, CI and docs rely on):
// - json:  {"version": 1, "findings": [...], "summary": {...}}, pretty-printed, newline-terminated.
// - jsonl: one finding object per line, no summary.
// - Finding objects have exactly the design's fields; string fields are never null (empty when
//   unknown, e.g. commit outside history scans). verification always has status, account, arn;
//   user_id and message only when set.
// - sarif: SARIF 2.1.0 as GitHub code scanning accepts it. It never carries the secret, redacted or
//   not (SARIF files get uploaded to third parties); results are keyed by partialFingerprints.
// - Invalid UTF-8 in any field never makes a printer throw (JSON replaces it with U+FFFD; text escapes it).
// - With `redact`, no printer writes the secret's bytes anywhere (secret and match are both redacted).
#pragma once

#include "model/finding.hpp"
#include "model/summary.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ks::report {

enum class Format { text, json, jsonl, sarif };

struct PrintOptions {
    Format format = Format::text;
    bool redact = false;  // replace secrets (and the secret inside `match`) with a redaction
    bool color = false;   // ANSI colour, text format only (the CLI decides: a terminal and NO_COLOR unset)
    std::string tool_version;  // SARIF tool.driver.version; omitted when empty
};

// Throws std::invalid_argument for an unknown name.
Format parse_format(std::string_view name);

// Writes the whole report. Findings are printed in the order given.
void print(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary,
           const PrintOptions& opts);

// The secret as printed under --redact: a prefix of at most 4 bytes and at most a quarter of the
// secret (never cutting a UTF-8 sequence), then "…". Never the whole secret; "…" alone when short.
std::string redact(std::string_view secret);

// A copy of `f` with `secret` redacted and every occurrence of the secret's bytes in `match`
// replaced by the same redaction. Other fields (fingerprint, entropy) are kept.
Finding redacted(const Finding& f);

}  // namespace ks::report
