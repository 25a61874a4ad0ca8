// gitleaks configurations, written in gitleaks' documented format, read into keysweep rules.
#include "harness.hpp"
#include "match/gitleaks_config.hpp"
#include "match/matcher.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ks {
namespace {

RuleSet load(const std::string& toml, RuleSet base = {}) {
    apply_gitleaks_toml(base, toml, ".gitleaks.toml");
    return base;
}

std::vector<Finding> scan(const RuleSet& set, std::string_view text, std::string_view path = "src/app.py") {
    BlobMatcher m(compile_rules(set, CompileOptions{{}, false, 0}));
    std::vector<Finding> out;
    m.scan(text, path, out);
    return out;
}

std::string error_of(const std::string& toml) {
    try {
        load(toml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

const char* kConfig = R"TOML(
title = "acme gitleaks config"

[[rules]]
id = "acme-internal-token"
description = "Acme internal API token"
regex = '''(?i)\b(acme_[a-z0-9]{24})\b'''
entropy = 3.0
keywords = ["acme_"]
tags = ["internal"]

[[rules]]
id = "acme-service-password"
description = "Acme service password"
regex = '''(?i)(svc_password)\s*=\s*"([^"]{8,64})"'''
secretGroup = 2

  [[rules.allowlists]]
  description = "test fixtures"
  paths = ['''(^|/)testdata/''']

  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''#\s*fake''']

  [[rules.allowlists]]
  stopwords = ["sandbox"]

[[rules]]
id = "acme-keystore"
description = "Acme key store file"
path = '''\.acmekeys$'''

[allowlist]
description = "global allow list"
paths = ['''(^|/)vendor/''']
regexes = ['''^acme_0{24}$''']
)TOML";

TEST(Gitleaks, RulesRegexSecretGroupEntropyKeywordsPath) {
    RuleSet set = load(kConfig);
    ASSERT_EQ(set.rules.size(), 3u);  // no [extend] useDefault: gitleaks' own rules only
    auto f = scan(set, "token = acme_q8w7e6r5t4y3u2i1o0p9l8k7\n");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule_id, "acme-internal-token");
    EXPECT_EQ(f[0].secret, "acme_q8w7e6r5t4y3u2i1o0p9l8k7");
    EXPECT_TRUE(scan(set, "token = acme_aaaaaaaaaaaaaaaaaaaaaaaa\n").empty());  // entropy
    auto p = scan(set, "svc_password = \"Zq8r1Wv3RtYu\"\n");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].secret, "Zq8r1Wv3RtYu");  // secretGroup = 2
    auto k = scan(set, "binary", "deploy/prod.acmekeys");  // path-only rule
    ASSERT_EQ(k.size(), 1u);
    EXPECT_EQ(k[0].rule_id, "acme-keystore");
}

TEST(Gitleaks, RuleAllowlistsPathsLineTargetAndStopwords) {
    RuleSet set = load(kConfig);
    EXPECT_TRUE(scan(set, "svc_password = \"Zq8r1Wv3RtYu\"\n", "pkg/testdata/conf.py").empty());
    EXPECT_TRUE(scan(set, "svc_password = \"Zq8r1Wv3RtYu\"  # fake\n").empty());
    EXPECT_TRUE(scan(set, "svc_password = \"sandbox-Zq8r1Wv3\"\n").empty());
}

TEST(Gitleaks, GlobalAllowlistPathsAndRegexes) {
    RuleSet set = load(kConfig);
    EXPECT_TRUE(scan(set, "t = acme_q8w7e6r5t4y3u2i1o0p9l8k7\n", "vendor/lib.py").empty());
    EXPECT_TRUE(scan(set, "t = acme_000000000000000000000000\n").empty());
}

TEST(Gitleaks, MatchTargetAndAndCondition) {
    RuleSet set = load(R"TOML(
[[rules]]
id = "r"
regex = '''key\s*=\s*([A-Za-z0-9]{16})'''
  [[rules.allowlists]]
  condition = "AND"
  regexTarget = "match"
  regexes = ['''^key =''']
  paths = ['''\.md$''']
)TOML");
    EXPECT_EQ(scan(set, "key = Zq8r1Wv3RtYuP0oX\n", "a.py").size(), 1u);        // regex only
    EXPECT_EQ(scan(set, "key=Zq8r1Wv3RtYuP0oX\n", "a.md").size(), 1u);          // path only
    EXPECT_TRUE(scan(set, "key = Zq8r1Wv3RtYuP0oX\n", "a.md").empty());          // both
}

TEST(Gitleaks, NoSecretGroupTakesTheFirstGroupThatMatched) {
    RuleSet set = load(R"TOML(
[[rules]]
id = "alt"
regex = '''(?:id=([0-9]{8})|tok=([a-z]{8}))'''
[[rules]]
id = "nogroup"
regex = '''zz[0-9]{6}zz'''
)TOML");
    auto f = scan(set, "tok=abcdwxyz zz123456zz\n");
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].secret, "abcdwxyz");
    EXPECT_EQ(f[1].secret, "zz123456zz");
}

