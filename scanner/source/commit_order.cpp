#include "source/commit_order.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <queue>

namespace ks {

bool parse_commit(std::string_view raw, git_oid& tree, std::vector<git_oid>& parents, std::int64_t& time) {
    parents.clear();
    time = 0;
    bool has_tree = false;
    while (!raw.empty()) {
        const std::size_t nl = raw.find('\n');
        std::string_view line = raw.substr(0, nl);
        if (line.empty()) break;  // the headers end; the message follows
        raw = nl == std::string_view::npos ? std::string_view() : raw.substr(nl + 1);
        if (line.substr(0, 5) == "tree ") {
            if (line.size() < 5 + GIT_OID_HEXSZ || git_oid_fromstrn(&tree, line.data() + 5, GIT_OID_HEXSZ) != 0) return false;
            has_tree = true;
        } else if (line.substr(0, 7) == "parent ") {
            git_oid id;
            if (line.size() < 7 + GIT_OID_HEXSZ || git_oid_fromstrn(&id, line.data() + 7, GIT_OID_HEXSZ) != 0) return false;
            parents.push_back(id);
        } else if (line.substr(0, 10) == "committer ") {
            // "committer Name <email> 1700000000 +0100"
            const std::size_t gt = line.rfind('>');
            if (gt == std::string_view::npos) continue;
            std::string digits;
            for (std::size_t i = gt + 1; i < line.size() && digits.size() < 20; ++i)
                if (line[i] >= '0' && line[i] <= '9') digits += line[i];
                else if (!digits.empty()) break;
            time = std::strtoll(digits.c_str(), nullptr, 10);
        }
    }
    return has_tree;
}

namespace {

// The commits met so far, each read once: its date, its parents (flattened) and its flags.
class CommitGraph {
public:
    static constexpr std::uint32_t kUnreadable = 0xffffffffu;
    struct Node {
        git_oid id, tree;
        std::int64_t time = 0;
        std::uint32_t first_parent = 0, parents = 0;  // into parent_ids_
        bool hidden = false, listed = false, boundary = false;
        std::uint32_t waiting = 0;  // listed parents not yet ordered
    };

    CommitGraph(const CommitReader& read, const OidSet& shallow, const MissingCommit& missing)
        : read_(read), shallow_(shallow), missing_(missing) {}

