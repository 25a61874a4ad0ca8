// Warnings about one input (an object, a file) that was skipped while the rest went on.
// Thread-safe. Each warning is one line on stderr naming the input; never pass a secret.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ks {

class Diagnostics {
public:
    // Prints "keysweep: warning: <input>: <reason text>" and counts `reason` (a short key like "corrupt").
    void warn(std::string_view reason, std::string_view input, std::string_view detail);
    // Counts a skip without printing (binary blobs are routine, not worth a line each).
    void count(std::string_view reason);
    std::map<std::string, std::uint64_t> counts() const;
    void set_quiet(bool q) { quiet_ = q; }
    // Cap on printed lines per reason, so a repository with 10^5 missing objects stays readable.
    static constexpr std::uint64_t kMaxLinesPerReason = 20;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t, std::less<>> counts_;
    bool quiet_ = false;
};

}  // namespace ks
