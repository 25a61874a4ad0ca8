#include "source/history.hpp"

#include "source/commit_order.hpp"
#include "source/object_marks.hpp"
#include "source/oid_set.hpp"
#include "source/pack_reader.hpp"
#include "source/path_table.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace ks {

class HistoryWalker::SeenSets {
public:
    explicit SeenSets(const pack::Packs* packs) : trees(packs), blobs(packs) {}
    ObjectMarks trees, blobs;
    // Per tree path, the raw bytes of the last tree walked there: all its entries are seen, so the
    // entries a newer version shares with it need no look-up (a commit changes one entry or two of
    // a folder of thousands).
    std::unordered_map<std::string, std::string> last_trees;
};

// Blobs a chunk of the walk met first, kept compact until they are replayed: the paths interned.
struct HistoryWalker::Sightings {
    struct Sighting {
        git_oid id;
        std::uint32_t commit, path;
    };
    std::vector<Sighting> blobs;
    PathTable paths;
    void add(const BlobTask& t) { blobs.push_back({t.id, t.commit, paths.intern(t.path)}); }
};

HistoryWalker::HistoryWalker(git_repository* repo, HistoryOptions opts, Diagnostics& diag, std::string label)
    : repo_(repo), opts_(std::move(opts)), diag_(diag), label_(std::move(label)),
      seen_(std::make_shared<SeenSets>(opts_.packs)) {}

namespace {

git_oid resolve(git_repository* repo, const std::string& spec) {
    git::Object obj;
    git_object* o = nullptr;
    if (git_revparse_single(&o, repo, spec.c_str()) != 0)
        throw std::runtime_error("unknown revision '" + spec + "': " + git::last_error());
    obj.reset(o);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0)
        throw std::runtime_error("revision '" + spec + "' is not a commit");
    git::Object p(peeled);
    return *git_object_id(p.get());
}

}  // namespace

// Lists every ref's commit; refs that peel to a tree or blob (tags of trees/blobs) are kept apart.
void HistoryWalker::push_refs(std::vector<git_oid>& starts, std::vector<std::pair<git_oid, std::string>>& loose) {
    git_reference_iterator* it = nullptr;
    if (git_reference_iterator_new(&it, repo_) != 0) {
        diag_.warn("bad-ref", label_, "cannot list refs: " + git::last_error());
        return;
    }
    std::unique_ptr<git_reference_iterator, void (*)(git_reference_iterator*)> guard(it, git_reference_iterator_free);
    git_reference* raw = nullptr;
    while (git_reference_next(&raw, it) == 0) {
        git::Reference ref(raw);
        const char* name = git_reference_name(ref.get());
        git_object* o = nullptr;
        if (git_reference_peel(&o, ref.get(), GIT_OBJECT_ANY) != 0) {
            diag_.warn("bad-ref", label_ + ": " + name, "cannot resolve ref: " + git::last_error());
            continue;
        }
        git::Object obj(o);
        git_object_t type = git_object_type(obj.get());
        if (type == GIT_OBJECT_COMMIT) {
            starts.push_back(*git_object_id(obj.get()));
        } else if (type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB) {
            loose.emplace_back(*git_object_id(obj.get()), name);
        }
    }
    // Older stashes live only in the stash's reflog.
    git_reflog* log = nullptr;
    if (git_reflog_read(&log, repo_, "refs/stash") == 0) {
        git::Reflog reflog(log);
        for (size_t i = 0; i < git_reflog_entrycount(reflog.get()); ++i) {
            const git_reflog_entry* e = git_reflog_entry_byindex(reflog.get(), i);
            const git_oid* id = git_reflog_entry_id_new(e);
            if (git_odb_exists(odb_.get(), id)) starts.push_back(*id);  // a dropped stash may be gone: fine
        }
    }
    git_oid head;
    if (git_reference_name_to_id(&head, repo_, "HEAD") == 0) starts.push_back(head);
}

