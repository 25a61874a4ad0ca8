// A rule's `prefilter`: what Hyperscan looks for instead of the rule's regex. Every match of the
// regex must end where a match of the prefilter ends; PCRE2 still runs the whole regex over the
// rule's window, so findings are the regex's alone. The rule's examples are what catch a prefilter
// that is not such a superset.
#include "harness.hpp"
#include "match/matcher.hpp"
#include "match/rules_check.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

namespace ks {
namespace {

// Connection strings are built here, so that this file itself scans clean.
const std::string kSecret = "Xk82!mQz";
std::string conn(const std::string& between = ";User=app;") { return "Host=db.acme" + between + "P" "wd=" + kSecret; }

// A connection-string rule whose prefilter is the part every match ends with.
std::string rule_with(const std::string& prefilter) {
    return "[[rules]]\nid = \"conn\"\ndescription = \"d\"\n"
           "regex = '''(?i)host=[a-z.]{1,40};[^\\n]{0,300}?\\bpwd=([A-Za-z0-9!#]{6,})'''\n"
           "prefilter = '''" + prefilter + "'''\nwindow = 512\n"
           "examples = [{ text = \"" + conn() + "\", secret = \"" + kSecret + "\" }]\n"
           "negative_examples = [\"p" "wd=" + kSecret + "\"]\n";
}

RuleSet rules(const std::string& toml) {
    RuleSet set;
    add_rules_toml(set, toml, "inline.toml");
    return set;
}

std::vector<Finding> scan(const RuleSet& set, std::string_view text, const CompileOptions& opts = {{}, false}) {
    BlobMatcher m(compile_rules(set, opts));
    std::vector<Finding> out;
    m.scan(text, "app.config", out);
    return out;
}

TEST(Prefilter, HyperscanLooksForItAndPcre2StillDecides) {
    const auto set = rules(rule_with(R"((?i)\bpwd=[A-Za-z0-9!#]{6,})"));
    // The regex's start is 250 bytes before the prefilter's match: inside the rule's window.
    for (const std::string& text : {conn() + "\n", conn(";" + std::string(250, 'x') + " ") + "\n"}) {
        const auto f = scan(set, text);
        ASSERT_EQ(f.size(), 1u) << text;
        EXPECT_EQ(f[0].secret, kSecret);
        EXPECT_EQ(f[0].start, 0u);  // the regex's whole match, not the prefilter's
    }
    EXPECT_TRUE(scan(set, "p" "wd=" + kSecret + "\n").empty());  // the prefilter matches, the regex does not
    EXPECT_TRUE(check_rules(set).empty());
}

TEST(Prefilter, OneThatMissesTheRegexsMatchesIsCaughtByTheExamples) {
    // Not a superset: it never matches where the regex does. Hyperscan is given it instead of the
    // regex, so the rule finds nothing, and `rules check` says which example failed.
    const auto set = rules(rule_with(R"((?i)\bpassword=[A-Za-z0-9!#]{6,})"));
    EXPECT_TRUE(scan(set, conn() + "\n").empty());
    const auto failures = check_rules(set);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].rule_id, "conn");
    EXPECT_EQ(failures[0].message, "example 1 did not match");
}

TEST(Prefilter, OneHyperscanCannotUseIsAnErrorNamingTheRule) {
    for (const auto& [prefilter, says] : {std::pair<std::string, std::string>{"(?i)pwd=(", "rejects the prefilter"},
                                          {"(?i)(?:pwd=)?", "prefilter can match an empty string"}}) {
        try {
            scan(rules(rule_with(prefilter)), "x");
            ADD_FAILURE() << prefilter << " was accepted";
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("inline.toml: rule 'conn'"), std::string::npos) << what;
            EXPECT_NE(what.find(says), std::string::npos) << what;
        }
    }
}

TEST(Prefilter, ChangingItRebuildsTheCachedDatabase) {
    test::TempDir cache;
    const CompileOptions opts{cache.path(), true};
    const std::string text = conn() + "\n";
    EXPECT_TRUE(scan(rules(rule_with(R"((?i)\bpassword=[A-Za-z0-9!#]{6,})")), text, opts).empty());
    EXPECT_EQ(scan(rules(rule_with(R"((?i)\bpwd=[A-Za-z0-9!#]{6,})")), text, opts).size(), 1u);
}

}  // namespace
}  // namespace ks
