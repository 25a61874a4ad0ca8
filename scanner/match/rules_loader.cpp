#include "match/rules_loader.hpp"

#include "match/ascii.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ks {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& id, const std::string& why) {
    throw ConfigError(source + (id.empty() ? "" : ": rule '" + id + "'") + ": " + why);
}

std::vector<std::string> string_list(const toml::table& t, std::string_view key, const std::string& source,
                                     const std::string& id) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* arr = n->as_array();
    if (!arr) fail(source, id, std::string(key) + " must be an array of strings");
    for (const auto& el : *arr) {
        auto s = el.value<std::string>();
        if (!s) fail(source, id, std::string(key) + " must be an array of strings");
        out.push_back(*s);
    }
    return out;
}

std::string required_string(const toml::table& t, std::string_view key, const std::string& source,
                            const std::string& id) {
    auto v = t[key].value<std::string>();
    if (!v || v->empty()) fail(source, id, "missing or empty '" + std::string(key) + "'");
    return *v;
}

Rule parse_rule(const toml::table& t, const std::string& source, size_t index) {
    Rule r;
    r.source = source;
    auto id = t["id"].value<std::string>();
    if (!id || id->empty()) fail(source, "#" + std::to_string(index + 1), "missing 'id'");
    r.id = *id;
    for (char c : r.id) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            fail(source, r.id, "id may only hold letters, digits, '-', '_' and '.'");
    }
    r.description = t["description"].value_or(r.id);
    const std::string kind = t["kind"].value_or(std::string("regex"));
    if (kind == "path") {
        r.kind = Rule::Kind::path;
        if (t.contains("regex")) fail(source, r.id, "a path rule (kind = \"path\") takes no 'regex'");
        if (!t["path"].value<std::string>() || t["path"].value_or(std::string()).empty())
            fail(source, r.id, "a path rule (kind = \"path\") needs 'path'");
    } else if (kind != "regex") {
        fail(source, r.id, "unknown kind '" + kind + "' (expected \"regex\" or \"path\")");
    } else {
        r.regex = required_string(t, "regex", source, r.id);
        r.prefilter = t["prefilter"].value_or(std::string());
    }
    if (auto g = t["secret_group"].value<int64_t>()) {
        if (*g < 0 || *g > 99) fail(source, r.id, "secret_group out of range");
        r.secret_group = int(*g);
    } else if (auto gs = t["secret_group"].value<std::string>()) {
        r.secret_group_name = *gs;
    }
    for (auto& k : string_list(t, "keywords", source, r.id)) r.keywords.push_back(ascii_lower(k));
    if (auto e = t["entropy"].value<double>()) r.entropy = *e;
    if (auto e = t["entropy_hex"].value<double>()) r.entropy_hex = *e;
    if (auto e = t["entropy_b64"].value<double>()) r.entropy_b64 = *e;
    r.generic = t["generic"].value_or(false);
    r.skip_placeholders = t["skip_placeholders"].value_or(false);
    r.decode = t["decode"].value_or(std::string());
    if (!r.decode.empty() && r.decode != "base64") fail(source, r.id, "unknown decode '" + r.decode + "' (expected \"base64\")");
    r.path = t["path"].value_or(std::string());
    r.allow = string_list(t, "allow", source, r.id);
    for (auto& s : string_list(t, "stopwords", source, r.id)) r.stopwords.push_back(ascii_lower(s));
    if (auto m = string_list(t, "allow_match", source, r.id); !m.empty())
        r.allowlists.push_back(AllowRule{std::move(m), AllowRule::Target::match, {}, {}, {}, false});
    if (auto l = string_list(t, "allow_line", source, r.id); !l.empty())
        r.allowlists.push_back(AllowRule{std::move(l), AllowRule::Target::line, {}, {}, {}, false});
    if (auto p = string_list(t, "allow_paths", source, r.id); !p.empty())
        r.allowlists.push_back(AllowRule{{}, AllowRule::Target::secret, {}, std::move(p), {}, false});
    r.verify = t["verify"].value_or(std::string());
    if (!r.verify.empty() && r.verify != "aws:key-id" && r.verify != "aws:secret" && r.verify != "aws:session-token")
        fail(source, r.id, "unknown verify kind '" + r.verify + "'");
    if (auto w = t["window"].value<int64_t>()) {
        if (*w <= 0 || *w > (1 << 20)) fail(source, r.id, "window must be between 1 and 1048576");
        r.window = std::uint32_t(*w);
    }
    const bool path_rule = r.kind == Rule::Kind::path;
    if (const toml::array* ex = t["examples"].as_array()) {
        for (const auto& el : *ex) {
            if (auto s = el.value<std::string>()) {
                // A path rule's string examples are paths.
                if (path_rule) r.examples.push_back({"", std::nullopt, *s});
                else r.examples.push_back({*s, std::nullopt, {}});
            } else if (const toml::table* et = el.as_table()) {
                auto text = (*et)["text"].value<std::string>();
                if (!text && !path_rule) fail(source, r.id, "an example table needs 'text'");
                if (path_rule && !(*et)["path"].value<std::string>()) fail(source, r.id, "a path rule's example table needs 'path'");
                RuleExample e{text.value_or(std::string()), std::nullopt, {}};
                if (auto sec = (*et)["secret"].value<std::string>()) e.secret = *sec;
                e.path = (*et)["path"].value_or(std::string());
                r.examples.push_back(std::move(e));
            } else {
                fail(source, r.id, "examples must be strings or {text, secret} tables");
            }
        }
    }
    r.negative_examples = string_list(t, "negative_examples", source, r.id);
    return r;
}

