#pragma once
#include <string_view>

namespace ks {
// Shannon entropy in bits per byte (0 for an empty string).
double shannon_entropy(std::string_view s);
}  // namespace ks
