// The commits reachable from a set of starting points and not from a set of hidden ones, parents
// before children: the order in which a scan walks history, so the first commit whose tree holds a
// blob is the one that introduced it. Read from raw commit objects (through the pack reader in full
// scans) rather than by libgit2's revwalk, which stops at a shallow clone's boundary (and scans
// nothing) and in a full scan maps and touches the whole pack index a second time.
#pragma once

#include "source/oid_set.hpp"

#include <git2.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

// Reads commit `id`'s raw bytes into `data`; false if it cannot be read (missing, corrupt, not a commit).
using CommitReader = std::function<bool(const git_oid& id, std::string_view& data)>;
// Told once per commit that cannot be read (a start, or a parent a damaged history lacks).
using MissingCommit = std::function<void(const git_oid& id)>;

// Every commit reachable from `starts` and not from `hidden` (duplicates allowed in both), each once:
// parents before children and, among the commits whose parents are all listed, the oldest committer
// date first. Parents of commits in `shallow` (a shallow clone's boundary) are not followed. As in
// git, the hidden side is walked only as far back as the listed commits' dates (less a day for clock
// skew): a clock skewed further can list a commit that is hidden, never hide one that is not.
struct CommitList {
    std::vector<git_oid> ids;    // parents first
    std::vector<git_oid> trees;  // trees[i]: the tree of ids[i]
    // Trees of the commits just outside the list (hidden parents of listed commits): what a range
    // starts from, so what they hold is not new. Empty when nothing is hidden.
    std::vector<git_oid> boundary_trees;
};
CommitList order_commits(const std::vector<git_oid>& starts, const std::vector<git_oid>& hidden,
                         const CommitReader& read, const OidSet& shallow, const MissingCommit& missing);

// The tree, parent ids and committer time of a raw commit; false if it is malformed.
bool parse_commit(std::string_view raw, git_oid& tree, std::vector<git_oid>& parents, std::int64_t& time);

}  // namespace ks
