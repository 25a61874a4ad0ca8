// The staged changes of a repository: what `git commit` would record, compared to HEAD.
//
// The `git` program answers when it can be run (`git diff-index --cached -M` and `git cat-file
// --batch`): it uses the index's cache-tree, so unchanged folders cost nothing, and it honours every
// GIT_* variable a hook runs under (GIT_INDEX_FILE names a temporary index during `git commit -a` and
// `git commit PATH`). Without a runnable `git`, libgit2 does the same comparison (slower to start: it
// reads HEAD's whole tree, and its initialisation loads the system's CA certificates).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ks {

struct StagedBlob {
    std::string path;       // in the index: repository-relative, '/'-separated
    std::string id;         // the staged blob (hex)
    std::string old_id;     // HEAD's version (hex): the same path, or the source of a rename; "" for a new file
    std::string old_path;
};

enum class StagedRead { ok, missing, too_large };

class StagedSource {
public:
    // The repository at or above `path`. With `from_env`, as git itself would find it inside a hook
    // (GIT_DIR, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY... honoured, starting at the current folder);
    // otherwise those variables are ignored. The comparison with HEAD may start in the background.
    // Throws std::runtime_error naming `path` when there is no repository with a work tree there.
    StagedSource(const std::string& path, bool from_env);
    ~StagedSource();
    StagedSource(const StagedSource&) = delete;
    StagedSource& operator=(const StagedSource&) = delete;

    // The work tree's top folder. May wait for git's answer; throws std::runtime_error (naming the
    // path) when there is no repository with a work tree there.
    const std::string& root();

    // root() without waiting when the answer is plain: the current folder, when it holds `.git` (or
    // GIT_DIR is set, as in a hook of a linked worktree) and the repository is found from the
    // environment. It can differ from root() only with core.worktree; compare when it matters.
    std::string root_hint();

    // One entry per file the index adds, modifies, renames or copies relative to HEAD (every entry of
    // the index when HEAD has no commit yet). Deletions, submodules, symbolic links and unresolved
    // conflicts have no staged file content and are left out. Renames are detected as
    // `git diff --cached` does (50% similar). Throws std::runtime_error when the index or HEAD cannot
    // be read. Call once.
    std::vector<StagedBlob> changes();

    // Reads the blobs `ids`, calling sink(index, status, data, detail) for each, in order: `data` holds
    // the blob when status is ok (valid during the call), else `detail` says why.
    using ReadSink = std::function<void(std::size_t, StagedRead, const std::string& data, const std::string& detail)>;
    void read_each(const std::vector<std::string>& ids, std::uint64_t max_size, const ReadSink& sink);

    // "git" or "libgit2": which one answers (for diagnostics and tests).
    const char* backend() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
    bool from_env_ = false;
};

}  // namespace ks
