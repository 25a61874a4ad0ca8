#include "pipeline/push_range.hpp"

#include "pipeline/staged_scan.hpp"
#include "source/git_handles.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace ks {

namespace {

using Diff = std::unique_ptr<git_diff, git::Deleter<git_diff, git_diff_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, git::Deleter<git_tree_entry, git_tree_entry_free>>;

bool is_hex_sha(std::string_view s) {
    if (s.size() != 40 && s.size() != 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The commit `sha` peels to, or nothing when the object is missing or no commit.
bool peel_commit(git_repository* repo, const std::string& sha, git_oid& out) {
    git_oid id;
    if (git_oid_fromstr(&id, sha.c_str()) != 0) return false;
    git_object* o = nullptr;
    if (git_object_lookup(&o, repo, &id, GIT_OBJECT_ANY) != 0) return false;
    git::Object obj(o);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, o, GIT_OBJECT_COMMIT) != 0) return false;
    git::Object p(peeled);
    out = *git_object_id(peeled);
    return true;
}

// Every commit a remote-tracking ref points at.
void remote_tracking_commits(git_repository* repo, std::set<std::string>& out) {
    struct Ctx { git_repository* repo; std::set<std::string>* out; } ctx{repo, &out};
    git_reference_foreach_glob(repo, "refs/remotes/*", [](const char* name, void* p) {
        auto* c = static_cast<Ctx*>(p);
        git_reference* r = nullptr;
        if (git_reference_lookup(&r, c->repo, name) != 0) return 0;
        git::Reference ref(r);
        git_object* o = nullptr;
        if (git_reference_peel(&o, r, GIT_OBJECT_COMMIT) != 0) return 0;  // e.g. a dangling origin/HEAD
        git::Object obj(o);
        c->out->insert(git::hex(*git_object_id(o)));
        return 0;
    }, &ctx);
}

// The blob at `path` in `tree`, if it is a file there.
bool blob_at(git_tree* tree, const std::string& path, git_oid& out) {
    git_tree_entry* e = nullptr;
    if (git_tree_entry_bypath(&e, tree, path.c_str()) != 0) return false;
    TreeEntry entry(e);
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return false;
    out = *git_tree_entry_id(e);
    return true;
}

// Where `path` in `commit` came from when its first parent has no such path: a rename or copy source.
bool rename_source(git_repository* repo, git_tree* parent, git_tree* tree, const std::string& path, git_oid& out,
                   std::string& out_path) {
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
    git_diff* dp = nullptr;
    if (git_diff_tree_to_tree(&dp, repo, parent, tree, &opts) != 0) return false;
    Diff diff(dp);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES;
    if (git_diff_find_similar(dp, &find) != 0) return false;
    for (size_t i = 0, n = git_diff_num_deltas(dp); i < n; ++i) {
        const git_diff_delta* d = git_diff_get_delta(dp, i);
        if ((d->status == GIT_DELTA_RENAMED || d->status == GIT_DELTA_COPIED) && path == d->new_file.path) {
            out = d->old_file.id;
            out_path = d->old_file.path;
            return true;
        }
    }
    return false;
}

// The versions of `path` that `commit`'s parents had (see keep_introduced), with their paths there.
// Empty for a root commit or a file no parent had in any form.
struct OldBlob {
    git_oid id;
    std::string path;
};
std::vector<OldBlob> old_versions(git_repository* repo, const std::string& commit_hex, const std::string& path) {
    std::vector<OldBlob> out;
    git_oid cid;
    git_commit* c = nullptr;
    if (git_oid_fromstr(&cid, commit_hex.c_str()) != 0 || git_commit_lookup(&c, repo, &cid) != 0) return out;
    git::Commit commit(c);
    git::Tree first_parent_tree;
    for (unsigned i = 0, n = git_commit_parentcount(c); i < n; ++i) {
        git_commit* pc = nullptr;
        if (git_commit_parent(&pc, c, i) != 0) continue;  // a parent outside a shallow clone
        git::Commit parent(pc);
        git_tree* t = nullptr;
        if (git_commit_tree(&t, pc) != 0) continue;
        git::Tree tree(t);
        git_oid id;
        if (blob_at(t, path, id)) out.push_back({id, path});
        if (i == 0) first_parent_tree = std::move(tree);
    }
    if (out.empty() && first_parent_tree) {
        git_tree* t = nullptr;
        if (git_commit_tree(&t, c) == 0) {
            git::Tree tree(t);
            OldBlob b;
            if (rename_source(repo, first_parent_tree.get(), t, path, b.id, b.path)) out.push_back(std::move(b));
        }
    }
    return out;
}

}  // namespace

bool is_zero_sha(std::string_view sha) {
    return !sha.empty() && std::all_of(sha.begin(), sha.end(), [](char c) { return c == '0'; });
}

