// The matcher: all rules in one Hyperscan block-mode database; PCRE2 (JIT) extracts the groups from
// a short window that ends where Hyperscan saw a rule end; entropy and allow filters drop the rest.
#pragma once

#include "match/rule.hpp"
#include "model/finding.hpp"

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace ks {

struct CompileOptions {
    // Folder for the serialized Hyperscan database; empty: $XDG_CACHE_HOME/keysweep or ~/.cache/keysweep.
    std::filesystem::path cache_dir;
    bool use_cache = true;
    // Levels of decoding: base64 and percent-encoded runs are decoded and rescanned this many times
    // deep (0: off). Findings in decoded text point at the encoded text.
    unsigned decode_depth = 1;
};

class CompiledRules;  // immutable after compile; shared by every thread

// Validates and compiles. Throws ConfigError naming the rule (and its file) on any invalid rule.
std::shared_ptr<const CompiledRules> compile_rules(RuleSet rules, const CompileOptions& opts = {});

// Rule metadata, in load order.
const std::vector<Rule>& rules_of(const CompiledRules& c);

// True when the Hyperscan database came from the on-disk cache rather than a fresh compile.
bool loaded_from_cache(const CompiledRules& c);

// One per thread: owns a Hyperscan scratch and PCRE2 match data.
class BlobMatcher {
public:
    explicit BlobMatcher(std::shared_ptr<const CompiledRules> rules);
    ~BlobMatcher();
    BlobMatcher(BlobMatcher&&) noexcept;
    BlobMatcher& operator=(BlobMatcher&&) noexcept;

    // Appends the findings in `data` (one blob or file at `path`). Fills rule_id, description,
    // secret, match, path, start/end offsets, line/column, entropy, fingerprint, verify_kind.
    // Drops matches that an allow filter, the entropy floor or an inline allow comment rejects.
    // Also: rules of kind "path" report the path once, when the content has no other finding; a
    // generic rule's finding that overlaps another finding is dropped; base64 and percent-encoded
    // runs are decoded and rescanned (CompileOptions::decode_depth), their findings placed at the
    // encoded text with the decoded secret.
    void scan(std::string_view data, std::string_view path, std::vector<Finding>& out);

    // Only the path rules, for a blob whose content is not scanned (binary).
    void scan_path(std::string_view path, std::vector<Finding>& out);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Drops findings whose commit a commit allow-list names (gitleaks `commits`, global or per rule).
// Returns how many were dropped.
std::size_t drop_allowed_commits(const CompiledRules& c, std::vector<Finding>& findings);

}  // namespace ks
