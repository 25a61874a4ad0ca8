// default_rules() is generated at build time (scanner/match/codegen/rules_codegen.cpp). It must equal,
// field for field, what the run-time loader makes of the same TOML files.
#include "match/rules_loader.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ks {
namespace {

RuleSet parse_embedded() {
    RuleSet set;
    for (const auto& [name, text] : embedded_rule_files()) add_rules_toml(set, text, std::string(name));
    return set;
}

// Bit for bit (so 0.0 vs -0.0 or an off-by-one-ulp threshold differ); NaN equals NaN.
bool same_double(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;
}

void expect_same_double(const std::optional<double>& a, const std::optional<double>& b, const std::string& at) {
    EXPECT_EQ(a.has_value(), b.has_value()) << at;
    if (a && b) {
        EXPECT_TRUE(same_double(*a, *b)) << at << ": " << *a << " vs " << *b;
    }
}

void expect_same(const AllowRule& a, const AllowRule& b, const std::string& at) {
    // Names every field: a field added to AllowRule fails to compile here until it is compared.
    const auto& [regexes, target, stopwords, paths, commits, all] = a;
    EXPECT_EQ(regexes, b.regexes) << at << ".regexes";
    EXPECT_EQ(target, b.target) << at << ".target";
    EXPECT_EQ(stopwords, b.stopwords) << at << ".stopwords";
    EXPECT_EQ(paths, b.paths) << at << ".paths";
    EXPECT_EQ(commits, b.commits) << at << ".commits";
    EXPECT_EQ(all, b.all) << at << ".all";
}

void expect_same(const std::vector<AllowRule>& a, const std::vector<AllowRule>& b, const std::string& at) {
    EXPECT_EQ(a.size(), b.size()) << at << " (count)";
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) expect_same(a[i], b[i], at + "[" + std::to_string(i) + "]");
}

void expect_same(const RuleExample& a, const RuleExample& b, const std::string& at) {
    const auto& [text, secret, path] = a;
    EXPECT_EQ(text, b.text) << at << ".text";
    EXPECT_EQ(secret, b.secret) << at << ".secret";
    EXPECT_EQ(path, b.path) << at << ".path";
}

void expect_same(const Rule& a, const Rule& b) {
    const std::string at = "rule '" + a.id + "' (" + a.source + ").";
    const auto& [kind, id, description, regex, prefilter, secret_group, secret_group_name, first_nonempty_group,
                 keywords, entropy, entropy_hex, entropy_b64, generic, skip_placeholders, decode, path, allow,
                 stopwords, allowlists, verify, window, examples, negative_examples, source, external] = a;
    EXPECT_EQ(kind, b.kind) << at << "kind";
    EXPECT_EQ(id, b.id) << at << "id";
    EXPECT_EQ(description, b.description) << at << "description";
    EXPECT_EQ(regex, b.regex) << at << "regex";
    EXPECT_EQ(prefilter, b.prefilter) << at << "prefilter";
    EXPECT_EQ(secret_group, b.secret_group) << at << "secret_group";
    EXPECT_EQ(secret_group_name, b.secret_group_name) << at << "secret_group_name";
    EXPECT_EQ(first_nonempty_group, b.first_nonempty_group) << at << "first_nonempty_group";
    EXPECT_EQ(keywords, b.keywords) << at << "keywords";
    EXPECT_TRUE(same_double(entropy, b.entropy)) << at << "entropy: " << entropy << " vs " << b.entropy;
    expect_same_double(entropy_hex, b.entropy_hex, at + "entropy_hex");
    expect_same_double(entropy_b64, b.entropy_b64, at + "entropy_b64");
    EXPECT_EQ(generic, b.generic) << at << "generic";
    EXPECT_EQ(skip_placeholders, b.skip_placeholders) << at << "skip_placeholders";
    EXPECT_EQ(decode, b.decode) << at << "decode";
    EXPECT_EQ(path, b.path) << at << "path";
    EXPECT_EQ(allow, b.allow) << at << "allow";
    EXPECT_EQ(stopwords, b.stopwords) << at << "stopwords";
    expect_same(allowlists, b.allowlists, at + "allowlists");
    EXPECT_EQ(verify, b.verify) << at << "verify";
    EXPECT_EQ(window, b.window) << at << "window";
    EXPECT_EQ(examples.size(), b.examples.size()) << at << "examples (count)";
    for (size_t i = 0; i < std::min(examples.size(), b.examples.size()); ++i)
        expect_same(examples[i], b.examples[i], at + "examples[" + std::to_string(i) + "]");
    EXPECT_EQ(negative_examples, b.negative_examples) << at << "negative_examples";
    EXPECT_EQ(source, b.source) << at << "source";
    EXPECT_EQ(external, b.external) << at << "external";
}

