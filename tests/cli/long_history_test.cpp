// A history long enough that the walk is split across threads: attribution must not change.
#include "scan_json.hpp"

#include <set>
#include <sstream>

namespace ks::test {
namespace {

// 2,400 commits through git fast-import; the key appears in commit 1,500 (keys/a.env) and again,
// same blob, in commit 2,000 (copy/b.env); commit 1,700 adds a second key that commit 1,900 deletes.
std::string fast_import_stream(const std::string& key1, const std::string& key2) {
    std::ostringstream s;
    for (int i = 1; i <= 2400; ++i) {
        s << "commit refs/heads/main\nmark :" << i << "\ncommitter T <t@example.com> " << 1700000000 + i
          << " +0000\ndata 2\nc\n";
        if (i > 1) s << "from :" << i - 1 << "\n";
        std::string counter = "n = " + std::to_string(i) + "\n";
        s << "M 100644 inline dir" << i % 7 << "/counter.txt\ndata " << counter.size() << "\n" << counter;
        if (i == 1500 || i == 2000) {
            std::string body = "aws_access_key_id = " + key1 + "\n";
            s << "M 100644 inline " << (i == 1500 ? "keys/a.env" : "copy/b.env") << "\ndata " << body.size() << "\n" << body;
        }
        if (i == 1700) {
            std::string body = "token = " + key2 + "\n";
            s << "M 100644 inline late.env\ndata " << body.size() << "\n" << body;
        }
        if (i == 1900) s << "D late.env\n";
    }
    return s.str();
}

TEST(LongHistory, SplitWalkKeepsTheOldestSighting) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.git({"fast-import", "--quiet"}, fast_import_stream(fake_aws_key_id(91), fake_github_pat(92)));
    std::string c1500 = repo.git({"rev-list", "-n1", "--skip=900", "main"});
    std::string c1700 = repo.git({"rev-list", "-n1", "--skip=700", "main"});
    c1500.pop_back();
    c1700.pop_back();

    auto split = scan_json({repo.dir().string(), "--threads", "2"});
    auto single = scan_json({repo.dir().string(), "--threads", "1"});
    EXPECT_EQ(split.summary()["commits"], 2400);
    auto hits = with_secret(split, fake_aws_key_id(91));
    ASSERT_EQ(hits.size(), 1u) << split.run.out;
    EXPECT_EQ(hits[0]["commit"], c1500);
    EXPECT_EQ(hits[0]["path"], "keys/a.env");
    auto late = with_secret(split, fake_github_pat(92));
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(late[0]["commit"], c1700);
    EXPECT_EQ(split.findings(), single.findings());
    EXPECT_EQ(split.summary()["blobs_scanned"], single.summary()["blobs_scanned"]);
}


// One file edited in each of 300 commits, repacked into delta chains 50 deep: each thread resolves
// delta trees and matches what it resolves, and hands blobs to idle threads through a queue. Every
// version is scanned once whatever the number of threads, and each finding keeps its commit.
TEST(LongHistory, DeltaChainsGiveTheSameFindingsOnAnyNumberOfThreads) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    std::string text;
    for (int i = 0; i < 600; ++i) text += "line " + std::to_string(i) + " of a config file that keeps growing\n";
    const std::string key = fake_aws_key_id(93), late = fake_github_pat(94);
    std::string c120, c200;
    for (int c = 1; c <= 300; ++c) {
        text.insert(text.size() / 3, "setting_" + std::to_string(c) + " = " + std::to_string(c * 7) + "\n");
        if (c == 120) text += "aws_access_key_id = " + key + "\n";
        std::string body = text;
        if (c >= 200 && c < 210) body += "token = " + late + "\n";
        repo.write("conf/big.txt", body);
        repo.commit_all("c" + std::to_string(c));
        if (c == 120) c120 = repo.git({"rev-parse", "HEAD"});
        if (c == 200) c200 = repo.git({"rev-parse", "HEAD"});
    }
    c120.pop_back();
    c200.pop_back();
    repo.git({"repack", "-a", "-d", "-f", "--depth=50", "--window=50", "-q"});

    auto one = scan_json({repo.dir().string(), "--threads", "1"});
    EXPECT_EQ(one.summary()["blobs_scanned"], 300);
    auto keys = with_secret(one, key);
    ASSERT_EQ(keys.size(), 181u);  // every version from commit 120 on holds it
    std::set<std::string> commits;
    for (const auto& f : keys) commits.insert(f["commit"].get<std::string>());
    EXPECT_EQ(commits.size(), 181u);
    EXPECT_TRUE(commits.count(c120));
    auto lates = with_secret(one, late);
    ASSERT_EQ(lates.size(), 10u);
    bool from_c200 = false;
    for (const auto& f : lates) from_c200 = from_c200 || f["commit"] == c200;
    EXPECT_TRUE(from_c200);
    for (const char* threads : {"2", "4"}) {
        auto many = scan_json({repo.dir().string(), "--threads", threads});
        EXPECT_EQ(many.findings(), one.findings()) << threads << " threads";
        EXPECT_EQ(many.summary()["blobs_scanned"], 300) << threads << " threads";
    }
}

}  // namespace
}  // namespace ks::test
