#include "match/decode.hpp"

#include <array>

namespace ks::decode {

namespace {

constexpr std::array<signed char, 256> make_b64_table() {
    std::array<signed char, 256> t{};
    for (auto& x : t) x = -1;
    for (int i = 0; i < 26; ++i) t['A' + i] = static_cast<signed char>(i), t['a' + i] = static_cast<signed char>(26 + i);
    for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<signed char>(52 + i);
    t['+'] = t['-'] = 62;
    t['/'] = t['_'] = 63;
    return t;
}
constexpr auto kB64 = make_b64_table();

int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool is_base64_char(unsigned char c) { return kB64[c] >= 0; }

// Base64 of 15+ bytes of text all but always holds both letter cases; identifiers, hex digests and
// CONSTANT_NAMES rarely do. Skipping those keeps rescans (a Hyperscan pass each) for likely text.
bool mixed_case(const unsigned char* p, std::size_t n) {
    bool upper = false, lower = false;
    for (std::size_t i = 0; i < n && !(upper && lower); ++i) {
        upper |= p[i] >= 'A' && p[i] <= 'Z';
        lower |= p[i] >= 'a' && p[i] <= 'z';
    }
    return upper && lower;
}

void base64_runs(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out, std::size_t max) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size(), k = kMinBase64Run;
    std::size_t i = 0;  // invariant: d[i - 1] is not a base64 character (or i == 0)
    while (i + k <= n && out.size() < max) {
        if (kB64[d[i + k - 1]] < 0) {  // no run of k can cover d[i + k - 1]
            i += k;
            continue;
        }
        std::size_t j = i + k - 1;
        while (j > i && kB64[d[j - 1]] >= 0) --j;
        if (j > i) {  // d[j - 1] ends a shorter stretch: a run can only start at j
            i = j;
            continue;
        }
        std::size_t e = i + k;
        while (e < n && kB64[d[e]] >= 0) ++e;
        std::size_t end = e;
        while (end < n && d[end] == '=' && (end - i) % 4) ++end;
        if (end - i <= kMaxRun && mixed_case(d + i, e - i)) out.emplace_back(i, end);
        i = e + 1;
    }
}

bool base64(std::string_view in, std::string& out) {
    out.clear();
    while (!in.empty() && in.back() == '=') in.remove_suffix(1);
    if (in.size() % 4 == 1) return false;
    out.reserve(in.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        int v = kB64[c];
        if (v < 0) return false;
        acc = (acc << 6) | std::uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(char((acc >> bits) & 0xff));
        }
    }
    return true;
}

bool percent(std::string_view in, std::string& out, std::vector<std::uint32_t>& src) {
    out.clear();
    src.clear();
    bool any = false;
    for (std::size_t i = 0; i < in.size(); ++i) {
        src.push_back(std::uint32_t(i));
        if (in[i] == '%' && i + 2 < in.size()) {
            int hi = hex_value(static_cast<unsigned char>(in[i + 1])), lo = hex_value(static_cast<unsigned char>(in[i + 2]));
            if (hi >= 0 && lo >= 0) {
                out.push_back(char(hi * 16 + lo));
                i += 2;
                any = true;
                continue;
            }
        }
        out.push_back(in[i]);
    }
    src.push_back(std::uint32_t(in.size()));
    return any;
}

bool looks_textual(std::string_view s) {
    if (s.empty()) return false;
    std::size_t good = 0;
    for (unsigned char c : s) {
        if (c == 0) return false;
        if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r' || c >= 0x80) ++good;
    }
    // UTF-8 bytes (>= 0x80) count as text, but a run made mostly of them is binary noise.
    std::size_t high = 0;
    for (unsigned char c : s) high += c >= 0x80;
    return good * 10 >= s.size() * 9 && high * 4 <= s.size();
}

bool is_url_char(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= 'a' && c <= 'z') return true;
    if (c >= '0' && c <= '9') return true;
    switch (c) {
    case '-': case '.': case '_': case '~': case ':': case '/': case '?': case '#': case '[': case ']':
    case '@': case '!': case '$': case '&': case '*': case '+': case ',': case ';': case '=': case '%':
        return true;
    default:
        return false;
    }
}

}  // namespace ks::decode
