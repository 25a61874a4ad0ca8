// `keysweep hook pre-commit` / `scan --staged`, driven by real `git commit` with the hook installed.
#include "hook_support.hpp"

#include <fstream>

namespace ks::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json staged_report(const GitRepo& repo, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"scan", "--staged", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = ks(args, repo.dir());
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return parse_report(r.out);
}

TEST(PreCommit, StagedKeyBlocksTheCommitWithAdvice) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    const std::string before = h.repo.head();
    h.repo.write("config/app.ini", "[aws]\nregion = eu-west-1\n" + key_line(1));
    auto r = h.commit("add config");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(h.repo.head(), before) << "the commit went through";
    // Where, as the developer sees it, and what to do about it.
    EXPECT_NE(both(r).find("config/app.ini:3:21"), std::string::npos) << both(r);
    EXPECT_NE(r.err.find("commit blocked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("git restore --staged"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rotate"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("keysweep:allow"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(".keysweepignore"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("aws-access-key-id:"), std::string::npos) << "fingerprint to paste: " << r.err;

    // Take the key out: the commit goes through.
    h.repo.write("config/app.ini", "[aws]\nregion = eu-west-1\n");
    r = h.commit("add config");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(h.repo.head(), before);
}

TEST(PreCommit, CleanChangePassesQuietly) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("src/main.c", "int main(void) { return 0; }\n");
    auto r = h.commit("code");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "");
}

// `git commit -a` and `git commit PATH` give the hook a temporary index (GIT_INDEX_FILE): the
// changes are not in .git/index yet, and must still be seen.
TEST(PreCommit, CommitDashAAndPartialCommitsAreScanned) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("settings.py", "DEBUG = False\n");
    ASSERT_EQ(h.commit("settings").exit_code, 0);
    const std::string before = h.repo.head();

    h.repo.write("settings.py", "DEBUG = False\n" + key_line(2));
    auto r = git_try(h.repo, {"commit", "-q", "-a", "-m", "tweak"});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(h.repo.head(), before);

    r = git_try(h.repo, {"commit", "-q", "-m", "tweak", "--", "settings.py"});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(h.repo.head(), before);
}

TEST(PreCommit, KeyAlreadyInHistoryIsNotReported) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    // In history before anyone checked (committed past the hook).
    h.repo.write("deploy/env.sh", "export REGION=eu-west-1\n" + key_line(3) + "export ZONE=a\n");
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"commit", "-q", "--no-verify", "-m", "old"}).exit_code, 0);

    // Editing another line of that file is not about the key.
    h.repo.write("deploy/env.sh", "export REGION=eu-west-2\n" + key_line(3) + "export ZONE=a\n");
    auto r = h.commit("region");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // Neither is moving the key's line, nor renaming the file.
    h.repo.write("deploy/env.sh", "export ZONE=a\nexport REGION=eu-west-2\n" + key_line(3));
    r = h.commit("reorder");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_EQ(git_try(h.repo, {"mv", "deploy/env.sh", "deploy/environment.sh"}).exit_code, 0);
    r = h.commit("rename");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // A second key in the same file is new.
    h.repo.write("deploy/environment.sh",
                 "export ZONE=a\nexport REGION=eu-west-2\n" + key_line(3) + "backup_" + key_line(4));
    r = h.commit("second key");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find(fake_aws_key_id(4)), std::string::npos) << both(r);
    EXPECT_EQ(both(r).find(fake_aws_key_id(3)), std::string::npos) << "old key reported again: " << both(r);
    EXPECT_NE(both(r).find("deploy/environment.sh:4:"), std::string::npos) << both(r);
}

