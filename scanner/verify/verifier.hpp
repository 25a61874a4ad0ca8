// Live-key verification of AWS findings (a later stage: runs after matching, before reporting).
// See docs/VERIFY.md for what is sent where, and what each status means.
#pragma once

#include "model/diagnostics.hpp"
#include "model/finding.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ks::verify {

struct Options {
    bool enabled = false;                    // false: offline work only (account ids, canaries), no network
    std::string endpoint;                    // empty: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else real STS
    double requests_per_second = 5.0;        // all workers together; <= 0: no limit
    int concurrency = 4;                     // worker threads, one connection each (clamped to 1..16)
    int timeout_ms = 5000;                   // per HTTP attempt, connecting included
    std::vector<std::string> skip_accounts;  // extra canary account ids (never sent)
    std::string region;                      // SigV4 region; empty: from a regional STS host, else us-east-1
    std::uint64_t pair_distance = 1024;      // max bytes between a key id and a secret/token to pair them
    int max_retries = 3;                     // retries after throttling, 5xx or a timeout
    int backoff_ms = 250;                    // first retry delay; doubles, jittered, capped at 8 s
};

// What one run did, for summaries and tests. Finding counts are over AWS findings only.
struct Stats {
    std::uint64_t requests = 0;       // HTTP requests sent, retries included
    std::uint64_t pairs_sent = 0;     // distinct (key id, secret, session token) sent to STS
    std::uint64_t cache_hits = 0;     // pairings answered by an earlier answer of this run
    std::uint64_t live = 0, invalid = 0, unverifiable = 0, canary = 0, error = 0, not_attempted = 0;
};

// Fills Finding::verification for every AWS finding (verify_kind "aws:key-id", "aws:secret",
// "aws:session-token"):
// - always, offline: the account decoded from the key id (secrets and tokens take their paired key
//   id's), and status `canary` for a known canary account (the rest stay `not_attempted`);
// - with opts.enabled: one STS GetCallerIdentity per distinct (key id, secret, token) of the run, and
//   status live / invalid / unverifiable / error. Problems reaching STS become `error` findings and
//   one warning line per kind in `diag`; no line ever holds a secret.
// REQUIRES: findings of one blob carry the same blob_id and their byte offsets in it.
// Throws std::invalid_argument for a bad endpoint URL or --skip-aws-account value (configuration).
Stats run(std::vector<Finding>& findings, const Options& opts, Diagnostics& diag);

}  // namespace ks::verify
