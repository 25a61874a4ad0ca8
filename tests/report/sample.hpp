// Findings built by hand for the report tests. Keys are assembled at run time (see harness.hpp), so
// this source holds no key-shaped literal.
#pragma once

#include "harness.hpp"
#include "model/fingerprint.hpp"
#include "report/printer.hpp"

#include <sstream>

namespace ks::test {

inline Finding make_finding(std::string rule_id, std::string description, std::string secret, unsigned line = 12) {
    Finding f;
    f.rule_id = std::move(rule_id);
    f.description = std::move(description);
    f.secret = std::move(secret);
    f.match = "key = \"" + f.secret + "\"";
    f.path = "config/prod settings.ini";
    f.commit = "0123456789abcdef0123456789abcdef01234567";
    f.author = "Jane Dev";
    f.email = "jane@example.com";
    f.date = "2024-01-02T03:04:05+01:00";
    f.line = f.end_line = line;
    f.column = 8;
    f.end_column = 8 + static_cast<std::uint32_t>(f.secret.size()) - 1;  // inclusive, as match/ sets it
    f.blob_id = "89abcdef0123456789abcdef0123456789abcdef";
    f.entropy = 3.6789;
    f.fingerprint = fingerprint(f.rule_id, f.secret);
    return f;
}

inline Finding aws_key_finding(unsigned seed = 1) {
    auto f = make_finding("aws-access-key-id", "AWS Access Key ID", fake_aws_key_id(seed));
    f.verify_kind = "aws";
    return f;
}
inline Finding aws_secret_finding(unsigned seed = 1) {
    return make_finding("aws-secret-access-key", "AWS Secret Access Key", fake_aws_secret(seed), 13);
}
inline Finding github_finding(unsigned seed = 1) {
    auto f = make_finding("github-pat", "GitHub Personal Access Token", fake_github_pat(seed), 40);
    f.path = "src/deploy.sh";
    return f;
}

inline ScanSummary sample_summary() {
    ScanSummary s;
    s.targets = {"/tmp/repo"};
    s.blobs_scanned = 1234;
    s.bytes_scanned = 56789;
    s.commits = 42;
    s.skipped = {{"binary", 3}, {"too-large", 1}};
    s.suppressed = 2;
    s.seconds = 1.5;
    s.rules = {{"aws-access-key-id", "AWS Access Key ID"},
               {"aws-secret-access-key", "AWS Secret Access Key"},
               {"slack-token", "Slack Token"},
               {"github-pat", "GitHub Personal Access Token"}};
    return s;
}

inline std::string render(const std::vector<Finding>& findings, report::Format format, bool redact = false,
                          bool color = false, const ScanSummary& summary = sample_summary()) {
    std::ostringstream out;
    report::PrintOptions opts;
    opts.format = format;
    opts.redact = redact;
    opts.color = color;
    report::print(out, findings, summary, opts);
    return out.str();
}

}  // namespace ks::test
