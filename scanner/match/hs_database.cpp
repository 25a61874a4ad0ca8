// Compiling all rules into one Hyperscan database, and caching its serialized form on disk so that
// a hook's start-up does not pay for compilation.
#include "match/compiled_rules.hpp"
#include "match/rules_loader.hpp"
#include "model/fingerprint.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ks {
namespace fs = std::filesystem;

namespace {

struct HsCompileErrorFree { void operator()(hs_compile_error_t* e) const { hs_free_compile_error(e); } };
using HsCompileError = std::unique_ptr<hs_compile_error_t, HsCompileErrorFree>;

std::string escape_literal(const std::string& lit) {
    std::string out;
    for (unsigned char c : lit) {
        if (std::isalnum(c)) {
            out.push_back(char(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

// Length of the character class or class escape at re[i] ("[...]", "\\w", "."), or 0.
std::size_t class_length(const std::string& re, std::size_t i) {
    if (i >= re.size()) return 0;
    if (re[i] == '.') return 1;
    if (re[i] == '\\') return i + 1 < re.size() && re[i + 1] && std::strchr("wWsSdDhHvV", re[i + 1]) ? 2 : 0;
    if (re[i] != '[') return 0;
    std::size_t j = i + 1;
    if (j < re.size() && re[j] == '^') ++j;
    if (j < re.size() && re[j] == ']') ++j;  // a leading ']' is a member
    for (; j < re.size(); ++j) {
        if (re[j] == '\\') ++j;
        else if (re[j] == '[' && j + 1 < re.size() && re[j + 1] == ':') return 0;  // POSIX classes: leave alone
        else if (re[j] == ']') return j + 1 - i;
    }
    return 0;
}

// Length of an optional quantifier at re[i] ("{0,N}", "*", "?", each maybe lazy), or 0.
std::size_t optional_quantifier_length(const std::string& re, std::size_t i) {
    std::size_t j = i;
    if (j < re.size() && (re[j] == '*' || re[j] == '?')) {
        ++j;
    } else if (re.compare(i, 3, "{0,") == 0) {
        j = i + 3;
        const std::size_t digits = j;
        while (j < re.size() && std::isdigit(static_cast<unsigned char>(re[j]))) ++j;
        if (j == digits || j >= re.size() || re[j] != '}') return 0;
        ++j;
    } else {
        return 0;
    }
    if (j < re.size() && re[j] == '?') ++j;  // lazy
    if (j < re.size() && re[j] == '+') return 0;  // possessive: leave to PCRE2
    return j - i;
}

}  // namespace

std::string hs_form(const std::string& re) {
    std::size_t i = 0;
    // Leading inline flags, "(?i)", stay: they apply to the rest.
    while (re.compare(i, 2, "(?") == 0) {
        std::size_t j = i + 2;
        while (j < re.size() && (std::isalpha(static_cast<unsigned char>(re[j])) || re[j] == '-')) ++j;
        if (j >= re.size() || re[j] != ')' || j == i + 2) break;
        i = j + 1;
    }
    std::size_t at = i;
    if (re.compare(at, 2, "\\b") == 0) at += 2;
    const std::size_t cls = class_length(re, at);
    if (!cls) return re;
    const std::size_t q = optional_quantifier_length(re, at + cls);
    if (!q) return re;
    const std::size_t rest = at + cls + q;
    // An empty rest, or one that ends a group or an alternative, would let the regex match nothing.
    if (rest >= re.size() || re[rest] == '|' || re[rest] == ')') return re;
    return re.substr(0, i) + re.substr(rest);
}

namespace {

// How Hyperscan takes a regex: as is (flags 0), or, for what it cannot take as is (look-around,
// back-references), in prefilter mode, where it over-approximates and PCRE2 decides. `info` is set
// on success (the caller frees it); on failure `error` holds Hyperscan's message for prefilter mode.
bool hs_flags_for(const std::string& re, unsigned& flags, hs_expr_info_t*& info, std::string& error) {
    for (unsigned f : {0u, unsigned(HS_FLAG_PREFILTER)}) {
        hs_compile_error_t* err = nullptr;
        if (hs_expression_info(re.c_str(), f, &info, &err) == HS_SUCCESS) {
            flags = f;
            return true;
        }
        HsCompileError guard(err);
        error = err->message;
    }
    return false;
}

struct Expressions {
    std::vector<std::string> patterns;
    std::vector<unsigned> flags, ids;
};

// The expressions of one database: group < 0 is the main one (rules without a path); group >= 0
// holds the rules of that path group. Ids are rule indexes everywhere.
Expressions expressions_of(const CompiledRules& c, const std::vector<unsigned>& rule_flags, int group) {
    Expressions e;
    auto add_rule = [&](std::size_t i) {
        if (!c.rules[i].prefilter.empty()) {  // the rule's author chose what Hyperscan looks for
            e.patterns.push_back(c.rules[i].prefilter);
            e.flags.push_back(rule_flags[i]);
            e.ids.push_back(unsigned(i));
            return;
        }
        // The shorter form if Hyperscan takes it alike (it must still never match empty).
        std::string form = hs_form(c.rules[i].regex);
        unsigned flags = rule_flags[i];
        if (form != c.rules[i].regex) {
            hs_expr_info_t* info = nullptr;
            std::string error;
            unsigned form_flags = 0;
            const bool ok = hs_flags_for(form, form_flags, info, error) && info->min_width > 0;
            std::free(info);
            if (ok) flags = form_flags;
            else form = c.rules[i].regex;
        }
        e.patterns.push_back(std::move(form));
        e.flags.push_back(flags);
        e.ids.push_back(unsigned(i));
    };
    if (group >= 0) {
        for (unsigned i : c.groups[std::size_t(group)].rules) add_rule(i);
        return e;
    }
    for (size_t i = 0; i < c.rules.size(); ++i)
        if (c.rules[i].kind == Rule::Kind::regex && c.rules[i].path.empty()) add_rule(i);  // path rules: not in a blob
    return e;
}

// The keyword database: each keyword once per scan (all the matcher asks is whether it occurs).
Expressions keyword_expressions(const CompiledRules& c) {
    Expressions e;
    for (size_t k = 0; k < c.keywords.size(); ++k) {
        e.patterns.push_back(escape_literal(c.keywords[k]));
        e.flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
        e.ids.push_back(unsigned(k));
    }
    return e;
}

// The path database: every path regex once per scan (a hit is confirmed with PCRE2).
Expressions path_expressions(const CompiledRules& c) {
    Expressions e;
    for (unsigned id = 0; id < c.path_ids(); ++id) {
        const std::string& re = c.path_regex(id).pattern();
        unsigned flags = HS_FLAG_PREFILTER;  // taken by neither: compile_db fails, and PCRE2 does it all
        hs_expr_info_t* info = nullptr;
        std::string error;
        if (hs_flags_for(re, flags, info, error)) std::free(info);
        e.patterns.push_back(re);
        e.flags.push_back(flags | HS_FLAG_SINGLEMATCH);
        e.ids.push_back(id);
    }
    return e;
}

HsDatabase compile_db(const Expressions& e, const CompiledRules& c) {
    if (e.patterns.empty()) return nullptr;
    std::vector<const char*> ptrs;
    for (const auto& p : e.patterns) ptrs.push_back(p.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(ptrs.data(), e.flags.data(), e.ids.data(), unsigned(ptrs.size()), HS_MODE_BLOCK, nullptr,
                         &db, &err) != HS_SUCCESS) {
        HsCompileError guard(err);
        // err->expression indexes the expression array; its id is the rule's index.
        const std::size_t id = err->expression >= 0 && size_t(err->expression) < e.ids.size()
                                   ? e.ids[size_t(err->expression)]
                                   : c.rules.size();
        std::string which = id < c.rules.size() ? c.rules[id].source + ": rule '" + c.rules[id].id + "'"
                                                : std::string("rules");
        throw ConfigError(which + ": Hyperscan cannot compile the rule set: " + err->message);
    }
    return HsDatabase(db);
}

// Checks one of a rule's expressions (`what`: "regex" or "prefilter") as Hyperscan takes it: its flags,
// and its max width. Throws ConfigError naming the rule.
unsigned check_expression(const Rule& r, const std::string& re, const char* what, unsigned& max_width) {
    unsigned flags = 0;
    hs_expr_info_t* info = nullptr;
    std::string error;
    if (!hs_flags_for(re, flags, info, error))
        throw ConfigError(r.source + ": rule '" + r.id + "': Hyperscan rejects the " + what + ": " + error);
    max_width = info->max_width;
    const bool empty = info->min_width == 0;
    std::free(info);
    if (empty) throw ConfigError(r.source + ": rule '" + r.id + "': " + what + " can match an empty string");
    return flags;
}

// Validates each rule alone (so an error names it) and returns the Hyperscan flags of what Hyperscan
// is given (the prefilter when the rule has one) and the regex's max width (the rule's window).
unsigned check_rule(const Rule& r, unsigned& max_width) {
    const unsigned flags = check_expression(r, r.regex, "regex", max_width);
    if (r.prefilter.empty()) return flags;
    unsigned prefilter_width = 0;
    return check_expression(r, r.prefilter, "prefilter", prefilter_width);
}

std::string cache_key(const CompiledRules& c) {
    std::ostringstream os;
    os << "keysweep-hsdb-v10\n" << hs_version() << "\n" << "decode:" << (c.decode_depth > 0) << "\n";
    hs_platform_info_t plat{};
    hs_populate_platform(&plat);
    os << plat.tune << ":" << plat.cpu_features << "\n";
    for (const auto& r : c.rules)
        os << r.id << '\0' << r.regex << '\0' << r.prefilter << '\0' << r.path << '\0' << r.window << '\n';
    for (const auto& k : c.keywords) os << k << '\n';
    for (unsigned id = 0; id < c.path_ids(); ++id) os << "path:" << c.path_regex(id).pattern() << '\n';
    return sha256_hex(os.str());
}

fs::path default_cache_dir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "keysweep";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "keysweep";
    return {};
}

// File layout: magic line, key line, the rules' capture windows, the databases' sizes (main one
// first, then the keywords', the paths', then one per path group; 0 for none), the payload's digest, then the payload (each
// hs_serialize_database in turn). Any mismatch means "rebuild", never "trust".
constexpr const char* kMagic = "KEYSWEEP-HSDB 3";

// Integrity of the payload against a torn or damaged file (not against someone who can write the
// cache: they could rewrite the digest too). Two 64-bit lanes, 16 bytes a step: SHA-256 of the
// 3 MiB payload cost 5 ms of every hook's start. Hyperscan checks its own CRC on top.
std::string payload_digest(std::string_view s) {
    auto mix = [](std::uint64_t h, std::uint64_t v) {
        h ^= v * 0x87C37B91114253D5ull;
        h = (h << 27) | (h >> 37);
        return h * 0x4CF5AD432745937Full + 0x52DCE729u;
    };
    std::uint64_t a = 0x9E3779B97F4A7C15ull ^ s.size(), b = 0xC2B2AE3D27D4EB4Full;
    std::size_t i = 0;
    for (; i + 16 <= s.size(); i += 16) {
        std::uint64_t x, y;
        std::memcpy(&x, s.data() + i, 8);
        std::memcpy(&y, s.data() + i + 8, 8);
        a = mix(a, x);
        b = mix(b, y);
    }
    for (; i < s.size(); ++i) a = mix(a, static_cast<unsigned char>(s[i]));
    a = mix(a, b);
    a ^= a >> 33;
    a *= 0xFF51AFD7ED558CCDull;
    a ^= a >> 33;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(a));
    return buf;
}

std::vector<HsDatabase*> databases_of(CompiledRules& c) {
    std::vector<HsDatabase*> v{&c.db, &c.keyword_db, &c.path_db};
    for (auto& g : c.groups) v.push_back(&g.db);
    return v;
}

bool load_cached(const fs::path& file, const std::string& key, CompiledRules& c) {
    std::ifstream f(file, std::ios::binary);
    if (!f) return false;
    std::string magic, fkey, digest, windows, sizes_line;
    if (!std::getline(f, magic) || magic != kMagic) return false;
    if (!std::getline(f, fkey) || fkey != key) return false;
    if (!std::getline(f, windows)) return false;
    if (!std::getline(f, sizes_line)) return false;
    if (!std::getline(f, digest)) return false;
    std::vector<std::size_t> sizes;
    std::istringstream zs(sizes_line);
    for (std::size_t x; zs >> x;) sizes.push_back(x);
    auto dbs = databases_of(c);
    if (sizes.size() != dbs.size()) return false;
    std::vector<std::uint32_t> w;
    std::istringstream ws(windows);
    for (std::uint32_t x; ws >> x;) w.push_back(x);
    if (w.size() != c.rules.size()) return false;
    // One read of the rest (an istreambuf_iterator copy costs milliseconds of a hook's budget).
    const auto at = f.tellg();
    f.seekg(0, std::ios::end);
    const auto end = f.tellg();
    if (at < 0 || end < at) return false;
    std::string payload(std::size_t(end - at), '\0');
    f.seekg(at);
    if (!f.read(payload.data(), std::streamsize(payload.size()))) return false;
    if (payload.empty() || payload_digest(payload) != digest) return false;  // torn or damaged: rebuild
    std::size_t at_byte = 0;
    std::vector<HsDatabase> loaded;
    for (std::size_t n : sizes) {
        if (at_byte + n > payload.size()) return false;
        hs_database_t* db = nullptr;
        if (n && hs_deserialize_database(payload.data() + at_byte, n, &db) != HS_SUCCESS) return false;
        loaded.emplace_back(db);
        at_byte += n;
    }
    if (at_byte != payload.size()) return false;
    for (std::size_t i = 0; i < dbs.size(); ++i) *dbs[i] = std::move(loaded[i]);
    for (size_t i = 0; i < w.size(); ++i) c.runtime[i]->window = w[i];
    return true;
}

void store_cached(const fs::path& dir, const fs::path& file, const std::string& key, CompiledRules& c) {
    std::string payload;
    std::vector<std::size_t> sizes;
    for (HsDatabase* d : databases_of(c)) {
        if (!*d) {
            sizes.push_back(0);
            continue;
        }
        char* bytes = nullptr;
        size_t len = 0;
        if (hs_serialize_database(d->get(), &bytes, &len) != HS_SUCCESS) return;
        std::unique_ptr<char, decltype(&std::free)> guard(bytes, &std::free);
        payload.append(bytes, len);
        sizes.push_back(len);
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    // Write to a private temp file, then rename: readers never see a half-written cache.
    fs::path tmp = file;
    tmp += ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return;
        out << kMagic << '\n' << key << '\n';
        for (const auto& rt : c.runtime) out << rt->window << ' ';
        out << '\n';
        for (std::size_t z : sizes) out << z << ' ';
        out << '\n' << payload_digest(payload) << '\n';
        out.write(payload.data(), std::streamsize(payload.size()));
        if (!out) {
            fs::remove(tmp, ec);
            return;
        }
    }
    fs::rename(tmp, file, ec);
    if (ec) fs::remove(tmp, ec);
}

}  // namespace

void build_hyperscan(CompiledRules& c, const CompileOptions& opts) {
    if (std::none_of(c.rules.begin(), c.rules.end(), [](const Rule& r) { return r.kind == Rule::Kind::regex; })) {
        validate_pcre2(c);
        return;
    }
    const std::string key = cache_key(c);
    fs::path dir = opts.cache_dir.empty() ? default_cache_dir() : opts.cache_dir;
    fs::path file = dir.empty() ? fs::path() : dir / ("rules-" + key.substr(0, 32) + ".hsdb");

    if (opts.use_cache && !file.empty() && load_cached(file, key, c)) {
        c.from_cache = true;
        return;
    }
    // Cache miss: validate every rule in both engines (so the cache only ever holds valid sets).
    validate_pcre2(c);
    std::vector<unsigned> rule_flags(c.rules.size(), 0);
    for (size_t i = 0; i < c.rules.size(); ++i) {
        if (c.rules[i].kind == Rule::Kind::path) continue;
        unsigned width = 0;
        rule_flags[i] = check_rule(c.rules[i], width);
        std::uint32_t cap = c.rules[i].window ? c.rules[i].window : kDefaultWindowCap;
        c.runtime[i]->window = std::min<std::uint32_t>(width, cap);
        if (c.rules[i].window) c.runtime[i]->window = c.rules[i].window;
    }
    c.db = compile_db(expressions_of(c, rule_flags, -1), c);
    c.keyword_db = compile_db(keyword_expressions(c), c);
    try {
        c.path_db = compile_db(path_expressions(c), c);
    } catch (const ConfigError&) {
        c.path_db = nullptr;  // a path regex even prefilter mode rejects: every path regex goes to PCRE2
    }
    for (std::size_t g = 0; g < c.groups.size(); ++g) c.groups[g].db = compile_db(expressions_of(c, rule_flags, int(g)), c);
    if (opts.use_cache && !file.empty()) store_cached(dir, file, key, c);
}

}  // namespace ks