TEST(Gitleaks, ExtendUseDefaultKeepsKeysweepRulesAndMerges) {
    RuleSet defaults = default_rules();
    const std::size_t n = defaults.rules.size();
    RuleSet set = load(R"TOML(
[extend]
useDefault = true
disabledRules = ["generic-password"]

[[rules]]
id = "generic-secret"
  [[rules.allowlists]]
  stopwords = ["acmepublic"]

[[allowlists]]
targetRules = ["github-pat"]
regexes = ['''^ghp_0{36}$''']
)TOML",
                       defaults);
    EXPECT_EQ(set.rules.size(), n - 1);
    auto gen = std::find_if(set.rules.begin(), set.rules.end(), [](const Rule& r) { return r.id == "generic-secret"; });
    ASSERT_NE(gen, set.rules.end());
    EXPECT_FALSE(gen->regex.empty());  // merged into keysweep's rule, not replaced
    EXPECT_FALSE(gen->allowlists.empty());
    auto gh = std::find_if(set.rules.begin(), set.rules.end(), [](const Rule& r) { return r.id == "github-pat"; });
    ASSERT_NE(gh, set.rules.end());
    EXPECT_FALSE(gh->allowlists.empty());
    const std::string pat = test::fake_github_pat(3);
    EXPECT_EQ(scan(set, "GH=" + pat + "\n").size(), 1u);
}

TEST(Gitleaks, UnsupportedConstructsAreOneClearError) {
    struct Case { std::string toml, expect; };
    std::vector<Case> cases = {
        {"[extend]\npath = \"base.toml\"\n", "[extend] path is not supported"},
        {"[extend]\nurl = \"https://x\"\n", "[extend] url is not supported"},
        {"[[rules]]\nid = \"c\"\nregex = '''(a)b'''\n[[rules.required]]\nid = \"x\"\n", "rule 'c': [[rules.required]]"},
        {"[[rules]]\nid = \"s\"\nregex = '''(a)b'''\nskipReport = true\n", "rule 's': skipReport is not supported"},
        {"[[rules]]\nid = \"u\"\nregex = '''(?U)(a+)b'''\n", "rule 'u': regex uses Go's (?U)"},
        {"[[rules]]\nid = \"n\"\ndescription = \"x\"\n", "rule 'n': needs a regex or a path"},
        {"[[rules]]\nid = \"g\"\nregex = '''(a)b'''\nsecretGroup = 3\n", "rule 'g': secretGroup 3 but the regex has 1 group"},
        {"[[rules]]\nid = \"t\"\nregex = '''(a)b'''\n[[rules.allowlists]]\nregexTarget = \"file\"\nregexes = ['x']\n",
         "regexTarget 'file' is unknown"},
        {"[[rules]]\nid = \"e\"\nregex = '''(a)b'''\n[[rules.allowlists]]\ndescription = \"nothing\"\n",
         "must hold at least one of"},
        {"[[rules]]\nid = \"a\"\nregex = '''(a)b'''\n[[rules.allowlists]]\ncondition = \"AND\"\ncommits = [\"abc1234\"]\npaths = ['x']\n",
         "condition = AND and commits is not supported"},
        {"[allowlist]\npaths = ['x']\n[[allowlists]]\npaths = ['y']\n", "[allowlist] cannot be used alongside [[allowlists]]"},
        {"[[allowlists]]\ntargetRules = [\"nope\"]\npaths = ['y']\n", "targetRules names rule 'nope'"},
        {"[[rules]\nid = 1", "invalid TOML"},
    };
    for (const auto& c : cases) {
        std::string e = error_of(c.toml);
        EXPECT_NE(e.find(".gitleaks.toml"), std::string::npos) << c.toml << " -> " << e;
        EXPECT_NE(e.find(c.expect), std::string::npos) << c.toml << " -> " << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
}

TEST(Gitleaks, DetectedByNameOrContent) {
    test::TempDir tmp;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(tmp / name) << text;
        return tmp / name;
    };
    EXPECT_TRUE(is_gitleaks_config(write("my-gitleaks.toml", "[allow]\n")));
    EXPECT_TRUE(is_gitleaks_config(write("a.toml", "[extend]\nuseDefault = true\n")));
    EXPECT_TRUE(is_gitleaks_config(write("b.toml", "[[rules]]\nid = \"x\"\nregex = '(a)'\nsecretGroup = 1\n")));
    EXPECT_FALSE(is_gitleaks_config(write("c.toml", "[allow]\npaths = ['x']\n[rules]\nuse_default = false\n")));
}

TEST(Gitleaks, CommitAllowlistsDropFindingsAfterTheScan) {
    RuleSet set = load(R"TOML(
[[rules]]
id = "r"
regex = '''key=([A-Za-z0-9]{16})'''
  [[rules.allowlists]]
  commits = ["ABCDEF1234"]
[[allowlists]]
commits = ["0123456789abcdef0123456789abcdef01234567"]
)TOML");
    auto c = compile_rules(set, CompileOptions{{}, false, 0});
    std::vector<Finding> f(3);
    for (auto& x : f) x.rule_id = "r";
    f[0].commit = "abcdef1234567890abcdef1234567890abcdef12";
    f[1].commit = "0123456789abcdef0123456789abcdef01234567";
    f[2].commit = "fedcba9876543210fedcba9876543210fedcba98";
    EXPECT_EQ(drop_allowed_commits(*c, f), 2u);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].commit.substr(0, 6), "fedcba");
}

}  // namespace
}  // namespace ks
