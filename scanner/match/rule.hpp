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

// A conditional allow-list (gitleaks' [[rules.allowlists]] / [[allowlists]]; keysweep's allow_match /
// allow_line). It drops a finding when any of its criteria hits, or all of the non-empty ones when
// `all` is set. Commits are only known after the scan: see drop_allowed_commits (matcher.hpp).
struct AllowRule {
    enum class Target { secret, match, line };
    std::vector<std::string> regexes;    // regexes on `target`
    Target target = Target::secret;
    std::vector<std::string> stopwords;  // lower-cased substrings of the secret
    std::vector<std::string> paths;      // regexes on the path
    std::vector<std::string> commits;    // commit ids (full or abbreviated), case-insensitive
    bool all = false;                    // gitleaks condition = "AND"
};

struct Rule {
    enum class Kind { regex, path };
    Kind kind = Kind::regex;            // path: fires on the path alone, once per blob (no regex)
    std::string id;
    std::string description;
    std::string regex;
    std::string prefilter;              // optional: what Hyperscan looks for instead (see patterns/README.md)
    std::optional<int> secret_group;    // unset: group "secret" if named, else 1; 0: the whole match
    std::string secret_group_name;      // set when the secret is a named group
    bool first_nonempty_group = false;  // gitleaks: no secretGroup -> the first group that matched text
    std::vector<std::string> keywords;  // lower-cased
    double entropy = 0.0;
    std::optional<double> entropy_hex;  // floor for secrets made only of hex digits (default: entropy)
    std::optional<double> entropy_b64;  // floor for other secrets made only of base64/base64url chars
    bool generic = false;               // dropped when a non-generic finding overlaps it on its line
    bool skip_placeholders = false;     // drop placeholder values (changeme, ${VAR}, <password>, ...)
    std::string decode;                 // "" or "base64": the captured secret is decoded first
    std::string path;                   // empty: every path
    std::vector<std::string> allow;     // regexes on the secret
    std::vector<std::string> stopwords; // lower-cased
    std::vector<AllowRule> allowlists;  // conditional allow-lists (allow_match, allow_line, gitleaks)
    std::string verify;                 // "", "aws:key-id", "aws:secret", "aws:session-token"
    std::uint32_t window = 0;           // 0: derived from the regex's max width
    std::vector<RuleExample> examples;
    std::vector<std::string> negative_examples;
    std::string source;                 // file the rule came from, for error lines
    bool external = false;              // from a gitleaks config: examples are optional
};

// Global allow-list, from the config file ([allow] table).
struct AllowList {
    std::vector<std::string> paths;         // regexes on the path
    std::vector<std::string> regexes;       // regexes on the secret
    std::vector<std::string> stopwords;     // lower-cased substrings of the secret
    std::vector<AllowRule> lists;           // conditional allow-lists that apply to every rule (gitleaks)
};

struct RuleSet {
    std::vector<Rule> rules;
    AllowList allow;
};

}  // namespace ks