// Reads trees and commits: from the packs when their indexes are given (no locks, bounded delta
// base cache), else, and for whatever the packs lack or cannot give, through libgit2. One buffer per
// tree depth, so a tree's bytes stay valid while its subtrees are read.
class HistoryWalker::ObjectSource {
public:
    ObjectSource(git_odb* odb, const pack::Packs* packs) : odb_(odb) {
        if (packs && !packs->empty()) reader_.emplace(*packs);
    }
    // 0, or a libgit2 error code (GIT_EINVALID for an object of another type; git_error_last() set).
    // `at`: where the packs hold it, when the caller has looked already (null: look it up).
    int read(const git_oid& id, git_object_t want, unsigned depth, std::string_view& data,
             const pack::Location* at = nullptr) {
        if (levels_.size() <= depth) levels_.resize(depth + 1);
        Level& l = levels_[depth];
        l.obj.reset();
        if (reader_) {
            std::uint8_t type = 0;
            const auto st = at ? reader_->read(*at, l.bytes, type) : reader_->read(id, l.bytes, type);
            if (st == PackReader::Status::ok) {
                if (type != std::uint8_t(want)) return GIT_EINVALID;
                data = l.bytes;
                return 0;
            }  // not in a pack, or damaged there: libgit2 reads it or says what is wrong
        }
        git_odb_object* o = nullptr;
        if (int err = git_odb_read(&o, odb_, &id)) return err;
        l.obj.reset(o);
        if (git_odb_object_type(o) != want) return GIT_EINVALID;
        data = std::string_view(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
        return 0;
    }

private:
    struct Level {
        std::string bytes;
        git::OdbObject obj;
    };
    git_odb* odb_;
    std::optional<PackReader> reader_;
    std::vector<Level> levels_;
};

namespace {

// The entries of a raw tree, one at a time (parsed in place: libgit2 would build an entry object per
// entry, most of the cost of walking history). kind: 't' tree, 'b' blob, 'c' submodule commit.
struct TreeCursor {
    const char* p;
    const char* end;
    bool valid = false, malformed = false;
    char kind = 0;
    std::string_view name;
    git_oid id{};

