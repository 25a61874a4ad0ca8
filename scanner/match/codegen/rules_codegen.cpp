// rules_codegen OUT.cpp FILE.toml...
// Build-time generator: parses the default rule files with add_rules_toml (the run-time loader, so
// validation, defaults and lower-casing are the same) and writes OUT.cpp, which defines
// ks::default_rules() from constant tables (match/codegen/rule_table.hpp). Each rule's source is
// "patterns/<file name>". An invalid rule file fails the build with the loader's error line.
#include "match/rules_loader.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using ks::AllowRule;
using ks::Rule;
using ks::RuleExample;

// A C++ string literal holding exactly the bytes of `s` (NUL and non-ASCII bytes as octal escapes;
// octal escapes are always three digits, so a following digit cannot extend them).
std::string literal(std::string_view s) {
    std::string out = "\"";
    out.reserve(s.size() + 4);
    char prev = 0;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '?': out += prev == '?' ? "\\?" : "?"; break;  // "??" never starts a trigraph
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c >= 0x20 && c < 0x7f) {
                    out += ch;
                } else {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\%03o", unsigned(c));
                    out += buf;
                }
        }
        prev = ch;
    }
    out += "\"sv";
    return out;
}

// A C++ expression for `d` that reads back bit for bit (hexadecimal floating literal).
std::string number(double d) {
    if (std::isnan(d)) return "std::numeric_limits<double>::quiet_NaN()";
    if (std::isinf(d)) return d > 0 ? "std::numeric_limits<double>::infinity()" : "-std::numeric_limits<double>::infinity()";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", d);
    const double back = std::strtod(buf, nullptr);
    if (std::memcmp(&back, &d, sizeof d) != 0) throw std::runtime_error(std::string("double does not round-trip: ") + buf);
    return buf;
}

const char* boolean(bool b) { return b ? "true" : "false"; }

const char* kind_name(Rule::Kind k) {
    switch (k) {
        case Rule::Kind::regex: return "ks::Rule::Kind::regex";
        case Rule::Kind::path: return "ks::Rule::Kind::path";
    }
    throw std::runtime_error("unknown Rule::Kind");
}

const char* target_name(AllowRule::Target t) {
    switch (t) {
        case AllowRule::Target::secret: return "ks::AllowRule::Target::secret";
        case AllowRule::Target::match: return "ks::AllowRule::Target::match";
        case AllowRule::Target::line: return "ks::AllowRule::Target::line";
    }
    throw std::runtime_error("unknown AllowRule::Target");
}

// Collects the pools (strings, examples, allow-lists) and the rule rows as C++ initializer text.
class Tables {
public:
    void add_rule(const Rule& r) {
        // Names every field of Rule: a field added to Rule fails to compile here until it is written.
        const auto& [kind, id, description, regex, prefilter, secret_group, secret_group_name, first_nonempty_group,
                     keywords, entropy, entropy_hex, entropy_b64, generic, skip_placeholders, decode, path, allow,
                     stopwords, allowlists, verify, window, examples, negative_examples, source, external] = r;
        std::ostringstream o;
        o << "    {.kind = " << kind_name(kind) << ",\n"
          << "     .id = " << literal(id) << ",\n"
          << "     .description = " << literal(description) << ",\n"
          << "     .regex = " << literal(regex) << ",\n"
          << "     .prefilter = " << literal(prefilter) << ",\n"
          << "     .has_secret_group = " << boolean(secret_group.has_value()) << ",\n"
          << "     .secret_group = " << secret_group.value_or(0) << ",\n"
          << "     .secret_group_name = " << literal(secret_group_name) << ",\n"
          << "     .first_nonempty_group = " << boolean(first_nonempty_group) << ",\n"
          << "     .keywords = " << add_strings(keywords) << ",\n"
          << "     .entropy = " << number(entropy) << ",\n"
          << "     .has_entropy_hex = " << boolean(entropy_hex.has_value()) << ",\n"
          << "     .entropy_hex = " << number(entropy_hex.value_or(0.0)) << ",\n"
          << "     .has_entropy_b64 = " << boolean(entropy_b64.has_value()) << ",\n"
          << "     .entropy_b64 = " << number(entropy_b64.value_or(0.0)) << ",\n"
          << "     .generic = " << boolean(generic) << ",\n"
          << "     .skip_placeholders = " << boolean(skip_placeholders) << ",\n"
          << "     .decode = " << literal(decode) << ",\n"
          << "     .path = " << literal(path) << ",\n"
          << "     .allow = " << add_strings(allow) << ",\n"
          << "     .stopwords = " << add_strings(stopwords) << ",\n"
          << "     .allowlists = " << add_allows(allowlists) << ",\n"
          << "     .verify = " << literal(verify) << ",\n"
          << "     .window = " << window << "u,\n"
          << "     .examples = " << add_examples(examples) << ",\n"
          << "     .negative_examples = " << add_strings(negative_examples) << ",\n"
          << "     .source = " << literal(source) << ",\n"
          << "     .external = " << boolean(external) << "},\n";
        rules_.push_back(o.str());
    }

