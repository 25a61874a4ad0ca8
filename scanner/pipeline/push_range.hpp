// `keysweep hook pre-push` and range scans: the commits a push sends that the remote lacks, and only
// the findings those commits introduce.
#pragma once

#include "match/matcher.hpp"
#include "model/diagnostics.hpp"
#include "pipeline/scan.hpp"

#include <git2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

// One line of git's pre-push input.
struct PushUpdate {
    std::string local_ref, local_sha, remote_ref, remote_sha;
};

// Parses "<local ref> <local sha> <remote ref> <remote sha>" lines; blank lines are skipped.
// Throws std::runtime_error naming the line number for anything else.
std::vector<PushUpdate> parse_pre_push(std::string_view input);

// True for an all-zero object id (git's "nothing": a deleted ref, or a branch the remote lacks).
bool is_zero_sha(std::string_view sha);

struct PushRevisions {
    std::vector<std::string> include;  // the pushed commits (hex); empty: nothing to scan
    std::vector<std::string> exclude;  // what the remote already has (hex)
};

// Deletions push nothing. An update excludes the remote's old commit; a new branch (or an old
// commit this repository lacks, as in a forced push over unfetched work) excludes every commit a
// remote-tracking ref (refs/remotes/*) points at. A pushed object that is not a commit (a tag of a
// tree or blob) is warned about and skipped.
PushRevisions push_revisions(git_repository* repo, const std::vector<PushUpdate>& updates, Diagnostics& diag);

// For the findings of a range scan (each names the commit that introduced its blob, and the path
// there): keeps those that are new in that commit, deciding with keep_new_findings against the
// commit's parents' versions of the file (the same path, or else the source of a rename from the
// first parent). A secret that was already in the file before the commit is not reported again.
// Findings without a commit, and those of a root commit, stay.
void keep_introduced(git_repository* repo, std::vector<Finding>& findings,
                     const std::shared_ptr<const CompiledRules>& rules, std::uint64_t max_blob_size);

// The pre-push scan of the repository at `repo_path` (not searched upward): push_revisions, then
// scan_targets over include/exclude (nothing at all when nothing is pushed), then keep_introduced.
// `opts.include` / `opts.exclude` are replaced. Throws std::runtime_error like scan_targets.
ScanOutcome scan_push(const std::string& repo_path, const std::vector<PushUpdate>& updates,
                      const std::shared_ptr<const CompiledRules>& rules, ScanOptions opts, Diagnostics& diag);

}  // namespace ks
