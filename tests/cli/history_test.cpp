// Full-history scans of real repositories made at test time.
#include "scan_json.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace ks::test {
namespace {

std::string key_line(unsigned seed) { return "aws_access_key_id = " + fake_aws_key_id(seed) + "\n"; }

TEST(History, KeyAddedThenDeletedIsAttributedToTheAddingCommit) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.write("config/app.ini", "[aws]\nregion = eu-west-1\n" + key_line(1));
    std::string adding = repo.commit_all("add config");
    repo.remove("config/app.ini");
    repo.commit_all("remove config");

    auto s = scan_json({repo.dir().string()});
    EXPECT_EQ(s.run.exit_code, 1);
    auto hits = with_secret(s, fake_aws_key_id(1));
    ASSERT_EQ(hits.size(), 1u);
    const auto& f = hits[0];
    EXPECT_EQ(f["rule_id"], "aws-access-key-id");
    EXPECT_EQ(f["commit"], adding);
    EXPECT_EQ(f["path"], "config/app.ini");
    EXPECT_EQ(f["line"], 3);
    EXPECT_EQ(f["column"], 21);
    EXPECT_EQ(f["end_line"], 3);
    EXPECT_EQ(f["end_column"], 40);
    EXPECT_EQ(f["author"], "Test Author");
    EXPECT_EQ(f["email"], "author@example.com");
    EXPECT_EQ(f["date"].get<std::string>().substr(0, 10), "2024-01-01");
    EXPECT_EQ(f["blob_id"].get<std::string>().size(), 40u);
    EXPECT_EQ(f["verification"]["status"], "not_attempted");
    // The fingerprint never holds the secret.
    EXPECT_EQ(f["fingerprint"].get<std::string>().find(fake_aws_key_id(1)), std::string::npos);
}

TEST(History, SameBlobInManyCommitsAndPathsIsScannedOnce) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    const std::string content = key_line(2);
    for (int i = 0; i < 12; ++i) {
        repo.write("copies/c" + std::to_string(i) + ".env", content);
        repo.write("counter.txt", std::to_string(i) + "\n");
        repo.commit_all("commit " + std::to_string(i));
    }
    auto s = scan_json({repo.dir().string()});
    auto hits = with_secret(s, fake_aws_key_id(2));
    ASSERT_EQ(hits.size(), 1u) << s.run.out;
    EXPECT_EQ(hits[0]["path"], "copies/c0.env");
    // 1 key blob + 12 counter blobs, each once.
    EXPECT_EQ(s.summary()["blobs_scanned"], 13);
    EXPECT_EQ(s.summary()["commits"], 12);
}

TEST(History, FindsKeysOnOtherBranchesTagsAndStashes) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("a.txt", "base\n");
    repo.commit_all("base");
    // A branch that is not checked out.
    repo.git({"checkout", "-q", "-b", "feature"});
    repo.write("feature.env", key_line(3));
    repo.commit_all("feature");
    repo.git({"checkout", "-q", "main"});
    // A tag on a commit that no branch holds.
    repo.git({"checkout", "-q", "--detach"});
    repo.write("tagged.env", key_line(4));
    repo.commit_all("tagged");
    repo.git({"tag", "v1"});
    repo.git({"checkout", "-q", "main"});
    // A stash (and an older stash that only the reflog remembers).
    repo.write("a.txt", key_line(5));
    repo.git({"stash", "-q"});
    repo.write("a.txt", key_line(6));
    repo.git({"stash", "-q"});

    auto s = scan_json({repo.dir().string()});
    for (unsigned seed : {3u, 4u, 5u, 6u})
        EXPECT_EQ(with_secret(s, fake_aws_key_id(seed)).size(), 1u) << "seed " << seed << "\n" << s.run.out;
}

TEST(History, UnreachableBlobOnlyWithAllObjects) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("a.txt", "base\n");
    repo.commit_all("base");
    repo.git({"hash-object", "-w", "--stdin"}, key_line(7));

    auto plain = scan_json({repo.dir().string()});
    EXPECT_TRUE(with_secret(plain, fake_aws_key_id(7)).empty());
    EXPECT_EQ(plain.run.exit_code, 0);
    auto all = scan_json({repo.dir().string(), "--all-objects"});
    ASSERT_EQ(with_secret(all, fake_aws_key_id(7)).size(), 1u);
    EXPECT_EQ(with_secret(all, fake_aws_key_id(7))[0]["commit"], "");
}

TEST(History, BareRepositoryIsScanned) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("k.env", key_line(8));
    repo.commit_all("key");
    run({"git", "clone", "-q", "--bare", repo.dir().string(), (tmp / "bare.git").string()});
    auto s = scan_json({(tmp / "bare.git").string()});
    EXPECT_EQ(with_secret(s, fake_aws_key_id(8)).size(), 1u);
}

