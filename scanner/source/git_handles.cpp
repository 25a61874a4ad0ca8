#include "source/git_handles.hpp"

#include <mutex>

namespace ks::git {

void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        git_libgit2_init();
        // Bound what libgit2 keeps: its object cache and mapped pack windows otherwise scale with the
        // repository (defaults: 256 MiB cache, 8 GiB of mappings on 64-bit).
        git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, ssize_t(32) << 20);
        git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, size_t(0));
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, size_t(128) << 20);
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, size_t(32) << 20);
        // Objects are verified by zlib; skipping the per-read hash check saves a SHA-1 per object.
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    });
}

std::string last_error() {
    const git_error* e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

std::string hex(const git_oid& id) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &id);
    return buf;
}

Repository open(const std::string& path, bool search) {
    init();
    git_repository* r = nullptr;
    unsigned flags = search ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH;
    if (git_repository_open_ext(&r, path.c_str(), flags, nullptr) != 0) return nullptr;
    return Repository(r);
}

}  // namespace ks::git
