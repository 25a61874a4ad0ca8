#include "verify/account_id.hpp"

#include <cstdint>

namespace ks::verify {
namespace {

constexpr std::size_t kKeyIdLength = 20;
constexpr std::size_t kPrefixLength = 4;

// RFC 4648 base32 value of c, or -1.
int base32_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

bool key_id_shape(std::string_view id) {
    if (id.size() != kKeyIdLength) return false;
    for (char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    return true;
}

}  // namespace

std::optional<std::string> account_from_key_id(std::string_view key_id) {
    if (!key_id_shape(key_id)) return std::nullopt;
    const char fifth = key_id[kPrefixLength];
    if (fifth == 'I' || fifth == 'J') return std::nullopt;  // old format: no account inside
    // The first 48 bits of the decoded bytes come from the first ten base32 characters (50 bits).
    std::uint64_t bits = 0;
    for (std::size_t i = kPrefixLength; i < kPrefixLength + 10; ++i) {
        int v = base32_value(key_id[i]);
        if (v < 0) return std::nullopt;
        bits = (bits << 5) | std::uint64_t(v);
    }
    const std::uint64_t first48 = bits >> 2;
    const std::uint64_t account = (first48 & 0x7fffffffff80ULL) >> 7;
    if (account > 999999999999ULL) return std::nullopt;
    std::string out = std::to_string(account);
    if (out.size() < 12) out.insert(0, 12 - out.size(), '0');
    return out;
}

bool is_long_term_key_id(std::string_view key_id) {
    return key_id_shape(key_id) && key_id.substr(0, kPrefixLength) == "AKIA";
}

bool is_session_key_id(std::string_view key_id) {
    return key_id_shape(key_id) && key_id.substr(0, kPrefixLength) == "ASIA";
}

}  // namespace ks::verify
