#include "match/decode.hpp"

#include <algorithm>
#include <array>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

// Bit i: p[i] is a base64(url) character, for the `n` <= 64 bytes at p.
std::uint64_t base64_mask_tail(const unsigned char* p, std::size_t n) {
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < n; ++i) m |= std::uint64_t(kB64[p[i]] >= 0) << i;
    return m;
}

// The same for 64 bytes, 16 at a time: letters by a range check on (c | 0x20), digits by a range
// check, and the four symbols by equality (SSE2 is part of x86-64).
std::uint64_t base64_mask64_sse2(const unsigned char* p) {
#if defined(__SSE2__)
    const __m128i case_bit = _mm_set1_epi8(0x20), to_alpha = _mm_set1_epi8(char(0x80 - 'a')),
                  alpha_lim = _mm_set1_epi8(char(0x80 + 26)), to_digit = _mm_set1_epi8(char(0x80 - '0')),
                  digit_lim = _mm_set1_epi8(char(0x80 + 10)), plus = _mm_set1_epi8('+'), slash = _mm_set1_epi8('/'),
                  dash = _mm_set1_epi8('-'), under = _mm_set1_epi8('_');
    std::uint64_t m = 0;
    for (int k = 0; k < 4; ++k) {
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        // Signed compares: (x + 0x80 - lo) < 0x80 + width holds exactly for lo <= x < lo + width.
        __m128i ok = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(c, case_bit), to_alpha), alpha_lim);
        ok = _mm_or_si128(ok, _mm_cmplt_epi8(_mm_add_epi8(c, to_digit), digit_lim));
        ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(c, plus), _mm_cmpeq_epi8(c, slash)));
        ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(c, dash), _mm_cmpeq_epi8(c, under)));
        m |= std::uint64_t(std::uint16_t(_mm_movemask_epi8(ok))) << (16 * k);
    }
    return m;
#else
    return base64_mask_tail(p, 64);
#endif
}

#if defined(__x86_64__)
// AVX2, 32 at a time by nibble tables: a byte is in the alphabet when the class bits of its high
// nibble and of its low nibble share one (classes: 0x2B/2D/2F, digits, 0x41-4F and 0x61-6F,
// 0x50-5A and 0x5F, 0x70-7A).
__attribute__((target("avx2"))) inline std::uint64_t base64_mask64_avx2(const unsigned char* p) {
    const __m256i hi_lut = _mm256_setr_epi8(0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                            0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0);
    // Low nibble 0..F: digits (2) and 0x50-5A/0x70-7A (8, 16) up to 9/A, letters from 1 (4), the
    // symbols at B, D, F (1), and 0x5F (8) at F.
    const __m256i lo_lut = _mm256_setr_epi8(26, 30, 30, 30, 30, 30, 30, 30, 30, 30, 28, 5, 4, 5, 4, 13,  //
                                            26, 30, 30, 30, 30, 30, 30, 30, 30, 30, 28, 5, 4, 5, 4, 13);
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    std::uint64_t m = 0;
    for (int k = 0; k < 2; ++k) {
        const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k));
        const __m256i hi = _mm256_shuffle_epi8(hi_lut, _mm256_and_si256(_mm256_srli_epi16(c, 4), nib));
        const __m256i lo = _mm256_shuffle_epi8(lo_lut, _mm256_and_si256(c, nib));
        const __m256i bad = _mm256_cmpeq_epi8(_mm256_and_si256(hi, lo), zero);
        m |= std::uint64_t(~std::uint32_t(_mm256_movemask_epi8(bad))) << (32 * k);
    }
    return m;
}
#endif

// Per decoded byte: 1 for a control byte looks_textual() counts against the text, and enough to
// fail any text for NUL.
constexpr std::array<std::uint16_t, 256> make_bad_table() {
    std::array<std::uint16_t, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[std::size_t(c)] = (c == '\t' || c == '\n' || c == '\r') ? 0 : 1;
    t[0x7f] = 1;
    t[0] = 0x4000;
    return t;
}
constexpr auto kBad = make_bad_table();

