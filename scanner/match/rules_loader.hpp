// Loading rules and config from TOML. Every error names the file, the rule id and the reason.
#pragma once

#include "match/rule.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks {

// A configuration problem (bad TOML, invalid rule, malformed config). Fatal for the run: exit 2.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The rules compiled into the binary (patterns/*.toml). Generated at build time by parsing those files
// with add_rules_toml (match/codegen/rules_codegen.cpp): no TOML is parsed at run time.
RuleSet default_rules();

// The same files as TOML text: ("patterns/<file>.toml", text) pairs, sorted by name.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_rule_files();

// The whole text of a rule or config file; ConfigError "<path>: cannot read file" if it cannot be read.
std::string read_rule_file(const std::filesystem::path& path);

// Adds the rules of a TOML text (named `source` in errors); a rule whose id exists replaces it.
void add_rules_toml(RuleSet& set, std::string_view toml_text, const std::string& source);

// Adds a rule file, or every *.toml in a folder (sorted by name).
void add_rules_path(RuleSet& set, const std::filesystem::path& path);

// Reads a keysweep config file: [allow] paths/regexes/stopwords, and optional [[rules]].
// `[rules] use_default = false` at the top level clears the default rules first.
void apply_config_file(RuleSet& set, const std::filesystem::path& path);

}  // namespace ks
