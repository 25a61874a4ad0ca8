#pragma once
#include <cstdint>
#include <string_view>

namespace ks {
// The line around byte `at` (clamped into `data`), at most 4 KiB either side, so that findings on
// one huge minified line stay linear.
std::string_view line_around(std::string_view data, std::uint64_t at);

// True when a line the match touches (its first or last) carries an inline allow marker:
// "keysweep:allow", "gitleaks:allow" or "pragma: allowlist secret".
bool has_inline_allow(std::string_view data, std::uint64_t start, std::uint64_t end);
}  // namespace ks
