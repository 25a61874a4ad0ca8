#include "source/added_lines.hpp"

#include <algorithm>
#include <unordered_set>

namespace ks {

namespace {

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Calls fn(line) for each '\n'-separated line; a final line without '\n' counts, an empty tail does not.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        fn(strip_cr(text.substr(pos, nl - pos)));
        pos = nl + 1;
    }
}

}  // namespace

AddedLines AddedLines::all() {
    AddedLines a;
    a.all_ = true;
    return a;
}

AddedLines AddedLines::compute(const std::vector<std::string_view>& before, std::string_view after) {
    if (before.empty()) return all();
    std::size_t old_lines = 0;
    for (auto b : before) old_lines += std::size_t(std::count(b.begin(), b.end(), '\n')) + 1;
    std::unordered_set<std::string_view> old;
    old.reserve(old_lines);
    for (auto b : before) for_each_line(b, [&](std::string_view l) { old.insert(l); });

    AddedLines a;
    std::uint32_t n = 0;
    for_each_line(after, [&](std::string_view l) {
        ++n;
        if (old.count(l)) return;
        if (!a.ranges_.empty() && a.ranges_.back().last + 1 == n) a.ranges_.back().last = n;
        else a.ranges_.push_back({n, n});
    });
    return a;
}

bool AddedLines::intersects(std::uint32_t first, std::uint32_t last) const {
    if (all_) return true;
    if (last < first) std::swap(first, last);
    // The first range that ends at or after `first`.
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), first,
                               [](const Range& r, std::uint32_t line) { return r.last < line; });
    return it != ranges_.end() && it->first <= last;
}

}  // namespace ks
