#include "match/rules_check.hpp"

#include "match/matcher.hpp"

namespace ks {

std::vector<RuleCheckFailure> check_rules(const RuleSet& set) {
    RuleSet bare = set;
    bare.allow = {};  // examples test the rules themselves, not a project's allow-list
    // The database does not depend on the allow-list, so the scan's cache serves here too.
    auto compiled = compile_rules(bare, CompileOptions{});
    BlobMatcher m(compiled);
    std::vector<RuleCheckFailure> failures;
    std::vector<Finding> found;
    for (const Rule& r : set.rules) {
        auto fail = [&](std::string msg) { failures.push_back({r.id, r.source, std::move(msg)}); };
        if (r.examples.empty() && !r.external) fail("has no examples");
        if (r.negative_examples.empty() && !r.external) fail("has no negative examples");
        // Path-scoped rules are checked under a path they accept: the first example's.
        std::string path = "example.txt";
        for (const auto& ex : r.examples)
            if (!ex.path.empty()) { path = ex.path; break; }
        const bool path_rule = r.kind == Rule::Kind::path;
        for (size_t i = 0; i < r.examples.size(); ++i) {
            const auto& ex = r.examples[i];
            found.clear();
            // A path rule's example is a path (its text, if any, is not looked at).
            if (path_rule) m.scan_path(ex.path, found);
            else m.scan(ex.text, ex.path.empty() ? path : ex.path, found);
            bool hit = false, secret_ok = !ex.secret;
            std::string got;
            for (const auto& f : found) {
                if (f.rule_id != r.id) continue;
                hit = true;
                if (ex.secret && f.secret == *ex.secret) secret_ok = true;
                got = f.secret;
            }
            if (!hit) fail("example " + std::to_string(i + 1) + " did not match");
            else if (!secret_ok)
                fail("example " + std::to_string(i + 1) + " captured a different secret (" + std::to_string(got.size()) +
                     " bytes) than expected (" + std::to_string(ex.secret->size()) + " bytes)");
        }
        for (size_t i = 0; i < r.negative_examples.size(); ++i) {
            found.clear();
            // A path rule's negative examples are paths.
            if (path_rule) m.scan_path(r.negative_examples[i], found);
            else m.scan(r.negative_examples[i], path, found);
            for (const auto& f : found)
                if (f.rule_id == r.id) {
                    fail("negative example " + std::to_string(i + 1) + " matched");
                    break;
                }
        }
    }
    return failures;
}

}  // namespace ks
