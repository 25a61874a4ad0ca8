// Test harness: temporary folders, real git repositories, and running the keysweep binary.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ks::test {

// A fresh folder under $TMPDIR, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

private:
    std::filesystem::path path_;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs argv (no shell) in `cwd`, with `input` on stdin; captures stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
              const std::string& input = {}, const std::vector<std::string>& extra_env = {});

// Path of the keysweep binary under test.
std::string keysweep_bin();

// Runs keysweep with args in cwd.
RunResult keysweep(const std::vector<std::string>& args, const std::filesystem::path& cwd = {},
                   const std::string& input = {});

// A real git repository (git init) with a fixed identity and deterministic dates.
class GitRepo {
public:
    explicit GitRepo(const std::filesystem::path& dir, bool bare = false);
    const std::filesystem::path& dir() const { return dir_; }
    void write(const std::string& rel, const std::string& content) const;
    void remove(const std::string& rel) const;
    // `git <args>`; throws std::runtime_error on failure. Returns stdout.
    std::string git(const std::vector<std::string>& args, const std::string& input = {}) const;
    // Stages everything and commits; returns the new commit id.
    std::string commit_all(const std::string& message) const;
    std::string head() const;

private:
    std::filesystem::path dir_;
    mutable int tick_ = 0;
};

// Fake but well-formed credentials, assembled at run time so this source tree holds no key-shaped
// literal. `seed` makes them deterministic and distinct.
std::string fake_aws_key_id(unsigned seed, const std::string& prefix = "AKIA");
std::string fake_aws_secret(unsigned seed);
std::string fake_github_pat(unsigned seed);

// Standard base64 with '=' padding (test data that hides a secret in an encoding).
std::string base64(std::string_view in);

}  // namespace ks::test
