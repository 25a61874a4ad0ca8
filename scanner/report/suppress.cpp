#include "report/suppress.hpp"

#include "model/fingerprint.hpp"

#include <nlohmann/json.hpp>

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ks::report {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::runtime_error error(std::string_view name, std::string_view what) {
    return std::runtime_error(std::string(name) + ": " + std::string(what));
}

std::string read_file(const fs::path& p) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) throw error(p.string(), "is a directory, not a file");
    std::ifstream in(p, std::ios::binary);
    if (!in) throw error(p.string(), std::string("cannot read: ") + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw error(p.string(), "read error");
    return std::move(ss).str();
}

std::string_view trim(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

// Calls fn(line_number, line) for each line; a UTF-8 byte-order mark (editors add one) is skipped.
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::size_t n = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        fn(++n, text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
}

// Paths are compared as printed: repository-relative, without a leading "./".
std::string normalize_path(std::string_view p) {
    while (p.starts_with("./")) p.remove_prefix(2);
    return std::string(p);
}

std::size_t line_of_byte(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
}

}  // namespace

bool is_fingerprint(std::string_view s) {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    auto rule = s.substr(0, colon), hash = s.substr(colon + 1);
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    auto plain = [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7F; };
    return hash.size() == 32 && std::all_of(hash.begin(), hash.end(), hex) &&
           std::all_of(rule.begin(), rule.end(), plain);
}

void Suppressor::add_ignore_text(std::string_view text, std::string_view name) {
    for_each_line(text, [&](std::size_t n, std::string_view line) {
        // A comment starts at '#' at the line's start or after whitespace (a glob may contain '#').
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
                line = line.substr(0, i);
                break;
            }
        }
        line = trim(line);
        if (line.empty()) return;
        auto sep = line.find_first_of(" \t");
        auto fp = line.substr(0, sep);
        auto glob = sep == std::string_view::npos ? std::string_view{} : trim(line.substr(sep));
        if (!is_fingerprint(fp))
            throw error(std::string(name) + ":" + std::to_string(n),
                        "not an ignore entry (expected 'rule_id:hash [path-glob]' with a fingerprint from a report)");
        if (glob.empty()) everywhere_.emplace(fp);
        else scoped_[std::string(fp)].push_back(normalize_path(glob));
    });
}

void Suppressor::add_baseline_text(std::string_view text, std::string_view name) {
    auto add = [&](const json& f, const std::string& where) {
        const json* fp = f.is_object() && f.contains("fingerprint") ? &f["fingerprint"] : nullptr;
        if (!fp || !fp->is_string() || !is_fingerprint(fp->get_ref<const std::string&>()))
            throw error(name, where + " has no valid \"fingerprint\" (is this a keysweep report?)");
        everywhere_.insert(fp->get<std::string>());
    };
    auto add_all = [&](const json& list) {
        for (std::size_t i = 0; i < list.size(); ++i) add(list[i], "finding " + std::to_string(i + 1));
    };

    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) {
        if (doc.is_array()) return add_all(doc);
        if (!doc.is_object()) throw error(name, "not a keysweep report (expected a JSON object, array or JSON lines)");
        if (doc.contains("runs") && doc["runs"].is_array()) {  // our SARIF
            for (const auto& run : doc["runs"]) {
                for (const auto& r : run.value("results", json::array())) {
                    const auto pf = r.value("partialFingerprints", json::object());
                    add({{"fingerprint", pf.value("keysweep/v1", "")}}, "a SARIF result");
                }
            }
            return;
        }
        if (doc.contains("findings") && doc["findings"].is_array()) {
            if (doc.contains("version") && doc["version"] != 1)
                throw error(name, "unsupported keysweep report version (expected 1)");
            return add_all(doc["findings"]);
        }
        if (doc.contains("fingerprint")) return add(doc, "line 1");  // JSON lines holding one finding
        throw error(name, "not a keysweep report (no \"findings\" array)");
    }

    // Not one JSON document: JSON lines, one finding per line.
    bool first = true;
    for_each_line(text, [&](std::size_t n, std::string_view line) {
        line = trim(line);
        if (line.empty()) return;
        json f = json::parse(line, nullptr, false);
        if (f.is_discarded()) {
            // A first line that does not parse: more likely one broken JSON document than JSON
            // lines, so point at the document's error instead of at line 1. Position only: the text
            // may hold secrets.
            std::size_t at = n;
            if (first) {
                try {
                    [[maybe_unused]] json whole = json::parse(text);  // throws: we want its position
                } catch (const json::parse_error& e) {
                    at = line_of_byte(text, e.byte);
                }
            }
            throw error(std::string(name) + ":" + std::to_string(at),
                        "invalid JSON (expected a keysweep JSON report, an array of findings or JSON lines)");
        }
        first = false;
        add(f, "line " + std::to_string(n));
    });
}

Suppressor Suppressor::load(const fs::path& ignore_file, const fs::path& baseline) {
    Suppressor s;
    if (!ignore_file.empty()) s.add_ignore_text(read_file(ignore_file), ignore_file.string());
    if (!baseline.empty()) s.add_baseline_text(read_file(baseline), baseline.string());
    return s;
}

bool Suppressor::suppressed(const Finding& f) const {
    if (empty()) return false;
    // Findings always carry one; computing it keeps a hand-built Finding honest too.
    const std::string fp = f.fingerprint.empty() ? fingerprint(f.rule_id, f.secret) : f.fingerprint;
    if (everywhere_.contains(fp)) return true;
    auto it = scoped_.find(fp);
    if (it == scoped_.end()) return false;
    const std::string path = normalize_path(f.path);
    return std::any_of(it->second.begin(), it->second.end(), [&](const std::string& glob) {
        return glob == path || fnmatch(glob.c_str(), path.c_str(), 0) == 0;
    });
}

std::size_t Suppressor::filter(std::vector<Finding>& findings) const {
    auto before = findings.size();
    std::erase_if(findings, [&](const Finding& f) { return suppressed(f); });
    return before - findings.size();
}

}  // namespace ks::report
