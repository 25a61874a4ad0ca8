// The text format: one block per finding, for a developer reading a terminal or a CI log.
#include "report/formats.hpp"

#include <fmt/format.h>

namespace ks::report::detail {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not valid UTF-8.
std::size_t utf8_len(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
    unsigned c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        bool ok = cont(1) && cont(2) && !(c == 0xE0 && b(1) < 0xA0) && !(c == 0xED && b(1) > 0x9F);
        return ok ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        bool ok = cont(1) && cont(2) && cont(3) && !(c == 0xF0 && b(1) < 0x90) && !(c == 0xF4 && b(1) > 0x8F);
        return ok ? 4 : 0;
    }
    return 0;
}

// Scanned content is untrusted: a path or secret holding ESC could rewrite the reader's terminal.
// Control characters (C0, DEL, C1) and invalid UTF-8 bytes are shown as \xNN instead.
std::string clean(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_len(s, i);
        auto c = static_cast<unsigned char>(s[i]);
        bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;  // U+0080..U+009F
        if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F)) || c1) {
            unsigned shown = c1 ? static_cast<unsigned char>(s[i + 1]) : c;
            out += fmt::format("\\x{:02x}", shown);
            i += c1 ? 2 : 1;
        } else {
            out.append(s, i, n);
            i += n;
        }
    }
    return out;
}

struct Style {
    bool on;
    std::string operator()(std::string_view code, std::string_view text) const {
        // Empty stays empty, so a row for an unknown value is still left out.
        return on && !text.empty() ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
    }
};

constexpr std::string_view kBold = "1", kRule = "1;31", kDim = "2", kPath = "36", kSecret = "33",
                           kLive = "1;31", kOk = "32", kOther = "33";

std::string location(const Finding& f) {
    std::string where = clean(f.path.empty() ? "-" : f.path);
    if (f.line > 0) where += fmt::format(":{}:{}", f.line, f.column);
    return where;
}

std::string verification(const Verification& v, const Style& st) {
    auto status = to_string(v.status);
    std::string_view colour = v.status == VerifyStatus::live      ? kLive
                              : v.status == VerifyStatus::invalid ? kOk
                                                                  : kOther;
    std::string out = st(colour, status);
    std::string detail;
    auto add = [&](std::string_view label, const std::string& value) {
        if (value.empty()) return;
        if (!detail.empty()) detail += ", ";
        detail += fmt::format("{}{}", label, clean(value));
    };
    add("account ", v.account);
    add("", v.arn);
    add("", v.message);
    if (!detail.empty()) out += " (" + detail + ")";
    return out;
}

}  // namespace

void write_text(std::ostream& out, const std::vector<Finding>& findings, bool color) {
    Style st{color};
    bool first = true;
    for (const auto& f : findings) {
        if (!first) out << '\n';
        first = false;
        auto row = [&](std::string_view label, const std::string& value) {
            if (!value.empty()) out << "  " << st(kDim, fmt::format("{:<12}", label)) << ' ' << value << '\n';
        };
        out << st(kRule, clean(f.rule_id)) << "  " << st(kBold, clean(f.description)) << '\n';
        row("location:", st(kPath, location(f)));
        if (!f.commit.empty()) row("commit:", clean(f.commit.substr(0, 12)));
        if (!f.author.empty() || !f.email.empty())
            row("author:", clean(f.author) + (f.email.empty() ? "" : " <" + clean(f.email) + ">"));
        row("date:", clean(f.date));
        row("secret:", st(kSecret, clean(f.secret)));
        row("entropy:", fmt::format("{:.2f}", f.entropy));
        row("fingerprint:", clean(f.fingerprint));
        if (f.verification.status != VerifyStatus::not_attempted)
            row("verified:", verification(f.verification, st));
    }
}

}  // namespace ks::report::detail
