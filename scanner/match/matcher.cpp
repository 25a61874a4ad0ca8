// Scanning one blob: Hyperscan finds where rules end (the callback only records), then PCRE2
// extracts the groups from a short window, and the filters decide.
#include "match/ascii.hpp"
#include "match/compiled_rules.hpp"
#include "match/decode.hpp"
#include "match/entropy.hpp"
#include "match/inline_allow.hpp"
#include "match/placeholder.hpp"
#include "match/rules_loader.hpp"
#include "model/fingerprint.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

namespace ks {

CompiledAllow::CompiledAllow(const AllowRule& a)
    : target(a.target), stopwords(a.stopwords), commits(a.commits), all(a.all) {
    for (const auto& r : a.regexes) regexes.push_back(std::make_unique<LazyRegex>(r));
    for (const auto& p : a.paths) paths.push_back(std::make_unique<LazyRegex>(p));
}

RuleRuntime::RuleRuntime(const Rule& r) : capture(r.regex) {
    if (!r.path.empty()) path = std::make_unique<LazyRegex>(r.path);
    for (const auto& a : r.allow) allow.push_back(std::make_unique<LazyRegex>(a));
    for (const auto& a : r.allowlists) allowlists.emplace_back(a);
}

namespace {

// The group that holds the secret: explicit number, explicit name, a group named "secret", else 1.
int secret_group_of(const Rule& r, const pcre2_code* code) {
    if (r.secret_group) return *r.secret_group;
    std::string name = r.secret_group_name.empty() ? "secret" : r.secret_group_name;
    int n = pcre2_substring_number_from_name(code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
    if (n > 0) return n;
    if (!r.secret_group_name.empty()) return -1;
    return 1;
}

}  // namespace

void validate_pcre2(const CompiledRules& c) {
    auto check_list = [](const std::string& where, const std::vector<std::string>& regexes) {
        for (const auto& re : regexes) {
            std::string e;
            if (!pcre2_compile_jit(re, e, false)) throw ConfigError(where + ": invalid allow-list regex: " + e);
        }
    };
    for (const auto& a : c.allow_lists) {
        for (const auto* v : {&a.regexes, &a.paths})
            for (const auto& re : *v) check_list("config allow-list", {re->pattern()});
    }
    for (const auto& r : c.rules) {
        for (const auto& a : r.allowlists) {
            check_list(r.source + ": rule '" + r.id + "'", a.regexes);
            check_list(r.source + ": rule '" + r.id + "'", a.paths);
        }
        if (r.kind == Rule::Kind::path) {
            std::string e;
            if (!pcre2_compile_jit(r.path, e, false))
                throw ConfigError(r.source + ": rule '" + r.id + "': invalid path regex: " + e);
            for (const auto& a : r.allow)
                if (!pcre2_compile_jit(a, e, false))
                    throw ConfigError(r.source + ": rule '" + r.id + "': invalid allow regex: " + e);
            continue;
        }
        std::string err;
        Pcre2Code code = pcre2_compile_jit(r.regex, err, false);
        if (!code) throw ConfigError(r.source + ": rule '" + r.id + "': PCRE2 rejects the regex: " + err);
        std::uint32_t groups = 0;
        pcre2_pattern_info(code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
        int g = secret_group_of(r, code.get());
        const bool whole = r.secret_group && *r.secret_group == 0;  // the whole match is the secret
        if (groups == 0 && !whole)
            throw ConfigError(r.source + ": rule '" + r.id + "': regex has no capture group for the secret");
        if (g < 0) throw ConfigError(r.source + ": rule '" + r.id + "': no group named '" + r.secret_group_name + "'");
        if (std::uint32_t(g) > groups)
            throw ConfigError(r.source + ": rule '" + r.id + "': secret_group " + std::to_string(g) + " but the regex has " +
                              std::to_string(groups) + " group(s)");
        auto check = [&](const std::string& re, const char* what) {
            std::string e;
            if (!pcre2_compile_jit(re, e, false))
                throw ConfigError(r.source + ": rule '" + r.id + "': invalid " + what + " regex: " + e);
        };
        if (!r.path.empty()) check(r.path, "path");
        for (const auto& a : r.allow) check(a, "allow");
    }
    for (const auto& p : c.allow_paths) {
        std::string e;
        if (!pcre2_compile_jit(p->pattern(), e, false)) throw ConfigError("config [allow] paths: invalid regex: " + e);
    }
    for (const auto& p : c.allow_regexes) {
        std::string e;
        if (!pcre2_compile_jit(p->pattern(), e, false)) throw ConfigError("config [allow] regexes: invalid regex: " + e);
    }
}

std::shared_ptr<const CompiledRules> compile_rules(RuleSet set, const CompileOptions& opts) {
    auto c = std::make_shared<CompiledRules>();
    {
        std::set<std::string> ids;
        for (const auto& r : set.rules)
            if (!ids.insert(r.id).second) throw ConfigError(r.source + ": rule '" + r.id + "': duplicate id");
    }
    c->rules = std::move(set.rules);
    for (const auto& r : c->rules) {
        auto rt = std::make_unique<RuleRuntime>(r);
        for (const auto& k : r.keywords) {
            auto it = std::find(c->keywords.begin(), c->keywords.end(), k);
            if (it == c->keywords.end()) it = c->keywords.insert(c->keywords.end(), k);
            rt->keyword_ids.push_back(unsigned(it - c->keywords.begin()));
        }
        c->runtime.push_back(std::move(rt));
    }
    for (const auto& p : set.allow.paths) c->allow_paths.push_back(std::make_unique<LazyRegex>(p));
    for (const auto& p : set.allow.regexes) c->allow_regexes.push_back(std::make_unique<LazyRegex>(p));
    c->allow_stopwords = std::move(set.allow.stopwords);
    for (const auto& a : set.allow.lists) c->allow_lists.emplace_back(a);
    for (std::size_t i = 0; i < c->rules.size(); ++i)
        if (c->rules[i].kind == Rule::Kind::path) c->path_rules.push_back(unsigned(i));
    for (std::size_t i = 0; i < c->rules.size(); ++i) {
        const Rule& r = c->rules[i];
        if (r.kind != Rule::Kind::regex || r.path.empty()) continue;
        auto g = std::find_if(c->groups.begin(), c->groups.end(), [&](const auto& x) { return x.path == r.path; });
        if (g == c->groups.end())
            g = c->groups.insert(c->groups.end(), CompiledRules::PathGroup{r.path, std::make_unique<LazyRegex>(r.path), {}, nullptr});
        g->rules.push_back(unsigned(i));
    }
    c->decode_depth = opts.decode_depth;
    for (const auto& r : c->rules)
        if (r.generic) c->generic_ids.insert(r.id);
    build_hyperscan(*c, opts);
    return c;
}

const std::vector<Rule>& rules_of(const CompiledRules& c) { return c.rules; }
bool loaded_from_cache(const CompiledRules& c) { return c.from_cache; }

const LazyRegex& CompiledRules::path_regex(unsigned id) const {
    if (id < groups.size()) return *groups[id].re;
    id -= unsigned(groups.size());
    if (id < path_rules.size()) return *runtime[path_rules[id]]->path;
    return *allow_paths[id - path_rules.size()];
}

namespace {

enum class Charset { hex, base64, other };

Charset charset_of(std::string_view s) {
    bool hex = true;
    for (unsigned char c : s) {
        if (std::isxdigit(c)) continue;
        hex = false;
        if (!(std::isalnum(c) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_')) return Charset::other;
    }
    return hex ? Charset::hex : Charset::base64;
}

// The entropy floor for this secret: per character set when the rule sets one.
double entropy_floor(const Rule& r, std::string_view secret) {
    if (!r.entropy_hex && !r.entropy_b64) return r.entropy;
    switch (charset_of(secret)) {
    case Charset::hex: return r.entropy_hex ? *r.entropy_hex : r.entropy_b64 ? *r.entropy_b64 : r.entropy;
    case Charset::base64: return r.entropy_b64 ? *r.entropy_b64 : r.entropy;
    default: return r.entropy;
    }
}

bool commit_listed(const std::vector<std::string>& commits, std::string_view commit) {
    if (commit.empty()) return false;
    for (const auto& c : commits) {
        if (c.size() < 4 || c.size() > commit.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < c.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(c[i])) == std::tolower(static_cast<unsigned char>(commit[i]));
        if (same) return true;
    }
    return false;
}

// A candidate for decoding: [begin, end) in the scanned text.
struct Candidate {
    std::uint64_t begin, end;
    bool base64;
};

}  // namespace

struct BlobMatcher::Impl {
    std::shared_ptr<const CompiledRules> rules;
    HsScratch scratch;
    Pcre2MatchData md;
    Pcre2MatchContext mctx;
    Pcre2JitStack jit_stack;

    // Per-scan state, reused across blobs to keep allocation out of the hot path.
    struct Region {
        std::uint64_t first_end, last_end;
        // Where a match ending in the region can start at the earliest: `window` before its first end.
        std::uint64_t from(std::uint32_t window) const { return first_end > window ? first_end - window : 0; }
    };
    std::vector<std::vector<Region>> regions;  // per rule
    std::vector<unsigned> touched;             // rules with at least one region
    std::vector<char> keyword_seen;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> keyword_spans;  // scratch for find_keywords
    std::vector<std::pair<std::size_t, std::size_t>> runs;  // base64 runs (scratch for take_candidates)
    std::vector<char> group_on;                // path groups whose path matches this blob's
    std::vector<char> path_hit;                // per path id (CompiledRules::path_id_*): matches this blob's path
    std::vector<unsigned> path_candidates;     // path ids the path database reported
    bool any_group_on = false;

    struct Raw { std::size_t rule; std::uint64_t start, end, sstart, send; };
    std::vector<Raw> raws;
    std::string decoded_secret;                // scratch for rules with decode = "base64"
    std::string decoded_check;                 // scratch for the base64-placeholder check

    explicit Impl(std::shared_ptr<const CompiledRules> r) : rules(std::move(r)) {
        hs_scratch_t* s = nullptr;  // one scratch, grown to fit every database
        if (rules->db && hs_alloc_scratch(rules->db.get(), &s) != HS_SUCCESS) throw std::bad_alloc();
        if (rules->keyword_db && hs_alloc_scratch(rules->keyword_db.get(), &s) != HS_SUCCESS) throw std::bad_alloc();
        if (rules->path_db && hs_alloc_scratch(rules->path_db.get(), &s) != HS_SUCCESS) throw std::bad_alloc();
        for (const auto& g : rules->groups)
            if (g.db && hs_alloc_scratch(g.db.get(), &s) != HS_SUCCESS) throw std::bad_alloc();
        scratch.reset(s);
        group_on.resize(rules->groups.size());
        path_hit.resize(rules->path_ids());
        md.reset(pcre2_match_data_create(64, nullptr));
        mctx.reset(pcre2_match_context_create(nullptr));
        jit_stack.reset(pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr));
        pcre2_jit_stack_assign(mctx.get(), nullptr, jit_stack.get());
        // Bound backtracking so a hostile blob cannot stall a thread.
        pcre2_set_match_limit(mctx.get(), 1'000'000);
        regions.resize(rules->rules.size());
        keyword_seen.resize(rules->keywords.size());
    }

    static int on_match(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
        auto* self = static_cast<Impl*>(ctx);
        auto& rs = self->regions[id];
        // Ends close together share one PCRE2 pass: one region per run of nearby ends.
        if (!rs.empty() && to <= rs.back().last_end + self->rules->runtime[id]->window) {
            rs.back().last_end = std::max<std::uint64_t>(rs.back().last_end, to);
        } else {
            if (rs.empty()) self->touched.push_back(id);
            rs.push_back({to, to});
        }
        return 0;
    }

    static int on_path(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        static_cast<Impl*>(ctx)->path_candidates.push_back(id);
        return 0;
    }

    // Which path regexes match `path` (path_hit); true when an [allow] path does.
    bool classify_path(std::string_view path) {
        const CompiledRules& c = *rules;
        std::fill(path_hit.begin(), path_hit.end(), 0);
        path_candidates.clear();
        if (c.path_db) {
            hs_scan(c.path_db.get(), path.data(), unsigned(path.size()), 0, scratch.get(), &Impl::on_path, this);
        } else {
            for (unsigned id = 0; id < c.path_ids(); ++id) path_candidates.push_back(id);
        }
        bool allowed = false;
        for (unsigned id : path_candidates) {
            path_hit[id] = c.path_regex(id).search(path, md.get());
            if (path_hit[id] && id >= c.path_id_allow(0)) allowed = true;
        }
        return allowed;
    }

    static int on_keyword(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        static_cast<Impl*>(ctx)->keyword_seen[id] = 1;
        return 0;
    }

    // Which keywords occur (keyword_seen), asked only where a rule that has keywords matched. First
    // in those rules' match windows, where a rule's keyword nearly always is; the whole blob only
    // when some rule's keywords are not there. One match in a 16 MiB blob used to cost a keyword scan
    // of all 16 MiB: the blob's scan took twice as long.
    void find_keywords(std::string_view data) {
        const CompiledRules& c = *rules;
        std::fill(keyword_seen.begin(), keyword_seen.end(), 0);
        keyword_spans.clear();
        for (unsigned r : touched) {
            const RuleRuntime& rt = *c.runtime[r];
            if (rt.keyword_ids.empty()) continue;
            for (const Region& reg : regions[r])
                keyword_spans.emplace_back(reg.from(rt.window), reg.last_end);
        }
        // Merged in place: a keyword across two overlapping windows is then seen whole.
        std::sort(keyword_spans.begin(), keyword_spans.end());
        std::size_t n = 0;
        for (const auto& sp : keyword_spans) {
            if (n && sp.first <= keyword_spans[n - 1].second) {
                keyword_spans[n - 1].second = std::max(keyword_spans[n - 1].second, sp.second);
            } else {
                keyword_spans[n++] = sp;
            }
        }
        keyword_spans.resize(n);
        std::uint64_t bytes = 0;
        for (const auto& [from, to] : keyword_spans) bytes += to - from;
        auto scan = [&](std::uint64_t from, std::uint64_t to) {
            hs_scan(c.keyword_db.get(), data.data() + from, unsigned(to - from), 0, scratch.get(), &Impl::on_keyword, this);
        };
        if (bytes < data.size() / 2) {
            for (const auto& [from, to] : keyword_spans) scan(from, to);
            if (std::all_of(touched.begin(), touched.end(), [&](unsigned r) { return keywords_ok(r); })) return;
        }
        scan(0, data.size());
    }

    bool keywords_ok(std::size_t rule) const {
        const auto& ids = rules->runtime[rule]->keyword_ids;
        if (ids.empty()) return true;
        for (unsigned k : ids)
            if (keyword_seen[k]) return true;
        return false;
    }

    // One conditional allow-list: any criterion (or, with `all`, every non-empty one) hits.
    // Commits are decided after the scan (drop_allowed_commits); an AND list with commits never
    // gets here (the gitleaks loader rejects it).
    bool list_hit(const CompiledAllow& a, std::string_view secret, std::string_view match, std::string_view line,
                  std::string_view path) {
        std::string_view target = a.target == AllowRule::Target::match  ? match
                                  : a.target == AllowRule::Target::line ? line
                                                                        : secret;
        int checks = 0, hits = 0;
        if (!a.regexes.empty()) {
            ++checks;
            for (const auto& re : a.regexes)
                if (re->search(target, md.get())) { ++hits; break; }
        }
        if (!a.stopwords.empty()) {
            ++checks;
            std::string low = ascii_lower(secret);
            for (const auto& w : a.stopwords)
                if (low.find(w) != std::string::npos) { ++hits; break; }
        }
        if (!a.paths.empty()) {
            ++checks;
            for (const auto& re : a.paths)
                if (re->search(path, md.get())) { ++hits; break; }
        }
        return a.all ? checks > 0 && hits == checks : hits > 0;
    }

    bool secret_allowed(std::size_t rule, std::string_view secret) {
        const Rule& r = rules->rules[rule];
        const RuleRuntime& rt = *rules->runtime[rule];
        if (secret.empty()) return true;
        const double floor = entropy_floor(r, secret);
        if (floor > 0 && shannon_entropy(secret) < floor) return true;
        if (r.skip_placeholders && looks_like_placeholder(secret)) return true;
        if (r.skip_placeholders && r.decode.empty() && secret.size() >= 8 && secret.size() % 4 == 0 &&
            charset_of(secret) != Charset::other && decode::base64(secret, decoded_check) &&
            decode::looks_textual(decoded_check) && looks_like_placeholder(decoded_check))
            return true;  // base64 of a placeholder (a Kubernetes Secret's "${TOKEN}")
        if (!r.stopwords.empty() || !rules->allow_stopwords.empty()) {
            std::string low = ascii_lower(secret);
            for (const auto& w : r.stopwords)
                if (low.find(w) != std::string::npos) return true;
            for (const auto& w : rules->allow_stopwords)
                if (low.find(w) != std::string::npos) return true;
        }
        for (const auto& a : rt.allow)
            if (a->search(secret, md.get())) return true;
        for (const auto& a : rules->allow_regexes)
            if (a->search(secret, md.get())) return true;
        return false;
    }

    bool lists_allow(std::size_t rule, std::string_view secret, std::string_view match, std::string_view data,
                     std::uint64_t at, std::string_view path) {
        const RuleRuntime& rt = *rules->runtime[rule];
        if (rt.allowlists.empty() && rules->allow_lists.empty()) return false;
        std::string_view line = line_around(data, at);
        for (const auto& a : rt.allowlists)
            if (list_hit(a, secret, match, line, path)) return true;
        for (const auto& a : rules->allow_lists)
            if (list_hit(a, secret, match, line, path)) return true;
        return false;
    }

    // Captures of a rule over its regions (a path-scoped rule only gets here for a blob whose path its
    // group matched: classify_path confirmed it).
    void extract(std::size_t rule, std::string_view data) {
        const Rule& r = rules->rules[rule];
        const RuleRuntime& rt = *rules->runtime[rule];
        const pcre2_code* code = rt.capture.get();
        if (!code) return;
        const int group = secret_group_of(r, code);
        std::uint64_t consumed = 0;
        for (const Region& reg : regions[rule]) {
            std::uint64_t from = reg.from(rt.window);
            from = std::max(from, consumed);
            const std::uint64_t limit = reg.last_end;  // no match of this rule ends later than Hyperscan said
            while (from < limit) {
                int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(data.data()), limit, from, 0, md.get(), mctx.get());
                if (rc < 0) break;
                PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
                std::uint64_t ms = ov[0], me = ov[1];
                std::uint64_t ss = ms, se = me;
                if (r.first_nonempty_group) {
                    for (int g = 1; g < rc; ++g)
                        if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] > ov[2 * g]) {
                            ss = ov[2 * g], se = ov[2 * g + 1];
                            break;
                        }
                } else if (group >= 0 && rc > group && ov[2 * group] != PCRE2_UNSET) {
                    ss = ov[2 * group];
                    se = ov[2 * group + 1];
                }
                raws.push_back({rule, ms, me, ss, se});
                from = me > ms ? me : ms + 1;
            }
            consumed = std::max(consumed, limit);
        }
    }

