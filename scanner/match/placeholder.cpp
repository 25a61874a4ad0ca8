#include "match/placeholder.hpp"

#include "match/ascii.hpp"
#include "match/pcre.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace ks {

namespace {

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

// Lookup calls and references that stand for a value kept elsewhere.
constexpr std::string_view kLookups[] = {
    "os.environ", "os.getenv", "getenv(", "environ[", "environ.get", "env(", "env[", "env.fetch", "env.get",
    "process.env", "system.getenv", "system.getproperty", "deno.env", "import.meta.env", "config(", "config[",
    "config.get", "settings.", "secrets.", "vault(", "vault:", "lookup(", "credentials(", "keyring.", "getpass",
    "var.", "local.", "data.", "module.", "random_password.", "environment.", "$env:", "os.expand", "viper.get",
    "configuration[", "@value(", "props.", "args.", "argv", "input(", "prompt(", "readline("};

// Substrings that mark a value as a stand-in, whatever surrounds them.
// Template expressions: an opener with its closer after it (${X}, {{ x }}, <%= x %>, #{x}, $(cmd)).
constexpr std::pair<std::string_view, std::string_view> kTemplates[] = {
    {"${", "}"}, {"{{", "}}"}, {"<%", "%>"}, {"#{", "}"}, {"$(", ")"}};

constexpr std::string_view kMarkers[] = {
    "xxxx", "****", "....", "\xe2\x80\xa6", "\xe2\x80\xa2\xe2\x80\xa2",
    "changeme", "change_me", "change-me", "changeit", "changethis", "change_this", "replaceme", "replace_me",
    "replace-me", "your_", "your-", "yourpass", "yoursecret", "yourtoken", "yourkey", "yourapi", "example",
    "placeholder", "redacted", "dummy", "insert_", "insert-your", "enter_your", "enter-your", "put_your",
    "put-your", "fill_in", "notreal", "12345678", "abcdefgh", "qwertyui", "_here", "-here", "opensesame", "notasecret", "12345"};

// Example credentials from RFCs and vendor documentation, quoted in every library that implements them
// (OAuth 1.0a / 2.0, HTTP Basic).
constexpr std::string_view kDocExamples[] = {
    "s6bhdrkqt3", "gx1fbat3bv", "2yotnfzfejr1zcsicmwpaa", "tgzv3jokf0xg5qx2tlkwia", "0685bd9184jfhq22",
    "splxlobezqqybys", "kkk9d7dh3k39sjv7", "hh5s93j4hdidpola", "nnch734d00sl2jdk", "dh9kf52ns0nf9",
    "aladdin:open sesame", "wjalrxutnfemi", "854dvwsluwehtio3kwy6x7ucpkhfzcmy"};

// Whole values that are stock defaults or words, with optional trailing digits and punctuation.
const LazyRegex& word_value() {
    static const LazyRegex re(
        R"(^(?:p[a@4]s{1,2}(?:w[o0]r?d)?|pwd|secret|s3cr3t|token|key|api[_-]?key|admin(?:istrator)?|root|toor|)"
        R"(test(?:ing)?|guest|user(?:name)?|login|demo|dev|local|default|sample|fake|mock|stub|foo|bar|baz|)"
        R"(foobar|qux|none|null|nil|undefined|empty|blank|true|false|yes|no|on|off|todo|tbd|fixme|string|)"
        R"(value|values|required|optional|hidden|masked|removed|unknown|abc|abcd|abcdef|qwerty|letmein|)"
        R"(welcome|hunter|my[_-]?(?:pass(?:word)?|secret|token|key)|super[_-]?secret|top[_-]?secret|)"
        R"(postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|redis|rabbitmq|oracle|elastic|android|changeit|)"
        R"((?:test|demo|dev|local|sample|fake|mock|dummy|default|db|my|app|some)[_-]?)"
        R"((?:pass(?:word)?|pwd|secret|token|key|api[_-]?key))[0-9!@#$%^&*._-]{0,8}$)");
    return re;
}

// Every byte one character (xxxx, 0000) or a mask alphabet only (x*.#?-_).
bool is_mask(std::string_view v) {
    if (v.size() >= 3 && std::all_of(v.begin(), v.end(), [&](char c) { return c == v[0]; })) return true;
    return std::all_of(v.begin(), v.end(), [](char c) {
        return c == 'x' || c == 'X' || c == '*' || c == '.' || c == '#' || c == '?' || c == '-' || c == '_' || c == ' ';
    });
}

// {password}, [token], <secret>: a bracketed word, not an encrypted blob like {AQAAABAAAAAQ...}.
bool is_bracketed_word(std::string_view v) {
    if (v.size() < 2) return false;
    char a = v.front(), z = v.back();
    auto wordy = [](std::string_view in) {
        return std::all_of(in.begin(), in.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' || c == ':';
        });
    };
    if (a == '<' && z == '>' && wordy(v.substr(1, v.size() - 2))) return true;  // <password>, <set me in CI>
    if (a == '<' && v.size() > 1 && std::isalpha(static_cast<unsigned char>(v[1])) && v.find('>') == std::string_view::npos)
        return true;  // <password (cut by the rule's character set)
    if (a == '[') {  // [password], [path/]file
        std::size_t close = v.find(']');
        if (close != std::string_view::npos &&
            std::all_of(v.begin() + 1, v.begin() + std::ptrdiff_t(close), [](unsigned char c) { return std::isalpha(c) || c == '/' || c == '_'; }))
            return true;
    }
    if (!((a == '{' && z == '}') || (a == '[' && z == ']') || (a == '(' && z == ')') || (a == '@' && z == '@')))
        return false;
    std::string_view in = v.substr(1, v.size() - 2);
    return std::all_of(in.begin(), in.end(), [](unsigned char c) {
        return std::isalpha(c) || c == '_' || c == '-' || c == '.' || c == ' ';
    });
}

}  // namespace

