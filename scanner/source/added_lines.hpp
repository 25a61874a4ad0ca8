// Which lines of a file's new version are added relative to its old version(s).
//
// A line is added when no line of any old version has the same text (a trailing '\r' ignored). So a
// line that only moved, or that was copied from elsewhere in the old file, is not added; a changed line
// is. Lines are numbered from 1 and split at '\n', as BlobMatcher numbers them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ks {

class AddedLines {
public:
    struct Range {
        std::uint32_t first, last;  // 1-based, inclusive
    };

    // Every line is added (a new file).
    static AddedLines all();
    // The lines of `after` whose text is in none of `before`. With no `before`, every line.
    static AddedLines compute(const std::vector<std::string_view>& before, std::string_view after);

    // True when one of the lines first..last is added.
    bool intersects(std::uint32_t first, std::uint32_t last) const;
    bool contains(std::uint32_t line) const { return intersects(line, line); }
    bool everything() const { return all_; }
    // Sorted, disjoint, not adjacent. Empty when everything() (no line count is known then).
    const std::vector<Range>& ranges() const { return ranges_; }

private:
    bool all_ = false;
    std::vector<Range> ranges_;
};

}  // namespace ks