    // Decode candidates of this level, bounded: base64 runs and percent-encoded runs.
    std::vector<Candidate> take_candidates(std::string_view data) {
        std::vector<Candidate> out;
        // Base64 runs by a direct scan: a character-class pattern in the Hyperscan database would
        // slow every blob's scan several times over.
        runs.clear();
        decode::base64_runs(data, runs, decode::kMaxCandidates);
        for (auto [b, e] : runs) out.push_back({b, e, true});
        // %XX escapes by memchr: as a Hyperscan pattern, '%' and two hex digits cost every blob 15%.
        auto hex = [](char ch) {
            const unsigned char c = static_cast<unsigned char>(ch);
            return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
        };
        const char* const begin = data.data();
        const char* const end = begin + data.size();
        std::uint64_t covered = 0;
        for (const char* p = begin; out.size() < decode::kMaxCandidates &&
                                    (p = static_cast<const char*>(std::memchr(p, '%', std::size_t(end - p)))) != nullptr;) {
            if (end - p < 3 || !hex(p[1]) || !hex(p[2])) {
                ++p;
                continue;
            }
            // The run of URL characters around the escape, at most 2 KiB each way.
            std::uint64_t b = std::uint64_t(p - begin), e = b + 3;
            const std::uint64_t lo = b > 2048 ? b - 2048 : 0, hi = std::min<std::uint64_t>(data.size(), e + 2048);
            while (b > lo && b > covered && decode::is_url_char(static_cast<unsigned char>(data[b - 1]))) --b;
            while (e < hi && decode::is_url_char(static_cast<unsigned char>(data[e]))) ++e;
            covered = e;
            out.push_back({b, e, false});
            p = begin + e;  // escapes inside this run are part of it
        }
        return out;
    }

