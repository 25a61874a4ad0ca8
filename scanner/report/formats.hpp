// Internal to report/: one writer per format. print() (printer.cpp) redacts first when asked and
// then calls one of these, so no writer has to think about redaction.
#pragma once

#include "report/printer.hpp"

namespace ks::report::detail {

void write_text(std::ostream& out, const std::vector<Finding>& findings, bool color);
void write_json(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary);
void write_jsonl(std::ostream& out, const std::vector<Finding>& findings);
void write_sarif(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary,
                 const PrintOptions& opts);

}  // namespace ks::report::detail
