// Live progress on stderr for long scans: objects, bytes, rate, findings so far.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace ks {

struct Counters {
    std::atomic<std::uint64_t> blobs{0}, bytes{0}, findings{0};
};

class ProgressLine {
public:
    // Does nothing unless `enabled` (the CLI enables it only when stderr is a terminal).
    ProgressLine(const Counters& c, bool enabled);
    ~ProgressLine();  // clears the line

private:
    const Counters& c_;
    bool enabled_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace ks