    void scan_level(std::string_view data, std::string_view path, std::vector<Finding>& out, unsigned depth);
    void add_decoded(std::string_view data, std::string_view path, std::vector<Finding>& out, std::size_t first,
                     const std::vector<Candidate>& cands, unsigned depth);
    void match_path_rules(std::string_view path, std::vector<Finding>& out);
};

// Findings of one text (a blob, or a decoded run inside it) at `depth` levels of decoding left.
void BlobMatcher::Impl::scan_level(std::string_view data, std::string_view path, std::vector<Finding>& out,
                                   unsigned depth) {
    const CompiledRules& c = *rules;
    for (unsigned r : touched) regions[r].clear();
    touched.clear();
    raws.clear();

    // Hyperscan takes at most 4 GiB per call; blobs that large are skipped upstream.
    if (c.db) hs_scan(c.db.get(), data.data(), unsigned(data.size()), 0, scratch.get(), &Impl::on_match, this);
    if (any_group_on)
        for (std::size_t g = 0; g < c.groups.size(); ++g)
            if (group_on[g] && c.groups[g].db)
                hs_scan(c.groups[g].db.get(), data.data(), unsigned(data.size()), 0, scratch.get(), &Impl::on_match, this);
    std::vector<Candidate> cands;
    if (depth > 0 && data.size() >= decode::kMinBase64Run) cands = take_candidates(data);
    const std::size_t first = out.size();
    if (!touched.empty()) {
        std::sort(touched.begin(), touched.end());
        if (c.keyword_db && std::any_of(touched.begin(), touched.end(),
                                        [&](unsigned r) { return !c.runtime[r]->keyword_ids.empty(); }))
            find_keywords(data);
        for (unsigned r : touched)
            if (keywords_ok(r)) extract(r, data);
    }
    std::sort(raws.begin(), raws.end(), [](const Raw& a, const Raw& b) {
        return a.start != b.start ? a.start < b.start : a.rule < b.rule;
    });
    // Line numbers by one forward walk over the blob, whatever the number of findings.
    std::uint64_t pos = 0;
    std::uint32_t line = 1;
    std::uint64_t line_start = 0;
    auto advance = [&](std::uint64_t to) {
        while (pos < to) {
            const void* nl = std::memchr(data.data() + pos, '\n', to - pos);
            if (!nl) { pos = to; break; }
            pos = std::uint64_t(static_cast<const char*>(nl) - data.data()) + 1;
            ++line;
            line_start = pos;
        }
    };
    for (const auto& raw : raws) {
        const Rule& r = c.rules[raw.rule];
        std::string_view secret = data.substr(raw.sstart, raw.send - raw.sstart);
        std::string_view match = data.substr(raw.start, raw.end - raw.start);
        if (r.decode == "base64") {
            if (!decode::base64(secret, decoded_secret) || !decode::looks_textual(decoded_secret)) continue;
            secret = decoded_secret;
        }
        if (secret_allowed(raw.rule, secret)) continue;
        if (lists_allow(raw.rule, secret, match, data, raw.sstart, path)) continue;
        if (has_inline_allow(data, raw.start, raw.end)) continue;
        Finding f;
        f.rule_id = r.id;
        f.description = r.description;
        f.secret = std::string(secret);
        if (r.decode.empty()) {
            f.match = std::string(match);
        } else {
            // The match as it reads decoded, so that --redact hides the secret in it too.
            f.match = std::string(data.substr(raw.start, raw.sstart - raw.start)) + f.secret +
                      std::string(data.substr(raw.send, raw.end - raw.send));
        }
        f.path = std::string(path);
        f.start = raw.start;
        f.end = raw.end;
        f.secret_start = raw.sstart;
        f.secret_end = raw.send;
        advance(raw.sstart);
        f.line = line;
        f.column = std::uint32_t(raw.sstart - line_start + 1);
        // End position: the secret's last byte, 1-based inclusive column.
        std::uint64_t save_pos = pos, save_start = line_start;
        std::uint32_t save_line = line;
        advance(raw.send > raw.sstart ? raw.send - 1 : raw.send);
        f.end_line = line;
        f.end_column = std::uint32_t((raw.send > raw.sstart ? raw.send - 1 : raw.send) - line_start + 1);
        pos = save_pos, line_start = save_start, line = save_line;
        f.entropy = shannon_entropy(secret);
        f.fingerprint = fingerprint(r.id, secret);
        f.verify_kind = r.verify;
        out.push_back(std::move(f));
    }
    if (!cands.empty()) add_decoded(data, path, out, first, cands, depth);
}

// Decodes each candidate, rescans it one level down, and reports what it holds at the encoded text.
void BlobMatcher::Impl::add_decoded(std::string_view data, std::string_view path, std::vector<Finding>& out,
                                    std::size_t first, const std::vector<Candidate>& cands, unsigned depth) {
    std::size_t budget = decode::kMaxDecodedBytes;
    std::string text;
    std::vector<std::uint32_t> src;
    std::vector<Finding> nested;
    for (const Candidate& cand : cands) {
        std::string_view enc = data.substr(cand.begin, cand.end - cand.begin);
        bool ok = cand.base64 ? decode::base64(enc, text) : decode::percent(enc, text, src);
        if (!ok || text.size() > budget || !decode::looks_textual(text)) continue;
        budget -= text.size();
        nested.clear();
        scan_level(text, path, nested, depth - 1);
        for (Finding& f : nested) {
            auto map = [&](std::uint64_t d, bool end) -> std::uint64_t {
                std::uint64_t off;
                if (cand.base64) off = end ? decode::base64_src_end(d) : decode::base64_src_begin(d);
                else off = src[std::min<std::size_t>(d, src.size() - 1)];
                return cand.begin + std::min<std::uint64_t>(off, enc.size());
            };
            f.start = map(f.start, false);
            f.end = map(f.end, true);
            f.secret_start = map(f.secret_start, false);
            f.secret_end = std::max(map(f.secret_end, true), f.secret_start + 1);
            // The same rule already reported this text directly (a URL whose password has a %40 in it).
            bool dup = false;
            for (std::size_t i = first; i < out.size() && !dup; ++i)
                dup = out[i].rule_id == f.rule_id && out[i].start < f.end && f.start < out[i].end;
            if (dup || has_inline_allow(data, f.start, f.end)) continue;
            // Line and column of the encoded text in this level's data.
            std::uint32_t line = 1;
            std::uint64_t ls = 0;
            for (std::uint64_t p = 0; p < f.secret_start;) {
                const void* nl = std::memchr(data.data() + p, '\n', f.secret_start - p);
                if (!nl) break;
                p = std::uint64_t(static_cast<const char*>(nl) - data.data()) + 1;
                ++line;
                ls = p;
            }
            f.line = line;
            f.column = std::uint32_t(f.secret_start - ls + 1);
            std::uint64_t last = f.secret_end - 1;
            for (std::uint64_t p = f.secret_start; p < last;) {
                const void* nl = std::memchr(data.data() + p, '\n', last - p);
                if (!nl) break;
                p = std::uint64_t(static_cast<const char*>(nl) - data.data()) + 1;
                ++line;
                ls = p;
            }
            f.end_line = line;
            f.end_column = std::uint32_t(last - ls + 1);
            out.push_back(std::move(f));
        }
    }
}

// Rules of kind "path": one finding per blob whose path matches; the secret is the path.
void BlobMatcher::Impl::match_path_rules(std::string_view path, std::vector<Finding>& out) {
    const CompiledRules& c = *rules;
    if (path.empty()) return;
    for (std::size_t k = 0; k < c.path_rules.size(); ++k) {
        if (!path_hit[c.path_id_rule(k)]) continue;
        const unsigned i = c.path_rules[k];
        const Rule& r = c.rules[i];
        const RuleRuntime& rt = *c.runtime[i];
        bool allowed = false;
        for (const auto& a : rt.allow) allowed = allowed || a->search(path, md.get());
        for (const auto& a : rt.allowlists) allowed = allowed || list_hit(a, path, path, path, path);
        if (allowed) continue;
        Finding f;
        f.rule_id = r.id;
        f.description = r.description;
        f.secret = std::string(path);
        f.match = std::string(path);
        f.path = std::string(path);
        f.line = f.column = f.end_line = f.end_column = 1;
        f.entropy = shannon_entropy(path);
        f.fingerprint = fingerprint(r.id, path);
        f.verify_kind = r.verify;
        out.push_back(std::move(f));
    }
}

namespace {

// A generic finding whose secret lies in (overlaps) the match of a specific finding, or the secret of
// an earlier generic finding, is dropped.
void drop_generic_overlaps(const CompiledRules& c, std::vector<Finding>& out, std::size_t first) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> specific;  // match (start, end), sorted by start
    std::vector<std::size_t> generic;
    for (std::size_t i = first; i < out.size(); ++i) {
        if (c.generic_ids.count(out[i].rule_id)) generic.push_back(i);
        else specific.emplace_back(out[i].start, out[i].end);
    }
    if (generic.empty()) return;
    std::sort(specific.begin(), specific.end());
    std::vector<std::uint64_t> max_end(specific.size());
    for (std::size_t i = 0; i < specific.size(); ++i)
        max_end[i] = std::max(specific[i].second, i ? max_end[i - 1] : 0);
    std::sort(generic.begin(), generic.end(), [&](std::size_t a, std::size_t b) {
        return out[a].start != out[b].start ? out[a].start < out[b].start : a < b;
    });
    std::vector<char> drop(out.size() - first);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> kept;  // secrets of kept generic findings
    for (std::size_t gi : generic) {
        const Finding& g = out[gi];
        const std::uint64_t gs = g.secret_start, ge = std::max(g.secret_end, g.secret_start + 1);
        auto it = std::lower_bound(specific.begin(), specific.end(), std::make_pair(ge, std::uint64_t(0)));
        std::size_t n = std::size_t(it - specific.begin());  // specific matches that start before the secret ends
        bool hit = n && max_end[n - 1] > gs;
        // Kept secrets come in match order: the last few are the only ones that can reach this one.
        for (std::size_t k = kept.size(); k > 0 && k + 8 > kept.size() && !hit; --k)
            hit = kept[k - 1].first < ge && gs < kept[k - 1].second;
        if (hit) {
            drop[gi - first] = 1;
            continue;
        }
        kept.emplace_back(gs, ge);
    }
    std::size_t w = first;
    for (std::size_t i = first; i < out.size(); ++i)
        if (!drop[i - first]) {
            if (w != i) out[w] = std::move(out[i]);
            ++w;
        }
    out.resize(w);
}

}  // namespace

