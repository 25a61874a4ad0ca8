// Politeness: a shared request rate limit, a breaker for a dead endpoint, and retry back-off.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace ks::verify {

// Token bucket shared by all workers. Each request takes one token; tokens refill at `rate` per
// second up to `burst`. A request that finds the bucket empty reserves the next token and waits for it,
// so waiting callers are served in order and the long-run rate never exceeds `rate`.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    // rate <= 0: no limit. burst < 1 counts as 1. The bucket starts full.
    TokenBucket(double rate_per_second, double burst = 1.0, Clock::time_point now = Clock::now());
    // Takes a token; returns how long after `now` the caller may send. Thread-safe.
    Clock::duration reserve(Clock::time_point now);
    // reserve(now) and sleep that long.
    void acquire();

private:
    std::mutex mu_;
    double rate_, burst_, tokens_;
    Clock::time_point last_;
};

// Opens after `threshold` transport failures in a row (no HTTP answer at all), so a dead endpoint
// costs a few quick failures, not one timeout per key. Any HTTP answer closes it again.
class Breaker {
public:
    explicit Breaker(int threshold = 3) : threshold_(threshold) {}
    void failure() { ++consecutive_; }
    void success() { consecutive_ = 0; }
    bool open() const { return consecutive_.load() >= threshold_; }

private:
    int threshold_;
    std::atomic<int> consecutive_{0};
};

// Delay before retry number `attempt` (1-based): exponential from `base`, capped at `cap`, with
// "equal jitter" (half fixed, half drawn from `random`), so workers throttled together spread out.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        std::uint64_t random);

}  // namespace ks::verify
