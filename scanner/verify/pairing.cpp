#include "verify/pairing.hpp"

#include "verify/account_id.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace ks::verify {
namespace {

struct Span {
    std::uint64_t begin, end;
};

Span span_of(const Finding& f) {
    if (f.secret_end > f.secret_start) return {f.secret_start, f.secret_end};
    return {f.start, std::max(f.start, f.end)};
}

std::uint64_t gap_between(Span a, Span b) {
    if (a.end <= b.begin) return b.begin - a.end;
    if (b.end <= a.begin) return a.begin - b.end;
    return 0;
}

// Items of one kind in one blob, sorted by start, for window look-ups.
struct Sorted {
    std::vector<std::size_t> idx;
    std::uint64_t max_len = 0;

    void finish(const std::vector<Finding>& f) {
        std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            return std::make_tuple(span_of(f[a]).begin, a) < std::make_tuple(span_of(f[b]).begin, b);
        });
        for (std::size_t i : idx) {
            Span s = span_of(f[i]);
            max_len = std::max(max_len, s.end - s.begin);
        }
    }

    // Calls fn(index, gap) for each item within `bound` bytes of `around`.
    template <class Fn>
    void near(const std::vector<Finding>& f, Span around, std::uint64_t bound, Fn&& fn) const {
        const std::uint64_t lo = around.begin > bound + max_len ? around.begin - bound - max_len : 0;
        auto it = std::lower_bound(idx.begin(), idx.end(), lo,
                                   [&](std::size_t i, std::uint64_t v) { return span_of(f[i]).begin < v; });
        for (; it != idx.end(); ++it) {
            Span s = span_of(f[*it]);
            if (s.begin > around.end + bound) break;
            std::uint64_t g = gap_between(around, s);
            if (g <= bound) fn(*it, g);
        }
    }
};

struct Edge {
    std::uint64_t gap;
    std::uint64_t id_pos, secret_pos;
    std::size_t id, secret;
    bool operator<(const Edge& o) const {
        return std::tie(gap, id_pos, secret_pos, id, secret) < std::tie(o.gap, o.id_pos, o.secret_pos, o.id, o.secret);
    }
};

}  // namespace

AwsKind aws_kind(const Finding& f) {
    std::string_view k = f.verify_kind;
    if (k == "aws:key-id") return AwsKind::key_id;
    if (k == "aws:secret") return AwsKind::secret;
    if (k == "aws:session-token") return AwsKind::session_token;
    if (k == "aws" || k.empty()) {
        if (f.rule_id == "aws-access-key-id") return AwsKind::key_id;
        if (f.rule_id == "aws-secret-access-key") return AwsKind::secret;
        if (f.rule_id == "aws-session-token") return AwsKind::session_token;
    }
    return AwsKind::none;
}

std::uint64_t gap(const Finding& a, const Finding& b) { return gap_between(span_of(a), span_of(b)); }

Pairing pair_findings(const std::vector<Finding>& findings, std::uint64_t max_distance, std::size_t max_secrets) {
    Pairing out;
    out.nearest_key.assign(findings.size(), std::nullopt);
    if (max_secrets == 0) max_secrets = 1;

    struct Blob {
        std::vector<std::size_t> ids;
        Sorted secrets, tokens;
    };
    std::unordered_map<std::string_view, Blob> blobs;
    std::vector<std::string_view> order;  // blob ids in first-seen order, for determinism
    for (std::size_t i = 0; i < findings.size(); ++i) {
        AwsKind k = aws_kind(findings[i]);
        if (k == AwsKind::none) continue;
        auto [it, fresh] = blobs.try_emplace(findings[i].blob_id);
        if (fresh) order.push_back(it->first);
        if (k == AwsKind::key_id) it->second.ids.push_back(i);
        else if (k == AwsKind::secret) it->second.secrets.idx.push_back(i);
        else it->second.tokens.idx.push_back(i);
    }

    std::vector<KeyPlan> plans;
    for (std::string_view blob_id : order) {
        Blob& b = blobs[blob_id];
        b.secrets.finish(findings);
        b.tokens.finish(findings);

        // Every key id/secret pair within the bound, then a greedy matching by increasing gap.
        std::vector<Edge> edges;
        for (std::size_t id : b.ids) {
            Span s = span_of(findings[id]);
            b.secrets.near(findings, s, max_distance, [&](std::size_t sec, std::uint64_t g) {
                edges.push_back({g, s.begin, span_of(findings[sec]).begin, id, sec});
            });
        }
        std::sort(edges.begin(), edges.end());
        std::unordered_map<std::size_t, std::size_t> primary;  // id -> secret
        std::unordered_map<std::size_t, std::size_t> taken;    // secret -> id
        for (const Edge& e : edges) {
            if (primary.count(e.id) || taken.count(e.secret)) continue;
            primary.emplace(e.id, e.secret);
            taken.emplace(e.secret, e.id);
        }
        std::unordered_map<std::size_t, std::vector<std::size_t>> by_id;  // candidates, nearest first
        for (const Edge& e : edges) by_id[e.id].push_back(e.secret);

        for (std::size_t id : b.ids) {
            KeyPlan plan;
            plan.id = id;
            auto& cands = by_id[id];
            if (auto p = primary.find(id); p != primary.end()) {
                plan.secrets.push_back(p->second);
                for (std::size_t s : cands)
                    if (s != p->second) plan.secrets.push_back(s);
            } else {
                plan.secrets = cands;
            }
            if (plan.secrets.size() > max_secrets) plan.secrets.resize(max_secrets);
            if (is_session_key_id(findings[id].secret)) {
                std::optional<std::pair<std::uint64_t, std::size_t>> best;
                b.tokens.near(findings, span_of(findings[id]), max_distance, [&](std::size_t t, std::uint64_t g) {
                    if (!best || g < best->first) best = {g, t};
                });
                if (best) plan.token = best->second;
            }
            plans.push_back(std::move(plan));
        }

        // Secrets: their matched key id, else the nearest one. Tokens: the nearest ASIA key id, else the nearest.
        std::unordered_map<std::size_t, std::size_t> nearest_for_secret;
        for (const Edge& e : edges) nearest_for_secret.try_emplace(e.secret, e.id);  // edges are by gap
        for (std::size_t sec : b.secrets.idx) {
            if (auto t = taken.find(sec); t != taken.end()) out.nearest_key[sec] = t->second;
            else if (auto n = nearest_for_secret.find(sec); n != nearest_for_secret.end()) out.nearest_key[sec] = n->second;
        }
        Sorted ids;
        ids.idx = b.ids;
        ids.finish(findings);
        for (std::size_t tok : b.tokens.idx) {
            std::optional<std::tuple<bool, std::uint64_t, std::size_t>> best;  // an ASIA id first, then nearest
            ids.near(findings, span_of(findings[tok]), max_distance, [&](std::size_t id, std::uint64_t g) {
                std::tuple<bool, std::uint64_t, std::size_t> cand{!is_session_key_id(findings[id].secret), g, id};
                if (!best || cand < *best) best = cand;
            });
            if (best) out.nearest_key[tok] = std::get<2>(*best);
        }
        for (std::size_t id : b.ids) out.nearest_key[id] = id;
    }
    std::sort(plans.begin(), plans.end(), [](const KeyPlan& a, const KeyPlan& b) { return a.id < b.id; });
    out.keys = std::move(plans);
    return out;
}

}  // namespace ks::verify
