// The matcher alone: capture windows, filters, keywords, and the on-disk rule cache.
#include "harness.hpp"
#include "match/matcher.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ks {
namespace {
namespace fs = std::filesystem;

RuleSet one_rule(const std::string& extra_toml) {
    RuleSet set;
    add_rules_toml(set, "[[rules]]\nid = \"t\"\ndescription = \"test\"\n" + extra_toml, "inline.toml");
    return set;
}

std::vector<Finding> scan(const RuleSet& set, std::string_view text, std::string_view path = "f.txt") {
    BlobMatcher m(compile_rules(set, CompileOptions{{}, false}));
    std::vector<Finding> out;
    m.scan(text, path, out);
    return out;
}

TEST(Matcher, TwoSecretsOnOneLineAreBothCaptured) {
    auto set = one_rule("regex = '''tok_([a-z0-9]{10})'''\n");
    auto f = scan(set, "x tok_abcdef1234 y tok_0123456789 z");
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].secret, "abcdef1234");
    EXPECT_EQ(f[1].secret, "0123456789");
    EXPECT_EQ(f[1].column, 24u);
}

TEST(Matcher, GreedyRuleYieldsOneFindingForTheWholeRun) {
    auto set = one_rule("regex = '''key=([a-z]{8,})'''\n");
    auto f = scan(set, "key=abcdefghijklmnopqrstuvwxyz;");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].secret, "abcdefghijklmnopqrstuvwxyz");
}

TEST(Matcher, NamedSecretGroupAndLineNumbers) {
    auto set = one_rule("regex = '''(user)=(?<secret>[0-9]{6})'''\n");
    auto f = scan(set, "a\nb\n  user=123456\n");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].secret, "123456");
    EXPECT_EQ(f[0].line, 3u);
    EXPECT_EQ(f[0].column, 8u);
    EXPECT_EQ(f[0].end_column, 13u);
}

TEST(Matcher, KeywordsGateTheRule) {
    auto set = one_rule("regex = '''([0-9]{12})'''\nkeywords = [\"Account\"]\n");
    EXPECT_TRUE(scan(set, "number 123456789012\n").empty());
    EXPECT_EQ(scan(set, "ACCOUNT: 123456789012\n").size(), 1u);
}

// Keywords are looked for near the matches first, then in the whole blob: a keyword anywhere in the
// blob still lets the rule through, and one nowhere in it still stops it.
TEST(Matcher, KeywordsAnywhereInALargeBlobGateTheRule) {
    auto set = one_rule("regex = '''([0-9]{12})'''\nkeywords = [\"Account\"]\n");
    const std::string filler(1 << 20, 'x');
    EXPECT_EQ(scan(set, filler + "\naccount 123456789012\n" + filler).size(), 1u);
    EXPECT_EQ(scan(set, "account\n" + filler + "\n123456789012\n" + filler).size(), 1u);
    EXPECT_EQ(scan(set, filler + "\n123456789012\n" + filler + "\nACCOUNT").size(), 1u);
    EXPECT_TRUE(scan(set, filler + "\nnumber 123456789012\n" + filler).empty());
    // Two rules: one's keyword next to its match, the other's only far away; each is decided alone.
    RuleSet two = set;
    add_rules_toml(two, "[[rules]]\nid = \"u\"\ndescription = \"test\"\nregex = '''id=([a-z]{10})'''\n"
                        "keywords = [\"tenant\"]\n", "inline2.toml");
    EXPECT_EQ(scan(two, "tenant\n" + filler + "\naccount 123456789012 id=abcdefghij\n" + filler).size(), 2u);
    const auto f = scan(two, filler + "\naccount 123456789012 id=abcdefghij\n" + filler);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule_id, "t");
}

TEST(Matcher, PathScopedRule) {
    auto set = one_rule("regex = '''pw=([a-z]{6})'''\npath = '''\\.ini$'''\n");
    EXPECT_TRUE(scan(set, "pw=secret", "a.txt").empty());
    EXPECT_EQ(scan(set, "pw=secret", "conf/a.ini").size(), 1u);
}

