// RAII for libgit2 handles, one-time library set-up, and error text.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

namespace ks::git {

template <class T, void (*Free)(T*)>
struct Deleter { void operator()(T* p) const { if (p) Free(p); } };

using Repository = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Odb = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
using OdbObject = std::unique_ptr<git_odb_object, Deleter<git_odb_object, git_odb_object_free>>;
using Revwalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Reflog = std::unique_ptr<git_reflog, Deleter<git_reflog, git_reflog_free>>;
using Index = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;

// Initialises libgit2 once per process with bounded caches (memory must not grow with history).
void init();

// libgit2's last error message, or a generic text.
std::string last_error();

std::string hex(const git_oid& id);

// Every object id the object database holds (packed and loose; an id may repeat), for --all-objects.
std::vector<git_oid> object_ids(git_odb* odb);
// Whether `id` is a blob, from its header alone.
bool is_blob(git_odb* odb, const git_oid& id);

// Opens a repository (bare or not, searching upward from `path` only if `search`). Null on failure.
Repository open(const std::string& path, bool search = false);

}  // namespace ks::git
