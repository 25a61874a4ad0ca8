// A detection rule as loaded from TOML (see patterns/README.md for the schema).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ks {

struct RuleExample {
    std::string text;
    std::optional<std::string> secret;  // expected secret, when the example fixes one
    std::string path;                   // path the example is scanned under (for path-scoped rules)
};

struct Rule {
    std::string id;
    std::string description;
    std::string regex;
    std::optional<int> secret_group;    // unset: group "secret" if named, else 1
    std::string secret_group_name;      // set when the secret is a named group
    std::vector<std::string> keywords;  // lower-cased
    double entropy = 0.0;
    std::string path;                   // empty: every path
    std::vector<std::string> allow;     // regexes on the secret
    std::vector<std::string> stopwords; // lower-cased
    std::string verify;                 // "", "aws:key-id", "aws:secret", "aws:session-token"
    std::uint32_t window = 0;           // 0: derived from the regex's max width
    std::vector<RuleExample> examples;
    std::vector<std::string> negative_examples;
    std::string source;                 // file the rule came from, for error lines
};

// Global allow-list, from the config file ([allow] table).
struct AllowList {
    std::vector<std::string> paths;         // regexes on the path
    std::vector<std::string> regexes;       // regexes on the secret
    std::vector<std::string> stopwords;     // lower-cased substrings of the secret
};

struct RuleSet {
    std::vector<Rule> rules;
    AllowList allow;
};

}  // namespace ks