// Rule ids in order first (one failure for a missing, extra or moved rule), then every field.
void expect_same(const RuleSet& a, const RuleSet& b) {
    std::vector<std::string> ids_a, ids_b;
    for (const Rule& r : a.rules) ids_a.push_back(r.id);
    for (const Rule& r : b.rules) ids_b.push_back(r.id);
    EXPECT_EQ(ids_a, ids_b) << "rule ids (in order)";
    if (ids_a == ids_b)
        for (size_t i = 0; i < a.rules.size(); ++i) expect_same(a.rules[i], b.rules[i]);
    const auto& [paths, regexes, stopwords, lists] = a.allow;
    EXPECT_EQ(paths, b.allow.paths) << "allow.paths";
    EXPECT_EQ(regexes, b.allow.regexes) << "allow.regexes";
    EXPECT_EQ(stopwords, b.allow.stopwords) << "allow.stopwords";
    expect_same(lists, b.allow.lists, "allow.lists");
}

TEST(RulesCodegen, DefaultRulesEqualTheEmbeddedTomlParsedAtRunTime) {
    ASSERT_FALSE(embedded_rule_files().empty());
    const RuleSet parsed = parse_embedded();
    const RuleSet generated = default_rules();
    ASSERT_FALSE(parsed.rules.empty());
    EXPECT_EQ(generated.rules.size(), parsed.rules.size());
    expect_same(generated, parsed);
}

TEST(RulesCodegen, EveryRuleNamesItsEmbeddedFile) {
    std::vector<std::string> names;
    for (const auto& [name, text] : embedded_rule_files()) names.emplace_back(name);
    for (const Rule& r : default_rules().rules)
        EXPECT_NE(std::find(names.begin(), names.end(), r.source), names.end()) << r.id << ": " << r.source;
}

