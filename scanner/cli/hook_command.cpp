#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/scan_flags.hpp"

#include <stdexcept>

namespace ks::cli {

Runner add_hook_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("hook", "Git hooks: pre-commit, pre-push, install");
    cmd->require_subcommand(1);
    cmd->add_subcommand("pre-commit", "Scan the staged changes (what a pre-commit hook runs)");
    cmd->add_subcommand("pre-push", "Scan the commits being pushed (reads git's pre-push lines on stdin)");
    cmd->add_subcommand("install", "Install keysweep's git hooks into this repository");
    return []() -> int { throw std::runtime_error("hook: not implemented yet"); };
}

int scan_staged_command(const ScanFlags&) { throw std::runtime_error("--staged: not implemented yet"); }

}  // namespace ks::cli
