// `keysweep rules check`: every example must produce its rule's finding (with the expected secret,
// when the example names one), and no negative example may produce a finding of its rule.
#pragma once

#include "match/rule.hpp"

#include <string>
#include <vector>

namespace ks {

struct RuleCheckFailure {
    std::string rule_id;
    std::string source;
    std::string message;  // e.g. "example 2 did not match", "negative example 1 matched"
};

// Compiles `set` (throws ConfigError on an invalid rule) and runs every example.
std::vector<RuleCheckFailure> check_rules(const RuleSet& set);

}  // namespace ks
