#include "match/inline_allow.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace ks {

namespace {
bool marked(std::string_view line) {
    static constexpr std::array<std::string_view, 3> markers{"keysweep:allow", "gitleaks:allow",
                                                             "pragma: allowlist secret"};
    for (auto m : markers)
        if (line.find(m) != std::string_view::npos) return true;
    return false;
}
}  // namespace

std::string_view line_around(std::string_view data, std::uint64_t at) {
    constexpr std::uint64_t kReach = 4096;  // how far either side a line is looked for
    if (data.empty()) return {};
    if (at >= data.size()) at = data.size() - 1;
    const std::size_t floor = at > kReach ? at - kReach : 0;
    const void* nl = at > floor ? memrchr(data.data() + floor, '\n', at - floor) : nullptr;
    const std::size_t b = nl ? std::size_t(static_cast<const char*>(nl) - data.data()) + 1 : floor;
    const std::size_t ceil = std::min<std::size_t>(data.size(), at + kReach);
    nl = ceil > b ? std::memchr(data.data() + b, '\n', ceil - b) : nullptr;
    const std::size_t e = nl ? std::size_t(static_cast<const char*>(nl) - data.data()) : ceil;
    return data.substr(b, e - b);
}

bool has_inline_allow(std::string_view data, std::uint64_t start, std::uint64_t end) {
    if (data.empty()) return false;
    if (start >= data.size()) start = data.size() - 1;
    if (marked(line_around(data, start))) return true;
    std::uint64_t last = end > start ? end - 1 : start;
    if (last >= data.size()) last = data.size() - 1;
    // A match that spans lines is also allowed from its last line; look for a newline only inside it
    // (searching on from `start` would read the rest of a minified line for every finding).
    return last > start && std::memchr(data.data() + start, '\n', last - start) != nullptr &&
           marked(line_around(data, last));
}

}  // namespace ks
