// `keysweep hook install`: where the shims go, what they run, and what they refuse to overwrite.
#include "hook_support.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace ks::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool executable(const fs::path& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
}

// The installed shim is hooks/<name> from the source tree with the binary filled in.
std::string with_binary(const std::string& shim) {
    std::string out = shim;
    const std::string empty = "keysweep_bin=''";
    auto at = out.find(empty);
    if (at != std::string::npos) out.replace(at, empty.size(), "keysweep_bin='" + fs::canonical(keysweep_bin()).string() + "'");
    return out;
}

TEST(Install, WritesExecutableShimsMatchingHooksFolder) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    auto r = ks({"hook", "install"}, repo.dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::path pc = repo.dir() / ".git" / "hooks" / "pre-commit";
    ASSERT_TRUE(fs::exists(pc));
    EXPECT_TRUE(executable(pc));
    EXPECT_FALSE(fs::exists(repo.dir() / ".git" / "hooks" / "pre-push")) << "pre-push only with --pre-push";
    EXPECT_EQ(slurp(pc), with_binary(slurp(source_dir() / "hooks" / "pre-commit")));

    r = ks({"hook", "install", "--pre-push"}, repo.dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::path pp = repo.dir() / ".git" / "hooks" / "pre-push";
    EXPECT_TRUE(executable(pp));
    EXPECT_EQ(slurp(pp), with_binary(slurp(source_dir() / "hooks" / "pre-push")));
    EXPECT_TRUE(executable(source_dir() / "hooks" / "pre-commit"));
    EXPECT_TRUE(executable(source_dir() / "hooks" / "pre-push"));
}

TEST(Install, RespectsCoreHooksPath) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.git({"config", "core.hooksPath", ".githooks"});
    fs::create_directories(repo.dir() / "sub");
    auto r = ks({"hook", "install", "--pre-push"}, repo.dir() / "sub");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(executable(repo.dir() / ".githooks" / "pre-commit"));
    EXPECT_TRUE(executable(repo.dir() / ".githooks" / "pre-push"));
    EXPECT_FALSE(fs::exists(repo.dir() / ".git" / "hooks" / "pre-commit"));

    // And git runs it from there.
    repo.write("k.txt", key_line(41));
    git_try(repo, {"add", "-A"});
    EXPECT_NE(git_try(repo, {"commit", "-q", "-m", "k"}).exit_code, 0);
}

TEST(Install, RefusesAForeignHookWithoutForce) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    fs::path pc = repo.dir() / ".git" / "hooks" / "pre-commit";
    fs::create_directories(pc.parent_path());
    const std::string foreign = "#!/bin/sh\necho lint\n";
    { std::ofstream(pc) << foreign; }

    auto r = ks({"hook", "install", "--pre-push"}, repo.dir());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("keysweep did not write"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
    EXPECT_EQ(slurp(pc), foreign) << "the foreign hook was touched";
    EXPECT_FALSE(fs::exists(pc.parent_path() / "pre-push")) << "half-installed";

    r = ks({"hook", "install", "--pre-push", "--force"}, repo.dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(slurp(pc).find("keysweep-hook-shim"), std::string::npos);
    EXPECT_EQ(slurp(pc.parent_path() / "pre-commit.keysweep-backup"), foreign);
    EXPECT_TRUE(executable(pc.parent_path() / "pre-push"));

    // Our own hook is updated in place without --force.
    r = ks({"hook", "install"}, repo.dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Install, OutsideARepositoryIsAnError) {
    TempDir tmp;
    auto r = ks({"hook", "install"}, tmp.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not inside a git repository"), std::string::npos) << r.err;
}

// The shim falls back to `keysweep` on PATH when the installing binary is gone.
TEST(Install, ShimFallsBackToPath) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    fs::path hooks = repo.dir() / ".git" / "hooks";
    fs::create_directories(hooks);
    fs::copy_file(source_dir() / "hooks" / "pre-commit", hooks / "pre-commit");  // keysweep_bin=''
    fs::create_directories(tmp / "bin");
    fs::create_symlink(fs::canonical(keysweep_bin()), tmp / "bin" / "keysweep");
    repo.write("k.txt", key_line(42));
    git_try(repo, {"add", "-A"});
    std::string path = "PATH=" + (tmp / "bin").string() + ":/usr/bin:/bin";
    auto r = run({"git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "k"}, repo.dir(),
                 {}, {path});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("commit blocked"), std::string::npos) << r.err;

    // Neither there nor on PATH: the hook says so and blocks.
    r = run({"git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "k"}, repo.dir(), {},
            {"PATH=/usr/bin:/bin"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("keysweep is not at"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ks::test
