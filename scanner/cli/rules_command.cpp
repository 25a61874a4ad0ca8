#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/rule_loading.hpp"
#include "match/rules_check.hpp"

#include <fmt/core.h>

namespace ks::cli {

Runner add_rules_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("rules", "List or check detection rules");
    cmd->require_subcommand(1);
    auto paths = std::make_shared<std::vector<std::string>>();
    auto config = std::make_shared<std::string>();
    auto* list = cmd->add_subcommand("list", "List the active rules");
    auto* check = cmd->add_subcommand("check", "Run every rule's examples and negative examples");
    for (auto* sub : {list, check}) {
        sub->add_option("--rules", *paths, "Rule file or folder to add (repeatable)");
        sub->add_option("--config", *config, "Config file (may add rules or drop the defaults)");
    }
    return [=]() -> int {
        RuleSet set = load_rule_set(*paths, *config, {});
        if (list->parsed()) {
            for (const auto& r : set.rules)
                fmt::print("{:<40} {}{}\n", r.id, r.description, r.verify.empty() ? "" : "  [verify " + r.verify + "]");
            fmt::print(stderr, "{} rules\n", set.rules.size());
            return kExitClean;
        }
        auto failures = check_rules(set);
        for (const auto& f : failures) fmt::print("FAIL {} ({}): {}\n", f.rule_id, f.source, f.message);
        fmt::print("{} rule{} checked, {} failure{}\n", set.rules.size(), set.rules.size() == 1 ? "" : "s",
                   failures.size(), failures.size() == 1 ? "" : "s");
        return failures.empty() ? kExitClean : kExitFindings;
    };
}

}  // namespace ks::cli
