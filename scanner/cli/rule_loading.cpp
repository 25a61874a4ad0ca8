#include "cli/rule_loading.hpp"

#include "match/gitleaks_config.hpp"
#include "match/rules_loader.hpp"

#include <filesystem>

namespace ks::cli {
namespace fs = std::filesystem;

RuleSet load_rule_set(const std::vector<std::string>& rule_paths, const std::string& config,
                      const std::vector<std::string>& targets) {
    RuleSet set = default_rules();
    if (!config.empty()) {
        if (!fs::exists(config)) throw ConfigError(config + ": no such config file");
        if (is_gitleaks_config(config)) apply_gitleaks_config(set, config);
        else apply_config_file(set, config);
    } else {
        for (const auto& t : targets) {
            std::error_code ec;
            if (t == "-" || !fs::is_directory(t, ec)) continue;
            fs::path candidate = fs::path(t) / ".keysweep.toml";
            fs::path gitleaks = fs::path(t) / ".gitleaks.toml";
            if (fs::exists(candidate, ec)) apply_config_file(set, candidate);
            else if (fs::exists(gitleaks, ec)) apply_gitleaks_config(set, gitleaks);
            break;
        }
    }
    for (const auto& p : rule_paths) add_rules_path(set, p);
    return set;
}

}  // namespace ks::cli
