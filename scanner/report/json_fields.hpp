// The JSON shape of a finding and of a summary, shared by the json, jsonl and sarif printers (and
// by anything else that stores findings as JSON). Callers redact first; these copy fields as given.
#pragma once

#include "model/finding.hpp"
#include "model/summary.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ks::report {

nlohmann::ordered_json finding_json(const Finding& f);
nlohmann::ordered_json summary_json(const ScanSummary& s);

// dump() that never throws on invalid UTF-8 (bytes become U+FFFD). indent < 0: one line.
std::string dump_json(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace ks::report
