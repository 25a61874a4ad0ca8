#include "cli/app.hpp"

#include "cli/commands.hpp"

#include <cstdio>
#include <exception>

namespace ks::cli {

int run(int argc, char** argv) {
    CLI::App app{"keysweep: find credentials in git history, staged changes and folders, and tell which are live"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("keysweep ") + KEYSWEEP_VERSION);
    Runner scan = add_scan_command(app);
    Runner rules = add_rules_command(app);
    Runner hook = add_hook_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "keysweep: error: %s\n", e.what());
        return kExitError;
    }
    // Configuration errors and whole-run failures end here: one line on stderr, exit 2.
    try {
        for (CLI::App* sub : app.get_subcommands()) {
            if (sub->get_name() == "scan") return scan();
            if (sub->get_name() == "rules") return rules();
            if (sub->get_name() == "hook") return hook();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "keysweep: error: %s\n", e.what());
        return kExitError;
    }
    return kExitError;
}

}  // namespace ks::cli
