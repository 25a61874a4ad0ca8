// Output formats, exit codes and the output contract, through the real binary.
#include "scan_json.hpp"

#include <fstream>
#include <sstream>

namespace ks::test {
namespace fs = std::filesystem;
namespace {

std::string two_keys() {
    return "aws_access_key_id = " + fake_aws_key_id(21) + "\ntoken: " + fake_github_pat(22) + "\n";
}

TEST(Formats, JsonCarriesTheDocumentedFields) {
    auto s = scan_json({"-"}, {}, two_keys());
    EXPECT_EQ(s.run.exit_code, 1);
    ASSERT_GE(s.findings().size(), 1u);
    for (const auto& f : s.findings()) {
        for (const char* k : {"rule_id", "description", "secret", "match", "path", "commit", "author", "email", "date",
                              "line", "column", "end_line", "end_column", "blob_id", "entropy", "fingerprint",
                              "verification"})
            EXPECT_TRUE(f.contains(k)) << k;
        EXPECT_TRUE(f["verification"].contains("status"));
        EXPECT_EQ(f["path"], "-");
    }
    EXPECT_EQ(s.summary()["blobs_scanned"], 1);
}

TEST(Formats, JsonlIsOneFindingPerLine) {
    auto r = keysweep({"scan", "-", "--format", "jsonl"}, {}, two_keys());
    EXPECT_EQ(r.exit_code, 1);
    std::istringstream in(r.out);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        auto f = nlohmann::json::parse(line);
        EXPECT_TRUE(f.contains("rule_id"));
        ++n;
    }
    EXPECT_GE(n, 1);
}

TEST(Formats, SarifIsSarif210WithConsistentRules) {
    auto r = keysweep({"scan", "-", "--format", "sarif"}, {}, two_keys());
    EXPECT_EQ(r.exit_code, 1);
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["version"], "2.1.0");
    const auto& run = doc["runs"][0];
    const auto& rules = run["tool"]["driver"]["rules"];
    ASSERT_FALSE(run["results"].empty());
    for (const auto& res : run["results"]) {
        int idx = res["ruleIndex"];
        EXPECT_EQ(rules[idx]["id"], res["ruleId"]);
        EXPECT_TRUE(res["partialFingerprints"].contains("keysweep/v1"));
        EXPECT_GE(res["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 1);
    }
}

TEST(Formats, TextNamesRuleAndLocation) {
    auto r = keysweep({"scan", "-"}, {}, two_keys());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("aws-access-key-id"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-:1:21"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no colour when not a terminal / NO_COLOR";
}

TEST(Formats, RedactHidesSecretsEverywhere) {
    for (const char* fmt : {"text", "json", "jsonl", "sarif"}) {
        auto r = keysweep({"scan", "-", "--redact", "--format", fmt}, {}, two_keys());
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_EQ(r.out.find(fake_aws_key_id(21)), std::string::npos) << fmt;
        EXPECT_EQ(r.out.find(fake_github_pat(22)), std::string::npos) << fmt;
        EXPECT_EQ(r.err.find(fake_aws_key_id(21)), std::string::npos) << fmt;
    }
}

TEST(ExitCodes, CleanFindingsAndErrors) {
    EXPECT_EQ(keysweep({"scan", "-"}, {}, "nothing here\n").exit_code, 0);
    EXPECT_EQ(keysweep({"scan", "-"}, {}, two_keys()).exit_code, 1);
    auto bad = keysweep({"scan", "-", "--format", "yaml"}, {}, two_keys());
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_TRUE(bad.out.empty());
    auto bad_range = keysweep({"scan", ".", "--range", "nope..HEAD"}, fs::temp_directory_path());
    EXPECT_EQ(bad_range.exit_code, 2);
}

TEST(Output, FileIsWrittenWholeAndNothingOnStdout) {
    TempDir tmp;
    auto out = tmp / "report.json";
    auto r = keysweep({"scan", "-", "--format", "json", "--output", out.string()}, {}, two_keys());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.out.empty());
    std::ifstream in(out);
    auto doc = nlohmann::json::parse(in);
    EXPECT_GE(doc["findings"].size(), 1u);
    // Nothing is left behind in the folder but the report.
    int files = 0;
    for (auto& e : fs::directory_iterator(tmp.path())) { (void)e; ++files; }
    EXPECT_EQ(files, 1);
}

TEST(Output, FailedRunLeavesNoReport) {
    TempDir tmp;
    auto out = tmp / "report.json";
    auto r = keysweep({"scan", (tmp / "missing").string(), "--output", out.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_FALSE(fs::exists(out));
}

TEST(Folders, NoGitScansWorkingTreeFiles) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("committed.txt", "clean\n");
    repo.commit_all("c");
    repo.write("untracked.env", "aws_access_key_id = " + fake_aws_key_id(23) + "\n");
    auto history = scan_json({repo.dir().string()});
    EXPECT_TRUE(with_secret(history, fake_aws_key_id(23)).empty());
    auto files = scan_json({repo.dir().string(), "--no-git"});
    auto hits = with_secret(files, fake_aws_key_id(23));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0]["path"], "untracked.env");
    EXPECT_EQ(hits[0]["commit"], "");
}

TEST(Folders, InlineAllowCommentsDropTheLine) {
    std::string text = "a = " + fake_aws_key_id(24) + "  # keysweep:allow\n" + "b = " + fake_aws_key_id(25) +
                       " // gitleaks:allow\n" + "c = " + fake_aws_key_id(26) + " # pragma: allowlist secret\n" +
                       "d = " + fake_aws_key_id(27) + "\n";
    auto s = scan_json({"-"}, {}, text);
    ASSERT_EQ(s.findings().size(), 1u) << s.run.out;
    EXPECT_EQ(s.findings()[0]["secret"], fake_aws_key_id(27));
}

TEST(SelfScan, ThisRepositoryReportsNothing) {
    auto r = keysweep({"scan", KS_SOURCE_DIR, "--quiet"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace ks::test

namespace ks::test {
namespace {

TEST(Output, NonRegularTargetIsWrittenIntoNotReplaced) {
    TempDir tmp;
    auto real = tmp / "real.json";
    std::ofstream(real) << "old";
    auto link = tmp / "link.json";
    fs::create_symlink(real, link);
    auto r = keysweep({"scan", "-", "--format", "json", "--output", link.string()}, {}, "clean\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::is_symlink(link));  // still a link
    std::ifstream in(real);
    EXPECT_TRUE(nlohmann::json::parse(in).contains("findings"));
    // A character device stays a device.
    auto n = keysweep({"scan", "-", "--output", "/dev/null"}, {}, "clean\n");
    EXPECT_EQ(n.exit_code, 0);
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

}  // namespace
}  // namespace ks::test
