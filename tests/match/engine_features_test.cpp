// Engine features the breadth rules rely on: path rules, generic-rule dedupe, charset-aware entropy,
// placeholders, decoded secrets, conditional allow-lists (allow_match / allow_line / allow_paths).
#include "harness.hpp"
#include "match/matcher.hpp"
#include "match/placeholder.hpp"
#include "match/rules_check.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

namespace ks {
namespace {

RuleSet rules(const std::string& toml) {
    RuleSet set;
    add_rules_toml(set, toml, "inline.toml");
    return set;
}

std::vector<Finding> scan(const RuleSet& set, std::string_view text, std::string_view path = "f.txt",
                          unsigned decode_depth = 1) {
    BlobMatcher m(compile_rules(set, CompileOptions{{}, false, decode_depth}));
    std::vector<Finding> out;
    m.scan(text, path, out);
    return out;
}

TEST(PathRules, FireOncePerBlobWithThePathAsSecret) {
    auto set = rules("[[rules]]\nid = \"p\"\nkind = \"path\"\npath = '''\\.kdbx$'''\n"
                     "examples = [\"a.kdbx\"]\nnegative_examples = [\"a.txt\"]\n");
    auto f = scan(set, "anything\nat all\n", "vault/team.kdbx");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule_id, "p");
    EXPECT_EQ(f[0].secret, "vault/team.kdbx");
    EXPECT_EQ(f[0].line, 1u);
    EXPECT_TRUE(scan(set, "anything", "vault/team.kdb").empty());
    EXPECT_TRUE(check_rules(set).empty());
}

TEST(PathRules, AreAFallbackWhenTheContentHasFindings) {
    auto set = rules("[[rules]]\nid = \"p\"\nkind = \"path\"\npath = '''(^|/)id_rsa$'''\n"
                     "[[rules]]\nid = \"k\"\nregex = '''(KEY-[0-9]{6})'''\n");
    auto f = scan(set, "KEY-123456\n", "home/u/.ssh/id_rsa");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule_id, "k");
    EXPECT_EQ(scan(set, "encrypted\n", "home/u/.ssh/id_rsa").size(), 1u);
}

TEST(PathRules, ScanPathServesBinaryBlobsAndHonoursAllow) {
    auto set = rules("[[rules]]\nid = \"p\"\nkind = \"path\"\npath = '''\\.jks$'''\nallow = ['''debug''']\n");
    BlobMatcher m(compile_rules(set, CompileOptions{{}, false}));
    std::vector<Finding> out;
    m.scan_path("app/release.jks", out);
    m.scan_path("app/debug.jks", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].secret, "app/release.jks");
}

// Path regexes run through one Hyperscan database; those it cannot take as they are (look-arounds)
// are over-approximated there and decided by PCRE2, for path rules, path-scoped rules and [allow].
TEST(PathRules, LookAroundPathsAreExactInEveryRole) {
    auto set = rules("[[rules]]\nid = \"p\"\nkind = \"path\"\npath = '''^(?!vendor/).*\\.pem$'''\n"
                     "[[rules]]\nid = \"k\"\nregex = '''(KEY-[0-9]{6})'''\npath = '''^(?!test/)[^/]+\\.cfg$'''\n");
    set.allow.paths.push_back("^(?=[^/]*$)skip[^/]*$");
    EXPECT_EQ(scan(set, "x\n", "certs/a.pem").size(), 1u);
    EXPECT_TRUE(scan(set, "x\n", "vendor/a.pem").empty());
    EXPECT_EQ(scan(set, "KEY-123456\n", "app.cfg").size(), 1u);
    EXPECT_TRUE(scan(set, "KEY-123456\n", "test/app.cfg").empty());
    EXPECT_TRUE(scan(set, "KEY-123456\n", "app.txt").empty());
    EXPECT_TRUE(scan(set, "x\n", "skip.pem").empty());     // an allowed path
    EXPECT_EQ(scan(set, "x\n", "d/skip.pem").size(), 1u);  // the look-ahead fails: not allowed
}

TEST(PathRules, RejectARegexAndNeedAPath) {
    EXPECT_THROW(rules("[[rules]]\nid = \"p\"\nkind = \"path\"\npath = 'x'\nregex = '(a)'\n"), ConfigError);
    EXPECT_THROW(rules("[[rules]]\nid = \"p\"\nkind = \"path\"\n"), ConfigError);
    EXPECT_THROW(rules("[[rules]]\nid = \"p\"\nkind = \"blob\"\nregex = '(a)'\n"), ConfigError);
}

const char* kSpecificAndGeneric =
    "[[rules]]\nid = \"specific\"\nregex = '''(tok_[a-z0-9]{12})'''\n"
    "[[rules]]\nid = \"generic\"\ngeneric = true\nregex = '''(?i)(?:token|secret)\\s*=\\s*([a-z0-9_]{12,40})'''\n";

TEST(GenericRules, AFindingInsideASpecificOneIsDropped) {
    auto set = rules(kSpecificAndGeneric);
    auto f = scan(set, "TOKEN = tok_ab12cd34ef56\n");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rule_id, "specific");
}