    explicit TreeCursor(std::string_view tree) : p(tree.data()), end(tree.data() + tree.size()) { next(); }
    void next() {
        valid = false;
        if (p >= end) return;
        const char* sp = static_cast<const char*>(std::memchr(p, ' ', std::size_t(end - p)));
        const char* nul = sp ? static_cast<const char*>(std::memchr(sp + 1, 0, std::size_t(end - sp - 1))) : nullptr;
        if (!nul || end - nul < 1 + GIT_OID_RAWSZ) {
            malformed = true;
            return;
        }
        const std::string_view mode(p, std::size_t(sp - p));
        kind = mode == "40000" ? 't' : mode == "160000" ? 'c' : 'b';
        name = std::string_view(sp + 1, std::size_t(nul - sp - 1));
        std::memcpy(id.id, nul + 1, GIT_OID_RAWSZ);
        p = nul + 1 + GIT_OID_RAWSZ;
        valid = true;
    }
};

// Calls f(kind, name, id) per entry of a raw tree. Returns false on a malformed tree.
template <class F>
bool for_each_entry(std::string_view tree, F&& f) {
    TreeCursor c(tree);
    for (; c.valid; c.next()) f(c.kind, c.name, c.id);
    return !c.malformed;
}

// Git's order of tree entries: by name, a folder's name read as if it ended in '/'.
int tree_order(std::string_view a, bool a_tree, std::string_view b, bool b_tree) {
    const std::size_t n = std::min(a.size(), b.size());
    if (int c = std::memcmp(a.data(), b.data(), n)) return c;
    const int ca = a.size() > n ? static_cast<unsigned char>(a[n]) : a_tree ? '/' : 0;
    const int cb = b.size() > n ? static_cast<unsigned char>(b[n]) : b_tree ? '/' : 0;
    return ca - cb;
}

}  // namespace

void HistoryWalker::mark_tree(ObjectSource& src, const git_oid& id, unsigned depth) {
    if (!seen_->trees.insert(id)) return;
    std::string_view tree;
    if (src.read(id, GIT_OBJECT_TREE, depth, tree)) return;  // a missing boundary tree only means more is "new"
    for_each_entry(tree, [&](char kind, std::string_view, const git_oid& child) {
        if (kind == 't') mark_tree(src, child, depth + 1);
        else if (kind == 'b') seen_->blobs.insert(child);
    });
}

void HistoryWalker::walk_tree(SeenSets& seen, ObjectSource& src, const git_oid& id, std::uint32_t commit,
                              std::string& prefix, const std::function<void(BlobTask&&)>& sink, unsigned depth) {
    // An unchanged subtree has the same id: everything below it was seen already.
    pack::Location at;
    if (!seen.trees.insert(id, at)) return;
    std::string_view tree;
    auto where = [&] { return label_ + ": tree " + git::hex(id) + (prefix.empty() ? "" : " (" + prefix + ")"); };
    if (int err = src.read(id, GIT_OBJECT_TREE, depth, tree, opts_.packs ? &at : nullptr)) {
        diag_.warn(err == GIT_ENOTFOUND ? "missing" : "corrupt", where(),
                   err == GIT_EINVALID ? "not a tree" : "cannot read tree: " + git::last_error());
        return;
    }
    const size_t base = prefix.size();
    // Node references stay valid as the map grows; deeper calls use other keys.
    std::string& last = seen.last_trees[prefix];
    TreeCursor old(last);
    bool ok = for_each_entry(tree, [&](char kind, std::string_view name, const git_oid& child) {
        if (kind == 'c') return;  // submodule commits live in another repository
        while (old.valid && tree_order(old.name, old.kind == 't', name, kind == 't') < 0) old.next();
        if (old.valid && old.name == name && std::memcmp(old.id.id, child.id, GIT_OID_RAWSZ) == 0) return;
        prefix.resize(base);
        prefix += name;
        if (kind == 't') {
            prefix += '/';
            walk_tree(seen, src, child, commit, prefix, sink, depth + 1);
        } else if (pack::Location blob_at; seen.blobs.insert(child, blob_at)) {
            sink(BlobTask{child, commit, prefix, blob_at});
        }
    });
    prefix.resize(base);
    if (!ok) {
        diag_.warn("corrupt", where(), "malformed tree");
        return;
    }
    last.assign(tree);
}

void HistoryWalker::walk_commits(SeenSets& seen, ObjectSource& src, std::uint32_t begin, std::uint32_t end,
                                 const std::function<void(BlobTask&&)>& sink) {
    std::string prefix;
    for (std::uint32_t i = begin; i < end; ++i) {
        prefix.clear();
        walk_tree(seen, src, trees_[i], i, prefix, sink);
    }
}

void HistoryWalker::walk_chunk(std::uint32_t begin, std::uint32_t end, Sightings& out) {
    git::Repository repo = git::open(opts_.repo_path);
    if (!repo) throw std::runtime_error(label_ + ": cannot open repository: " + git::last_error());
    git_odb* raw = nullptr;
    if (git_repository_odb(&raw, repo.get()) != 0) throw std::runtime_error(label_ + ": " + git::last_error());
    git::Odb odb(raw);
    ObjectSource src(odb.get(), opts_.packs);
    SeenSets seen(opts_.packs);
    walk_commits(seen, src, begin, end, [&](BlobTask&& t) { out.add(t); });
}

void HistoryWalker::list_commits(ObjectSource& src, const std::vector<git_oid>& starts,
                                 const std::vector<git_oid>& hidden) {
    // A shallow clone's boundary commits name parents it does not have.
    OidSet shallow;
    std::ifstream file(std::string(git_repository_commondir(repo_)) + "shallow");
    git_oid id;
    for (std::string line; std::getline(file, line);)
        if (line.size() >= GIT_OID_HEXSZ && git_oid_fromstrn(&id, line.data(), GIT_OID_HEXSZ) == 0) shallow.insert(id);
    std::string why;
    CommitList list = order_commits(
        starts, hidden,
        [&](const git_oid& id, std::string_view& raw) {
            const int err = src.read(id, GIT_OBJECT_COMMIT, 0, raw);
            if (err) why = err == GIT_EINVALID ? "not a commit" : "cannot read commit: " + git::last_error();
            else why = "malformed commit";
            return err == 0;
        },
        shallow, [&](const git_oid& id) { diag_.warn("missing", label_ + ": commit " + git::hex(id), why); });
    commits_ = std::move(list.ids);
    trees_ = std::move(list.trees);
    boundary_trees_ = std::move(list.boundary_trees);
}

void HistoryWalker::walk(const std::function<void(BlobTask&&)>& sink) {
    // The seen sets are the walk's memory (one id per tree and blob of the history): gone after it.
    struct Forget {
        std::shared_ptr<SeenSets>& seen;
        const pack::Packs* packs;
        ~Forget() { seen = std::make_shared<SeenSets>(packs); }
    } forget{seen_, opts_.packs};
    git_odb* raw_odb = nullptr;
    if (git_repository_odb(&raw_odb, repo_) != 0) throw std::runtime_error(label_ + ": " + git::last_error());
    odb_.reset(raw_odb);
    std::vector<std::pair<git_oid, std::string>> loose;
    std::vector<git_oid> starts;
    if (opts_.include.empty()) push_refs(starts, loose);
    for (const auto& spec : opts_.include) starts.push_back(resolve(repo_, spec));
    ObjectSource src(odb_.get(), opts_.packs);
    std::vector<git_oid> hidden;
    for (const auto& spec : opts_.exclude) hidden.push_back(resolve(repo_, spec));
    list_commits(src, starts, hidden);

    // Trees at the boundary (hidden parents of walked commits) are old: mark them seen first.
    for (const git_oid& tree : boundary_trees_) mark_tree(src, tree);
    std::vector<git_oid>().swap(boundary_trees_);

    // Later chunks of a long history are walked meanwhile on other threads; each starts with empty
    // seen sets (so it re-reads one full tree), and its sightings are replayed after ours in commit
    // order, so the oldest sighting of a blob still wins.
    const std::uint32_t n = std::uint32_t(commits_.size());
    unsigned parts = opts_.exclude.empty() && !opts_.repo_path.empty() ? std::max(1u, opts_.parts) : 1;
    if (n < 1000u * parts) parts = 1;
    std::vector<Sightings> found(parts);
    std::vector<std::thread> helpers;
    std::vector<std::exception_ptr> failures(parts);
    auto bound = [&](unsigned k) { return std::uint32_t(std::uint64_t(n) * k / parts); };
    for (unsigned k = 1; k < parts; ++k)
        helpers.emplace_back([&, k] {
            try {
                walk_chunk(bound(k), bound(k + 1), found[k]);
            } catch (...) {
                failures[k] = std::current_exception();
            }
        });
    walk_commits(*seen_, src, 0, bound(1), sink);
    for (auto& th : helpers) th.join();
    std::vector<git_oid>().swap(trees_);  // the commits' trees are walked: not kept through the scan
    for (auto& f : failures)
        if (f) std::rethrow_exception(f);
    for (unsigned k = 1; k < parts; ++k) {
        pack::Location at;
        for (const auto& b : found[k].blobs)
            if (seen_->blobs.insert(b.id, at)) sink(BlobTask{b.id, b.commit, found[k].paths[b.path], at});
        found[k] = Sightings{};
    }
    std::string prefix;
    for (auto& [oid, name] : loose) {
        git_object_t type = GIT_OBJECT_INVALID;
        git::Object o;
        git_object* op = nullptr;
        if (git_object_lookup(&op, repo_, &oid, GIT_OBJECT_ANY) == 0) {
            o.reset(op);
            type = git_object_type(op);
        }
        if (type == GIT_OBJECT_TREE) {
            prefix = name + ":";
            walk_tree(*seen_, src, oid, BlobTask::kNoCommit, prefix, sink);
        } else if (pack::Location at; type == GIT_OBJECT_BLOB && seen_->blobs.insert(oid, at)) {
            sink(BlobTask{oid, BlobTask::kNoCommit, name, at});
        }
    }
    if (opts_.all_objects) {
        git_odb* raw = nullptr;
        if (git_repository_odb(&raw, repo_) != 0) return;
        git::Odb odb(raw);
        for (const auto& oid : git::object_ids(raw)) {
            if (seen_->blobs.contains(oid) || seen_->trees.contains(oid)) continue;
            if (pack::Location at; git::is_blob(raw, oid) && seen_->blobs.insert(oid, at))
                sink(BlobTask{oid, BlobTask::kNoCommit, "", at});
        }
    }
}

}  // namespace ks
