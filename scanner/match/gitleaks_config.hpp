// gitleaks compatibility: a gitleaks configuration (.gitleaks.toml) read into a RuleSet.
//
// Supported: [[rules]] id, description, regex, path, secretGroup, entropy, keywords, tags (ignored),
// [rules.allowlist] and [[rules.allowlists]] (description, condition OR/AND, regexTarget
// secret|match|line, regexes, stopwords, paths, commits), the global [allowlist] / [[allowlists]]
// (with targetRules), and [extend] useDefault (keep keysweep's default rules; a rule whose id is
// already there is merged into it as gitleaks merges) and disabledRules. Everything else that changes
// what is reported ([extend] path or url, [[rules.required]], skipReport, condition AND together
// with commits, Go's (?U) flag) is a ConfigError naming the file and the construct.
#pragma once

#include "match/rule.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace ks {

// True when `path` is a gitleaks configuration: its name holds "gitleaks", or its TOML uses keys
// only gitleaks has (title, [extend], [allowlist], [[allowlists]], secretGroup, rule allow-lists).
bool is_gitleaks_config(const std::filesystem::path& path);

// Applies a gitleaks configuration to `set` (which holds the defaults): without [extend] useDefault
// the defaults are dropped first, as gitleaks does. Throws ConfigError.
void apply_gitleaks_config(RuleSet& set, const std::filesystem::path& path);
void apply_gitleaks_toml(RuleSet& set, std::string_view toml_text, const std::string& source);

}  // namespace ks
