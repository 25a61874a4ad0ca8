// The staged changes of a repository: what `git commit` would record, compared to HEAD.
#pragma once

#include "source/git_handles.hpp"

#include <string>
#include <vector>

namespace ks {

// Opens the repository at or above `path`. With `from_env`, it opens it as git itself would inside
// a hook: GIT_DIR, GIT_INDEX_FILE (git points it at a temporary index during `git commit -a` and
// `git commit PATH...`), GIT_OBJECT_DIRECTORY and the like are honoured, and the search starts at
// the current directory (`path` is ignored). Null when there is no repository there.
git::Repository open_repository(const std::string& path, bool from_env);

// The folder a person sees: the work tree, or the git folder of a bare repository.
std::string repository_root(git_repository* repo);

struct StagedBlob {
    std::string path;       // in the index: repository-relative, '/'-separated
    git_oid id{};           // the staged blob
    bool has_old = false;   // HEAD has a version of it: the same path, or the source of a rename
    git_oid old_id{};
    std::string old_path;
};

// One entry per file the index adds, modifies, renames or copies relative to HEAD (every entry of
// the index when HEAD has no commit yet). Deletions, submodules and unresolved conflicts have no
// staged blob and are left out. Renames are detected as `git diff --cached` does (50% similar), so a
// moved file keeps its old version for the added-lines comparison.
// Throws std::runtime_error when the index or HEAD's tree cannot be read.
std::vector<StagedBlob> staged_blobs(git_repository* repo);

}  // namespace ks
