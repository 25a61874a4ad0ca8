// The flags of `keysweep scan`, shared by its modes (history/folder, staged).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ks::cli {

struct ScanFlags {
    std::vector<std::string> targets;
    std::string format = "text";
    std::string output;
    std::vector<std::string> rules;
    std::string config;
    unsigned threads = 0;
    std::string range, since;
    bool staged = false, no_git = false, all_objects = false, scan_binary = false;
    bool verify = false;
    std::string sts_endpoint;
    double verify_rps = 5.0;
    std::vector<std::string> skip_accounts;
    std::string baseline, ignore_file;
    bool redact = false, quiet = false, no_cache = false;
    unsigned decode_depth = 1;  // levels of base64 / percent-encoded runs decoded and rescanned
    std::uint64_t max_blob_size = 64ull << 20;
};

// `keysweep scan --staged`: the index against HEAD, added lines only.
int scan_staged_command(const ScanFlags& f);

}  // namespace ks::cli
