// Sub-commands. Each registers its flags on the app and returns the exit code when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ks::cli {

using Runner = std::function<int()>;

Runner add_scan_command(CLI::App& app);
Runner add_rules_command(CLI::App& app);
Runner add_hook_command(CLI::App& app);

}  // namespace ks::cli
