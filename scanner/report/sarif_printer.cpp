// SARIF 2.1.0 for GitHub code scanning (and other SARIF consumers).
// GitHub's checks that shape this: every result's ruleId names a driver rule and ruleIndex points at
// it; a physical location with a relative URI and a region whose numbers are >= 1; partialFingerprints
// so alerts are tracked across runs. The secret itself is never written here.
#include "report/formats.hpp"
#include "report/json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace ks::report::detail {
namespace {

using json = nlohmann::ordered_json;  // "$schema" and "version" first, as in every SARIF example

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

// "aws-access-key-id" -> "AwsAccessKeyId": SARIF's rule `name` is an identifier-like string.
std::string camel(std::string_view id) {
    std::string out;
    bool up = true;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c))) { up = true; continue; }
        out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        up = false;
    }
    return out.empty() ? "Secret" : out;
}

// Percent-encodes everything but RFC 3986 unreserved characters and '/', so spaces, '#', '?', '%'
// and non-ASCII bytes in a path make a valid URI reference.
std::string uri_escape(std::string_view path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : path) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Repository-relative paths (what history scans produce) stay relative to %SRCROOT%; an absolute
// path (a directory scan given one) becomes a file:// URI rather than a wrong relative one.
json artifact_location(std::string_view path) {
    while (path.starts_with("./")) path.remove_prefix(2);
    if (path.starts_with('/')) return {{"uri", "file://" + uri_escape(path)}};
    return {{"uri", uri_escape(path.empty() ? "-" : path)}, {"uriBaseId", "%SRCROOT%"}};
}

// SARIF regions are 1-based with an exclusive endColumn; Finding's end_column is the secret's last
// byte (inclusive, as match/ computes it), hence the + 1. Clamp so GitHub never sees a 0 or an
// inverted region.
json region(const Finding& f) {
    std::uint32_t sl = std::max(1u, f.line), sc = std::max(1u, f.column);
    std::uint32_t el = std::max(sl, f.end_line), ec = f.end_column + 1;
    if (el == sl) ec = std::max(ec, sc);
    return {{"startLine", sl}, {"startColumn", sc}, {"endLine", el}, {"endColumn", ec}};
}

json rule_json(const std::string& id, const std::string& description) {
    std::string desc = description.empty() ? id : description;
    return {{"id", id},
            {"name", camel(id)},
            {"shortDescription", {{"text", desc}}},
            {"fullDescription", {{"text", desc + " committed to the repository."}}},
            {"help",
             {{"text", "A credential matching rule '" + id +
                           "' was found. Treat it as exposed even if it was later deleted (it stays in "
                           "history): revoke or rotate it, then remove it. For a false positive, add the "
                           "finding's fingerprint to .keysweepignore."}}},
            {"defaultConfiguration", {{"level", "error"}}},
            // json::array(): a braced pair of strings would otherwise become an object.
            {"properties", {{"tags", json::array({"security", "secret"})}}}};
}

// A key the provider says is invalid is worth less attention; a canary is planted on purpose.
const char* level(VerifyStatus s) {
    switch (s) {
        case VerifyStatus::invalid: return "warning";
        case VerifyStatus::canary: return "note";
        default: return "error";
    }
}

std::string message(const Finding& f) {
    std::string m = (f.description.empty() ? f.rule_id : f.description) + " (" + f.rule_id +
                    "), fingerprint " + f.fingerprint + ".";
    const auto& v = f.verification;
    if (v.status != VerifyStatus::not_attempted) {
        m += " Verification: " + std::string(to_string(v.status));
        if (!v.account.empty()) m += ", account " + v.account;
        if (!v.arn.empty()) m += ", " + v.arn;
        m += ".";
    }
    return m;
}

json result_json(const Finding& f, std::size_t rule_index) {
    json props = finding_json(f);  // the JSON fields, minus everything that could hold the secret
    for (const char* k : {"secret", "match", "rule_id", "description", "path", "line", "column",
                          "end_line", "end_column", "fingerprint"})
        props.erase(k);
    return {{"ruleId", f.rule_id},
            {"ruleIndex", rule_index},
            {"level", level(f.verification.status)},
            {"message", {{"text", message(f)}}},
            {"locations",
             {{{"physicalLocation", {{"artifactLocation", artifact_location(f.path)}, {"region", region(f)}}}}}},
            {"partialFingerprints", {{"keysweep/v1", f.fingerprint}}},
            {"properties", std::move(props)}};
}

}  // namespace

void write_sarif(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary,
                 const PrintOptions& opts) {
    json rules = json::array();
    std::map<std::string, std::size_t> index;
    auto add_rule = [&](const std::string& id, const std::string& description) {
        if (index.emplace(id, rules.size()).second) rules.push_back(rule_json(id, description));
    };
    for (const auto& r : summary.rules) add_rule(r.id, r.description);
    // A finding whose rule is missing from the summary still gets a rule, so ruleIndex stays valid.
    for (const auto& f : findings) add_rule(f.rule_id, f.description);

    json results = json::array();
    for (const auto& f : findings) results.push_back(result_json(f, index.at(f.rule_id)));

    json driver = {{"name", "keysweep"}};
    if (!opts.tool_version.empty()) driver["version"] = opts.tool_version;
    driver["rules"] = std::move(rules);
    json doc = {{"$schema", kSchema},
                {"version", "2.1.0"},
                {"runs", {{{"tool", {{"driver", std::move(driver)}}}, {"results", std::move(results)}}}}};
    out << dump_json(doc, 2) << '\n';
}

}  // namespace ks::report::detail
