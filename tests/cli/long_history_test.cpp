// A history long enough that the walk is split across threads: attribution must not change.
#include "scan_json.hpp"

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

}  // namespace
}  // namespace ks::test
