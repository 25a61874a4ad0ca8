// Enumerates the blobs of a repository's history, each blob id once, in the order of the oldest
// commit (topological) whose tree holds it — so the first sighting is the introducing commit.
#pragma once

#include "model/diagnostics.hpp"
#include "source/git_handles.hpp"
#include "source/pack_index.hpp"

#include <functional>
#include <string>
#include <vector>

namespace ks {

struct BlobTask {
    git_oid id;
    std::uint32_t commit = kNoCommit;  // index into HistoryWalker::commits(), or kNoCommit
    std::string path;                  // path in that commit ("" for an unreachable blob)
    pack::Location at{};               // where HistoryOptions::packs hold it (not found(): elsewhere)
    static constexpr std::uint32_t kNoCommit = 0xffffffffu;
};

struct HistoryOptions {
    // Revisions to walk; empty: every ref (branches, tags, remotes, stash and its reflog) and HEAD.
    std::vector<std::string> include;
    // Revisions whose history is excluded; blobs already in the trees at the boundary are not new.
    std::vector<std::string> exclude;
    bool all_objects = false;  // also objects no ref reaches
    // Full walks only: walk the commit list in this many chunks on as many threads (each opens
    // `repo_path` for itself, as libgit2 asks); the first sighting in commit order still wins.
    unsigned parts = 1;
    std::string repo_path;
    // Parsed pack indexes to read trees and commits from without libgit2's locks (PackScan::packs());
    // null: everything through libgit2. Must outlive the walk.
    const pack::Packs* packs = nullptr;
};

class HistoryWalker {
public:
    // REQUIRES: repo stays open while the walker lives. Throws std::runtime_error on a bad revision.
    HistoryWalker(git_repository* repo, HistoryOptions opts, Diagnostics& diag, std::string label);

    // Calls `sink` once per distinct blob. Missing or corrupt trees and commits are warned about and
    // skipped; the walk goes on.
    void walk(const std::function<void(BlobTask&&)>& sink);

    const std::vector<git_oid>& commits() const { return commits_; }
    // The id of commits()[i] in hex, or "" for BlobTask::kNoCommit.
    std::string commit_hex(std::uint32_t i) const { return i == BlobTask::kNoCommit ? std::string() : git::hex(commits_[i]); }

private:
    class SeenSets;
    class ObjectSource;
    void walk_tree(SeenSets& seen, ObjectSource& src, const git_oid& tree, std::uint32_t commit, std::string& prefix,
                   const std::function<void(BlobTask&&)>& sink, unsigned depth = 0);
    void mark_tree(ObjectSource& src, const git_oid& tree, unsigned depth = 0);
    // Walks the trees of commits [begin, end) through `src`, skipping what `seen` holds.
    void walk_commits(SeenSets& seen, ObjectSource& src, std::uint32_t begin, std::uint32_t end,
                      const std::function<void(BlobTask&&)>& sink);
    // Walks commits [begin, end) with its own repository handle and seen sets, buffering what it finds.
    struct Sightings;
    void walk_chunk(std::uint32_t begin, std::uint32_t end, Sightings& out);
    void push_refs(std::vector<git_oid>& starts, std::vector<std::pair<git_oid, std::string>>& loose_objects);
    // Fills commits_ (those reachable from `starts` and not from `hidden`, parents first), their
    // trees, and the trees just outside them.
    void list_commits(ObjectSource& src, const std::vector<git_oid>& starts, const std::vector<git_oid>& hidden);

    git_repository* repo_;
    git::Odb odb_;
    HistoryOptions opts_;
    Diagnostics& diag_;
    std::string label_;
    std::vector<git_oid> commits_, trees_, boundary_trees_;  // trees_[i]: the tree of commits_[i]
    std::shared_ptr<SeenSets> seen_;
};

}  // namespace ks
