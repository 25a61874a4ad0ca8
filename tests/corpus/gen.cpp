#include "corpus.hpp"

#include "match/placeholder.hpp"

#include <algorithm>
#include <cstdio>

namespace ks::corpus {

namespace {
const char* kWords[] = {"orders", "billing", "ledger", "atlas", "harbor", "falcon", "quartz", "meadow", "cobalt",
                        "summit", "pioneer", "beacon", "cedar", "delta", "ember", "fjord", "granite", "horizon",
                        "juniper", "kestrel", "lumen", "marble", "nimbus", "onyx", "prairie", "raven", "sierra",
                        "tundra", "umber", "vertex", "willow", "zephyr", "report", "search", "payments", "catalog"};
}

std::string Gen::chars(std::string_view alphabet, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[pick(alphabet.size())];
    return s;
}

namespace {
bool acceptable(const std::string& s) {
    std::string low = s;
    std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const char* w : {"test", "exam", "pass", "secret", "your", "dummy", "fake", "todo", "key", "mock", "lorem",
                          "sample", "xxx", "1234", "abcd", "admin"})
        if (low.find(w) != std::string::npos) return false;
    return !looks_like_placeholder(s);
}
}  // namespace

std::string Gen::alnum(std::size_t n) {
    for (;;) {
        std::string s = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n);
        bool digit = std::any_of(s.begin(), s.end(), ::isdigit), low = std::any_of(s.begin(), s.end(), ::islower),
             up = std::any_of(s.begin(), s.end(), ::isupper);
        if (digit && low && up && acceptable(s)) return s;
    }
}
std::string Gen::lower_alnum(std::size_t n) {
    for (;;) {
        std::string s = chars("abcdefghijklmnopqrstuvwxyz0123456789", n);
        if (std::any_of(s.begin(), s.end(), ::isdigit) && std::any_of(s.begin(), s.end(), ::isalpha) && acceptable(s))
            return s;
    }
}
std::string Gen::hex(std::size_t n) {
    for (;;) {
        std::string s = chars("0123456789abcdef", n);
        if (acceptable(s)) return s;
    }
}
std::string Gen::upper_hex(std::size_t n) {
    for (;;) {
        std::string s = chars("0123456789ABCDEF", n);
        if (acceptable(s)) return s;
    }
}
std::string Gen::b64(std::size_t n) {
    for (;;) {
        std::string s = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
        if (std::any_of(s.begin(), s.end(), ::isdigit) && acceptable(s)) return s;
    }
}
std::string Gen::password(std::size_t n) {
    for (;;) {
        std::string s = chars("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!%*+-.=?^_~", n);
        bool digit = std::any_of(s.begin(), s.end(), ::isdigit), low = std::any_of(s.begin(), s.end(), ::islower);
        if (digit && low && acceptable(s) && s[0] != '-' && s[0] != '.') return s;
    }
}
std::string Gen::word() { return kWords[pick(std::size(kWords))]; }
std::string Gen::user() {
    static const std::vector<std::string> u = {"deploy", "svc_" + std::string("orders"), "ci", "release-bot", "app",
                                               "backup", "report_ro", "etl", "jenkins", "ops"};
    return one(u);
}
std::string Gen::host() { return word() + "-" + std::to_string(pick(20) + 1) + "." + word() + ".internal"; }
std::string Gen::ip() {
    return "10." + std::to_string(pick(250)) + "." + std::to_string(pick(250)) + "." + std::to_string(pick(250) + 1);
}
std::string Gen::uuid() { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12); }

std::string percent(std::string_view in) {
    std::string out;
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

}  // namespace ks::corpus
