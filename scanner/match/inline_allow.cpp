#include "match/inline_allow.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace ks {

namespace {
// Looks at most this far either side, so findings on one huge minified line stay linear.
constexpr std::size_t kReach = 4096;

std::string_view line_around(std::string_view data, std::uint64_t at) {
    std::size_t floor = at > kReach ? at - kReach : 0;
    std::size_t b = at;
    while (b > floor && data[b - 1] != '\n') --b;
    std::size_t ceil = std::min<std::size_t>(data.size(), at + kReach);
    std::size_t e = b;
    while (e < ceil && data[e] != '\n') ++e;
    return data.substr(b, e - b);
}

bool marked(std::string_view line) {
    static constexpr std::array<std::string_view, 3> markers{"keysweep:allow", "gitleaks:allow",
                                                             "pragma: allowlist secret"};
    for (auto m : markers)
        if (line.find(m) != std::string_view::npos) return true;
    return false;
}
}  // namespace

bool has_inline_allow(std::string_view data, std::uint64_t start, std::uint64_t end) {
    if (data.empty()) return false;
    if (start >= data.size()) start = data.size() - 1;
    if (marked(line_around(data, start))) return true;
    std::uint64_t last = end > start ? end - 1 : start;
    if (last >= data.size()) last = data.size() - 1;
    return data.find('\n', start) < last && marked(line_around(data, last));
}

}  // namespace ks