// Lines are those of the staged version, not the working tree's.
TEST(PreCommit, LineNumbersAreThoseOfTheStagedVersion) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("app.env", "A=1\nB=2\n" + key_line(5));
    ASSERT_EQ(git_try(h.repo, {"add", "app.env"}).exit_code, 0);
    // Unstaged edits above the key move it in the working tree only.
    h.repo.write("app.env", "X=0\nY=0\nZ=0\nA=1\nB=2\n" + key_line(5));
    json rep = staged_report(h.repo);
    ASSERT_EQ(rep["findings"].size(), 1u) << rep.dump();
    EXPECT_EQ(rep["findings"][0]["path"], "app.env");
    EXPECT_EQ(rep["findings"][0]["line"], 3);
    EXPECT_EQ(rep["findings"][0]["column"], 21);
    EXPECT_EQ(rep["findings"][0]["secret"], fake_aws_key_id(5));
    EXPECT_EQ(rep["findings"][0]["commit"], "");
}

TEST(PreCommit, RepositoryWithNoCommitsYet) {
    TempDir tmp;
    GitRepo repo(tmp / "fresh");
    ASSERT_EQ(ks({"hook", "install"}, repo.dir()).exit_code, 0);
    repo.write("keys.txt", key_line(6));
    ASSERT_EQ(git_try(repo, {"add", "-A"}).exit_code, 0);
    auto r = git_try(repo, {"commit", "-q", "-m", "root"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find("keys.txt:1:21"), std::string::npos) << both(r);
    EXPECT_NE(git_try(repo, {"rev-parse", "--verify", "-q", "HEAD"}).exit_code, 0) << "a commit was made";

    repo.write("keys.txt", "no keys here\n");
    ASSERT_EQ(git_try(repo, {"add", "-A"}).exit_code, 0);
    r = git_try(repo, {"commit", "-q", "-m", "root"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(git_try(repo, {"rev-parse", "--verify", "-q", "HEAD"}).exit_code, 0);

    // And with nothing staged at all in an empty repository: nothing to say.
    TempDir tmp2;
    GitRepo empty(tmp2 / "empty");
    auto s = ks({"hook", "pre-commit"}, empty.dir());
    EXPECT_EQ(s.exit_code, 0) << s.err;
}

// Without a `git` program to run, libgit2 answers the same questions.
TEST(PreCommit, Libgit2FallbackGivesTheSameAnswers) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("notes.txt", "a\nb\n" + key_line(14));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"commit", "-q", "--no-verify", "-m", "old key"}).exit_code, 0);
    h.repo.write("notes.txt", "b\na\nc\n" + key_line(14) + "d\n");           // old key moved, lines edited
    h.repo.write("moved/new.txt", "x\n" + key_line(15));                     // a new key in a new file
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    auto with_git = ks({"scan", "--staged", "--format", "json"}, h.repo.dir());
    auto without = ks({"scan", "--staged", "--format", "json"}, h.repo.dir(), "", {"PATH=/nonexistent"});
    auto forced = ks({"scan", "--staged", "--format", "json"}, h.repo.dir(), "", {"KEYSWEEP_STAGED_BACKEND=libgit2"});
    for (const auto* r : {&with_git, &without, &forced}) {
        EXPECT_EQ(r->exit_code, 1) << r->err;
        json rep = parse_report(r->out);
        ASSERT_EQ(rep["findings"].size(), 1u) << rep.dump();
        EXPECT_EQ(rep["findings"][0]["secret"], fake_aws_key_id(15));
        EXPECT_EQ(rep["findings"][0]["path"], "moved/new.txt");
        EXPECT_EQ(rep["findings"][0]["line"], 2);
    }
    // The same with no commit yet.
    TempDir tmp2;
    GitRepo fresh(tmp2 / "fresh");
    fresh.write("k.txt", "x\n" + key_line(16));
    ASSERT_EQ(git_try(fresh, {"add", "-A"}).exit_code, 0);
    for (const auto& env : {std::vector<std::string>{}, std::vector<std::string>{"PATH=/nonexistent"}}) {
        auto r = ks({"scan", "--staged", "--format", "json"}, fresh.dir(), "", env);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        json rep = parse_report(r.out);
        ASSERT_EQ(rep["findings"].size(), 1u) << rep.dump();
        EXPECT_EQ(rep["findings"][0]["line"], 2);
    }
}