// CI checks out shallow clones. Their oldest commit names a parent the clone does not hold; the walk
// stops there as git does, and scans everything the clone has (it once scanned nothing and exited 0).
TEST(History, ShallowCloneIsScannedToItsBoundary) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    for (int i = 0; i < 4; ++i) {
        repo.write("old.txt", "version " + std::to_string(i) + "\n");
        repo.commit_all("old " + std::to_string(i));
    }
    repo.write("boundary.env", key_line(20));  // in the clone's oldest commit
    const std::string boundary = repo.commit_all("boundary");
    repo.write("later.env", key_line(21));
    const std::string later = repo.commit_all("later");
    repo.write("old.txt", "last\n");
    repo.commit_all("last");
    const auto clone = tmp / "shallow";
    run({"git", "clone", "-q", "--depth", "3", "file://" + repo.dir().string(), clone.string()});
    ASSERT_TRUE(std::filesystem::exists(clone / ".git" / "shallow"));

    auto full = scan_json({clone.string()});
    EXPECT_EQ(full.run.exit_code, 1) << full.run.err;
    EXPECT_EQ(full.summary()["commits"], 3) << full.run.err;
    EXPECT_TRUE(full.summary()["skipped"].empty()) << full.run.err;
    ASSERT_EQ(with_secret(full, fake_aws_key_id(20)).size(), 1u) << full.run.out;
    EXPECT_EQ(with_secret(full, fake_aws_key_id(20))[0]["commit"], boundary);
    ASSERT_EQ(with_secret(full, fake_aws_key_id(21)).size(), 1u);
    EXPECT_EQ(with_secret(full, fake_aws_key_id(21))[0]["commit"], later);

    // A range from the boundary: what came after it, and nothing the boundary already had.
    auto range = scan_json({clone.string(), "--range", boundary + "..HEAD"});
    EXPECT_EQ(range.run.exit_code, 1) << range.run.err;
    EXPECT_EQ(range.summary()["commits"], 2) << range.run.err;
    EXPECT_TRUE(with_secret(range, fake_aws_key_id(20)).empty());
    ASSERT_EQ(with_secret(range, fake_aws_key_id(21)).size(), 1u) << range.run.out;
}

// A repository repacked without -d holds its older objects in two packs, and its newest ones loose:
// each blob is still scanned once and attributed to the commit that added it.
TEST(History, ObjectsInSeveralPacksAndLooseOnesAreEachScannedOnce) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("a.env", key_line(30));
    const std::string first = repo.commit_all("a");
    repo.write("n.txt", "1\n");
    repo.commit_all("n");
    repo.git({"repack", "-a", "-q"});
    repo.write("b.env", key_line(31));
    const std::string second = repo.commit_all("b");
    repo.git({"repack", "-a", "-q"});  // a second pack holding everything, the first one kept
    repo.write("c.env", key_line(32));
    const std::string third = repo.commit_all("c");  // loose
    repo.git({"hash-object", "-w", "--stdin"}, key_line(33));  // loose and unreachable
    std::size_t packs = 0;
    for (const auto& e : std::filesystem::directory_iterator(repo.dir() / ".git" / "objects" / "pack"))
        packs += e.path().extension() == ".idx";
    ASSERT_GE(packs, 2u);
    // Every distinct blob git holds, once each, less the unreachable one.
    const std::string types = repo.git({"cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"});
    std::size_t all_blobs = 0;
    for (std::size_t at = 0; (at = types.find("blob\n", at)) != std::string::npos; at += 5) ++all_blobs;
    const std::size_t reachable_blobs = all_blobs - 1;

    for (const char* threads : {"1", "2"}) {
        auto s = scan_json({repo.dir().string(), "--threads", threads});
        EXPECT_EQ(s.summary()["blobs_scanned"], reachable_blobs) << s.run.err;
        const std::pair<unsigned, std::string> expected[] = {{30, first}, {31, second}, {32, third}};
        for (const auto& [seed, commit] : expected) {
            auto hits = with_secret(s, fake_aws_key_id(seed));
            ASSERT_EQ(hits.size(), 1u) << "seed " << seed << "\n" << s.run.out;
            EXPECT_EQ(hits[0]["commit"], commit);
        }
        EXPECT_TRUE(with_secret(s, fake_aws_key_id(33)).empty());
        auto all = scan_json({repo.dir().string(), "--threads", threads, "--all-objects"});
        EXPECT_EQ(all.summary()["blobs_scanned"], reachable_blobs + 1) << all.run.err;
        EXPECT_EQ(with_secret(all, fake_aws_key_id(33)).size(), 1u);
        EXPECT_EQ(with_secret(all, fake_aws_key_id(30)).size(), 1u);
    }
}

// A repository that was never repacked whole: one pack per fetch or `git repack`, here 40. A full scan
// holds two descriptors per pack, and keysweep takes the hard limit of open files: under a soft limit
// of 64 every pack is still read from its index, with nothing to warn about.
TEST(History, ManyPacksUnderALowSoftLimitOfOpenFiles) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    for (unsigned i = 0; i < 40; ++i) {
        repo.write("k" + std::to_string(i) + ".env", key_line(100 + i));
        repo.commit_all("c" + std::to_string(i));
        repo.git({"repack", "-q"});  // the loose objects of this commit become one more pack
    }
    std::size_t packs = 0;
    for (const auto& e : std::filesystem::directory_iterator(repo.dir() / ".git" / "objects" / "pack"))
        packs += e.path().extension() == ".idx";
    ASSERT_EQ(packs, 40u);
    const RunResult r = run({"prlimit", "--nofile=64:", keysweep_bin(), "scan", repo.dir().string(), "--format",
                             "json"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
    const auto report = nlohmann::json::parse(r.out);
    EXPECT_EQ(report["findings"].size(), 40u);
    EXPECT_EQ(report["summary"]["blobs_scanned"], 40u);
}

TEST(History, CleanRepositoryExitsZero) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("a.txt", "nothing to see\n");
    repo.commit_all("clean");
    auto r = keysweep({"scan", repo.dir().string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("scanned 1 blobs"), std::string::npos) << r.err;
}

TEST(History, EmptyRepositoryIsClean) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    auto r = keysweep({"scan", repo.dir().string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace ks::test
