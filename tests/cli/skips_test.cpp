// Each reason a blob is skipped: one warning naming it, a count in the summary, the rest scanned.
#include "scan_json.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace ks::test {
namespace fs = std::filesystem;
namespace {

std::string key_line(unsigned seed) { return "aws_access_key_id = " + fake_aws_key_id(seed) + "\n"; }

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// A repository with one good key file and one victim blob (loose objects: no gc has run).
struct Fixture {
    TempDir tmp;
    GitRepo repo{tmp / "r"};
    std::string victim;
    Fixture() {
        repo.write("good.env", key_line(11));
        repo.write("victim.txt", "victim content " + key_line(12));
        repo.commit_all("both");
        victim = trim(repo.git({"rev-parse", "HEAD:victim.txt"}));
    }
    fs::path object_file() const {
        return repo.dir() / ".git" / "objects" / victim.substr(0, 2) / victim.substr(2);
    }
};

TEST(Skips, MissingObjectIsNamedAndTheRestIsScanned) {
    Fixture fx;
    fs::remove(fx.object_file());
    auto s = scan_json({fx.repo.dir().string()});
    EXPECT_EQ(s.run.exit_code, 1);
    EXPECT_EQ(with_secret(s, fake_aws_key_id(11)).size(), 1u);
    EXPECT_EQ(s.summary()["skipped"]["missing"], 1);
    EXPECT_NE(s.run.err.find("blob " + fx.victim + " (victim.txt)"), std::string::npos) << s.run.err;
    EXPECT_NE(s.run.err.find("not found"), std::string::npos) << s.run.err;
}

TEST(Skips, CorruptObjectIsNamedAndTheRestIsScanned) {
    Fixture fx;
    fs::permissions(fx.object_file(), fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(fx.object_file(), std::ios::trunc) << "this is not zlib data at all";
    auto s = scan_json({fx.repo.dir().string()});
    EXPECT_EQ(s.run.exit_code, 1);
    EXPECT_EQ(with_secret(s, fake_aws_key_id(11)).size(), 1u);
    EXPECT_EQ(s.summary()["skipped"]["corrupt"], 1);
    EXPECT_NE(s.run.err.find("blob " + fx.victim), std::string::npos) << s.run.err;
    // One line per problem, and never the secret.
    EXPECT_EQ(s.run.err.find(fake_aws_key_id(12)), std::string::npos);
}

// A damaged tree inside a pack (full scans read trees with their own pack reader, then libgit2 for
// what that cannot read): one warning naming the tree and its path, and the rest of the history scanned.
TEST(Skips, CorruptTreeInAPackIsNamedAndTheRestIsScanned) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("good.env", key_line(21));
    repo.write("sub/victim.env", key_line(22));
    repo.commit_all("both");
    repo.git({"repack", "-a", "-d", "-q"});
    const std::string tree = trim(repo.git({"rev-parse", "HEAD:sub"}));
    fs::path pack;
    for (const auto& e : fs::directory_iterator(repo.dir() / ".git" / "objects" / "pack"))
        if (e.path().extension() == ".pack") pack = e.path();
    ASSERT_FALSE(pack.empty());
    fs::path idx = pack;
    idx.replace_extension(".idx");
    // `git show-index` lists "offset id [crc]" per object.
    std::istringstream index(repo.git({"show-index"}, [&] {
        std::ifstream in(idx, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }()));
    long offset = -1;
    for (std::string line; std::getline(index, line);)
        if (line.find(tree) != std::string::npos) offset = std::stol(line);
    ASSERT_GE(offset, 0);
    fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(offset + 4);
        f.write("\xff\xff\xff\xff", 4);  // inside the tree's zlib stream
    }
    auto s = scan_json({repo.dir().string()});
    EXPECT_EQ(s.run.exit_code, 1);
    EXPECT_EQ(with_secret(s, fake_aws_key_id(21)).size(), 1u) << s.run.out;
    EXPECT_TRUE(with_secret(s, fake_aws_key_id(22)).empty());
    EXPECT_EQ(s.summary()["skipped"]["corrupt"], 1);
    EXPECT_NE(s.run.err.find("tree " + tree + " (sub/)"), std::string::npos) << s.run.err;
}

TEST(Skips, TooLargeBlobIsNamed) {
    Fixture fx;
    auto s = scan_json({fx.repo.dir().string(), "--max-blob-size", "45"});
    EXPECT_EQ(with_secret(s, fake_aws_key_id(11)).size(), 1u);  // 41 bytes: under the limit
    EXPECT_TRUE(with_secret(s, fake_aws_key_id(12)).empty());
    EXPECT_EQ(s.summary()["skipped"]["too-large"], 1);
    EXPECT_NE(s.run.err.find("over --max-blob-size"), std::string::npos) << s.run.err;
}

TEST(Skips, BinaryBlobIsSkippedUnlessAsked) {
    TempDir tmp;
    GitRepo repo(tmp / "r");
    repo.write("blob.bin", std::string("\x00\x01\x02", 3) + key_line(13));
    repo.commit_all("binary");
    auto s = scan_json({repo.dir().string()});
    EXPECT_TRUE(with_secret(s, fake_aws_key_id(13)).empty());
    EXPECT_EQ(s.summary()["skipped"]["binary"], 1);
    auto b = scan_json({repo.dir().string(), "--scan-binary"});
    EXPECT_EQ(with_secret(b, fake_aws_key_id(13)).size(), 1u);
}

TEST(Skips, UnreadableFileInAFolderIsNamedAndTheRestIsScanned) {
    TempDir tmp;
    fs::path dir = tmp / "d";
    fs::create_directories(dir);
    std::ofstream(dir / "good.env") << key_line(14);
    std::ofstream(dir / "secret.env") << key_line(15);
    fs::permissions(dir / "secret.env", fs::perms::none);
    fs::permissions(tmp.path(), fs::perms::all);
    fs::permissions(dir, fs::perms::all);
    fs::permissions(dir / "good.env", fs::perms::all);
    // root reads anything, so run the scan as an unprivileged user when we are root.
    std::vector<std::string> argv;
    if (geteuid() == 0) argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    for (std::string a : {keysweep_bin(), std::string("scan"), std::string("--no-git"), std::string("--format"),
                          std::string("json"), dir.string()})
        argv.push_back(a);
    auto r = run(argv, {}, {}, {"NO_COLOR=1"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto report = nlohmann::json::parse(r.out);
    ASSERT_EQ(report["findings"].size(), 1u);
    EXPECT_EQ(report["findings"][0]["path"], "good.env");
    EXPECT_EQ(report["summary"]["skipped"]["unreadable"], 1);
    EXPECT_NE(r.err.find((dir / "secret.env").string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

TEST(Skips, MissingTargetFailsTheRunWithOneLine) {
    TempDir tmp;
    auto r = keysweep({"scan", (tmp / "nope").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "keysweep: error: " + (tmp / "nope").string() + ": no such file, folder or repository\n");
    EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace ks::test
