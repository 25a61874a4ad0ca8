// Blob origins of a full scan: a slot per blob the pack scan resolves (found by rank over a bit per
// entry), a hash table for everything else, and the blobs the pack scan left for the fallback.
#include "pipeline/blob_origins.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace ks {
namespace {

git_oid id_of(unsigned n) {
    git_oid id{};
    id.id[0] = std::uint8_t(n), id.id[1] = std::uint8_t(n >> 8), id.id[19] = 0x5a;
    return id;
}

BlobTask task(unsigned n, pack::Location at, std::uint32_t commit) {
    BlobTask t;
    t.id = id_of(n);
    t.at = at;
    t.commit = commit;
    return t;
}

// Two packs of 150 and 70 entries (the rank crosses 64-entry words); their blob delta trees hold the
// entries listed, in preorder (not sorted: the slots must not depend on that order).
pack::Packs two_packs() {
    pack::Packs packs;
    for (auto [n, tree] : {std::pair<std::uint32_t, std::vector<std::uint32_t>>{150, {3, 70, 4, 63, 64, 149, 127, 128}},
                           std::pair<std::uint32_t, std::vector<std::uint32_t>>{70, {0, 69}}}) {
        auto p = std::make_unique<pack::Index>();
        std::vector<std::uint64_t> offsets;
        for (std::uint32_t e = 0; e < n; ++e) offsets.push_back(12 + 100 * e);
        p->offset.assign(offsets);
        for (std::uint32_t e = 0; e < n; ++e) p->index.push_back(e);  // no .idx: ids read back as zeros
        p->tree = tree;
        p->tree_size.assign(tree.size(), 1);
        packs.push_back(std::move(p));
    }
    return packs;
}

TEST(BlobOrigins, SlotsForResolvedBlobsAndATableForTheRest) {
    const pack::Packs packs = two_packs();
    BlobOrigins o(packs);
    // Every tree entry of both packs gets its own origin; a packed entry outside the trees and a loose
    // blob go to the table.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> commit_at;
    std::uint32_t c = 0;
    for (std::uint32_t pk = 0; pk < packs.size(); ++pk)
        for (std::uint32_t e : packs[pk]->tree) {
            if (pk == 0 && e == 149) continue;  // left unreached
            commit_at[{pk, e}] = c;
            o.add(task(1000 + c, {pk, e}, c), 100 + c);
            ++c;
        }
    o.add(task(1, {0, 5}, 500), 7);   // packed, but no pack-scan slot
    o.add(task(2, {}, 501), 8);       // loose
    for (const auto& [at, commit] : commit_at) {
        const BlobOrigin& got = o.at({at.first, at.second});
        EXPECT_EQ(got.commit, commit);
        EXPECT_EQ(got.path, 100 + commit);
        EXPECT_TRUE(o.reached({at.first, at.second}, id_of(1000 + commit)));
    }
    EXPECT_FALSE(o.at({0, 149}).reached());
    EXPECT_FALSE(o.reached({0, 149}, id_of(9)));
    EXPECT_FALSE(o.at({0, 5}).reached());         // not a slot...
    EXPECT_TRUE(o.reached({0, 5}, id_of(1)));     // ...but reached, through the table
    EXPECT_TRUE(o.reached({}, id_of(2)));
    EXPECT_FALSE(o.reached({}, id_of(3)));

    // The pack scan matches some; the fallback gets every other reached blob once.
    EXPECT_TRUE(o.visit({0, 64}));
    EXPECT_FALSE(o.visit({0, 64}));
    EXPECT_TRUE(o.visited({0, 64}));
    EXPECT_FALSE(o.visited({0, 63}));
    EXPECT_TRUE(o.visit({1, 69}));
    std::multiset<std::uint32_t> left;
    o.for_each_unvisited(packs, [&](const git_oid&, const BlobOrigin& origin) { left.insert(origin.commit); });
    std::multiset<std::uint32_t> expected{500, 501};
    for (const auto& [at, commit] : commit_at)
        if (at != std::pair<std::uint32_t, std::uint32_t>{0, 64} && at != std::pair<std::uint32_t, std::uint32_t>{1, 69})
            expected.insert(commit);
    EXPECT_EQ(left, expected);
}

}  // namespace
}  // namespace ks