bool looks_like_placeholder(std::string_view value) {
    std::string_view v = value;
    auto trim = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == '\r' || c == '\n'; };
    while (!v.empty() && trim(v.front())) v.remove_prefix(1);
    while (!v.empty() && trim(v.back())) v.remove_suffix(1);
    // A value read out of a string literal may end in its escapes ("android\n").
    while (v.size() >= 2 && v[v.size() - 2] == '\\' && (v.back() == 'n' || v.back() == 'r' || v.back() == 't'))
        v.remove_suffix(2);
    if (v.empty()) return true;
    if (v[0] == '$' && v.size() > 1 && (std::isalpha(static_cast<unsigned char>(v[1])) || v[1] == '_' || v[1] == '{' || v[1] == '('))
        return true;  // $VAR, ${VAR}, $(cmd); not $2y$... hashes
    if (v[0] == '%' && v.size() > 1 && (v[1] == '(' || v[1] == '{' || v.back() == '%')) return true;  // %(x)s, %{x}, %VAR%
    if (is_mask(v) || is_bracketed_word(v)) return true;
    const std::string low = ascii_lower(v);
    for (auto m : kMarkers)
        if (contains(low, m)) return true;
    for (auto [open, close] : kTemplates)
        if (auto at = low.find(open); at != std::string::npos && low.find(close, at + open.size()) != std::string::npos)
            return true;
    for (auto l : kLookups)
        if (contains(low, l)) return true;
    for (auto e : kDocExamples)
        if (contains(low, e)) return true;
    const pcre2_code* code = word_value().get();
    if (!code) return false;
    Pcre2MatchData md(pcre2_match_data_create_from_pattern(code, nullptr));
    auto word = [&](std::string_view w) {
        return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(w.data()), w.size(), 0, 0, md.get(), nullptr) >= 0;
    };
    if (word(low)) return true;
    // user:password pairs (decoded basic auth, docker auths): a stock password is a placeholder.
    if (auto colon = low.find(':'); colon != std::string::npos && low.find(':', colon + 1) == std::string::npos)
        return colon + 1 == low.size() || word(std::string_view(low).substr(colon + 1));
    return false;
}

}  // namespace ks
