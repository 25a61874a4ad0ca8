// Internal to match/: the compiled form of a RuleSet.
#pragma once

#include "match/matcher.hpp"
#include "match/pcre.hpp"

#include <hs/hs.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace ks {

struct HsDatabaseFree { void operator()(hs_database_t* d) const { hs_free_database(d); } };
struct HsScratchFree { void operator()(hs_scratch_t* s) const { hs_free_scratch(s); } };
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchFree>;

// A compiled AllowRule (rule.hpp).
struct CompiledAllow {
    explicit CompiledAllow(const AllowRule& a);
    std::vector<std::unique_ptr<LazyRegex>> regexes, paths;
    AllowRule::Target target;
    std::vector<std::string> stopwords, commits;
    bool all;
};

// Per-rule runtime: lazily compiled PCRE2 code for capture, path and allow regexes.
struct RuleRuntime {
    explicit RuleRuntime(const Rule& r);
    LazyRegex capture;
    std::unique_ptr<LazyRegex> path;             // null: every path
    std::vector<std::unique_ptr<LazyRegex>> allow;
    std::vector<CompiledAllow> allowlists;
    std::uint32_t window = 4096;                 // bytes before a reported end where a match may start
    std::vector<unsigned> keyword_ids;           // indexes into CompiledRules::keywords
};

class CompiledRules {
public:
    std::vector<Rule> rules;
    std::vector<std::unique_ptr<RuleRuntime>> runtime;  // parallel to rules
    std::vector<std::string> keywords;                  // distinct, lower-case; id in keyword_db = index
    std::vector<std::unique_ptr<LazyRegex>> allow_paths, allow_regexes;
    std::vector<std::string> allow_stopwords;
    std::vector<CompiledAllow> allow_lists;             // global conditional allow-lists
    // Rules scoped by `path` live in their own Hyperscan database per distinct path regex, scanned
    // only for blobs whose path matches: a .pgpass rule costs nothing on a .go file.
    struct PathGroup {
        std::string path;
        std::unique_ptr<LazyRegex> re;
        std::vector<unsigned> rules;
        HsDatabase db;
    };
    std::vector<PathGroup> groups;
    std::vector<unsigned> path_rules;                   // indexes of kind = "path" rules
    std::unordered_set<std::string> generic_ids;        // ids of rules with generic = true
    unsigned decode_depth = 0;                          // levels of base64 / percent decoding
    HsDatabase db;  // rules without a path; null when there are none
    // The keywords, scanned only over a blob where a rule with keywords matched: as part of `db`
    // they cost every blob a third of its scan time (each keyword is a caseless literal).
    HsDatabase keyword_db;
    // Every path regex (groups', path rules', [allow] paths') in one database scanned over a blob's
    // path: one pass instead of ~50 PCRE2 searches per blob. Ids: path_id_*(); Hyperscan may
    // over-approximate (prefilter mode), so each hit is confirmed with PCRE2.
    HsDatabase path_db;
    unsigned path_id_group(std::size_t g) const { return unsigned(g); }
    unsigned path_id_rule(std::size_t k) const { return unsigned(groups.size() + k); }  // k: index in path_rules
    unsigned path_id_allow(std::size_t a) const { return unsigned(groups.size() + path_rules.size() + a); }
    std::size_t path_ids() const { return groups.size() + path_rules.size() + allow_paths.size(); }
    const LazyRegex& path_regex(unsigned id) const;
    bool from_cache = false;

};

// Max capture window for unbounded rules; a rule's `window` overrides it.
inline constexpr std::uint32_t kDefaultWindowCap = 4096;

// PCRE2 side: every capture regex compiles and has the secret group; allow/path regexes compile.
// Throws ConfigError naming the rule.
void validate_pcre2(const CompiledRules& c);

// What Hyperscan is given for a rule's regex: the regex less a leading optional run
// (`(?i)\b[\w.\-]{0,40}?secret...` -> `(?i)secret...`). Every match of the regex ends where a match
// of the rest does, so Hyperscan's regions still cover every match PCRE2 then finds (the window is
// the whole regex's); but the run costs Hyperscan on every word of every blob. Unchanged when there
// is no such run, or nothing safe would follow it.
std::string hs_form(const std::string& regex);

// Hyperscan side: builds (or loads from the cache) the database and sets each rule's window.
void build_hyperscan(CompiledRules& c, const CompileOptions& opts);

}  // namespace ks