    void set_global(const ks::AllowList& a) {
        const auto& [paths, regexes, stopwords, lists] = a;
        std::ostringstream o;
        o << "{.paths = " << add_strings(paths) << ", .regexes = " << add_strings(regexes)
          << ", .stopwords = " << add_strings(stopwords) << ", .lists = " << add_allows(lists) << "}";
        global_ = o.str();
    }

    std::string source() const {
        std::ostringstream o;
        o << "// Generated by rules_codegen (scanner/match/codegen/rules_codegen.cpp) from patterns/*.toml. Do not edit.\n"
             "#include \"match/codegen/rule_table.hpp\"\n"
             "#include \"match/rules_loader.hpp\"\n\n"
             "#include <array>\n#include <limits>\n#include <string_view>\n\n"
             "namespace ks {\nnamespace {\nusing namespace std::string_view_literals;\n\n";
        array(o, "std::string_view", "kStrings", strings_);
        array(o, "rule_table::Example", "kExamples", examples_);
        array(o, "rule_table::Allow", "kAllows", allows_);
        array(o, "rule_table::RuleRow", "kRules", rules_);
        o << "constexpr rule_table::Global kGlobal" << global_ << ";\n\n"
          << "}  // namespace\n\n"
             "RuleSet default_rules() {\n"
             "    return rule_table::build(rule_table::Tables{kStrings, kExamples, kAllows, kRules, kGlobal});\n"
             "}\n\n"
             "}  // namespace ks\n";
        return o.str();
    }

private:
    static std::string range(size_t begin, size_t count) {
        if (begin + count > std::numeric_limits<std::uint32_t>::max()) throw std::runtime_error("table too large");
        return "{" + std::to_string(begin) + ", " + std::to_string(count) + "}";
    }

    std::string add_strings(const std::vector<std::string>& list) {
        const size_t begin = strings_.size();
        for (const auto& s : list) strings_.push_back("    " + literal(s) + ",\n");
        return range(begin, list.size());
    }

    std::string add_examples(const std::vector<RuleExample>& list) {
        const size_t begin = examples_.size();
        for (const RuleExample& e : list) {
            const auto& [text, secret, path] = e;
            examples_.push_back("    {.text = " + literal(text) + ", .has_secret = " + boolean(secret.has_value()) +
                                ", .secret = " + literal(secret.value_or("")) + ", .path = " + literal(path) + "},\n");
        }
        return range(begin, list.size());
    }

    std::string add_allows(const std::vector<AllowRule>& list) {
        // Rows are appended after their strings, so nested add_strings calls come first.
        std::vector<std::string> rows;
        for (const AllowRule& a : list) {
            const auto& [regexes, target, stopwords, paths, commits, all] = a;
            std::string row = "    {.regexes = " + add_strings(regexes);
            row += std::string(", .target = ") + target_name(target);
            row += ", .stopwords = " + add_strings(stopwords);
            row += ", .paths = " + add_strings(paths);
            row += ", .commits = " + add_strings(commits);
            row += std::string(", .all = ") + boolean(all) + "},\n";
            rows.push_back(std::move(row));
        }
        const size_t begin = allows_.size();
        allows_.insert(allows_.end(), rows.begin(), rows.end());
        return range(begin, list.size());
    }

    static void array(std::ostringstream& o, const char* type, const char* name, const std::vector<std::string>& rows) {
        o << "constexpr std::array<" << type << ", " << rows.size() << "> " << name << "{";
        if (!rows.empty()) {
            o << "{\n";
            for (const auto& r : rows) o << r;
            o << "}";
        }
        o << "};\n\n";
    }

    std::vector<std::string> strings_, examples_, allows_, rules_;
    std::string global_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: rules_codegen OUT.cpp FILE.toml...\n";
        return 2;
    }
    const std::filesystem::path out = argv[1];
    try {
        ks::RuleSet set;
        for (int i = 2; i < argc; ++i) {
            const std::filesystem::path file = argv[i];
            ks::add_rules_toml(set, ks::read_rule_file(file), "patterns/" + file.filename().string());
        }
        Tables tables;
        for (const Rule& r : set.rules) tables.add_rule(r);
        tables.set_global(set.allow);
        const std::string text = tables.source();

        // Written whole or not at all: a failed run leaves no half file for the next build to compile.
        const std::filesystem::path tmp = out.string() + ".tmp";
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            f << text;
            f.close();
            if (!f) throw std::runtime_error(tmp.string() + ": cannot write file");
        }
        std::filesystem::rename(tmp, out);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "rules_codegen: " << e.what() << "\n";
        return 1;
    }
}
