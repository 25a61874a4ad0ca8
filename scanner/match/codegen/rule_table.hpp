// The default rules as constant tables. rules_codegen (built and run at build time) parses
// patterns/*.toml with add_rules_toml and writes them as these rows (build/scanner/default_rules.cpp);
// build() turns the rows into the RuleSet that default_rules() returns, with no TOML parsing at run time.
#pragma once

#include "match/rule.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ks::rule_table {

// Rows [begin, begin + count) of one of the pools below.
struct Range {
    std::uint32_t begin = 0;
    std::uint32_t count = 0;
};

struct Example {
    std::string_view text;
    bool has_secret = false;
    std::string_view secret;
    std::string_view path;
};

struct Allow {
    Range regexes;  // in strings
    AllowRule::Target target = AllowRule::Target::secret;
    Range stopwords;
    Range paths;
    Range commits;
    bool all = false;
};

// One Rule, field for field; optionals as has_* + value, lists as ranges of the pools.
struct RuleRow {
    Rule::Kind kind = Rule::Kind::regex;
    std::string_view id;
    std::string_view description;
    std::string_view regex;
    std::string_view prefilter;
    bool has_secret_group = false;
    int secret_group = 0;
    std::string_view secret_group_name;
    bool first_nonempty_group = false;
    Range keywords;  // in strings
    double entropy = 0.0;
    bool has_entropy_hex = false;
    double entropy_hex = 0.0;
    bool has_entropy_b64 = false;
    double entropy_b64 = 0.0;
    bool generic = false;
    bool skip_placeholders = false;
    std::string_view decode;
    std::string_view path;
    Range allow;       // in strings
    Range stopwords;   // in strings
    Range allowlists;  // in allows
    std::string_view verify;
    std::uint32_t window = 0;
    Range examples;           // in examples
    Range negative_examples;  // in strings
    std::string_view source;
    bool external = false;
};

struct Global {
    Range paths;    // in strings
    Range regexes;  // in strings
    Range stopwords;
    Range lists;  // in allows
};

struct Tables {
    std::span<const std::string_view> strings;
    std::span<const Example> examples;
    std::span<const Allow> allows;
    std::span<const RuleRow> rules;
    Global global;
};

inline std::vector<std::string> strings_of(const Tables& t, Range r) {
    std::vector<std::string> out;
    out.reserve(r.count);
    for (const std::string_view s : t.strings.subspan(r.begin, r.count)) out.emplace_back(s);
    return out;
}

inline std::vector<AllowRule> allows_of(const Tables& t, Range r) {
    std::vector<AllowRule> out;
    out.reserve(r.count);
    for (const Allow& a : t.allows.subspan(r.begin, r.count)) {
        out.push_back(AllowRule{strings_of(t, a.regexes), a.target, strings_of(t, a.stopwords), strings_of(t, a.paths),
                                strings_of(t, a.commits), a.all});
    }
    return out;
}

inline RuleSet build(const Tables& t) {
    RuleSet set;
    set.rules.reserve(t.rules.size());
    for (const RuleRow& row : t.rules) {
        Rule r;
        r.kind = row.kind;
        r.id = row.id;
        r.description = row.description;
        r.regex = row.regex;
        r.prefilter = row.prefilter;
        if (row.has_secret_group) r.secret_group = row.secret_group;
        r.secret_group_name = row.secret_group_name;
        r.first_nonempty_group = row.first_nonempty_group;
        r.keywords = strings_of(t, row.keywords);
        r.entropy = row.entropy;
        if (row.has_entropy_hex) r.entropy_hex = row.entropy_hex;
        if (row.has_entropy_b64) r.entropy_b64 = row.entropy_b64;
        r.generic = row.generic;
        r.skip_placeholders = row.skip_placeholders;
        r.decode = row.decode;
        r.path = row.path;
        r.allow = strings_of(t, row.allow);
        r.stopwords = strings_of(t, row.stopwords);
        r.allowlists = allows_of(t, row.allowlists);
        r.verify = row.verify;
        r.window = row.window;
        r.examples.reserve(row.examples.count);
        for (const Example& e : t.examples.subspan(row.examples.begin, row.examples.count)) {
            RuleExample ex{std::string(e.text), std::nullopt, std::string(e.path)};
            if (e.has_secret) ex.secret = std::string(e.secret);
            r.examples.push_back(std::move(ex));
        }
        r.negative_examples = strings_of(t, row.negative_examples);
        r.source = row.source;
        r.external = row.external;
        set.rules.push_back(std::move(r));
    }
    set.allow.paths = strings_of(t, t.global.paths);
    set.allow.regexes = strings_of(t, t.global.regexes);
    set.allow.stopwords = strings_of(t, t.global.stopwords);
    set.allow.lists = allows_of(t, t.global.lists);
    return set;
}

}  // namespace ks::rule_table