// Path rules (key stores and the like) apply to binary files too; editing one that is already
// committed is not new, adding or renaming one in is.
TEST(PreCommit, KeyStoresByPathIncludingBinaryFiles) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    const std::string binary("\x30\x82\x01\x00\x00\x01binary", 11);
    h.repo.write("certs/client.p12", binary);
    auto r = h.commit("key store");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find("path-pkcs12"), std::string::npos) << both(r);
    EXPECT_NE(both(r).find("certs/client.p12"), std::string::npos) << both(r);

    ASSERT_EQ(git_try(h.repo, {"commit", "-q", "--no-verify", "-m", "key store"}).exit_code, 0);
    h.repo.write("certs/client.p12", binary + std::string("\x00more", 5));
    r = h.commit("update the key store");
    EXPECT_EQ(r.exit_code, 0) << both(r);

    ASSERT_EQ(git_try(h.repo, {"mv", "certs/client.p12", "certs/client-old.bin"}).exit_code, 0);
    ASSERT_EQ(h.commit("rename away").exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"mv", "certs/client-old.bin", "certs/server.pfx"}).exit_code, 0);
    r = h.commit("rename into a key store name");
    EXPECT_NE(r.exit_code, 0) << both(r);
}

// A hook of one's own that calls `keysweep scan --staged` (no target: the repository around the
// current folder) also sees the temporary index of `git commit -a`.
TEST(PreCommit, ScanStagedFromACustomHook) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("app.cfg", "x = 1\n");
    repo.commit_all("first");
    fs::path hook = repo.dir() / ".git" / "hooks" / "pre-commit";
    fs::create_directories(hook.parent_path());
    {
        std::ofstream(hook) << "#!/bin/sh\nexec '" << keysweep_bin() << "' scan --staged --quiet\n";
    }
    fs::permissions(hook, fs::perms::owner_all, fs::perm_options::add);
    repo.write("app.cfg", "x = 1\n" + key_line(17));
    auto r = git_try(repo, {"commit", "-q", "-a", "-m", "leak"});
    EXPECT_NE(r.exit_code, 0) << both(r);
    EXPECT_NE(both(r).find(fake_aws_key_id(17)), std::string::npos) << both(r);
}

// In a linked worktree git runs the (shared) hook with GIT_DIR pointing into the main repository.
TEST(PreCommit, LinkedWorktree) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    ASSERT_EQ(git_try(h.repo, {"worktree", "add", "-q", "-b", "side", (tmp / "side").string()}).exit_code, 0);
    const fs::path side = tmp / "side";
    {
        std::ofstream(side / "side.env") << key_line(18);
    }
    auto add = run({"git", "add", "-A"}, side);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto r = run({"git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "leak"}, side);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find("side.env:1:21"), std::string::npos) << both(r);
}

TEST(PreCommit, InlineAllowAndDeletionsPass) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("test/fixture.ini", "key = " + fake_aws_key_id(7) + "  # keysweep:allow test fixture\n");
    auto r = h.commit("fixture");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // Deleting a file that holds a key adds nothing.
    h.repo.write("old.ini", key_line(8));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"commit", "-q", "--no-verify", "-m", "old"}).exit_code, 0);
    h.repo.remove("old.ini");
    r = h.commit("remove");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// The ignore file and a baseline suppress by content fingerprint: moving the line keeps the
// finding suppressed; changing the secret on it reports the new one.
TEST(PreCommit, IgnoreFileWorksAcrossALineMoveAndNotForANewSecret) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("docs/example.md", "# Example\n" + key_line(9));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    json rep = staged_report(h.repo);
    ASSERT_EQ(rep["findings"].size(), 1u);
    const std::string fp = rep["findings"][0]["fingerprint"];
    h.repo.write(".keysweepignore", "# reviewed: documentation sample\n" + fp + " docs/*.md\n");
    auto r = h.commit("docs");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // A new file (so every line is added) with the same key further down: still suppressed.
    h.repo.write("docs/other.md", "# Other\n\nmore text\n\n" + key_line(9));
    r = h.commit("more docs");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // The same line with another secret is reported.
    h.repo.write("docs/third.md", "# Third\n" + key_line(10));
    r = h.commit("third");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find(fake_aws_key_id(10)), std::string::npos) << both(r);

    // The path scope holds: the ignored key outside docs/ is reported.
    h.repo.write("docs/third.md", "# Third\n");
    h.repo.write("src/conf.ini", key_line(9));
    r = h.commit("conf");
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
}

