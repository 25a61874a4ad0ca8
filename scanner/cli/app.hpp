// The command-line front end: parses flags, wires the stages, turns errors into exit codes.
#pragma once

namespace ks::cli {

// Exit codes (the contract hooks and pipelines use).
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;
inline constexpr int kExitLive = 3;

int run(int argc, char** argv);

}  // namespace ks::cli