// base64() then looks_textual() on the run's characters, without building the text, four characters
// (three bytes) per step and without a branch per byte: identifiers, most runs in source code, fail
// within a few steps.
bool decodes_to_text(const unsigned char* p, std::size_t n) {
    if (n % 4 == 1) return false;
    const std::size_t size = n * 6 / 8;
    std::size_t bad = 0, high = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        const std::uint32_t v = (std::uint32_t(kB64[p[i]]) << 18) | (std::uint32_t(kB64[p[i + 1]]) << 12) |
                                (std::uint32_t(kB64[p[i + 2]]) << 6) | std::uint32_t(kB64[p[i + 3]]);
        const unsigned b0 = v >> 16, b1 = (v >> 8) & 0xff, b2 = v & 0xff;
        bad += kBad[b0] + kBad[b1] + kBad[b2];
        high += (b0 >> 7) + (b1 >> 7) + (b2 >> 7);
        if (bad * 10 > size || high * 4 > size) return false;
    }
    if (i < n) {  // 2 or 3 characters left: 1 or 2 bytes
        std::uint32_t v = 0;
        for (std::size_t k = i; k < n; ++k) v = (v << 6) | std::uint32_t(kB64[p[k]]);
        const std::size_t left = n - i, bytes = left - 1;
        v >>= (left * 6) % 8;  // drop the bits that are not part of a byte
        for (std::size_t k = 0; k < bytes; ++k) {
            const unsigned c = (v >> (8 * (bytes - 1 - k))) & 0xff;
            bad += kBad[c];
            high += c >> 7;
        }
    }
    return size > 0 && bad * 10 <= size && high * 4 <= size;
}

#if defined(__x86_64__)
// Nibble tables for a cheap first look at a candidate run (AVX2). For a printable byte c, property
// f holds when kHiRow[c >> 4] & kLo<f>[c & 15] is non-zero: one bit per high nibble 2..7.
struct NibbleTables {
    std::array<std::uint8_t, 16> hi{};
    std::array<std::array<std::uint8_t, 16>, 5> lo{};  // sextet bit 5, bit 3, bit 1; upper; lower
};
constexpr NibbleTables make_nibble_tables() {
    NibbleTables t{};
    for (int h = 2; h <= 7; ++h) t.hi[std::size_t(h)] = std::uint8_t(1u << (h - 2));
    for (int c = 0x20; c < 0x80; ++c) {
        const int v = kB64[std::size_t(c)];
        if (v < 0) continue;
        const bool f[5] = {(v & 32) != 0, (v & 8) != 0, (v & 2) != 0, c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z'};
        for (int k = 0; k < 5; ++k)
            if (f[k]) t.lo[std::size_t(k)][std::size_t(c & 15)] |= t.hi[std::size_t(c >> 4)];
    }
    return t;
}
constexpr NibbleTables kNib = make_nibble_tables();

__attribute__((target("avx2"))) inline __m256i nibble_lut(const std::array<std::uint8_t, 16>& t) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data()));
    return _mm256_broadcastsi128_si256(x);
}

// False when the run at p (n >= 20 base64 characters) cannot pass decodes_to_text() && mixed_case(),
// judged from its first 32 characters in a few vector steps; true when it may (then the exact check
// decides). Exact counts, only fewer of them: a decoded byte's top bit is bit 5, 3 or 1 of the
// sextet at phase 0, 1 or 2 of its group, and the byte exists when the next character does.
// REQUIRES: 32 bytes at p are readable.
__attribute__((target("avx2"))) inline bool may_be_text_avx2(const unsigned char* p, std::size_t n) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    const __m256i row = _mm256_shuffle_epi8(nibble_lut(kNib.hi), _mm256_and_si256(_mm256_srli_epi16(c, 4), nib));
    const __m256i lo = _mm256_and_si256(c, nib);
    auto holds = [&](std::size_t k) __attribute__((target("avx2"))) {
        const __m256i hit = _mm256_and_si256(row, _mm256_shuffle_epi8(nibble_lut(kNib.lo[k]), lo));
        return ~std::uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, zero)));
    };
    const std::size_t m = std::min<std::size_t>(n, 32);
    const std::uint32_t chars = m == 32 ? ~0u : (1u << m) - 1;
    const std::uint32_t has_next = n > 32 ? ~0u : chars >> 1;  // characters followed by another
    const std::size_t high = std::size_t(__builtin_popcount(holds(0) & has_next & 0x11111111u)) +
                             std::size_t(__builtin_popcount(holds(1) & has_next & 0x22222222u)) +
                             std::size_t(__builtin_popcount(holds(2) & has_next & 0x44444444u));
    if (high * 4 > n * 6 / 8) return false;
    return n > 32 || ((holds(3) & chars) && (holds(4) & chars));
}

