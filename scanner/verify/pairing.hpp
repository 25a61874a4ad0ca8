// Which secret (and session token) goes with which AWS key id, decided within one blob by distance.
#pragma once

#include "model/finding.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ks::verify {

enum class AwsKind { none, key_id, secret, session_token };

// From Finding::verify_kind ("aws:key-id", "aws:secret", "aws:session-token"); for a bare "aws" the
// rule id decides (aws-access-key-id, aws-secret-access-key, aws-session-token).
AwsKind aws_kind(const Finding& f);

// Distance between two findings in the same blob: bytes between their secrets (0 when they touch
// or overlap). Uses [secret_start, secret_end) when set, else [start, end).
std::uint64_t gap(const Finding& a, const Finding& b);

inline constexpr std::uint64_t kDefaultPairDistance = 1024;

// The plan for one key id finding.
struct KeyPlan {
    std::size_t id = 0;                // index of the key id finding
    std::vector<std::size_t> secrets;  // candidate secrets, the one to try first at the front
    std::optional<std::size_t> token;  // nearest session token (ASIA ids only)
};

struct Pairing {
    std::vector<KeyPlan> keys;  // one per key id finding, in finding order
    // For every finding: the key id it is nearest to (its primary one for a secret), if any within the
    // bound; used to give secrets and tokens their account.
    std::vector<std::optional<std::size_t>> nearest_key;
};

// Pairs the AWS findings of each blob (same blob_id). A secret is a candidate for a key id when the
// gap between them is at most `max_distance` bytes. Candidates are ordered nearest first; the first
// one comes from a greedy matching over all key id/secret pairs of the blob by increasing gap, so in
//   [a] id=A1 secret=S1   [b] id=A2 secret=S2
// A2 gets S2 (S1 is nearer still to A1, and taken). At most `max_secrets` candidates are kept.
Pairing pair_findings(const std::vector<Finding>& findings, std::uint64_t max_distance = kDefaultPairDistance,
                      std::size_t max_secrets = 2);

}  // namespace ks::verify
