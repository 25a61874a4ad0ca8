// Building the active rule set from defaults, --rules paths and a config file.
#pragma once

#include "match/rule.hpp"

#include <string>
#include <vector>

namespace ks::cli {

// Defaults, then `config` (explicit, or `.keysweep.toml` found in the first of `targets` that is a
// folder, else `.gitleaks.toml` there), then each --rules path. A gitleaks configuration (by name or
// content, see match/gitleaks_config.hpp) is read as gitleaks reads it. Throws ConfigError.
RuleSet load_rule_set(const std::vector<std::string>& rule_paths, const std::string& config,
                      const std::vector<std::string>& targets);

}  // namespace ks::cli
