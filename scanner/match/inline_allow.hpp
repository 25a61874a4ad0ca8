#pragma once
#include <cstdint>
#include <string_view>

namespace ks {
// True when a line the match touches (its first or last) carries an inline allow marker:
// "keysweep:allow", "gitleaks:allow" or "pragma: allowlist secret".
bool has_inline_allow(std::string_view data, std::uint64_t start, std::uint64_t end);
}  // namespace ks
