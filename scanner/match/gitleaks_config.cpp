#include "match/gitleaks_config.hpp"

#include "match/ascii.hpp"
#include "match/pcre.hpp"
#include "match/rules_loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace ks {
namespace fs = std::filesystem;

namespace {

toml::table parse(std::string_view text, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": invalid TOML: "
           << e.description();
        throw ConfigError(os.str());
    }
}

class Reader {
public:
    Reader(RuleSet& set, std::string source) : set_(set), source_(std::move(source)) {}

    void apply(const toml::table& doc) {
        bool use_default = false;
        std::vector<std::string> disabled;
        if (const toml::node* ext = doc.get("extend")) {
            const toml::table* t = ext->as_table();
            if (!t) fail("", "[extend] must be a table");
            if (t->contains("path")) fail("", "[extend] path is not supported (only useDefault): merge that file's rules into this one");
            if (t->contains("url")) fail("", "[extend] url is not supported (only useDefault)");
            use_default = (*t)["useDefault"].value_or(false);
            disabled = strings(*t, "disabledRules", "", "[extend] disabledRules");
        }
        if (!use_default) set_.rules.clear();
        for (const auto& id : disabled)
            set_.rules.erase(std::remove_if(set_.rules.begin(), set_.rules.end(), [&](const Rule& r) { return r.id == id; }),
                             set_.rules.end());

        if (const toml::node* rules = doc.get("rules")) {
            const toml::array* arr = rules->as_array();
            if (!arr) fail("", "'rules' must be an array of tables ([[rules]])");
            std::size_t i = 0;
            for (const auto& el : *arr) {
                const toml::table* t = el.as_table();
                if (!t) fail("#" + std::to_string(i + 1), "each [[rules]] entry must be a table");
                add_rule(*t, i++);
            }
        }

        if (doc.contains("allowlist") && doc.contains("allowlists"))
            fail("", "[allowlist] cannot be used alongside [[allowlists]]");
        if (const toml::node* a = doc.get("allowlist")) {
            const toml::table* t = a->as_table();
            if (!t) fail("", "[allowlist] must be a table");
            add_global(*t, "[allowlist]");
        }
        if (const toml::node* a = doc.get("allowlists")) {
            const toml::array* arr = a->as_array();
            if (!arr) fail("", "'allowlists' must be an array of tables ([[allowlists]])");
            for (const auto& el : *arr) {
                const toml::table* t = el.as_table();
                if (!t) fail("", "each [[allowlists]] entry must be a table");
                add_global(*t, "[[allowlists]]");
            }
        }
    }

private:
    RuleSet& set_;
    std::string source_;

    [[noreturn]] void fail(const std::string& rule, const std::string& why) const {
        throw ConfigError(source_ + (rule.empty() ? "" : ": rule '" + rule + "'") + ": " + why);
    }

    std::vector<std::string> strings(const toml::table& t, std::string_view key, const std::string& rule,
                                     const std::string& what) const {
        std::vector<std::string> out;
        const toml::node* n = t.get(key);
        if (!n) return out;
        const toml::array* arr = n->as_array();
        if (!arr) fail(rule, what + " must be an array of strings");
        for (const auto& el : *arr) {
            auto s = el.value<std::string>();
            if (!s) fail(rule, what + " must be an array of strings");
            out.push_back(*s);
        }
        return out;
    }

    AllowRule allowlist(const toml::table& t, const std::string& rule, const std::string& what) const {
        AllowRule a;
        std::string cond = ascii_lower(t["condition"].value_or(std::string()));
        if (cond == "and" || cond == "&&") a.all = true;
        else if (!(cond.empty() || cond == "or" || cond == "||"))
            fail(rule, what + " condition '" + cond + "' is unknown (expected OR or AND)");
        std::string target = t["regexTarget"].value_or(std::string());
        if (target.empty() || target == "secret") a.target = AllowRule::Target::secret;
        else if (target == "match") a.target = AllowRule::Target::match;
        else if (target == "line") a.target = AllowRule::Target::line;
        else fail(rule, what + " regexTarget '" + target + "' is unknown (expected secret, match or line)");
        a.regexes = strings(t, "regexes", rule, what + " regexes");
        for (auto& w : strings(t, "stopwords", rule, what + " stopwords")) a.stopwords.push_back(ascii_lower(w));
        a.paths = strings(t, "paths", rule, what + " paths");
        a.commits = strings(t, "commits", rule, what + " commits");
        for (const auto* v : {&a.regexes, &a.paths}) {
            for (const auto& re : *v) {
                std::string err;
                if (!pcre2_compile_jit(re, err, false)) fail(rule, what + ": invalid regex '" + re + "': " + err);
            }
        }
        if (a.regexes.empty() && a.stopwords.empty() && a.paths.empty() && a.commits.empty())
            fail(rule, what + " must hold at least one of regexes, stopwords, paths, commits");
        if (a.all && !a.commits.empty())
            fail(rule, what + " with condition = AND and commits is not supported (split it, or drop commits)");
        return a;
    }

