// End to end: gitleaks configurations (--config and auto-detection), commit allow-lists in history,
// --decode-depth, and path rules on binary files and blobs.
#include "scan_json.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ks::test {
namespace {

const char* kGitleaks = R"TOML(
title = "acme"

[[rules]]
id = "acme-token"
description = "Acme token"
regex = '''\b(acme_[a-z0-9]{24})\b'''
keywords = ["acme_"]

[allowlist]
paths = ['''(^|/)fixtures/''']
)TOML";

void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

TEST(GitleaksCli, ExplicitConfigReplacesTheDefaultRules) {
    TempDir tmp;
    write(tmp / "cfg" / "gitleaks.toml", kGitleaks);
    write(tmp / "src" / "a.py", "T = 'acme_q8w7e6r5t4y3u2i1o0p9l8k7'\nGH = '" + fake_github_pat(1) + "'\n");
    write(tmp / "src" / "fixtures" / "b.py", "T = 'acme_z8w7e6r5t4y3u2i1o0p9l8k7'\n");
    auto s = scan_json({(tmp / "src").string(), "--no-git", "--no-cache", "--config", (tmp / "cfg" / "gitleaks.toml").string()});
    ASSERT_EQ(s.findings().size(), 1u) << s.run.out;
    EXPECT_EQ(s.findings()[0]["rule_id"], "acme-token");
    EXPECT_EQ(s.findings()[0]["path"], "a.py");
}

TEST(GitleaksCli, DotGitleaksTomlInTheTargetIsPickedUp) {
    TempDir tmp;
    write(tmp / ".gitleaks.toml", std::string("[extend]\nuseDefault = true\n") + kGitleaks);
    write(tmp / "a.py", "T = 'acme_q8w7e6r5t4y3u2i1o0p9l8k7'\nGH = '" + fake_github_pat(2) + "'\n");
    auto s = scan_json({tmp.path().string(), "--no-git", "--no-cache"});
    std::set<std::string> rules;
    for (const auto& f : s.findings()) rules.insert(f["rule_id"].get<std::string>());
    EXPECT_TRUE(rules.count("acme-token")) << s.run.out;
    EXPECT_TRUE(rules.count("github-pat")) << s.run.out;  // useDefault keeps keysweep's rules
    // A .keysweep.toml next to it wins.
    write(tmp / ".keysweep.toml", "[allow]\npaths = ['''a\\.py$''']\n");
    auto k = scan_json({tmp.path().string(), "--no-git", "--no-cache"});
    EXPECT_TRUE(k.findings().empty()) << k.run.out;
}

TEST(GitleaksCli, UnsupportedConstructIsExitTwoWithOneLine) {
    TempDir tmp;
    write(tmp / ".gitleaks.toml", "[extend]\npath = \"other.toml\"\n");
    auto r = keysweep({"scan", tmp.path().string(), "--no-git", "--no-cache"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(".gitleaks.toml: [extend] path is not supported"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(GitleaksCli, CommitAllowlistDropsFindingsOfThatCommit) {
    TempDir tmp;
    GitRepo repo(tmp / "repo");
    repo.write("a.py", "T = 'acme_q8w7e6r5t4y3u2i1o0p9l8k7'\n");
    std::string first = repo.commit_all("first");
    repo.write("b.py", "T = 'acme_z8w7e6r5t4y3u2i1o0p9l8k7'\n");
    repo.commit_all("second");
    write(tmp / "gitleaks.toml", std::string("[[rules]]\nid = \"acme-token\"\nregex = '(acme_[a-z0-9]{24})'\n") +
                                     "[[allowlists]]\ncommits = [\"" + first + "\"]\n");
    auto s = scan_json({repo.dir().string(), "--no-cache", "--config", (tmp / "gitleaks.toml").string()});
    ASSERT_EQ(s.findings().size(), 1u) << s.run.out;
    EXPECT_EQ(s.findings()[0]["path"], "b.py");
}

TEST(DecodeCli, DecodeDepthZeroTurnsDecodingOff) {
    TempDir tmp;
    const std::string pat = fake_github_pat(4);
    write(tmp / "secret.yaml", "kind: Secret\ndata:\n  env: " + base64("GITHUB_TOKEN=" + pat + "\n") + "\n");
    auto on = scan_json({tmp.path().string(), "--no-git", "--no-cache"});
    auto hits = with_secret(on, pat);
    ASSERT_EQ(hits.size(), 1u) << on.run.out;
    EXPECT_EQ(hits[0]["rule_id"], "github-pat");
    EXPECT_EQ(hits[0]["line"], 3);
    auto off = scan_json({tmp.path().string(), "--no-git", "--no-cache", "--decode-depth", "0"});
    EXPECT_TRUE(with_secret(off, pat).empty()) << off.run.out;
}

TEST(PathRulesCli, BinaryKeyStoreIsReportedInFoldersAndHistory) {
    TempDir tmp;
    GitRepo repo(tmp / "repo");
    repo.write("android/app/release.keystore", std::string("\xfe\xed\xfe\xed\x00\x00\x00\x02", 8) + "binary");
    repo.write("android/app/debug.keystore", std::string("\xfe\xed\xfe\xed\x00\x00\x00\x02", 8) + "debug");
    repo.write("README.md", "# app\n");
    repo.commit_all("keys");
    for (bool history : {true, false}) {
        std::vector<std::string> args = {repo.dir().string(), "--no-cache"};
        if (!history) args.push_back("--no-git");
        auto s = scan_json(args);
        ASSERT_EQ(s.findings().size(), 1u) << s.run.out;
        EXPECT_EQ(s.findings()[0]["rule_id"], "path-java-keystore");
        EXPECT_EQ(s.findings()[0]["path"], "android/app/release.keystore");
        if (history) {
            EXPECT_FALSE(s.findings()[0]["commit"].get<std::string>().empty());
        }
    }
}

}  // namespace
}  // namespace ks::test
