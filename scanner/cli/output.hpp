// The end of every scan: print the report (whole, or not at all), the summary line, the exit code.
#pragma once

#include "cli/scan_flags.hpp"
#include "pipeline/scan.hpp"

namespace ks::cli {

// Writes the report to --output (via a temp file and rename) or stdout, prints the summary on
// stderr unless quiet, and returns 0 (nothing found), 1 (findings) or 3 (a live credential).
int finish(const ScanOutcome& result, const ScanFlags& f);

// Exit code for a set of findings.
int exit_code_for(const std::vector<Finding>& findings);

}  // namespace ks::cli