    static void check_go_regex(const std::string& re, const std::string& what, const Reader& self, const std::string& rule) {
        // Go's ungreedy flag (?U) has no equivalent in Hyperscan.
        for (std::size_t p = re.find("(?"); p != std::string::npos; p = re.find("(?", p + 2)) {
            if (p > 0 && re[p - 1] == '\\') continue;
            std::size_t q = p + 2;
            while (q < re.size() && (std::isalpha(static_cast<unsigned char>(re[q])) || re[q] == '-')) {
                if (re[q] == 'U') self.fail(rule, what + " uses Go's (?U) ungreedy flag, which is not supported");
                ++q;
            }
        }
    }

    void add_rule(const toml::table& t, std::size_t index) {
        auto id = t["id"].value<std::string>();
        if (!id || id->empty()) fail("#" + std::to_string(index + 1), "missing 'id'");
        const std::string rid = *id;
        if (t.contains("required")) fail(rid, "[[rules.required]] (composite rules) is not supported");
        if (t["skipReport"].value_or(false)) fail(rid, "skipReport is not supported");
        if (t.contains("allowlist") && t.contains("allowlists"))
            fail(rid, "[rules.allowlist] cannot be used alongside [[rules.allowlists]]");

        std::vector<AllowRule> lists;
        if (const toml::node* a = t.get("allowlist")) {
            const toml::table* at = a->as_table();
            if (!at) fail(rid, "[rules.allowlist] must be a table");
            lists.push_back(allowlist(*at, rid, "[rules.allowlist]"));
        }
        if (const toml::node* a = t.get("allowlists")) {
            const toml::array* arr = a->as_array();
            if (!arr) fail(rid, "'allowlists' must be an array of tables ([[rules.allowlists]])");
            for (const auto& el : *arr) {
                const toml::table* at = el.as_table();
                if (!at) fail(rid, "each [[rules.allowlists]] entry must be a table");
                lists.push_back(allowlist(*at, rid, "[[rules.allowlists]]"));
            }
        }

        auto regex = t["regex"].value<std::string>();
        auto path = t["path"].value<std::string>();
        auto group = t["secretGroup"].value<int64_t>();
        auto entropy = t["entropy"].value<double>();
        auto description = t["description"].value<std::string>();
        std::vector<std::string> keywords;
        for (auto& k : strings(t, "keywords", rid, "keywords")) keywords.push_back(ascii_lower(k));
        if (regex) check_go_regex(*regex, "regex", *this, rid);
        if (path) check_go_regex(*path, "path", *this, rid);
        if (group && (*group < 0 || *group > 99)) fail(rid, "secretGroup out of range");

        auto same = std::find_if(set_.rules.begin(), set_.rules.end(), [&](const Rule& r) { return r.id == rid; });
        if (same != set_.rules.end()) {
            // gitleaks' merge into an extended rule: set fields override, lists are appended.
            Rule& r = *same;
            if (description && !description->empty()) r.description = *description;
            if (entropy && *entropy != 0) r.entropy = *entropy;
            if (regex && !regex->empty()) {
                r.kind = Rule::Kind::regex;
                r.regex = *regex;
                set_group(r, group ? int(*group) : 0);
            } else if (group && *group != 0) {
                r.secret_group = int(*group);
            }
            if (path && !path->empty()) r.path = *path;
            for (auto& k : keywords)
                if (std::find(r.keywords.begin(), r.keywords.end(), k) == r.keywords.end()) r.keywords.push_back(k);
            for (auto& a : lists) r.allowlists.push_back(std::move(a));
            return;
        }

        Rule r;
        r.id = rid;
        r.source = source_;
        r.external = true;
        r.description = description && !description->empty() ? *description : rid;
        for (char c : r.id)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
                fail(rid, "id may only hold letters, digits, '-', '_' and '.'");
        if (regex && !regex->empty()) {
            r.regex = *regex;
            set_group(r, group ? int(*group) : 0);
            if (path && !path->empty()) r.path = *path;
        } else if (path && !path->empty()) {
            r.kind = Rule::Kind::path;
            r.path = *path;
        } else {
            fail(rid, "needs a regex or a path");
        }
        r.entropy = entropy.value_or(0.0);
        r.keywords = std::move(keywords);
        r.allowlists = std::move(lists);
        set_.rules.push_back(std::move(r));
    }

