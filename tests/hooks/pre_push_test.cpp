// `keysweep hook pre-push` driven by real `git push` to a local bare remote, and range scans.
#include "hook_support.hpp"

namespace ks::test {
namespace {

using nlohmann::json;
const std::string kZeros(40, '0');

RunResult commit_unchecked(const GitRepo& repo, const std::string& msg) {
    git_try(repo, {"add", "-A"});
    return git_try(repo, {"commit", "-q", "--no-verify", "-m", msg});
}

std::vector<std::string> secrets_of(const json& report) {
    std::vector<std::string> out;
    for (const auto& f : report["findings"]) out.push_back(f["secret"]);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(PrePush, PushedKeyIsBlocked) {
    TempDir tmp;
    HookedRepo h(tmp.path(), /*with_remote=*/true, /*pre_push=*/true);
    const std::string remote_before = h.remote_ref("refs/heads/main");
    h.repo.write("ci/deploy.yml", "steps:\n  - run: deploy\n    env:\n      " + key_line(21));
    ASSERT_EQ(commit_unchecked(h.repo, "deploy").exit_code, 0);
    const std::string bad = h.repo.head();
    h.repo.write("NOTES.md", "notes\n");
    ASSERT_EQ(commit_unchecked(h.repo, "notes").exit_code, 0);

    auto r = h.push({"main"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(h.remote_ref("refs/heads/main"), remote_before) << "the push went through";
    EXPECT_NE(both(r).find("ci/deploy.yml:4:"), std::string::npos) << both(r);
    EXPECT_NE(r.err.find("push blocked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(bad.substr(0, 12)), std::string::npos) << "names the commit: " << r.err;

    // Removing it in a later commit does not help: the key is still in the pushed history.
    h.repo.write("ci/deploy.yml", "steps:\n  - run: deploy\n");
    ASSERT_EQ(commit_unchecked(h.repo, "oops").exit_code, 0);
    EXPECT_NE(h.push({"main"}).exit_code, 0);

    // Rewriting the history without it: the push goes through.
    ASSERT_EQ(git_try(h.repo, {"reset", "-q", "--hard", remote_before}).exit_code, 0);
    h.repo.write("ci/deploy.yml", "steps:\n  - run: deploy\n");
    ASSERT_EQ(commit_unchecked(h.repo, "deploy").exit_code, 0);
    r = h.push({"main"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(h.remote_ref("refs/heads/main"), h.repo.head());
}

// A key the remote already has is not the push's doing: editing that file elsewhere passes.
TEST(PrePush, KeyTheRemoteAlreadyHasIsNotReportedAgain) {
    TempDir tmp;
    HookedRepo h(tmp.path(), true, true);
    h.repo.write("legacy.ini", "[a]\nx=1\n" + key_line(22) + "y=2\n");
    ASSERT_EQ(commit_unchecked(h.repo, "legacy").exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"push", "-q", "--no-verify", "origin", "main"}).exit_code, 0);

    h.repo.write("legacy.ini", "[a]\nx=2\n" + key_line(22) + "y=3\n");
    ASSERT_EQ(commit_unchecked(h.repo, "tweak").exit_code, 0);
    h.repo.write("legacy.ini", "[a]\ny=3\nx=2\n" + key_line(22));
    ASSERT_EQ(commit_unchecked(h.repo, "reorder").exit_code, 0);
    auto r = h.push({"main"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // A new key next to it is reported, alone.
    h.repo.write("legacy.ini", "[a]\ny=3\nx=2\n" + key_line(22) + "other_" + key_line(23));
    ASSERT_EQ(commit_unchecked(h.repo, "second").exit_code, 0);
    r = h.push({"main"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find(fake_aws_key_id(23)), std::string::npos) << both(r);
    EXPECT_EQ(both(r).find(fake_aws_key_id(22)), std::string::npos) << both(r);
}

TEST(PrePush, NewBranchScansOnlyCommitsNoRemoteTrackingRefHas) {
    TempDir tmp;
    HookedRepo h(tmp.path(), true, true);
    // main on the remote carries an old key.
    h.repo.write("old.env", key_line(24));
    ASSERT_EQ(commit_unchecked(h.repo, "old").exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"push", "-q", "--no-verify", "origin", "main"}).exit_code, 0);

    ASSERT_EQ(git_try(h.repo, {"checkout", "-q", "-b", "feature"}).exit_code, 0);
    h.repo.write("feature.txt", "work\n");
    ASSERT_EQ(commit_unchecked(h.repo, "feature work").exit_code, 0);
    auto r = h.push({"feature"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_FALSE(h.remote_ref("refs/heads/feature").empty());

    ASSERT_EQ(git_try(h.repo, {"checkout", "-q", "-b", "feature2"}).exit_code, 0);
    h.repo.write("feature.txt", "work\n" + key_line(25));
    ASSERT_EQ(commit_unchecked(h.repo, "leak").exit_code, 0);
    r = h.push({"feature2"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(both(r).find(fake_aws_key_id(25)), std::string::npos) << both(r);
    EXPECT_EQ(both(r).find(fake_aws_key_id(24)), std::string::npos) << both(r);
    EXPECT_TRUE(h.remote_ref("refs/heads/feature2").empty());
}

TEST(PrePush, DeletingABranchScansNothing) {
    TempDir tmp;
    HookedRepo h(tmp.path(), true, true);
    ASSERT_EQ(git_try(h.repo, {"checkout", "-q", "-b", "leaky"}).exit_code, 0);
    h.repo.write("k.txt", key_line(26));
    ASSERT_EQ(commit_unchecked(h.repo, "leak").exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"push", "-q", "--no-verify", "origin", "leaky"}).exit_code, 0);
    ASSERT_EQ(git_try(h.repo, {"checkout", "-q", "main"}).exit_code, 0);

    auto r = h.push({"--delete", "leaky"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(h.remote_ref("refs/heads/leaky").empty());

    // The same, directly: a deletion line alone walks no history at all.
    const std::string leaky = git_try(h.repo, {"rev-parse", "leaky"}).out.substr(0, 40);
    r = ks({"hook", "pre-push", "origin", h.remote->dir().string()}, h.repo.dir(),
           "(delete) " + kZeros + " refs/heads/leaky " + leaky + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("scanned 0 blobs"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST(PrePush, StdinLinesDirectly) {
    TempDir tmp;
    HookedRepo h(tmp.path(), true, true);
    const std::string base = h.repo.head();
    h.repo.write("a.txt", key_line(27));
    ASSERT_EQ(commit_unchecked(h.repo, "a").exit_code, 0);
    const std::string tip = h.repo.head();

    auto r = ks({"hook", "pre-push", "--format", "json", "origin", "url"}, h.repo.dir(),
                "refs/heads/main " + tip + " refs/heads/main " + base + "\n");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    json rep = parse_report(r.out);
    ASSERT_EQ(rep["findings"].size(), 1u);
    EXPECT_EQ(rep["findings"][0]["commit"], tip);
    EXPECT_EQ(rep["findings"][0]["path"], "a.txt");
    EXPECT_EQ(rep["findings"][0]["author"], "Test Author");

    // Several lines: one update that pushes the key, one deletion.
    r = ks({"hook", "pre-push"}, h.repo.dir(),
           "refs/heads/main " + tip + " refs/heads/main " + base + "\n(delete) " + kZeros + " refs/heads/x " + base + "\n");
    EXPECT_EQ(r.exit_code, 1) << r.err;

    // Already on the remote: nothing to scan.
    r = ks({"hook", "pre-push"}, h.repo.dir(), "refs/heads/main " + tip + " refs/heads/main " + tip + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;

    // Malformed input is an error, not a silent pass.
    r = ks({"hook", "pre-push"}, h.repo.dir(), "refs/heads/main " + tip + "\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("line 1"), std::string::npos) << r.err;
}

// The pre-commit framework's pre-push stage passes the range in its environment, not on stdin.
TEST(PrePush, PreCommitFrameworkEnvironment) {
    TempDir tmp;
    HookedRepo h(tmp.path(), true, false);
    const std::string base = h.repo.head();
    h.repo.write("a.txt", key_line(28));
    ASSERT_EQ(commit_unchecked(h.repo, "a").exit_code, 0);
    auto r = ks({"hook", "pre-push"}, h.repo.dir(), "",
                {"PRE_COMMIT=1", "PRE_COMMIT_FROM_REF=" + base, "PRE_COMMIT_TO_REF=" + h.repo.head()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    r = ks({"hook", "pre-push"}, h.repo.dir(), "",
           {"PRE_COMMIT=1", "PRE_COMMIT_FROM_REF=" + h.repo.head(), "PRE_COMMIT_TO_REF=" + h.repo.head()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// `scan --range A..B` and `--since A`: exactly the keys the commits after A introduced.
TEST(RangeScan, FindsExactlyTheKeysIntroducedInTheRange) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("app/settings.ini", "[main]\n" + key_line(31) + "debug = false\n");
    repo.write("README.md", "readme\n");
    repo.commit_all("before the range: key 31");
    repo.write("app/old.env", key_line(32));
    const std::string a = repo.commit_all("before the range: key 32");

    // In the range: the file with key 31 is edited elsewhere (key 31 is carried along, not introduced),
    // key 33 is added to it, key 34 arrives in a new file and leaves again, key 32's file is renamed.
    repo.write("app/settings.ini", "[main]\n" + key_line(31) + "debug = true\n");
    const std::string c1 = repo.commit_all("edit settings");
    repo.write("app/settings.ini", "[main]\n" + key_line(31) + "debug = true\nbackup_" + key_line(33));
    const std::string c2 = repo.commit_all("add key 33");
    repo.write("tmp/scratch.txt", "scratch " + fake_aws_key_id(34) + "\n");
    const std::string c3 = repo.commit_all("add key 34");
    repo.remove("tmp/scratch.txt");
    repo.git({"mv", "app/old.env", "app/renamed.env"});
    const std::string b = repo.commit_all("remove key 34, rename");
    repo.write("later.txt", key_line(35));
    repo.commit_all("after the range: key 35");

    auto range = ks({"scan", repo.dir().string(), "--range", a + ".." + b, "--format", "json"}, {});
    ASSERT_EQ(range.exit_code, 1) << range.err;
    json rep = parse_report(range.out);
    std::vector<std::string> in_range{fake_aws_key_id(33), fake_aws_key_id(34)};
    std::sort(in_range.begin(), in_range.end());
    EXPECT_EQ(secrets_of(rep), in_range) << rep.dump(2);
    for (const auto& f : rep["findings"]) {
        if (f["secret"] == fake_aws_key_id(33)) {
            EXPECT_EQ(f["commit"], c2);
            EXPECT_EQ(f["path"], "app/settings.ini");
            EXPECT_EQ(f["line"], 4);
        } else {
            EXPECT_EQ(f["commit"], c3);
            EXPECT_EQ(f["path"], "tmp/scratch.txt");
        }
        EXPECT_EQ(f["author"], "Test Author");
    }
    (void)c1;

    auto since = ks({"scan", repo.dir().string(), "--since", a, "--format", "json"}, {});
    ASSERT_EQ(since.exit_code, 1) << since.err;
    std::vector<std::string> want{fake_aws_key_id(33), fake_aws_key_id(34), fake_aws_key_id(35)};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(secrets_of(parse_report(since.out)), want);

    // The full scan still sees everything.
    auto all = ks({"scan", repo.dir().string(), "--format", "json"}, {});
    auto full = secrets_of(parse_report(all.out));
    for (unsigned seed : {31u, 32u, 33u, 34u, 35u})
        EXPECT_NE(std::find(full.begin(), full.end(), fake_aws_key_id(seed)), full.end()) << seed;
}

}  // namespace
}  // namespace ks::test
