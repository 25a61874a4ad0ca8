// The data every stage shares: what was read (Blob) and what was found (Finding).
// Stages include this header; it includes no stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks {

// Where a blob came from. For history scans this is the first commit (oldest in topological
// order) whose tree holds the blob, and the path it had there. For files, commit is empty.
struct Origin {
    std::string commit;  // hex commit id, empty for plain files / stdin / staged blobs
    std::string path;    // path inside the repository or directory ("-" for stdin)
};

// One unit of work: the bytes of one blob (or file). `data` is only valid while the
// producer keeps the owner alive (a git_odb_object or a file buffer).
struct BlobView {
    std::string id;          // hex git blob id (computed for plain files too)
    std::string_view data;
    const Origin* origin = nullptr;
};

enum class VerifyStatus { not_attempted, live, invalid, unverifiable, canary, error };
std::string_view to_string(VerifyStatus s);

struct Verification {
    VerifyStatus status = VerifyStatus::not_attempted;
    std::string account;  // AWS account id (decoded offline from the key id, or from STS)
    std::string arn;      // caller ARN when live
    std::string user_id;  // caller user id when live
    std::string message;  // short reason for error/unverifiable; never contains a secret
};

struct Finding {
    std::string rule_id;
    std::string description;
    std::string secret;      // the captured secret (redacted by the printer on --redact)
    std::string match;       // the whole matched text
    std::string path;
    std::string commit;      // introducing commit (hex), empty outside history scans
    std::string author;
    std::string email;
    std::string date;        // ISO-8601 with offset, of the introducing commit
    std::uint32_t line = 0, column = 0, end_line = 0, end_column = 0;  // 1-based, columns in bytes
    std::string blob_id;
    double entropy = 0.0;    // Shannon entropy of the secret, bits per byte
    std::string fingerprint; // rule_id:hash(secret) — stable under line moves and rewrites
    std::string verify_kind; // the rule's `verify`: "aws:key-id", "aws:secret", "aws:session-token" or ""
    Verification verification;

    // Position of the match inside the blob (bytes), for pairing and line math.
    std::uint64_t start = 0, end = 0;
    std::uint64_t secret_start = 0, secret_end = 0;
};

}  // namespace ks
