// Scanning one blob: Hyperscan finds where rules end (the callback only records), then PCRE2
// extracts the groups from a short window, and the filters decide.
#include "match/compiled_rules.hpp"
#include "match/entropy.hpp"
#include "match/inline_allow.hpp"
#include "match/rules_loader.hpp"
#include "model/fingerprint.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace ks {

RuleRuntime::RuleRuntime(const Rule& r) : capture(r.regex) {
    if (!r.path.empty()) path = std::make_unique<LazyRegex>(r.path);
    for (const auto& a : r.allow) allow.push_back(std::make_unique<LazyRegex>(a));
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

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
    for (const auto& r : c.rules) {
        std::string err;
        Pcre2Code code = pcre2_compile_jit(r.regex, err, false);
        if (!code) throw ConfigError(r.source + ": rule '" + r.id + "': PCRE2 rejects the regex: " + err);
        std::uint32_t groups = 0;
        pcre2_pattern_info(code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
        int g = secret_group_of(r, code.get());
        if (groups == 0) throw ConfigError(r.source + ": rule '" + r.id + "': regex has no capture group for the secret");
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
    build_hyperscan(*c, opts);
    return c;
}

const std::vector<Rule>& rules_of(const CompiledRules& c) { return c.rules; }
bool loaded_from_cache(const CompiledRules& c) { return c.from_cache; }

bool path_allowed(const CompiledRules& c, std::string_view path, pcre2_match_data* md) {
    for (const auto& p : c.allow_paths)
        if (p->search(path, md)) return true;
    return false;
}

struct BlobMatcher::Impl {
    std::shared_ptr<const CompiledRules> rules;
    HsScratch scratch;
    Pcre2MatchData md;
    Pcre2MatchContext mctx;
    Pcre2JitStack jit_stack;

    // Per-scan state, reused across blobs to keep allocation out of the hot path.
    struct Region { std::uint64_t first_end, last_end; };
    std::vector<std::vector<Region>> regions;  // per rule
    std::vector<unsigned> touched;             // rules with at least one region
    std::vector<char> keyword_seen;

    struct Raw { std::size_t rule; std::uint64_t start, end, sstart, send; };
    std::vector<Raw> raws;

    explicit Impl(std::shared_ptr<const CompiledRules> r) : rules(std::move(r)) {
        if (rules->db) {
            hs_scratch_t* s = nullptr;
            if (hs_alloc_scratch(rules->db.get(), &s) != HS_SUCCESS) throw std::bad_alloc();
            scratch.reset(s);
        }
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
        const std::size_t n = self->rules->rules.size();
        if (id >= n) {
            self->keyword_seen[id - n] = 1;
            return 0;
        }
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

    bool keywords_ok(std::size_t rule) const {
        const auto& ids = rules->runtime[rule]->keyword_ids;
        if (ids.empty()) return true;
        for (unsigned k : ids)
            if (keyword_seen[k]) return true;
        return false;
    }

    bool secret_allowed(std::size_t rule, std::string_view secret) {
        const Rule& r = rules->rules[rule];
        const RuleRuntime& rt = *rules->runtime[rule];
        if (secret.empty()) return true;
        if (r.entropy > 0 && shannon_entropy(secret) < r.entropy) return true;
        if (!r.stopwords.empty() || !rules->allow_stopwords.empty()) {
            std::string low = lower(secret);
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

    void extract(std::size_t rule, std::string_view data, std::string_view path) {
        const Rule& r = rules->rules[rule];
        const RuleRuntime& rt = *rules->runtime[rule];
        const pcre2_code* code = rt.capture.get();
        if (!code) return;
        if (rt.path && !rt.path->search(path, md.get())) return;
        const int group = secret_group_of(r, code);
        std::uint64_t consumed = 0;
        for (const Region& reg : regions[rule]) {
            std::uint64_t from = reg.first_end > rt.window ? reg.first_end - rt.window : 0;
            from = std::max(from, consumed);
            const std::uint64_t limit = reg.last_end;  // no match of this rule ends later than Hyperscan said
            while (from < limit) {
                int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(data.data()), limit, from, 0, md.get(), mctx.get());
                if (rc < 0) break;
                PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
                std::uint64_t ms = ov[0], me = ov[1];
                std::uint64_t ss = ms, se = me;
                if (group >= 0 && rc > group && ov[2 * group] != PCRE2_UNSET) {
                    ss = ov[2 * group];
                    se = ov[2 * group + 1];
                }
                raws.push_back({rule, ms, me, ss, se});
                from = me > ms ? me : ms + 1;
            }
            consumed = std::max(consumed, limit);
        }
    }
};

BlobMatcher::BlobMatcher(std::shared_ptr<const CompiledRules> rules) : impl_(std::make_unique<Impl>(std::move(rules))) {}
BlobMatcher::~BlobMatcher() = default;
BlobMatcher::BlobMatcher(BlobMatcher&&) noexcept = default;
BlobMatcher& BlobMatcher::operator=(BlobMatcher&&) noexcept = default;

void BlobMatcher::scan(std::string_view data, std::string_view path, std::vector<Finding>& out) {
    Impl& m = *impl_;
    const CompiledRules& c = *m.rules;
    if (!c.db || data.empty()) return;
    if (!c.allow_paths.empty() && path_allowed(c, path, m.md.get())) return;

    for (unsigned r : m.touched) m.regions[r].clear();
    m.touched.clear();
    std::fill(m.keyword_seen.begin(), m.keyword_seen.end(), 0);
    m.raws.clear();

    // Hyperscan takes at most 4 GiB per call; blobs that large are skipped upstream.
    hs_scan(c.db.get(), data.data(), unsigned(data.size()), 0, m.scratch.get(), &Impl::on_match, &m);
    if (m.touched.empty()) return;
    std::sort(m.touched.begin(), m.touched.end());
    for (unsigned r : m.touched)
        if (m.keywords_ok(r)) m.extract(r, data, path);
    if (m.raws.empty()) return;

    std::sort(m.raws.begin(), m.raws.end(), [](const Impl::Raw& a, const Impl::Raw& b) {
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
    for (const auto& raw : m.raws) {
        std::string_view secret = data.substr(raw.sstart, raw.send - raw.sstart);
        if (m.secret_allowed(raw.rule, secret)) continue;
        if (has_inline_allow(data, raw.start, raw.end)) continue;
        const Rule& r = c.rules[raw.rule];
        Finding f;
        f.rule_id = r.id;
        f.description = r.description;
        f.secret = std::string(secret);
        f.match = std::string(data.substr(raw.start, raw.end - raw.start));
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
}

}  // namespace ks
