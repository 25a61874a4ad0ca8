#include "pipeline/progress.hpp"

#include <chrono>
#include <cstdio>

namespace ks {

ProgressLine::ProgressLine(const Counters& c, bool enabled) : c_(c), enabled_(enabled) {
    if (!enabled_) return;
    thread_ = std::thread([this] {
        auto t0 = std::chrono::steady_clock::now();
        std::unique_lock lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_; })) {
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            double mib = double(c_.bytes.load()) / (1 << 20);
            std::fprintf(stderr, "\r\033[Kkeysweep: %llu blobs, %.1f MiB, %.1f MiB/s, %llu findings",
                         (unsigned long long)c_.blobs.load(), mib, secs > 0 ? mib / secs : 0.0,
                         (unsigned long long)c_.findings.load());
            std::fflush(stderr);
        }
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    });
}

ProgressLine::~ProgressLine() {
    if (!enabled_) return;
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

}  // namespace ks
