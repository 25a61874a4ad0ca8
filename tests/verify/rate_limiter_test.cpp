#include "verify/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using ks::verify::backoff_delay;
using ks::verify::Breaker;
using ks::verify::TokenBucket;

TEST(TokenBucket, SpacesRequestsAtTheRate) {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    TokenBucket b(5.0, 1.0, t0);
    EXPECT_EQ(b.reserve(t0), 0ns);  // starts full
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b.reserve(t0)), 200ms);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b.reserve(t0)), 400ms);
    // A second later the two reserved tokens are paid for and the bucket is full again (burst 1).
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b.reserve(t0 + 1s)), 0ms);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b.reserve(t0 + 1s)), 200ms);
}

TEST(TokenBucket, BurstAllowsThatManyAtOnce) {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    TokenBucket b(2.0, 3.0, t0);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(b.reserve(t0), 0ns);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b.reserve(t0)), 500ms);
}

TEST(TokenBucket, LongRunRateHolds) {
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    TokenBucket b(10.0, 1.0, t0);
    TokenBucket::Clock::duration last{};
    for (int i = 0; i < 100; ++i) last = b.reserve(t0);
    // 100 requests at 10/s: the last may go 9.9 s after the first.
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(last), 9900ms);
}

TEST(TokenBucket, ZeroRateMeansUnlimited) {
    TokenBucket b(0.0);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.reserve(TokenBucket::Clock::now()), 0ns);
}

TEST(Backoff, GrowsIsJitteredAndCapped) {
    for (std::uint64_t r : {0ULL, 1ULL, 77ULL, ~0ULL}) {
        for (int attempt = 1; attempt <= 10; ++attempt) {
            auto full = std::min<std::chrono::milliseconds>(250ms * (1 << (attempt - 1)), 8000ms);
            auto d = backoff_delay(attempt, 250ms, 8000ms, r);
            EXPECT_GE(d, full / 2) << attempt;
            EXPECT_LE(d, full) << attempt;
        }
    }
    EXPECT_NE(backoff_delay(3, 250ms, 8000ms, 1), backoff_delay(3, 250ms, 8000ms, 400));
    EXPECT_EQ(backoff_delay(1, 0ms, 8000ms, 5), 0ms);
}

TEST(Breaker, OpensAfterConsecutiveFailuresOnly) {
    Breaker b(3);
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    EXPECT_FALSE(b.open());
    b.failure();
    EXPECT_TRUE(b.open());
}