// The line the blocked commit prints, pasted into .keysweepignore, lets that commit through (also
// for a path with glob characters in it).
TEST(PreCommit, PastedAdviceLineSuppresses) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("conf/[prod] app.env", "A=1\n" + key_line(19));
    auto r = h.commit("prod");
    ASSERT_NE(r.exit_code, 0);
    const std::string err = r.err;
    auto at = err.find("aws-access-key-id:", err.find("repository root:"));
    ASSERT_NE(at, std::string::npos) << err;
    const std::string line = err.substr(at, err.find('\n', at) - at);
    EXPECT_NE(line.find("conf/\\[prod] app.env"), std::string::npos) << line;
    h.repo.write(".keysweepignore", line + "\n");
    r = h.commit("prod");
    EXPECT_EQ(r.exit_code, 0) << both(r);
}

TEST(PreCommit, BaselineWorksAcrossALineMove) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("a.cfg", "x=1\n" + key_line(11));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    fs::path base = tmp / "baseline.json";
    auto r = ks({"hook", "pre-commit", "--format", "json", "--output", base.string()}, h.repo.dir());
    ASSERT_EQ(r.exit_code, 1) << r.err;
    ASSERT_TRUE(fs::exists(base));

    r = ks({"hook", "pre-commit", "--baseline", base.string()}, h.repo.dir());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("1 suppressed"), std::string::npos) << r.err;

    // Move the key down (all lines are new: the file is not in HEAD): still in the baseline.
    h.repo.write("a.cfg", "x=1\ny=2\nz=3\n\n" + key_line(11));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    r = ks({"scan", "--staged", "--baseline", base.string()}, h.repo.dir());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // Another key is not.
    h.repo.write("a.cfg", "x=1\ny=2\nz=3\n\n" + key_line(11) + key_line(12));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    json rep = staged_report(h.repo, {"--baseline", base.string()});
    ASSERT_EQ(rep["findings"].size(), 1u) << rep.dump();
    EXPECT_EQ(rep["findings"][0]["secret"], fake_aws_key_id(12));
    EXPECT_EQ(rep["findings"][0]["line"], 6);
}

TEST(PreCommit, OutputFormatsAndSubfolders) {
    TempDir tmp;
    HookedRepo h(tmp.path());
    h.repo.write("sub/dir/k.txt", key_line(13));
    ASSERT_EQ(git_try(h.repo, {"add", "-A"}).exit_code, 0);
    // From a subfolder the repository is found upward; paths stay repository-relative.
    auto r = ks({"hook", "pre-commit", "--format", "jsonl"}, h.repo.dir() / "sub" / "dir");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto line = json::parse(r.out.substr(0, r.out.find('\n')));
    EXPECT_EQ(line["path"], "sub/dir/k.txt");
    r = ks({"hook", "pre-commit", "--format", "sarif", "--quiet"}, h.repo.dir());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "") << "--quiet prints nothing on stderr";
    auto sarif = json::parse(r.out);
    EXPECT_EQ(sarif["version"], "2.1.0");
    // --redact hides the secret in the report.
    r = ks({"hook", "pre-commit", "--redact"}, h.repo.dir());
    EXPECT_EQ(r.out.find(fake_aws_key_id(13)), std::string::npos) << r.out;
}

TEST(PreCommit, ErrorsExitTwo) {
    TempDir tmp;
    auto r = ks({"hook", "pre-commit"}, tmp.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not a git repository"), std::string::npos) << r.err;
    GitRepo repo(tmp / "r");
    repo.write(".keysweep.toml", "this is [ not toml");
    r = ks({"hook", "pre-commit"}, repo.dir());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(".keysweep.toml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ks::test
