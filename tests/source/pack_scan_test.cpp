// The pack reader against libgit2: every blob of a delta-heavy pack comes out byte-identical, each
// once; damage to one object is reported and the rest still comes out.
#include "harness.hpp"
#include "source/blob_reader.hpp"
#include "source/pack_reader.hpp"
#include "source/pack_scan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <map>
#include <mutex>

namespace ks {
namespace {
namespace fs = std::filesystem;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// A repository where one file changes a little in each of many commits: git stores it as long
// delta chains.
struct DeltaRepo {
    test::TempDir tmp;
    test::GitRepo repo{tmp / "r"};
    DeltaRepo() {
        std::string text;
        for (int i = 0; i < 400; ++i) text += "line " + std::to_string(i) + " of a file that keeps changing\n";
        for (int c = 0; c < 40; ++c) {
            text.insert(text.size() / 2, "inserted in commit " + std::to_string(c) + "\n");
            repo.write("big.txt", text);
            repo.write("small-" + std::to_string(c % 5) + ".txt", "version " + std::to_string(c) + "\n");
            repo.commit_all("c" + std::to_string(c));
        }
        repo.git({"repack", "-a", "-d", "-f", "--depth=50", "--window=50", "-q"});
    }
    fs::path objects() const { return repo.dir() / ".git" / "objects"; }
};

struct Seen {
    std::mutex mu;
    std::map<std::string, std::string> blobs;
    std::map<std::string, std::string> failed;
};

// The .idx files of a repository's packs.
std::vector<fs::path> pack_indexes(const fs::path& objects) {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(objects / "pack"))
        if (e.path().extension() == ".idx") out.push_back(e.path());
    return out;
}

// A v2 .idx as bytes, for tests that edit its table of ids (after the 8-byte header and the 256
// fanout entries, the last of which is the number of ids).
struct IdxBytes {
    static constexpr std::size_t kIdsAt = 8 + 256 * 4;
    std::string bytes;