// The comparison above is only worth something if it notices each field: change one field of a copy
// at a time and expect exactly one failure naming it.
TEST(RulesCodegen, TheComparisonNoticesEveryField) {
    RuleSet base = parse_embedded();
    ASSERT_GE(base.rules.size(), 2u);
    // Make sure every nested field has a value to change.
    base.rules[0].allowlists.push_back(AllowRule{{"r"}, AllowRule::Target::line, {"s"}, {"p"}, {"c0ffee"}, true});
    base.rules[0].examples.push_back(RuleExample{"text", std::string("secret"), "path"});
    base.allow.lists.push_back(AllowRule{{"r"}, AllowRule::Target::match, {}, {}, {}, false});
    const size_t al = base.rules[0].allowlists.size() - 1, ex = base.rules[0].examples.size() - 1;

    const std::vector<std::pair<std::string, std::function<void(RuleSet&)>>> changes = {
        {"rule ids", [](RuleSet& s) { s.rules.pop_back(); }},
        {"rule ids", [](RuleSet& s) { std::swap(s.rules[0], s.rules[1]); }},
        {"rule ids", [](RuleSet& s) { s.rules[0].id += "x"; }},
        {"kind", [](RuleSet& s) { s.rules[0].kind = s.rules[0].kind == Rule::Kind::path ? Rule::Kind::regex : Rule::Kind::path; }},
        {"description", [](RuleSet& s) { s.rules[0].description += "x"; }},
        {"regex", [](RuleSet& s) { s.rules[0].regex += "x"; }},
        {"secret_group", [](RuleSet& s) { auto& g = s.rules[0].secret_group; g = g ? std::nullopt : std::optional<int>(0); }},
        {"secret_group_name", [](RuleSet& s) { s.rules[0].secret_group_name += "x"; }},
        {"first_nonempty_group", [](RuleSet& s) { s.rules[0].first_nonempty_group ^= true; }},
        {"keywords", [](RuleSet& s) { s.rules[0].keywords.push_back("x"); }},
        {"entropy", [](RuleSet& s) { s.rules[0].entropy = std::nextafter(s.rules[0].entropy, 100.0); }},
        {"entropy_hex", [](RuleSet& s) { auto& e = s.rules[0].entropy_hex; e = e ? std::nullopt : std::optional<double>(0.0); }},
        {"entropy_b64", [](RuleSet& s) { auto& e = s.rules[0].entropy_b64; e = e ? std::nullopt : std::optional<double>(0.0); }},
        {"generic", [](RuleSet& s) { s.rules[0].generic ^= true; }},
        {"skip_placeholders", [](RuleSet& s) { s.rules[0].skip_placeholders ^= true; }},
        {"decode", [](RuleSet& s) { s.rules[0].decode += "x"; }},
        {"path", [](RuleSet& s) { s.rules[0].path += "x"; }},
        {"allow", [](RuleSet& s) { s.rules[0].allow.push_back("x"); }},
        {"stopwords", [](RuleSet& s) { s.rules[0].stopwords.push_back("x"); }},
        {"allowlists (count)", [](RuleSet& s) { s.rules[0].allowlists.pop_back(); }},
        {".regexes", [al](RuleSet& s) { s.rules[0].allowlists[al].regexes.clear(); }},
        {".target", [al](RuleSet& s) { s.rules[0].allowlists[al].target = AllowRule::Target::secret; }},
        {".stopwords", [al](RuleSet& s) { s.rules[0].allowlists[al].stopwords.clear(); }},
        {".paths", [al](RuleSet& s) { s.rules[0].allowlists[al].paths.clear(); }},
        {".commits", [al](RuleSet& s) { s.rules[0].allowlists[al].commits.clear(); }},
        {".all", [al](RuleSet& s) { s.rules[0].allowlists[al].all = false; }},
        {"verify", [](RuleSet& s) { s.rules[0].verify += "x"; }},
        {"window", [](RuleSet& s) { s.rules[0].window += 1; }},
        {"examples (count)", [](RuleSet& s) { s.rules[0].examples.pop_back(); }},
        {".text", [ex](RuleSet& s) { s.rules[0].examples[ex].text += "x"; }},
        {".secret", [ex](RuleSet& s) { s.rules[0].examples[ex].secret.reset(); }},
        {".path", [ex](RuleSet& s) { s.rules[0].examples[ex].path += "x"; }},
        {"negative_examples", [](RuleSet& s) { s.rules[0].negative_examples.push_back("x"); }},
        {"source", [](RuleSet& s) { s.rules[0].source += "x"; }},
        {"external", [](RuleSet& s) { s.rules[0].external ^= true; }},
        {"allow.paths", [](RuleSet& s) { s.allow.paths.push_back("x"); }},
        {"allow.regexes", [](RuleSet& s) { s.allow.regexes.push_back("x"); }},
        {"allow.stopwords", [](RuleSet& s) { s.allow.stopwords.push_back("x"); }},
        {"allow.lists[0].regexes", [](RuleSet& s) { s.allow.lists[0].regexes.clear(); }},
    };
    for (const auto& [field, change] : changes) {
        SCOPED_TRACE(field);
        RuleSet changed = base;
        change(changed);
        EXPECT_NONFATAL_FAILURE(expect_same(changed, base), field);
    }
    expect_same(RuleSet(base), base);  // and no failure without a change
}

}  // namespace
}  // namespace ks
