#include "source/staged.hpp"

#include <stdexcept>

namespace ks {

namespace {

using Diff = std::unique_ptr<git_diff, git::Deleter<git_diff, git_diff_free>>;

std::string label_of(git_repository* repo) { return repository_root(repo); }

// HEAD's tree, or null when HEAD is unborn (no commit yet).
git::Tree head_tree(git_repository* repo) {
    if (git_repository_head_unborn(repo) == 1) return nullptr;
    git_object* o = nullptr;
    if (git_revparse_single(&o, repo, "HEAD^{tree}") != 0)
        throw std::runtime_error(label_of(repo) + ": cannot read HEAD: " + git::last_error());
    return git::Tree(reinterpret_cast<git_tree*>(o));
}

bool is_file_mode(std::uint16_t mode) {
    return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE || mode == GIT_FILEMODE_LINK;
}

}  // namespace

git::Repository open_repository(const std::string& path, bool from_env) {
    if (!from_env) return git::open(path, /*search=*/true);
    git::init();
    git_repository* r = nullptr;
    if (git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) return nullptr;
    return git::Repository(r);
}

std::string repository_root(git_repository* repo) {
    const char* dir = git_repository_workdir(repo);
    if (!dir) dir = git_repository_path(repo);
    std::string s = dir ? dir : ".";
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

std::vector<StagedBlob> staged_blobs(git_repository* repo) {
    git_index* ip = nullptr;
    if (git_repository_index(&ip, repo) != 0)
        throw std::runtime_error(label_of(repo) + ": cannot read the index: " + git::last_error());
    git::Index index(ip);
    git::Tree tree = head_tree(repo);

    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    // No content is read to decide "binary" here: the scanner decides that for the blobs it reads.
    opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
    opts.context_lines = 0;
    git_diff* dp = nullptr;
    if (git_diff_tree_to_index(&dp, repo, tree.get(), index.get(), &opts) != 0)
        throw std::runtime_error(label_of(repo) + ": cannot compare the index with HEAD: " + git::last_error());
    Diff diff(dp);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    if (git_diff_num_deltas(dp) > 1 && git_diff_find_similar(dp, &find) != 0)
        throw std::runtime_error(label_of(repo) + ": cannot detect renames: " + git::last_error());

    std::vector<StagedBlob> out;
    for (size_t i = 0, n = git_diff_num_deltas(dp); i < n; ++i) {
        const git_diff_delta* d = git_diff_get_delta(dp, i);
        switch (d->status) {
            case GIT_DELTA_ADDED:
            case GIT_DELTA_MODIFIED:
            case GIT_DELTA_RENAMED:
            case GIT_DELTA_COPIED:
            case GIT_DELTA_TYPECHANGE: break;
            default: continue;  // deleted, unmodified, conflicted
        }
        if (!is_file_mode(d->new_file.mode)) continue;
        StagedBlob b;
        b.path = d->new_file.path;
        b.id = d->new_file.id;
        if (d->status != GIT_DELTA_ADDED && is_file_mode(d->old_file.mode) && !git_oid_is_zero(&d->old_file.id)) {
            b.has_old = true;
            b.old_id = d->old_file.id;
            b.old_path = d->old_file.path;
        }
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace ks
