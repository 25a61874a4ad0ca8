// Rule files: every invalid rule is one error naming the file, the rule and the reason; exit 2.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ks::test {
namespace {

struct BadRule {
    const char* name;
    std::string toml;
    std::string expect;  // substring of the error line
};

std::string rule(const std::string& id, const std::string& regex) {
    return "[[rules]]\nid = \"" + id + "\"\ndescription = \"d\"\nregex = '''" + regex +
           "'''\nexamples = [\"x\"]\nnegative_examples = [\"y\"]\n";
}

TEST(Rules, InvalidRulesFailBeforeScanning) {
    std::vector<BadRule> cases = {
        {"bad toml", "[[rules]\nid = 1", "invalid TOML"},
        {"no id", "[[rules]]\nregex = '''(a)'''\n", "missing 'id'"},
        {"no regex", "[[rules]]\nid = \"r1\"\n", "rule 'r1': missing or empty 'regex'"},
        {"pcre2 rejects", rule("r2", "(unclosed"), "rule 'r2': PCRE2 rejects the regex"},
        {"hyperscan rejects", rule("r3", "(\\Gabc)"), "rule 'r3': Hyperscan rejects the regex"},
        {"no capture group", rule("r4", "abc[0-9]{4}"), "rule 'r4': regex has no capture group"},
        {"empty match", rule("r5", "(a*)"), "rule 'r5': regex can match an empty string"},
        {"bad group", rule("r6", "(abc)") + "secret_group = 3\n", "rule 'r6': secret_group 3"},
        {"bad verify", rule("r7", "(abc)") + "verify = \"gcp\"\n", "rule 'r7': unknown verify kind"},
        {"bad allow", rule("r8", "(abc)") + "allow = ['''(x''']\n", "rule 'r8': invalid allow regex"},
    };
    for (const auto& c : cases) {
        TempDir tmp;
        auto file = tmp / "bad.toml";
        std::ofstream(file) << c.toml;
        auto r = keysweep({"scan", "-", "--rules", file.string(), "--no-cache"}, {}, "data\n");
        EXPECT_EQ(r.exit_code, 2) << c.name;
        EXPECT_TRUE(r.out.empty()) << c.name;
        EXPECT_NE(r.err.find(file.string()), std::string::npos) << c.name << ": " << r.err;
        EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.name << ": " << r.err;
    }
}

TEST(Rules, DefaultRulesPassTheirOwnExamples) {
    auto r = keysweep({"rules", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(", 0 failures"), std::string::npos) << r.out;
}

TEST(Rules, CheckReportsAFailingExample) {
    TempDir tmp;
    auto file = tmp / "r.toml";
    std::ofstream(file) << "[[rules]]\nid = \"t\"\nregex = '''(zzz[0-9]{3})'''\n"
                        << "examples = [{ text = \"zzz123\", secret = \"zzz124\" }, \"nope\"]\n"
                        << "negative_examples = [\"zzz999\"]\n";
    auto r = keysweep({"rules", "check", "--rules", file.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("FAIL t"), std::string::npos);
    EXPECT_NE(r.out.find("example 1 captured a different secret"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("example 2 did not match"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("negative example 1 matched"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" rules checked, 3 failures\n"), std::string::npos) << r.out;
}

TEST(Rules, ListShowsDefaults) {
    auto r = keysweep({"rules", "list"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("aws-access-key-id"), std::string::npos);
}

TEST(Rules, AwsDocumentationExampleKeysAreNotReported) {
    std::string text = std::string("id = AKIAIOSFODNN7") + "EXAMPLE\n";
    auto r = keysweep({"scan", "-"}, {}, text);
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

}  // namespace
}  // namespace ks::test