std::vector<PushUpdate> parse_pre_push(std::string_view input) {
    std::vector<PushUpdate> out;
    std::size_t line_no = 0;
    while (!input.empty()) {
        std::size_t nl = input.find('\n');
        std::string_view line = input.substr(0, nl);
        input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        std::vector<std::string> words;
        std::size_t pos = 0;
        while (pos < line.size()) {
            std::size_t start = line.find_first_not_of(" \t", pos);
            if (start == std::string_view::npos) break;
            std::size_t end = line.find_first_of(" \t", start);
            if (end == std::string_view::npos) end = line.size();
            words.emplace_back(line.substr(start, end - start));
            pos = end;
        }
        if (words.size() != 4 || !is_hex_sha(words[1]) || !is_hex_sha(words[3]))
            throw std::runtime_error("pre-push input line " + std::to_string(line_no) +
                                     ": expected '<local ref> <local sha> <remote ref> <remote sha>'");
        out.push_back({words[0], words[1], words[2], words[3]});
    }
    return out;
}

PushRevisions push_revisions(git_repository* repo, const std::vector<PushUpdate>& updates, Diagnostics& diag) {
    std::set<std::string> include, exclude;
    bool need_remote_refs = false;
    for (const auto& u : updates) {
        if (is_zero_sha(u.local_sha)) continue;  // a deletion sends no object
        git_oid local;
        if (!peel_commit(repo, u.local_sha, local)) {
            diag.warn("not-a-commit", u.local_ref + " " + u.local_sha, "pushed object is not a commit here; not scanned");
            continue;
        }
        include.insert(git::hex(local));
        git_oid remote;
        if (!is_zero_sha(u.remote_sha) && peel_commit(repo, u.remote_sha, remote)) exclude.insert(git::hex(remote));
        else need_remote_refs = true;
    }
    if (include.empty()) return {};
    if (need_remote_refs) remote_tracking_commits(repo, exclude);
    PushRevisions r;
    r.include.assign(include.begin(), include.end());
    r.exclude.assign(exclude.begin(), exclude.end());
    return r;
}

void keep_introduced(git_repository* repo, std::vector<Finding>& findings,
                     const std::shared_ptr<const CompiledRules>& rules, std::uint64_t max_blob_size) {
    // Findings of one blob, in one commit, at one path, are decided together.
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < findings.size(); ++i)
        if (!findings[i].commit.empty() && !findings[i].blob_id.empty())
            groups[{findings[i].commit, findings[i].path, findings[i].blob_id}].push_back(i);
    if (groups.empty()) return;

    git_odb* raw = nullptr;
    if (git_repository_odb(&raw, repo) != 0) return;
    git::Odb odb(raw);
    auto read = [&](const git_oid& id, git::OdbObject& obj) -> bool {
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&len, &type, raw, &id) != 0 || type != GIT_OBJECT_BLOB || len > max_blob_size) return false;
        git_odb_object* o = nullptr;
        if (git_odb_read(&o, raw, &id) != 0) return false;
        obj.reset(o);
        return true;
    };
    auto view = [](const git::OdbObject& o) {
        return std::string_view(static_cast<const char*>(git_odb_object_data(o.get())), git_odb_object_size(o.get()));
    };

    BlobMatcher matcher(rules);
    const auto path_rules = path_rule_ids(*rules);
    std::vector<char> keep(findings.size(), 1);
    for (const auto& [key, idx] : groups) {
        const auto& [commit, path, blob] = key;
        std::vector<OldBlob> olds = old_versions(repo, commit, path);
        if (olds.empty()) continue;  // a new file: all of it is new
        git_oid bid;
        git::OdbObject after_obj;
        if (git_oid_fromstr(&bid, blob.c_str()) != 0 || !read(bid, after_obj)) continue;
        std::vector<git::OdbObject> old_objs(olds.size());
        std::vector<OldVersion> before;
        for (std::size_t k = 0; k < olds.size(); ++k)
            if (read(olds[k].id, old_objs[k])) before.push_back({olds[k].path, view(old_objs[k])});
        std::vector<Finding> group;
        for (std::size_t i : idx) group.push_back(findings[i]);
        keep_new_findings(group, view(after_obj), before, matcher, path_rules);
        std::set<std::tuple<std::uint64_t, std::uint64_t, std::string>> kept;
        for (const auto& f : group) kept.insert({f.start, f.end, f.rule_id});
        for (std::size_t i : idx)
            if (!kept.count({findings[i].start, findings[i].end, findings[i].rule_id})) keep[i] = 0;
    }
    std::size_t w = 0;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (!keep[i]) continue;
        if (w != i) findings[w] = std::move(findings[i]);
        ++w;
    }
    findings.resize(w);
}

ScanOutcome scan_push(const std::string& repo_path, const std::vector<PushUpdate>& updates,
                      const std::shared_ptr<const CompiledRules>& rules, ScanOptions opts, Diagnostics& diag) {
    auto t0 = std::chrono::steady_clock::now();
    git::Repository repo = git::open(repo_path);
    if (!repo) throw std::runtime_error(repo_path + ": not a git repository");
    PushRevisions revs = push_revisions(repo.get(), updates, diag);
    if (revs.include.empty()) {
        ScanOutcome none;
        none.summary.targets = {repo_path};
        for (const auto& r : rules_of(*rules)) none.summary.rules.push_back({r.id, r.description});
        none.summary.skipped = diag.counts();
        none.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return none;
    }
    opts.include = std::move(revs.include);
    opts.exclude = std::move(revs.exclude);
    opts.no_git = false;
    opts.all_objects = false;
    opts.only_introduced = true;
    ScanOutcome out = scan_targets({repo_path}, rules, opts, diag);
    out.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace ks