TEST(GenericRules, AFindingElsewhereOnTheLineIsKept) {
    auto set = rules(kSpecificAndGeneric);
    auto f = scan(set, "x = tok_ab12cd34ef56; secret = q8w7e6r5t4y3u2\n");
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].rule_id, "specific");
    EXPECT_EQ(f[1].rule_id, "generic");
}

TEST(GenericRules, TwoGenericRulesOnOneSecretReportItOnce) {
    auto set = rules(std::string(kSpecificAndGeneric) +
                     "[[rules]]\nid = \"generic2\"\ngeneric = true\nregex = '''secret\\s*=\\s*([a-z0-9]{12,40})'''\n");
    auto f = scan(set, "secret = q8w7e6r5t4y3u2\n");
    ASSERT_EQ(f.size(), 1u);
}

TEST(Entropy, FloorsPerCharacterSet) {
    auto set = rules("[[rules]]\nid = \"e\"\nregex = '''k=([^\\s]{16,64})'''\n"
                     "entropy = 4.5\nentropy_hex = 3.0\nentropy_b64 = 3.5\n");
    EXPECT_EQ(scan(set, "k=9f86d081884c7d659a2feaa0c55ad015").size(), 1u);  // hex, 3.5 bits
    EXPECT_TRUE(scan(set, "k=00000000000000000000000000000fff").empty());   // hex, low
    EXPECT_EQ(scan(set, "k=Zq8r1Wv3RtYuP0oXb2N4").size(), 1u);               // base64 class
    EXPECT_TRUE(scan(set, "k=Zq8r1Wv3!RtYuP0oXb2N4").empty());              // other: needs 4.5
}

TEST(Placeholders, CommonShapesAreRecognised) {
    for (const char* v : {"", "changeme", "${DB_PASSWORD}", "$DB_PASSWORD", "<password>", "xxxxxxxx", "********",
                          "os.environ['X']", "getenv(\"X\")", "ENV.fetch('X')", "process.env.TOKEN", "{{ vault_pw }}",
                          "%(password)s", "your_api_key_here", "example-token", "password123", "[password]",
                          "<%= ENV['X'] %>", "var.db_password", "@db.password@", "{password}", "dummy"})
        EXPECT_TRUE(looks_like_placeholder(v)) << v;
    for (const char* v : {"Zq8r1Wv3RtYuP0oX", "s3cR3t-Pr0d-9xQ", "{AQAAABAAAAAQ7d2kX9sPq1rT0uVw}", "$2y$10$Zq8r1Wv3Rt"})
        EXPECT_FALSE(looks_like_placeholder(v)) << v;
}

TEST(DecodedSecrets, Base64RuleReportsTheDecodedSecret) {
    auto set = rules("[[rules]]\nid = \"b\"\nregex = '''auth: ([A-Za-z0-9+/=]{8,})'''\ndecode = \"base64\"\n"
                     "skip_placeholders = true\n");
    // "deploy:Zq8r1Wv3RtYu" in base64.
    auto f = scan(set, "auth: ZGVwbG95OlpxOHIxV3YzUnRZdQ==\n", "f.txt", 0);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].secret, "deploy:Zq8r1Wv3RtYu");
    EXPECT_EQ(f[0].match, "auth: deploy:Zq8r1Wv3RtYu");  // --redact hides the decoded form
    EXPECT_EQ(f[0].column, 7u);
    // "user:changeme": a placeholder once decoded; and text that is not base64 text.
    EXPECT_TRUE(scan(set, "auth: dXNlcjpjaGFuZ2VtZQ==\n", "f.txt", 0).empty());
    EXPECT_TRUE(scan(set, "auth: ////////////\n", "f.txt", 0).empty());
}

TEST(AllowLists, MatchLineAndPathTargets) {
    auto set = rules("[[rules]]\nid = \"a\"\nregex = '''[a-z_]*key\\s*=\\s*([A-Za-z0-9]{16})'''\n"
                     "allow_match = ['''_id\\s*=''']\nallow_line = ['''#\\s*not a secret''']\n"
                     "allow_paths = ['''(^|/)fixtures/''']\n");
    const std::string tok = std::string("Zq8r1Wv3") + "RtYuP0oX";  // built here: the repo scans clean
    EXPECT_EQ(scan(set, "api_key = " + tok + "\n").size(), 1u);
    EXPECT_TRUE(scan(set, "api_key_id = " + tok + "\n").empty());
    EXPECT_TRUE(scan(set, "api_key = " + tok + "  # not a secret\n").empty());
    EXPECT_TRUE(scan(set, "api_key = " + tok + "\n", "test/fixtures/a.env").empty());
}

TEST(SecretGroup, ZeroMeansTheWholeMatchWithoutGroups) {
    auto set = rules("[[rules]]\nid = \"w\"\nregex = '''tok_[a-z0-9]{10}'''\nsecret_group = 0\n");
    auto f = scan(set, "x tok_abcdef1234 y");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].secret, "tok_abcdef1234");
}

}  // namespace
}  // namespace ks
