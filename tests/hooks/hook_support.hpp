// Helpers for the hook tests: real repositories, real `git commit` / `git push`, hooks installed by
// `keysweep hook install`. The process environment is made hermetic once (hook_support.cpp): HOME
// and XDG_CACHE_HOME in a temporary folder, no system git config, no GIT_* variables from outside.
#pragma once

#include "harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ks::test {

// The source tree (for hooks/ and .pre-commit-hooks.yaml).
std::filesystem::path source_dir();

// The shared temporary HOME / cache root of this test binary.
std::filesystem::path hermetic_root();

// `git <args>` in `repo` with the harness identity; never throws (hooks are expected to fail).
RunResult git_try(const GitRepo& repo, const std::vector<std::string>& args, const std::string& input = {});

// keysweep with args in cwd and extra environment.
RunResult ks(const std::vector<std::string>& args, const std::filesystem::path& cwd, const std::string& input = {},
             const std::vector<std::string>& env = {});

// "aws_access_key_id = <fake key id seed>\n"
std::string key_line(unsigned seed);

// A repository with keysweep's hooks installed (`keysweep hook install [--pre-push]`), one commit
// of a README on main, and (with a remote) a bare repository "origin" that main was pushed to.
struct HookedRepo {
    explicit HookedRepo(const std::filesystem::path& root, bool with_remote = false, bool pre_push = false);
    GitRepo repo;
    std::unique_ptr<GitRepo> remote;
    // `git commit -q -m msg` after `git add -A`; returns the result (exit 0: the hook let it through).
    RunResult commit(const std::string& msg) const;
    // `git push origin <refspec...>`.
    RunResult push(const std::vector<std::string>& refspec) const;
    // Whether the remote has `ref`, and at which commit.
    std::string remote_ref(const std::string& ref) const;
};

// Everything a git command printed: git sends a hook's stdout to stderr.
inline std::string both(const RunResult& r) { return r.out + r.err; }

// Parses a JSON report; an empty output is an empty report.
nlohmann::json parse_report(const std::string& out);

}  // namespace ks::test
