#include "verify/rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace ks::verify {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock::time_point now)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)), last_(now) {}

TokenBucket::Clock::duration TokenBucket::reserve(Clock::time_point now) {
    if (rate_ <= 0) return Clock::duration::zero();
    std::lock_guard lock(mu_);
    if (now > last_) {
        tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
        last_ = now;
    }
    tokens_ -= 1.0;  // may go negative: a reservation of a future token
    if (tokens_ >= 0) return Clock::duration::zero();
    // The token exists once -tokens_ tokens have refilled after last_.
    auto wait = std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
    return (last_ + wait) - now;
}

void TokenBucket::acquire() {
    auto wait = reserve(Clock::now());
    if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        std::uint64_t random) {
    if (attempt < 1) attempt = 1;
    std::int64_t ms = base.count();
    for (int i = 1; i < attempt && ms < cap.count(); ++i) ms *= 2;
    ms = std::min<std::int64_t>(ms, cap.count());
    if (ms <= 0) return std::chrono::milliseconds(0);
    std::int64_t half = ms / 2;
    std::int64_t jitter = std::int64_t(random % std::uint64_t(ms - half + 1));
    return std::chrono::milliseconds(half + jitter);
}

}  // namespace ks::verify