toml::table parse_toml(std::string_view text, const std::string& source) {
    try {
        return toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << source << ":" << e.source().begin.line << ":" << e.source().begin.column
           << ": invalid TOML: " << e.description();
        throw ConfigError(os.str());
    }
}

void add_rules_table(RuleSet& set, const toml::table& doc, const std::string& source) {
    const toml::node* rules = doc.get("rules");
    if (!rules) return;
    const toml::array* arr = rules->as_array();
    if (!arr) {
        if (rules->is_table()) return;  // a config's [rules] settings table
        fail(source, "", "'rules' must be an array of tables ([[rules]])");
    }
    size_t i = 0;
    for (const auto& el : *arr) {
        const toml::table* t = el.as_table();
        if (!t) fail(source, "#" + std::to_string(i + 1), "each [[rules]] entry must be a table");
        Rule r = parse_rule(*t, source, i++);
        auto same = std::find_if(set.rules.begin(), set.rules.end(), [&](const Rule& o) { return o.id == r.id; });
        if (same != set.rules.end()) *same = std::move(r);
        else set.rules.push_back(std::move(r));
    }
}

}  // namespace

std::string read_rule_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw ConfigError(p.string() + ": cannot read file");
    std::ostringstream os;
    os << f.rdbuf();
    return os.str();
}

// default_rules() is generated at build time (match/codegen/rules_codegen.cpp), from the same files
// parsed by add_rules_toml below.

void add_rules_toml(RuleSet& set, std::string_view text, const std::string& source) {
    add_rules_table(set, parse_toml(text, source), source);
}

void add_rules_path(RuleSet& set, const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(path, ec))
            if (e.path().extension() == ".toml") files.push_back(e.path());
        if (ec) throw ConfigError(path.string() + ": cannot list folder: " + ec.message());
        std::sort(files.begin(), files.end());
        if (files.empty()) throw ConfigError(path.string() + ": no *.toml rule files in folder");
        for (const auto& f : files) add_rules_toml(set, read_rule_file(f), f.string());
        return;
    }
    if (!fs::exists(path, ec)) throw ConfigError(path.string() + ": no such rule file");
    add_rules_toml(set, read_rule_file(path), path.string());
}

void apply_config_file(RuleSet& set, const fs::path& path) {
    const std::string source = path.string();
    toml::table doc = parse_toml(read_rule_file(path), source);
    if (const toml::table* rs = doc["rules"].as_table()) {
        if (auto use = (*rs)["use_default"].value<bool>(); use && !*use) set.rules.clear();
    }
    if (const toml::node* a = doc.get("allow")) {
        const toml::table* at = a->as_table();
        if (!at) throw ConfigError(source + ": [allow] must be a table");
        for (auto& p : string_list(*at, "paths", source, "")) set.allow.paths.push_back(p);
        for (auto& r : string_list(*at, "regexes", source, "")) set.allow.regexes.push_back(r);
        for (auto& s : string_list(*at, "stopwords", source, "")) set.allow.stopwords.push_back(ascii_lower(s));
    }
    add_rules_table(set, doc, source);
}

}  // namespace ks