    // The node of `id`, read on first use; kUnreadable if it cannot be read.
    std::uint32_t node(git_oid id) {  // a copy: `id` may live in parent_ids_, which this can grow
        if (std::size_t slot = index_.find(id); slot != index_.npos) return index_.value(slot);
        if (bad_.contains(id)) return kUnreadable;
        std::string_view raw;
        std::int64_t time = 0;
        git_oid tree;
        if (!read_(id, raw) || !parse_commit(raw, tree, scratch_, time)) {
            bad_.insert(id);
            missing_(id);
            return kUnreadable;
        }
        if (shallow_.contains(id)) scratch_.clear();
        const auto n = std::uint32_t(nodes_.size());
        nodes_.push_back(Node{id, tree, time, std::uint32_t(parent_ids_.size()), std::uint32_t(scratch_.size())});
        parent_ids_.insert(parent_ids_.end(), scratch_.begin(), scratch_.end());
        index_.insert(id, n);
        return n;
    }
    Node& operator[](std::uint32_t n) { return nodes_[n]; }
    std::size_t size() const { return nodes_.size(); }
    const git_oid& parent(const Node& n, std::uint32_t k) const { return parent_ids_[n.first_parent + k]; }
    std::uint32_t find(const git_oid& id) const {
        const std::size_t slot = index_.find(id);
        return slot == index_.npos ? kUnreadable : index_.value(slot);
    }

private:
    const CommitReader& read_;
    const OidSet& shallow_;
    const MissingCommit& missing_;
    std::vector<Node> nodes_;
    std::vector<git_oid> parent_ids_;
    OidTable<std::uint32_t> index_;
    OidSet bad_;
    std::vector<git_oid> scratch_;
};

}  // namespace

CommitList order_commits(const std::vector<git_oid>& starts, const std::vector<git_oid>& hidden,
                         const CommitReader& read, const OidSet& shallow, const MissingCommit& missing) {
    CommitGraph g(read, shallow, missing);
    // Newest first, as git walks: a hidden commit is usually met before the listed ones it hides.
    struct Queued {
        std::int64_t time;
        std::uint32_t node;
        bool hidden;
        bool operator<(const Queued& o) const { return time < o.time; }
    };
    std::priority_queue<Queued> queue;
    std::size_t listed_queued = 0;
    auto push = [&](std::uint32_t n, bool hide) {
        if (n == CommitGraph::kUnreadable) return;
        queue.push({g[n].time, n, hide});
        if (!hide) ++listed_queued;
    };
    auto hide = [&](std::uint32_t n) {
        if (n == CommitGraph::kUnreadable || g[n].hidden) return;
        g[n].hidden = true;
        push(n, true);
    };
    for (const git_oid& id : hidden) hide(g.node(id));
    for (const git_oid& id : starts) push(g.node(id), false);

    std::vector<std::uint32_t> listed;
    std::int64_t oldest_listed = INT64_MAX;
    constexpr std::int64_t kSkew = 24 * 3600;
    while (!queue.empty()) {
        // Only hidden commits are left: go on only while they may still reach a listed one.
        if (listed_queued == 0 && (listed.empty() || queue.top().time < oldest_listed - kSkew)) break;
        const Queued q = queue.top();
        queue.pop();
        if (!q.hidden) --listed_queued;
        // No reference into the graph is held across g.node(), which can grow it.
        const std::uint32_t parents = g[q.node].parents;
        if (g[q.node].hidden) {
            if (!q.hidden) continue;  // hidden after it was queued: its own hidden entry handles it
            for (std::uint32_t k = 0; k < parents; ++k) hide(g.node(g.parent(g[q.node], k)));
            continue;
        }
        if (g[q.node].listed) continue;
        g[q.node].listed = true;
        listed.push_back(q.node);
        oldest_listed = std::min(oldest_listed, g[q.node].time);
        for (std::uint32_t k = 0; k < parents; ++k) {
            const std::uint32_t p = g.node(g.parent(g[q.node], k));
            if (p != CommitGraph::kUnreadable && !g[p].listed && !g[p].hidden) push(p, false);
        }
    }

    // Kahn's algorithm over what is listed and not hidden: a commit is ready once its listed parents
    // are out; the oldest ready one goes next. Children are kept as one flat array (4 bytes an edge):
    // a history of a million commits must not cost a container per commit.
    std::vector<std::uint32_t> keep;
    for (std::uint32_t n : listed)
        if (!g[n].hidden) keep.push_back(n);
    CommitList out;
    std::vector<std::uint32_t> child_start(g.size() + 1, 0), children;
    auto each_kept_parent = [&](std::uint32_t n, auto&& f) {
        for (std::uint32_t k = 0; k < g[n].parents; ++k) {
            const std::uint32_t p = g.find(g.parent(g[n], k));
            if (p == CommitGraph::kUnreadable) continue;
            if (g[p].listed && !g[p].hidden) f(p);
            else if (!g[p].boundary) {  // read, but outside the list: the range starts from it
                g[p].boundary = true;
                out.boundary_trees.push_back(g[p].tree);
            }
        }
    };
    for (std::uint32_t n : keep) each_kept_parent(n, [&](std::uint32_t p) { ++child_start[p + 1]; });
    for (std::size_t i = 1; i < child_start.size(); ++i) child_start[i] += child_start[i - 1];
    children.resize(child_start.back());
    {
        std::vector<std::uint32_t> fill(child_start.begin(), child_start.end() - 1);
        for (std::uint32_t n : keep)
            each_kept_parent(n, [&](std::uint32_t p) {
                children[fill[p]++] = n;
                ++g[n].waiting;
            });
    }
    using Ready = std::pair<std::int64_t, std::uint32_t>;
    std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
    for (std::uint32_t n : keep)
        if (g[n].waiting == 0) ready.emplace(g[n].time, n);
    out.ids.reserve(keep.size());
    out.trees.reserve(keep.size());
    auto emit = [&](std::uint32_t n) {
        out.ids.push_back(g[n].id);
        out.trees.push_back(g[n].tree);
    };
    while (!ready.empty()) {
        const std::uint32_t n = ready.top().second;
        ready.pop();
        emit(n);
        for (std::uint32_t i = child_start[n]; i < child_start[n + 1]; ++i)
            if (const std::uint32_t c = children[i]; --g[c].waiting == 0) ready.emplace(g[c].time, c);
    }
    // A parent cycle cannot happen with real hashes; if a damaged repository fakes one, its commits
    // are still walked, after the rest.
    if (out.ids.size() < keep.size())
        for (std::uint32_t n : keep)
            if (g[n].waiting != 0) emit(n);
    return out;
}

}  // namespace ks