    explicit IdxBytes(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::uint32_t count() const {
        const auto* c = reinterpret_cast<const unsigned char*>(bytes.data()) + kIdsAt - 4;
        return std::uint32_t((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | c[3]);
    }
    git_oid id(std::uint32_t i) const {
        git_oid id;
        std::memcpy(id.id, bytes.data() + kIdsAt + std::size_t(i) * GIT_OID_RAWSZ, GIT_OID_RAWSZ);
        return id;
    }
    void set_id(std::uint32_t i, const git_oid& id) {
        std::memcpy(bytes.data() + kIdsAt + std::size_t(i) * GIT_OID_RAWSZ, id.id, GIT_OID_RAWSZ);
    }
    // Git writes pack files read-only.
    void write(const fs::path& p) const {
        std::error_code ec;
        fs::permissions(p, fs::perms::owner_write, fs::perm_options::add, ec);
        std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
    }
};

PackVisit collect(Seen& seen) {
    return [&seen](unsigned, pack::Location, const git_oid& id, PackBlobStatus st, const BlobBuffer& data, const std::string& detail) {
        std::lock_guard lock(seen.mu);
        if (st == PackBlobStatus::ok) EXPECT_TRUE(seen.blobs.emplace(git::hex(id), *data).second);
        else seen.failed[git::hex(id)] = detail;
    };
}

TEST(PackScan, EveryBlobMatchesLibgit2) {
    DeltaRepo fx;
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    ASSERT_EQ(packs.pack_count(), 1u);
    Seen seen;
    packs.run(2, 1 << 30, [](pack::Location, const git_oid&) { return true; }, collect(seen));
    EXPECT_TRUE(seen.failed.empty());
    // 40 versions of big.txt + 40 distinct small-file versions.
    EXPECT_EQ(seen.blobs.size(), 80u);
    BlobReader reader(fx.repo.dir().string());
    std::string detail;
    for (const auto& [hex, data] : seen.blobs) {
        git_oid id;
        git_oid_fromstr(&id, hex.c_str());
        ASSERT_EQ(reader.read(id, 1 << 30, detail), ReadStatus::ok) << hex;
        EXPECT_EQ(reader.data(), data) << hex;
    }
}

TEST(PackScan, WantFiltersVisitsButKeepsBases) {
    DeltaRepo fx;
    std::string newest = trim(fx.repo.git({"rev-parse", "HEAD:big.txt"}));
    std::string oldest = trim(fx.repo.git({"rev-parse", "HEAD~39:big.txt"}));
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    Seen seen;
    packs.run(1, 1 << 30, [&](pack::Location, const git_oid& id) { auto h = git::hex(id); return h == newest || h == oldest; },
              collect(seen));
    ASSERT_EQ(seen.blobs.size(), 2u);
    EXPECT_EQ(seen.blobs.at(newest), fx.repo.git({"cat-file", "-p", newest}));
    EXPECT_EQ(seen.blobs.at(oldest), fx.repo.git({"cat-file", "-p", oldest}));
}

TEST(PackScan, TooLargeBlobsAreReportedNotRead) {
    DeltaRepo fx;
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    Seen seen;
    packs.run(2, 1000, [](pack::Location, const git_oid&) { return true; }, collect(seen));
    EXPECT_EQ(seen.blobs.size(), 40u);   // the small files
    EXPECT_EQ(seen.failed.size(), 40u);  // every version of big.txt
    for (const auto& [id, why] : seen.failed) EXPECT_NE(why.find("over --max-blob-size"), std::string::npos) << why;
}

TEST(PackScan, DamagedObjectIsReportedAndTheRestComesOut) {
    DeltaRepo fx;
    // Damage the middle of the pack: some objects (and anything deltified against them) fail.
    fs::path pack;
    for (auto& e : fs::directory_iterator(fx.objects() / "pack"))
        if (e.path().extension() == ".pack") pack = e.path();
    auto size = fs::file_size(pack);
    fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::streamoff(size / 2));
        std::string junk(64, '\x5a');
        f.write(junk.data(), std::streamsize(junk.size()));
    }
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    Seen seen;
    packs.run(2, 1 << 30, [](pack::Location, const git_oid&) { return true; }, collect(seen));
    EXPECT_GE(seen.failed.size(), 1u);
    EXPECT_GE(seen.blobs.size(), 1u);
    EXPECT_EQ(seen.blobs.size() + seen.failed.size(), 80u);  // nothing lost silently
    // A blob that fails because its delta base did names that base, itself among the failed.
    const std::string prefix = "its delta base ";
    for (const auto& [id, detail] : seen.failed) {
        if (detail.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string base = detail.substr(prefix.size(), GIT_OID_HEXSZ);
        EXPECT_TRUE(seen.failed.count(base)) << id << ": " << detail;
        EXPECT_EQ(detail.substr(prefix.size() + GIT_OID_HEXSZ, 2), ": ") << detail;
    }
}

TEST(PackScan, ForeignFileInThePackFolderIsWarnedAbout) {
    DeltaRepo fx;
    std::ofstream(fx.objects() / "pack" / "pack-0000000000000000000000000000000000000000.idx") << "not an index";
    Diagnostics diag;
    diag.set_quiet(true);
    PackScan packs(fx.objects(), diag);
    EXPECT_EQ(packs.pack_count(), 1u);
    EXPECT_EQ(diag.counts()["corrupt"], 1u);
}

// An index whose ids are out of order cannot be searched by key: that pack is warned about and left
// out (its objects are read one by one), and the other packs load as before.
TEST(PackScan, IndexWithIdsOutOfOrderIsWarnedAboutAndLeftOut) {
    DeltaRepo fx;
    const fs::path idx = pack_indexes(fx.objects()).at(0);
    IdxBytes bytes(idx);
    const git_oid first = bytes.id(0), second = bytes.id(1);
    bytes.set_id(0, second);
    bytes.set_id(1, first);
    const fs::path copy = fx.objects() / "pack" / "pack-1111111111111111111111111111111111111111";
    fs::copy_file(fs::path(idx).replace_extension(".pack"), fs::path(copy).replace_extension(".pack"));
    bytes.write(fs::path(copy).replace_extension(".idx"));
    Diagnostics diag;
    diag.set_quiet(true);
    PackScan packs(fx.objects(), diag);
    EXPECT_EQ(packs.pack_count(), 1u);
    EXPECT_EQ(diag.counts()["corrupt"], 1u);
    Seen seen;
    packs.run(2, 1 << 30, [](pack::Location, const git_oid&) { return true; }, collect(seen));
    EXPECT_EQ(seen.blobs.size(), 80u);
}

// Ids are kept as 12-byte keys; ids that share a key are told apart by their whole ids, read from the
// .idx. No two real objects share 96 bits, so the .idx of a real pack is edited: the id after one id is
// made to share its first 12 bytes (the order stays: the rest is one more).
TEST(PackIndex, IdsThatShareTheirFirstTwelveBytesAreToldApart) {
    DeltaRepo fx;
    const fs::path idx_path = pack_indexes(fx.objects()).at(0);
    IdxBytes idx(idx_path);
    const std::uint32_t n = idx.count();
    ASSERT_GT(n, 100u);
    auto id_at = [&](std::uint32_t i) { return idx.id(i); };
    // Two neighbours with the same first byte (the .idx's own fanout then stays right), the first of
    // which does not end in 0xff.
    std::uint32_t i = 0;
    while (i + 1 < n && (id_at(i).id[0] != id_at(i + 1).id[0] || id_at(i).id[19] == 0xff)) ++i;
    ASSERT_LT(i + 1, n);
    git_oid twin = id_at(i);
    twin.id[19] += 1;
    idx.set_id(i + 1, twin);
    idx.write(idx_path);

    pack::Index p;
    ASSERT_EQ(pack::load(p, idx_path), "");
    EXPECT_EQ(p.same_key, (std::vector<std::uint32_t>{i, i + 1}));
    const git_oid first = id_at(i);
    const std::uint32_t a = p.find(first), b = p.find(twin);
    ASSERT_NE(a, pack::kNone);
    ASSERT_NE(b, pack::kNone);
    EXPECT_NE(a, b);
    EXPECT_EQ(git::hex(p.id_of(a)), git::hex(first));
    EXPECT_EQ(git::hex(p.id_of(b)), git::hex(twin));
    // Another id with the same first 12 bytes is not in the pack.
    git_oid absent = twin;
    absent.id[19] += 1;
    const git_oid next = i + 2 < n ? id_at(i + 2) : git_oid{};
    if (git_oid_cmp(&absent, &next) != 0) {
        EXPECT_EQ(p.find(absent), pack::kNone);
    }
    absent.id[15] ^= 0x40;
    EXPECT_EQ(p.find(absent), pack::kNone);
    // Every other id is found where it was, and read back whole.
    for (std::uint32_t k = 0; k < n; ++k) {
        if (k == i || k == i + 1) continue;
        const std::uint32_t e = p.find(id_at(k));
        ASSERT_NE(e, pack::kNone) << k;
        EXPECT_EQ(p.index[e], k);
        EXPECT_EQ(git::hex(p.id_of(e)), git::hex(id_at(k)));
    }
}

// The same across packs: an id in the second pack made to share its first 12 bytes with an id of the
// first is found in the second, and the first pack's id still in the first.
TEST(PackIndex, AnIdSharingTwelveBytesWithOneInAnotherPackIsFoundInItsOwn) {
    DeltaRepo fx;
    fx.repo.write("later.txt", "one more object, in a pack of its own\n");
    fx.repo.commit_all("later");
    fx.repo.git({"repack", "-q"});  // the new objects in a second pack
    std::vector<fs::path> idxs = pack_indexes(fx.objects());
    ASSERT_EQ(idxs.size(), 2u);
    IdxBytes big(idxs[0]), small(idxs[1]);
    if (big.count() < small.count()) std::swap(idxs[0], idxs[1]), std::swap(big, small);
    // Y: an id of the big pack; X: Y with its last byte changed, written into the small pack's index
    // where it keeps that index sorted (in place of the first id not below it, or of the last).
    const git_oid y = big.id(big.count() / 2);
    git_oid x = y;
    x.id[19] ^= 0x01;
    const std::uint32_t n = small.count();
    auto below_x = [&](std::uint32_t i) {
        const git_oid id = small.id(i);
        return git_oid_cmp(&id, &x) < 0;
    };
    std::uint32_t at = 0;
    while (at + 1 < n && below_x(at)) ++at;
    ASSERT_TRUE(at == 0 || below_x(at - 1));
    small.set_id(at, x);
    small.write(idxs[1]);

    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    ASSERT_EQ(packs.pack_count(), 2u);
    const pack::Packs& p = packs.packs();
    const std::uint32_t big_pk = p[0]->entries() > p[1]->entries() ? 0 : 1, small_pk = 1 - big_pk;
    const pack::Location lx = pack::locate(p, x), ly = pack::locate(p, y);
    ASSERT_TRUE(lx.found());
    ASSERT_TRUE(ly.found());
    EXPECT_EQ(lx.pack, small_pk);
    EXPECT_EQ(p[small_pk]->index[lx.entry], at);
    EXPECT_EQ(ly.pack, big_pk);
    EXPECT_EQ(git::hex(p[ly.pack]->id_of(ly.entry)), git::hex(y));
}

// And against loose objects: a loose object whose id shares 12 bytes with a packed one is not taken for
// it (only its name counts here, so an empty file stands in for it).
TEST(PackIndex, ALooseIdSharingTwelveBytesWithAPackedOneIsNotFoundInThePack) {
    DeltaRepo fx;
    Diagnostics diag;
    git_oid y{};
    {
        PackScan packs(fx.objects(), diag);
        ASSERT_EQ(packs.pack_count(), 1u);
        y = packs.packs()[0]->id_at(7);
        EXPECT_TRUE(packs.packs()[0]->same_key.empty());
    }
    git_oid x = y;
    x.id[19] ^= 0x01;
    const std::string hex = git::hex(x);
    fs::create_directories(fx.objects() / hex.substr(0, 2));
    std::ofstream(fx.objects() / hex.substr(0, 2) / hex.substr(2));
    PackScan packs(fx.objects(), diag);
    const pack::Index& p = *packs.packs()[0];
    EXPECT_EQ(p.same_key, std::vector<std::uint32_t>{7});
    EXPECT_EQ(p.find(x), pack::kNone);
    ASSERT_NE(p.find(y), pack::kNone);
    EXPECT_EQ(p.index[p.find(y)], 7u);
}

// Offsets are kept as 4 bytes each, with the entries where the high part steps up: reads and
// searches give back the 64-bit offsets, past 4 GiB and across a jump of more than 4 GiB too.
TEST(PackIndex, OffsetsPast4GiBReadBackWhole) {
    const std::uint64_t G = std::uint64_t(1) << 32;
    const std::vector<std::uint64_t> offs{12, 4096, G - 1, G, G + 7, 3 * G + 5, 3 * G + 6, 5 * G};
    pack::Offsets o;
    o.assign(offs);
    ASSERT_EQ(o.size(), offs.size());
    for (std::uint32_t e = 0; e < offs.size(); ++e) {
        EXPECT_EQ(o[e], offs[e]) << e;
        EXPECT_EQ(o.lower_bound(offs[e], o.size()), e) << e;
        EXPECT_EQ(o.lower_bound(offs[e] + 1, o.size()), e + 1) << e;
    }
    EXPECT_EQ(o.lower_bound(0, o.size()), 0u);
    EXPECT_EQ(o.lower_bound(2 * G, o.size()), 5u);
    EXPECT_EQ(o.lower_bound(2 * G, 4), 4u);  // only entries before `end` are searched
}

// The blobs' delta trees, laid out in preorder: every blob entry of a delta-heavy pack is in one
// tree once, under the base it deltas against, and nothing else is.
TEST(PackIndex, BlobDeltaTreesAreLaidOutInPreorder) {
    DeltaRepo fx;
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    ASSERT_EQ(packs.pack_count(), 1u);
    const pack::Index& p = *packs.packs()[0];
    std::vector<int> seen(p.entries(), 0);
    std::size_t deltas = 0, trees = 0;
    std::vector<std::uint32_t> open;  // places whose subtree contains the current place
    for (std::uint32_t k = 0; k < p.tree.size(); ++k) {
        while (!open.empty() && k >= open.back() + p.tree_size[open.back()]) open.pop_back();
        const std::uint32_t e = p.tree[k];
        ASSERT_LT(e, p.entries());
        ++seen[e];
        ASSERT_GE(p.tree_size[k], 1u);
        ASSERT_LE(k + p.tree_size[k], open.empty() ? p.tree.size() : open.back() + p.tree_size[open.back()]);
        if (open.empty()) {
            EXPECT_EQ(p.type[e], pack::kBlob) << "a tree's root is a whole blob";
            ++trees;
        } else {
            EXPECT_EQ(p.base[e], p.tree[open.back()]) << "a delta sits right under its base";
            EXPECT_TRUE(p.is_base(p.tree[open.back()]));
            ++deltas;
        }
        open.push_back(k);
    }
    EXPECT_GT(deltas, 30u);  // the chains of big.txt
    // Every whole blob is a root, and every delta whose chain ends at a blob is in a tree.
    for (std::uint32_t e = 0; e < p.entries(); ++e) {
        std::uint32_t root = e;
        for (int guard = 0; p.base[root] != pack::kNone && guard < 10000; ++guard) root = p.base[root];
        EXPECT_EQ(seen[e], p.type[root] == pack::kBlob ? 1 : 0) << e;
    }
    EXPECT_GT(trees, 1u);
}

TEST(Delta, MalformedDeltasAreRejected) {
    std::string out;
    std::string base = "hello world";
    // src size 11, dst size 5, copy offset 0 size 5
    std::string good = std::string("\x0b\x05\x90\x05", 4);
    ASSERT_TRUE(apply_git_delta(base, good, out));
    EXPECT_EQ(out, "hello");
    EXPECT_FALSE(apply_git_delta("short", good, out));                            // wrong base size
    EXPECT_FALSE(apply_git_delta(base, std::string("\x0b\x05\x90\x20", 4), out)); // copy past the end
    EXPECT_FALSE(apply_git_delta(base, std::string("\x0b\x05\x00", 3), out));     // reserved opcode
    EXPECT_FALSE(apply_git_delta(base, std::string("\x0b\x06\x90\x05", 4), out)); // short result
}

// Random access (the history walk's trees and commits): every object of every type, read in a
// shuffled order, equals libgit2's, with a cache big enough to keep every base and with one so small
// that bases are evicted while a chain is being resolved.
TEST(PackReader, EveryObjectMatchesLibgit2InAnyOrder) {
    DeltaRepo fx;
    Diagnostics diag;
    PackScan packs(fx.objects(), diag);
    ASSERT_EQ(packs.pack_count(), 1u);
    const pack::Index& index = *packs.packs()[0];
    std::vector<git_oid> ids;
    for (std::uint32_t e = 0; e < index.entries(); ++e) ids.push_back(index.id_of(e));
    ASSERT_GT(ids.size(), 150u);  // 40 commits, their trees, 80 blobs
    std::shuffle(ids.begin(), ids.end(), std::mt19937(11));
    git::Repository repo = git::open(fx.repo.dir().string());
    git_odb* raw = nullptr;
    ASSERT_EQ(git_repository_odb(&raw, repo.get()), 0);
    git::Odb odb(raw);
    std::size_t deltas = 0;
    for (std::uint32_t e = 0; e < index.type.size(); ++e) deltas += index.type[e] >= pack::kOfsDelta;
    EXPECT_GT(deltas, 40u);  // the chains the cache is for are there
    for (std::size_t cache : {std::size_t(64) << 20, std::size_t(2048)}) {
        PackReader reader(packs.packs(), cache);
        std::string out;
        for (const git_oid& id : ids) {
            std::uint8_t type = 0;
            ASSERT_EQ(reader.read(id, out, type), PackReader::Status::ok) << git::hex(id);
            git_odb_object* o = nullptr;
            ASSERT_EQ(git_odb_read(&o, odb.get(), &id), 0);
            git::OdbObject obj(o);
            EXPECT_EQ(type, std::uint8_t(git_odb_object_type(o))) << git::hex(id);
            EXPECT_EQ(out, std::string_view(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o)))
                << git::hex(id);
        }
    }
    git_oid absent{};
    absent.id[0] = 0x42;
    PackReader reader(packs.packs());
    std::string out;
    std::uint8_t type = 0;
    EXPECT_EQ(reader.read(absent, out, type), PackReader::Status::not_found);
}

}  // namespace
}  // namespace ks