    // secretGroup n > 0: that group. Unset (0): the first group that matched something, as gitleaks
    // picks it; the whole match when the regex has no group.
    void set_group(Rule& r, int group) const {
        r.secret_group.reset();
        r.secret_group_name.clear();
        r.first_nonempty_group = false;
        std::string err;
        Pcre2Code code = pcre2_compile_jit(r.regex, err, false);
        if (!code) fail(r.id, "regex does not compile: " + err);
        std::uint32_t groups = 0;
        pcre2_pattern_info(code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
        if (group > 0) {
            if (std::uint32_t(group) > groups)
                fail(r.id, "secretGroup " + std::to_string(group) + " but the regex has " + std::to_string(groups) + " group(s)");
            r.secret_group = group;
        } else if (groups == 0) {
            r.secret_group = 0;
        } else {
            r.first_nonempty_group = true;
        }
    }

    void add_global(const toml::table& t, const std::string& what) {
        AllowRule a = allowlist(t, "", what);
        std::vector<std::string> targets = strings(t, "targetRules", "", what + " targetRules");
        if (!targets.empty()) {
            for (const auto& id : targets) {
                auto it = std::find_if(set_.rules.begin(), set_.rules.end(), [&](const Rule& r) { return r.id == id; });
                if (it == set_.rules.end()) fail("", what + " targetRules names rule '" + id + "', which does not exist");
                it->allowlists.push_back(a);
            }
            return;
        }
        // Simple OR lists map onto the plain global allow-list (an allowed path is not even read).
        if (!a.all && a.commits.empty() && a.target == AllowRule::Target::secret) {
            for (auto& p : a.paths) set_.allow.paths.push_back(p);
            for (auto& r : a.regexes) set_.allow.regexes.push_back(r);
            for (auto& w : a.stopwords) set_.allow.stopwords.push_back(w);
            return;
        }
        if (!a.all && !a.paths.empty()) {
            set_.allow.paths.insert(set_.allow.paths.end(), a.paths.begin(), a.paths.end());
            a.paths.clear();
        }
        set_.allow.lists.push_back(std::move(a));
    }
};

}  // namespace

bool is_gitleaks_config(const fs::path& path) {
    if (ascii_lower(path.filename().string()).find("gitleaks") != std::string::npos) return true;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    toml::table doc;
    try {
        doc = toml::parse(read_rule_file(path), path.string());
    } catch (const toml::parse_error&) {
        return false;  // the keysweep reader reports the TOML error
    }
    for (const char* k : {"title", "extend", "allowlist", "allowlists", "minVersion"})
        if (doc.contains(k)) return true;
    if (const toml::array* rules = doc["rules"].as_array()) {
        for (const auto& el : *rules)
            if (const toml::table* t = el.as_table())
                for (const char* k : {"secretGroup", "allowlist", "allowlists", "tags", "required", "skipReport"})
                    if (t->contains(k)) return true;
    }
    return false;
}

void apply_gitleaks_toml(RuleSet& set, std::string_view text, const std::string& source) {
    Reader(set, source).apply(parse(text, source));
}

void apply_gitleaks_config(RuleSet& set, const fs::path& path) {
    apply_gitleaks_toml(set, read_rule_file(path), path.string());
}

}  // namespace ks
