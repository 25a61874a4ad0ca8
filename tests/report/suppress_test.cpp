// Suppression: ignore file (global and path-scoped) and baselines in every accepted shape. Content
// fingerprints: a moved line stays suppressed, a changed secret does not.
#include "report/suppress.hpp"
#include "sample.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace ks;
using namespace ks::test;
using report::Suppressor;

namespace {

std::filesystem::path write(const TempDir& dir, const std::string& name, const std::string& text) {
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

// The error message load() gives for these files, or "" when it does not throw.
std::string load_error(const std::filesystem::path& ignore, const std::filesystem::path& baseline) {
    try {
        Suppressor::load(ignore, baseline);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Suppress, NothingLoadedSuppressesNothing) {
    auto s = Suppressor::load({}, {});
    EXPECT_TRUE(s.empty());
    EXPECT_FALSE(s.suppressed(aws_key_finding()));
}

TEST(Suppress, IgnoreFileWithCommentsBlankLinesCrlfAndBom) {
    TempDir dir;
    auto a = aws_key_finding(), b = github_finding(), c = aws_secret_finding();
    auto p = write(dir, ".keysweepignore",
                   "\xEF\xBB\xBF# reviewed 2024-05: test fixtures\n\n" + a.fingerprint + "\r\n   " + b.fingerprint +
                       "   # rotated, kept for history\n");
    auto s = Suppressor::load(p, {});
    EXPECT_TRUE(s.suppressed(a));
    EXPECT_TRUE(s.suppressed(b));
    EXPECT_FALSE(s.suppressed(c));
}

TEST(Suppress, MovedLineStaysSuppressedChangedSecretDoesNot) {
    TempDir dir;
    auto original = aws_key_finding(1);
    auto s = Suppressor::load(write(dir, "ignore", original.fingerprint + "\n"), {});

    auto moved = original;  // same secret, another line, commit, even path
    moved.line = moved.end_line = 300;
    moved.commit = "fedcba9876543210fedcba9876543210fedcba98";
    moved.path = "elsewhere/config.ini";
    EXPECT_TRUE(s.suppressed(moved));

    auto changed = make_finding(original.rule_id, original.description, fake_aws_key_id(2));
    changed.path = original.path;
    changed.line = original.line;  // same place, new secret: a new leak
    EXPECT_FALSE(s.suppressed(changed));
}

TEST(Suppress, PathScopedEntries) {
    TempDir dir;
    auto f = aws_key_finding();
    auto s = Suppressor::load(write(dir, "ignore",
                                    f.fingerprint + " config/*.ini\n" + f.fingerprint + " docs/exact name.md\n" +
                                        github_finding().fingerprint + " ./src/**\n"),
                              {});
    auto at = [&](Finding g, const std::string& path) { g.path = path; return s.suppressed(g); };
    EXPECT_TRUE(at(f, "config/prod settings.ini"));
    EXPECT_TRUE(at(f, "./config/a.ini"));
    EXPECT_TRUE(at(f, "config/nested/b.ini")) << "'*' crosses '/' (fnmatch without flags)";
    EXPECT_TRUE(at(f, "docs/exact name.md")) << "a glob may contain spaces";
    EXPECT_FALSE(at(f, "src/config/a.ini"));
    EXPECT_FALSE(at(f, "config/a.txt"));
    EXPECT_TRUE(at(github_finding(), "src/deploy.sh"));
    EXPECT_FALSE(at(github_finding(), "deploy.sh"));
}

TEST(Suppress, BaselineFromOurJsonReport) {
    TempDir dir;
    std::vector<Finding> old = {aws_key_finding(), github_finding()};
    // A redacted report works as well: the fingerprints are the same.
    for (bool redact : {false, true}) {
        auto s = Suppressor::load({}, write(dir, "base.json", render(old, report::Format::json, redact)));
        EXPECT_TRUE(s.suppressed(old[0]));
        EXPECT_TRUE(s.suppressed(old[1]));
        EXPECT_FALSE(s.suppressed(aws_secret_finding()));
    }
}

TEST(Suppress, BaselineAsBareArrayJsonLinesAndSarif) {
    TempDir dir;
    std::vector<Finding> old = {aws_key_finding(), github_finding()};
    std::string lines = render(old, report::Format::jsonl);
    std::string array = "[" + lines.substr(0, lines.find('\n')) + "," + lines.substr(lines.find('\n') + 1) + "]";
    std::string one_line = lines.substr(0, lines.find('\n') + 1);
    struct Case { const char* name; std::string text; std::size_t expected; };
    for (const auto& c : {Case{"array", array, 2}, Case{"jsonl", lines, 2}, Case{"one-line jsonl", one_line, 1},
                          Case{"sarif", render(old, report::Format::sarif), 2}}) {
        auto s = Suppressor::load({}, write(dir, "base", c.text));
        auto findings = old;
        EXPECT_EQ(s.filter(findings), c.expected) << c.name;
    }
}

TEST(Suppress, EmptyBaselineIsAnEmptyJsonLinesReport) {
    TempDir dir;
    EXPECT_EQ(load_error({}, write(dir, "empty.jsonl", "")), "");
    EXPECT_TRUE(Suppressor::load({}, write(dir, "blank.jsonl", "\n  \n")).empty());
}

TEST(Suppress, FilterDropsSuppressedKeepsOrderAndCounts) {
    TempDir dir;
    auto a = aws_key_finding(1), b = aws_key_finding(2), c = aws_key_finding(3), d = github_finding();
    auto s = Suppressor::load(write(dir, "ignore", b.fingerprint + "\n" + d.fingerprint + "\n"), {});
    std::vector<Finding> findings = {a, b, c, d, b};
    EXPECT_EQ(s.filter(findings), 3u);
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].secret, a.secret);
    EXPECT_EQ(findings[1].secret, c.secret);
}

TEST(Suppress, IgnoreFileAndBaselineTogether) {
    TempDir dir;
    auto a = aws_key_finding(), b = github_finding();
    auto s = Suppressor::load(write(dir, "ignore", a.fingerprint + "\n"),
                              write(dir, "base.json", render({b}, report::Format::json)));
    EXPECT_TRUE(s.suppressed(a));
    EXPECT_TRUE(s.suppressed(b));
}

TEST(Suppress, MalformedIgnoreFileNamesFileAndLineButNotTheContent) {
    TempDir dir;
    std::string pasted_secret = fake_aws_secret(5);  // someone pasted the key instead of the fingerprint
    auto p = write(dir, ".keysweepignore", "# ok\n" + aws_key_finding().fingerprint + "\n" + pasted_secret + "\n");
    std::string err = load_error(p, {});
    EXPECT_NE(err.find(p.string() + ":3:"), std::string::npos) << err;
    EXPECT_EQ(err.find(pasted_secret), std::string::npos) << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << "one line";

    for (std::string bad : {"aws-access-key-id:XYZ", ":0123456789abcdef0123456789abcdef", "aws:0123456789ABCDEF0123456789ABCDEF"})
        EXPECT_NE(load_error(write(dir, "bad", bad + "\n"), {}), "") << bad;
}

TEST(Suppress, MalformedBaselineNamesTheFile) {
    TempDir dir;
    std::string secret = fake_aws_key_id(8);
    struct Case { const char* name; std::string text; };
    for (const auto& c : {Case{"broken json", "{\n  \"findings\": [\n    {\"secret\": \"" + secret + "\",,}\n"},
                          Case{"no findings", R"({"version": 1, "summary": {}})"},
                          Case{"not an object", "42"},
                          Case{"no fingerprint", R"({"version": 1, "findings": [{"rule_id": "x", "secret": ")" + secret + R"("}]})"},
                          Case{"bad fingerprint", R"([{"fingerprint": "nope"}])"},
                          Case{"future version", R"({"version": 2, "findings": []})"},
                          Case{"bad jsonl line", render({aws_key_finding()}, report::Format::jsonl) + "{oops\n"},
                          Case{"foreign sarif", R"({"version": "2.1.0", "runs": [{"results": [{"ruleId": "x"}]}]})"}}) {
        auto p = write(dir, "baseline.json", c.text);
        std::string err = load_error({}, p);
        EXPECT_EQ(err.rfind(p.string(), 0), 0u) << c.name << ": " << err;
        EXPECT_EQ(err.find(secret), std::string::npos) << c.name << ": " << err;
        EXPECT_EQ(err.find('\n'), std::string::npos) << c.name << ": " << err;
    }
    // A broken document points at the line of its error, not at line 1.
    EXPECT_NE(load_error({}, write(dir, "b.json", "{\n  \"findings\": [\n    ,\n  ]\n}\n")).find("b.json:3:"),
              std::string::npos);
    EXPECT_NE(load_error({}, write(dir, "c.jsonl", render({aws_key_finding()}, report::Format::jsonl) + "{oops\n"))
                  .find("c.jsonl:2:"),
              std::string::npos);
}

TEST(Suppress, MissingOrUnreadableFileNamesIt) {
    TempDir dir;
    auto missing = dir / "nope.json";
    EXPECT_NE(load_error(missing, {}).find(missing.string()), std::string::npos);
    EXPECT_NE(load_error({}, missing).find(missing.string()), std::string::npos);
    EXPECT_NE(load_error({}, dir.path()).find(dir.path().string()), std::string::npos);
}

TEST(Suppress, FingerprintShape) {
    EXPECT_TRUE(report::is_fingerprint(aws_key_finding().fingerprint));
    EXPECT_TRUE(report::is_fingerprint("a:b:0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(report::is_fingerprint("0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(report::is_fingerprint("rule:0123456789abcdef0123456789abcde"));
    EXPECT_FALSE(report::is_fingerprint("ru le:0123456789abcdef0123456789abcdef"));
}