TEST(Matcher, EntropyStopwordsAndAllowDropMatches) {
    auto set = one_rule("regex = '''k=([A-Za-z0-9]{16})'''\nentropy = 3.0\nstopwords = [\"sample\"]\n"
                        "allow = ['''^TEST''']\n");
    EXPECT_TRUE(scan(set, "k=aaaaaaaaaaaaaaaa").empty());          // low entropy
    EXPECT_TRUE(scan(set, "k=xSaMpLe8Qz1Wv3Rt").empty());          // stop-word, any case
    EXPECT_TRUE(scan(set, "k=TESTq8Zr1Wv3RtYu").empty());          // allow regex
    EXPECT_EQ(scan(set, "k=Zq8r1Wv3RtYuP0oX").size(), 1u);
}

TEST(Matcher, GlobalAllowListPathsAndRegexes) {
    auto set = one_rule("regex = '''k=([A-Za-z0-9]{16})'''\n");
    set.allow.paths.push_back("^fixtures/");
    set.allow.regexes.push_back("^Zq8");
    EXPECT_TRUE(scan(set, "k=Mq8r1Wv3RtYuP0oX", "fixtures/a.txt").empty());
    EXPECT_TRUE(scan(set, "k=Zq8r1Wv3RtYuP0oX", "src/a.txt").empty());
    EXPECT_EQ(scan(set, "k=Mq8r1Wv3RtYuP0oX", "src/a.txt").size(), 1u);
}

TEST(Matcher, ManyMatchesOnOneHugeLine) {
    auto set = one_rule("regex = '''tok_([a-z0-9]{10})'''\n");
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "tok_" + std::string(10, char('a' + i % 26)) + ",";
    auto f = scan(set, text);
    EXPECT_EQ(f.size(), 20000u);
    EXPECT_EQ(f.back().line, 1u);
}

TEST(Matcher, FingerprintIsContentBased) {
    auto set = one_rule("regex = '''tok_([a-z0-9]{10})'''\n");
    auto a = scan(set, "tok_abcdef1234");
    auto b = scan(set, "\n\n   moved: tok_abcdef1234");
    auto c = scan(set, "tok_abcdef1235");
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
    EXPECT_NE(a[0].fingerprint, c[0].fingerprint);
    EXPECT_EQ(a[0].fingerprint.rfind("t:", 0), 0u);
}

TEST(RuleCache, SecondCompileLoadsFromCacheAndCorruptionIsRebuilt) {
    test::TempDir tmp;
    auto set = one_rule("regex = '''tok_([a-z0-9]{10})'''\n");
    CompileOptions opts{tmp.path(), true};
    auto first = compile_rules(set, opts);
    EXPECT_FALSE(loaded_from_cache(*first));
    auto second = compile_rules(set, opts);
    EXPECT_TRUE(loaded_from_cache(*second));

    // Damage every cache file: the next compile must not trust it, and must still work.
    for (auto& e : fs::directory_iterator(tmp.path())) {
        std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-8, std::ios::end);
        f.write("CORRUPT!", 8);
    }
    auto third = compile_rules(set, opts);
    EXPECT_FALSE(loaded_from_cache(*third));
    BlobMatcher m(third);
    std::vector<Finding> out;
    m.scan("tok_abcdef1234", "f", out);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_TRUE(loaded_from_cache(*compile_rules(set, opts)));  // and it was replaced

    // A foreign file in the cache's place is ignored too.
    for (auto& e : fs::directory_iterator(tmp.path())) std::ofstream(e.path(), std::ios::trunc) << "garbage";
    EXPECT_FALSE(loaded_from_cache(*compile_rules(set, opts)));
}

TEST(RuleCache, ChangedRulesMissTheCache) {
    test::TempDir tmp;
    CompileOptions opts{tmp.path(), true};
    compile_rules(one_rule("regex = '''tok_([a-z0-9]{10})'''\n"), opts);
    EXPECT_FALSE(loaded_from_cache(*compile_rules(one_rule("regex = '''tok_([a-z0-9]{11})'''\n"), opts)));
}

}  // namespace
}  // namespace ks