// The exact check, after the vector look when 32 bytes can be read.
__attribute__((target("avx2"))) inline bool text_run_avx2(const unsigned char* p, std::size_t n, std::size_t avail) {
    if (avail >= 32 && !may_be_text_avx2(p, n)) return false;
    return decodes_to_text(p, n) && mixed_case(p, n);
}
#endif

static_assert(kMinBase64Run == 20, "ends_of_runs() tests runs of exactly 20");

// Bit i: a run of 20 base64 characters ends at byte i of `cur`; `prev` is the mask of the 64 bytes
// before it (0 when none may count).
std::uint64_t ends_of_runs(std::uint64_t prev, std::uint64_t cur) {
    unsigned __int128 x = (static_cast<unsigned __int128>(cur) << 64) | prev;
    x &= x << 1;  // runs of 2
    x &= x << 2;  // 4
    x &= x << 4;  // 8
    x &= x << 8;  // 16
    x &= x << 4;  // 20
    return std::uint64_t(x >> 64);
}

}  // namespace

namespace {

// Whether the run at p (n characters, `avail` readable) decodes to text and has both letter cases.
inline bool text_run_scalar(const unsigned char* p, std::size_t n, std::size_t) {
    return decodes_to_text(p, n) && mixed_case(p, n);
}

template <std::uint64_t (*Mask64)(const unsigned char*), bool (*TextRun)(const unsigned char*, std::size_t, std::size_t)>
__attribute__((always_inline)) inline void find_runs(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out, std::size_t max) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size();
    if (out.size() >= max) return;
    // (A macro, not a lambda: a lambda would be compiled without AVX2 and keep Mask64 from inlining.)
#define KS_MASK_AT(pos) (n - (pos) >= 64 ? Mask64(d + (pos)) : base64_mask_tail(d + (pos), n - (pos)))
    // One pass of 64-byte masks, each block's computed once, with the next block's as look-ahead. A
    // run is handled once, at its last character, and only when 20 characters end there (five
    // shifts over the mask decide that for the whole block); its start is the last non-base64 byte
    // before it, in this block or carried from an earlier one. Most blocks of text hold no such end.
    std::uint64_t prev = 0, cur = n ? KS_MASK_AT(0) : 0;
    std::size_t run_start = 0;  // where the run that reaches the current block's first byte began
    for (std::size_t pos = 0; pos < n; pos += 64) {
        const std::uint64_t next = pos + 64 < n ? KS_MASK_AT(pos + 64) : 0;  // bits past the data are 0
        std::uint64_t last = ends_of_runs(prev, cur) & ~(cur >> 1 | next << 63);
        while (last) {
            const unsigned k = unsigned(__builtin_ctzll(last));
            last &= last - 1;
            const std::uint64_t gaps = ~cur & ((std::uint64_t(1) << k) - 1);
            const std::size_t b = gaps ? pos + 64 - std::size_t(__builtin_clzll(gaps)) : run_start;
            const std::size_t e = pos + k + 1;
            std::size_t end = e;
            while (end < n && d[end] == '=' && (end - b) % 4) ++end;
            if (end - b <= kMaxRun && TextRun(d + b, e - b, n - b)) {
                out.emplace_back(b, end);
                if (out.size() >= max) return;
            }
        }
        if (~cur) run_start = pos + 64 - std::size_t(__builtin_clzll(~cur));
        prev = cur;
        cur = next;
    }
#undef KS_MASK_AT
}

}  // namespace

#if defined(__x86_64__)
// The loop compiled for AVX2 as a whole, so the mask is inlined and its constants stay in registers.
__attribute__((target("avx2"))) void find_runs_avx2(std::string_view data,
                                                    std::vector<std::pair<std::size_t, std::size_t>>& out,
                                                    std::size_t max) {
    find_runs<base64_mask64_avx2, text_run_avx2>(data, out, max);
}
#endif

void base64_runs(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out, std::size_t max) {
#if defined(__x86_64__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2) return find_runs_avx2(data, out, max);
#endif
    base64_runs_baseline(data, out, max);
}

void base64_runs_baseline(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out,
                          std::size_t max) {
    find_runs<base64_mask64_sse2, text_run_scalar>(data, out, max);
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
