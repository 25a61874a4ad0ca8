// Sends GetCallerIdentity for a batch of distinct credentials: a few worker threads, each with its
// own libcurl handle, sharing one rate limit and one breaker; retries throttling, 5xx and timeouts.
#pragma once

#include "verify/endpoint.hpp"
#include "verify/rate_limiter.hpp"
#include "verify/sts_client.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace ks::verify {

struct Job {
    Credentials creds;
    StsResult result;
    int attempts = 0;        // HTTP requests sent for this job
    bool skipped = false;    // not sent: the breaker was open
    std::string detail;      // libcurl's message for a transport failure (no credentials in it)
};

struct ExecConfig {
    SignedPost request;      // get_caller_identity(endpoint)
    int concurrency = 4;
    long timeout_ms = 5000;
    int max_retries = 3;
    int backoff_ms = 250;
};

// Runs every job once (with its retries). Thread-safe counters: `requests` counts HTTP requests.
void execute(const std::vector<Job*>& jobs, const ExecConfig& cfg, TokenBucket& bucket, Breaker& breaker,
             std::atomic<std::uint64_t>& requests);

}  // namespace ks::verify
