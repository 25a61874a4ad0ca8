#include "hook_support.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ks::test {
namespace fs = std::filesystem;

namespace {

// Made before any test runs; removed at exit.
struct Hermetic {
    TempDir dir;
    Hermetic() {
        fs::create_directories(dir / "home");
        ::setenv("HOME", (dir / "home").c_str(), 1);
        // The compiled-rules cache is shared by every test process (ctest runs each test alone): it
        // holds only keysweep's own database, keyed by content and checked on load, and compiling the
        // default rules once per test would dominate the suite's time.
        fs::path cache = fs::path(keysweep_bin()).parent_path() / "test-xdg-cache";
        fs::create_directories(cache);
        ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (dir / "home" / ".config").c_str(), 1);
        ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        ::setenv("NO_COLOR", "1", 1);
        for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                              "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG_GLOBAL",
                              "PRE_COMMIT", "PRE_COMMIT_HOME", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF",
                              "PRE_COMMIT_LOCAL_BRANCH"})
            ::unsetenv(v);
    }
};

Hermetic& hermetic() {
    static Hermetic h;
    return h;
}
[[maybe_unused]] const bool kHermeticReady = (hermetic(), true);

}  // namespace

fs::path source_dir() { return fs::path(__FILE__).parent_path().parent_path().parent_path(); }

fs::path hermetic_root() { return hermetic().dir.path(); }

RunResult git_try(const GitRepo& repo, const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{"git", "-c", "user.name=Test Author", "-c", "user.email=author@example.com",
                                  "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, repo.dir(), input, {"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z"});
}

RunResult ks(const std::vector<std::string>& args, const fs::path& cwd, const std::string& input,
             const std::vector<std::string>& env) {
    std::vector<std::string> argv{keysweep_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> e{"NO_COLOR=1"};
    e.insert(e.end(), env.begin(), env.end());
    return run(argv, cwd, input, e);
}

std::string key_line(unsigned seed) { return "aws_access_key_id = " + fake_aws_key_id(seed) + "\n"; }

HookedRepo::HookedRepo(const fs::path& root, bool with_remote, bool pre_push) : repo(root / "work") {
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    if (with_remote) {
        remote = std::make_unique<GitRepo>(root / "origin.git", /*bare=*/true);
        repo.git({"remote", "add", "origin", remote->dir().string()});
        repo.git({"push", "-q", "origin", "main"});
    }
    std::vector<std::string> args{"hook", "install"};
    if (pre_push) args.push_back("--pre-push");
    auto r = ks(args, repo.dir());
    if (r.exit_code != 0) throw std::runtime_error("hook install failed: " + r.err);
}

RunResult HookedRepo::commit(const std::string& msg) const {
    git_try(repo, {"add", "-A"});
    return git_try(repo, {"commit", "-q", "-m", msg});
}

RunResult HookedRepo::push(const std::vector<std::string>& refspec) const {
    std::vector<std::string> args{"push", "-q", "origin"};
    args.insert(args.end(), refspec.begin(), refspec.end());
    return git_try(repo, args);
}

std::string HookedRepo::remote_ref(const std::string& ref) const {
    auto r = git_try(*remote, {"rev-parse", "--verify", "-q", ref});
    std::string s = r.exit_code == 0 ? r.out : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

nlohmann::json parse_report(const std::string& out) {
    auto j = nlohmann::json::parse(out.empty() ? "{}" : out);
    if (!j.contains("findings")) j["findings"] = nlohmann::json::array();
    return j;
}

}  // namespace ks::test