BlobMatcher::BlobMatcher(std::shared_ptr<const CompiledRules> rules) : impl_(std::make_unique<Impl>(std::move(rules))) {}
BlobMatcher::~BlobMatcher() = default;
BlobMatcher::BlobMatcher(BlobMatcher&&) noexcept = default;
BlobMatcher& BlobMatcher::operator=(BlobMatcher&&) noexcept = default;

void BlobMatcher::scan(std::string_view data, std::string_view path, std::vector<Finding>& out) {
    Impl& m = *impl_;
    const CompiledRules& c = *m.rules;
    if (data.empty()) return;
    if (m.classify_path(path)) return;  // an [allow] path
    const std::size_t first = out.size();
    m.any_group_on = false;
    for (std::size_t g = 0; g < c.groups.size(); ++g)
        m.any_group_on |= bool((m.group_on[g] = m.path_hit[c.path_id_group(g)]));
    if (c.db || m.any_group_on) m.scan_level(data, path, out, c.decode_depth);

    if (out.size() - first > 1 && !c.generic_ids.empty()) drop_generic_overlaps(c, out, first);
    // Path rules are the fallback: a blob whose content already has findings reports those.
    if (!c.path_rules.empty() && out.size() == first) m.match_path_rules(path, out);
}

void BlobMatcher::scan_path(std::string_view path, std::vector<Finding>& out) {
    Impl& m = *impl_;
    const CompiledRules& c = *m.rules;
    if (c.path_rules.empty()) return;
    if (m.classify_path(path)) return;
    m.match_path_rules(path, out);
}

std::size_t drop_allowed_commits(const CompiledRules& c, std::vector<Finding>& findings) {
    bool any = false;
    for (const auto& a : c.allow_lists) any = any || !a.commits.empty();
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < c.rules.size(); ++i) {
        for (const auto& a : c.runtime[i]->allowlists)
            if (!a.commits.empty()) { index.emplace(c.rules[i].id, i); any = true; }
    }
    if (!any) return 0;
    auto allowed = [&](const Finding& f) {
        for (const auto& a : c.allow_lists)
            if (commit_listed(a.commits, f.commit)) return true;
        auto it = index.find(f.rule_id);
        if (it == index.end()) return false;
        for (const auto& a : c.runtime[it->second]->allowlists)
            if (commit_listed(a.commits, f.commit)) return true;
        return false;
    };
    std::size_t before = findings.size();
    findings.erase(std::remove_if(findings.begin(), findings.end(), allowed), findings.end());
    return before - findings.size();
}

}  // namespace ks
