// Commit order for history walks: parents before children whatever the clocks say, hidden
// revisions and everything they reach left out, a shallow clone's boundary respected, and a missing
// commit reported once without losing the rest.
#include "source/commit_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace ks {
namespace {

git_oid oid(unsigned char n) {
    git_oid id{};
    for (auto& b : id.id) b = n;
    return id;
}

std::string hex(const git_oid& id) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &id);
    return buf;
}

// An object store of raw commits, named by one-letter labels.
struct Graph {
    std::map<std::string, std::string> raw;  // hex id -> commit bytes
    std::map<std::string, char> label;       // hex id -> label
    std::vector<std::string> missing;
    std::string trees, boundary;  // of the last order(): the commits' trees, and the boundary's, as labels
    OidSet shallow;

    // Each commit's tree is named by its label in upper case.
    static git_oid tree_of(char name) { return oid(static_cast<unsigned char>(name - 'a' + 'A')); }

    git_oid add(char name, std::int64_t time, std::vector<char> parents = {}) {
        const git_oid id = oid(static_cast<unsigned char>(name));
        std::string c = "tree " + hex(tree_of(name)) + "\n";
        for (char p : parents) c += "parent " + hex(oid(static_cast<unsigned char>(p))) + "\n";
        c += "author A <a@example.com> " + std::to_string(time) + " +0000\n";
        c += "committer A <a@example.com> " + std::to_string(time) + " +0000\n\nmessage\n";
        raw[hex(id)] = c;
        label[hex(id)] = name;
        return id;
    }
    std::string order(const std::vector<char>& starts, const std::vector<char>& hidden = {}) {
        std::vector<git_oid> s, h;
        for (char c : starts) s.push_back(oid(static_cast<unsigned char>(c)));
        for (char c : hidden) h.push_back(oid(static_cast<unsigned char>(c)));
        missing.clear();
        const CommitList list = order_commits(
            s, h,
            [&](const git_oid& id, std::string_view& data) {
                auto it = raw.find(hex(id));
                if (it == raw.end()) return false;
                data = it->second;
                return true;
            },
            shallow, [&](const git_oid& id) { missing.push_back(hex(id)); });
        std::string labels;
        for (const auto& id : list.ids) labels += label.count(hex(id)) ? label[hex(id)] : '?';
        trees.clear();
        boundary.clear();
        for (const auto& t : list.trees) trees += char(t.id[0]);
        for (const auto& t : list.boundary_trees) boundary += char(t.id[0]);
        std::sort(boundary.begin(), boundary.end());
        return labels;
    }
};

TEST(CommitOrder, ParentsComeFirstEvenWhenTheClockSaysOtherwise) {
    Graph g;
    g.add('a', 300);
    g.add('b', 100, {'a'});  // committed "before" its parent: a skewed clock
    g.add('c', 200, {'b'});
    EXPECT_EQ(g.order({'c'}), "abc");
    EXPECT_TRUE(g.missing.empty());
}

TEST(CommitOrder, BranchesInterleaveOldestFirstAndAMergeComesAfterBothParents) {
    Graph g;
    g.add('a', 100);
    g.add('b', 200, {'a'});  // main
    g.add('x', 150, {'a'});  // feature
    g.add('y', 250, {'x'});
    g.add('m', 300, {'b', 'y'});
    EXPECT_EQ(g.order({'m'}), "axbym");
    // Several starts, some repeated or reachable from others: each commit once.
    EXPECT_EQ(g.order({'y', 'b', 'm', 'b'}), "axbym");
}

TEST(CommitOrder, HiddenRevisionsAndWhatTheyReachAreLeftOut) {
    Graph g;
    g.add('a', 100);
    g.add('b', 200, {'a'});
    g.add('c', 300, {'b'});
    g.add('x', 250, {'b'});  // a feature branch off b
    g.add('y', 350, {'x'});
    EXPECT_EQ(g.order({'y'}, {'c'}), "xy");   // feature..main's tip: only the feature's own commits
    EXPECT_EQ(g.trees, "XY");                 // each listed commit's tree, in the same order
    EXPECT_EQ(g.boundary, "B");               // the range starts from b's tree
    EXPECT_EQ(g.order({'c'}, {'b'}), "c");
    EXPECT_EQ(g.boundary, "B");
    EXPECT_EQ(g.order({'c'}, {'c'}), "");
    EXPECT_EQ(g.boundary, "");
    EXPECT_EQ(g.order({'c', 'y'}, {'a'}), "bxcy");
    EXPECT_EQ(g.boundary, "A");
    EXPECT_EQ(g.order({'y'}), "abxy");
    EXPECT_EQ(g.boundary, "");  // nothing hidden, nothing outside
}

TEST(CommitOrder, AHiddenCommitNewerThanWhatItHidesStillHidesIt) {
    Graph g;
    g.add('a', 100);
    g.add('b', 200, {'a'});
    g.add('f', 150, {'b'});    // the feature tip, dated before its parent
    g.add('h', 10000, {'f'});  // hidden: merged upstream much later
    EXPECT_EQ(g.order({'f'}, {'h'}), "");
}

TEST(CommitOrder, AShallowBoundaryIsNotAMissingParent) {
    Graph g;
    g.add('c', 300, {'b'});  // b was cut off by `git clone --depth`
    g.add('d', 400, {'c'});
    g.shallow.insert(oid('c'));
    EXPECT_EQ(g.order({'d'}), "cd");
    EXPECT_TRUE(g.missing.empty());
    EXPECT_EQ(g.order({'d'}, {'c'}), "d");
}

TEST(CommitOrder, AMissingOrMalformedCommitIsReportedOnceAndTheRestIsListed) {
    Graph g;
    g.add('c', 300, {'b'});  // b is missing and c is not shallow: damage
    g.add('d', 400, {'c'});
    g.add('e', 500, {'d', 'b'});
    g.raw[hex(oid('z'))] = "not a commit";
    g.label[hex(oid('z'))] = 'z';
    EXPECT_EQ(g.order({'e', 'z'}), "cde");
    std::sort(g.missing.begin(), g.missing.end());
    EXPECT_EQ(g.missing, (std::vector<std::string>{hex(oid('b')), hex(oid('z'))}));  // b once, though two name it
}

TEST(CommitOrder, ParseCommitReadsParentsAndCommitterTime) {
    git_oid tree;
    std::vector<git_oid> parents;
    std::int64_t time = 0;
    const std::string raw = "tree " + std::string(40, '1') + "\nparent " + std::string(40, '2') + "\nparent " +
                            std::string(40, '3') + "\nauthor X <x@y> 5 +0000\ncommitter Y <y@z> 1700000000 -0700\n\n" +
                            "parent " + std::string(40, '4') + " in the message is not a parent\n";
    ASSERT_TRUE(parse_commit(raw, tree, parents, time));
    EXPECT_EQ(hex(tree), std::string(40, '1'));
    ASSERT_EQ(parents.size(), 2u);
    EXPECT_EQ(hex(parents[1]), std::string(40, '3'));
    EXPECT_EQ(time, 1700000000);
    EXPECT_FALSE(parse_commit("parent " + std::string(40, '2') + "\n", tree, parents, time));  // no tree
    EXPECT_FALSE(parse_commit("tree x\nparent zz\n", tree, parents, time));
}

}  // namespace
}  // namespace ks
