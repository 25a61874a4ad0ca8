// ASCII lower-casing, for keywords, stopwords and the other case-insensitive comparisons of match/.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace ks {

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

}  // namespace ks
