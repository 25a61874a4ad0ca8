#include "verify/executor.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

namespace ks::verify {
namespace {

constexpr std::chrono::milliseconds kBackoffCap{8000};
constexpr std::chrono::milliseconds kRetryAfterCap{20000};

void run_job(Job& job, StsHttp& http, const ExecConfig& cfg, TokenBucket& bucket, Breaker& breaker,
             std::atomic<std::uint64_t>& requests, std::mt19937_64& rng) {
    const int max_attempts = 1 + std::max(0, cfg.max_retries);
    for (int attempt = 1;; ++attempt) {
        if (breaker.open()) {
            if (job.attempts == 0) {
                job.skipped = true;
                job.result = StsResult{};
                job.result.answer = Answer::unreachable;
            }
            return;
        }
        bucket.acquire();
        ++requests;
        job.attempts = attempt;
        HttpReply reply = http.post(cfg.request, job.creds);
        job.result = classify(reply);
        // Certificate problems need libcurl's own words; for the rest its short name says it all.
        job.detail = reply.curl == CURLE_OK ? std::string()
                     : job.result.answer == Answer::tls ? reply.curl_error
                                                        : std::string(curl_easy_strerror(reply.curl));
        bool retry = false;
        switch (job.result.answer) {
            case Answer::timeout: breaker.failure(); retry = true; break;
            case Answer::unreachable:
            case Answer::tls: breaker.failure(); return;
            case Answer::throttled:
            case Answer::server_error: breaker.success(); retry = true; break;
            default: breaker.success(); return;
        }
        if (!retry || attempt >= max_attempts) return;
        auto delay = backoff_delay(attempt, std::chrono::milliseconds(std::max(0, cfg.backoff_ms)), kBackoffCap, rng());
        if (reply.retry_after_s > 0)
            delay = std::max(delay, std::min<std::chrono::milliseconds>(std::chrono::seconds(reply.retry_after_s),
                                                                         kRetryAfterCap));
        std::this_thread::sleep_for(delay);
    }
}

}  // namespace

void execute(const std::vector<Job*>& jobs, const ExecConfig& cfg, TokenBucket& bucket, Breaker& breaker,
             std::atomic<std::uint64_t>& requests) {
    if (jobs.empty()) return;
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mu;
    auto worker = [&] {
        try {
            StsHttp http(cfg.timeout_ms);
            std::mt19937_64 rng(std::random_device{}());
            for (std::size_t i; (i = next++) < jobs.size();) run_job(*jobs[i], http, cfg, bucket, breaker, requests, rng);
        } catch (...) {
            std::lock_guard lock(failure_mu);
            if (!failure) failure = std::current_exception();
        }
    };
    const std::size_t n = std::min<std::size_t>(jobs.size(), std::size_t(std::clamp(cfg.concurrency, 1, 16)));
    {
        std::vector<std::jthread> threads;  // joined on scope exit, also when creating one fails
        threads.reserve(n);
        for (std::size_t t = 0; t < n; ++t) threads.emplace_back(worker);
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ks::verify
