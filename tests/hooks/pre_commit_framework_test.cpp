// The real `pre-commit` program (Debian package) running keysweep's .pre-commit-hooks.yaml.
// Hermetic: HOME, PRE_COMMIT_HOME and the cache in a temporary folder; the hook repository is a local
// path (no network); `keysweep` is found on PATH, as `language: system` hooks are.
#include "hook_support.hpp"

#include <fstream>

namespace ks::test {
namespace {

namespace fs = std::filesystem;

const char* kPreCommit = "/usr/bin/pre-commit";

struct Framework {
    TempDir tmp;
    std::vector<std::string> env;
    Framework() {
        fs::create_directories(tmp / "bin");
        fs::create_directories(tmp / "home");
        fs::create_symlink(fs::canonical(keysweep_bin()), tmp / "bin" / "keysweep");
        env = {"HOME=" + (tmp / "home").string(), "PRE_COMMIT_HOME=" + (tmp / "pre-commit-home").string(),
               "PATH=" + (tmp / "bin").string() + ":/usr/bin:/bin", "PRE_COMMIT_COLOR=never",
               "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z"};
    }
    RunResult git(const GitRepo& repo, std::vector<std::string> args) const {
        std::vector<std::string> argv{"git", "-c", "user.name=Test Author", "-c", "user.email=author@example.com",
                                      "-c", "commit.gpgsign=false"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, repo.dir(), {}, env);
    }
    RunResult pre_commit(const GitRepo& repo, std::vector<std::string> args) const {
        args.insert(args.begin(), kPreCommit);
        return run(args, repo.dir(), {}, env);
    }
};

// The work repository, its config committed, `pre-commit install` done.
void set_up(const Framework& fw, const GitRepo& work, const std::string& config) {
    work.write(".pre-commit-config.yaml", config);
    work.write("README.md", "hello\n");
    ASSERT_EQ(fw.git(work, {"add", "-A"}).exit_code, 0);
    ASSERT_EQ(fw.git(work, {"commit", "-q", "-m", "config"}).exit_code, 0);
    auto r = fw.pre_commit(work, {"install"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
}

void expect_blocks_key_and_passes_clean(const Framework& fw, const GitRepo& work) {
    const std::string before = work.head();
    work.write("settings.env", "REGION=eu-west-1\n" + key_line(51));
    ASSERT_EQ(fw.git(work, {"add", "-A"}).exit_code, 0);
    auto r = fw.git(work, {"commit", "-q", "-m", "leak"});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(work.head(), before) << "the commit went through";
    const std::string all = r.out + r.err;
    EXPECT_NE(all.find("settings.env:2:21"), std::string::npos) << all;
    EXPECT_NE(all.find("commit blocked"), std::string::npos) << all;

    work.write("settings.env", "REGION=eu-west-1\n");
    ASSERT_EQ(fw.git(work, {"add", "-A"}).exit_code, 0);
    r = fw.git(work, {"commit", "-q", "-m", "clean"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(work.head(), before);
}

TEST(PreCommitFramework, ManifestFromThisRepository) {
    if (!fs::exists(kPreCommit)) GTEST_SKIP() << "pre-commit is not installed (Debian package pre-commit)";
    Framework fw;
    // A git repository holding this project's manifest, as a user's config would reference it.
    GitRepo hooks_repo(fw.tmp / "keysweep-hooks");
    fs::copy_file(source_dir() / ".pre-commit-hooks.yaml", hooks_repo.dir() / ".pre-commit-hooks.yaml");
    ASSERT_EQ(fw.git(hooks_repo, {"add", "-A"}).exit_code, 0);
    ASSERT_EQ(fw.git(hooks_repo, {"commit", "-q", "-m", "manifest"}).exit_code, 0);

    GitRepo work(fw.tmp / "work");
    set_up(fw, work,
           "repos:\n"
           "  - repo: " + hooks_repo.dir().string() + "\n"
           "    rev: " + hooks_repo.head() + "\n"
           "    hooks:\n"
           "      - id: keysweep\n");
    expect_blocks_key_and_passes_clean(fw, work);
}

TEST(PreCommitFramework, LocalRepoHook) {
    if (!fs::exists(kPreCommit)) GTEST_SKIP() << "pre-commit is not installed (Debian package pre-commit)";
    Framework fw;
    GitRepo work(fw.tmp / "work");
    set_up(fw, work,
           "repos:\n"
           "  - repo: local\n"
           "    hooks:\n"
           "      - id: keysweep\n"
           "        name: keysweep\n"
           "        entry: keysweep hook pre-commit\n"
           "        language: system\n"
           "        pass_filenames: false\n");
    expect_blocks_key_and_passes_clean(fw, work);
}

}  // namespace
}  // namespace ks::test
