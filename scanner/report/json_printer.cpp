#include "report/formats.hpp"
#include "report/json_fields.hpp"

namespace ks::report {

// ordered_json keeps the fields in the documented order, which is what a person reading the output expects.
using json = nlohmann::ordered_json;

json finding_json(const Finding& f) {
    json v = {{"status", std::string(to_string(f.verification.status))},
              {"account", f.verification.account},
              {"arn", f.verification.arn}};
    if (!f.verification.user_id.empty()) v["user_id"] = f.verification.user_id;
    if (!f.verification.message.empty()) v["message"] = f.verification.message;
    return {{"rule_id", f.rule_id},       {"description", f.description},
            {"secret", f.secret},         {"match", f.match},
            {"path", f.path},             {"commit", f.commit},
            {"author", f.author},         {"email", f.email},
            {"date", f.date},             {"line", f.line},
            {"column", f.column},         {"end_line", f.end_line},
            {"end_column", f.end_column}, {"blob_id", f.blob_id},
            {"entropy", f.entropy},       {"fingerprint", f.fingerprint},
            {"verification", std::move(v)}};
}

json summary_json(const ScanSummary& s) {
    return {{"targets", s.targets},
            {"blobs_scanned", s.blobs_scanned},
            {"bytes_scanned", s.bytes_scanned},
            {"commits", s.commits},
            {"skipped", s.skipped},  // std::map -> {"reason": count}; {} when nothing was skipped
            {"suppressed", s.suppressed},
            {"seconds", s.seconds}};
}

std::string dump_json(const json& j, int indent) {
    // Secrets, paths and author names come from arbitrary bytes; strict UTF-8 would throw mid-report.
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace detail {

void write_json(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary) {
    json list = json::array();
    for (const auto& f : findings) list.push_back(finding_json(f));
    json doc = {{"version", 1}, {"findings", std::move(list)}, {"summary", summary_json(summary)}};
    out << dump_json(doc, 2) << '\n';
}

void write_jsonl(std::ostream& out, const std::vector<Finding>& findings) {
    for (const auto& f : findings) out << dump_json(finding_json(f)) << '\n';
}

}  // namespace detail
}  // namespace ks::report
