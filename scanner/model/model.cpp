#include "model/diagnostics.hpp"
#include "model/finding.hpp"
#include "model/fingerprint.hpp"

#include <openssl/evp.h>

#include <cstdio>

namespace ks {

std::string_view to_string(VerifyStatus s) {
    switch (s) {
        case VerifyStatus::not_attempted: return "not_attempted";
        case VerifyStatus::live: return "live";
        case VerifyStatus::invalid: return "invalid";
        case VerifyStatus::unverifiable: return "unverifiable";
        case VerifyStatus::canary: return "canary";
        case VerifyStatus::error: return "error";
    }
    return "error";
}

void Diagnostics::warn(std::string_view reason, std::string_view input, std::string_view detail) {
    std::uint64_t n;
    {
        std::lock_guard lock(mu_);
        auto it = counts_.find(reason);
        if (it == counts_.end()) it = counts_.emplace(std::string(reason), 0).first;
        n = ++it->second;
    }
    if (quiet_) return;
    if (n <= kMaxLinesPerReason) {
        std::fprintf(stderr, "keysweep: warning: %.*s: %.*s\n", int(input.size()), input.data(),
                     int(detail.size()), detail.data());
    } else if (n == kMaxLinesPerReason + 1) {
        std::fprintf(stderr, "keysweep: warning: more inputs skipped as '%.*s'; see the summary for the count\n",
                     int(reason.size()), reason.data());
    }
}

void Diagnostics::count(std::string_view reason) {
    std::lock_guard lock(mu_);
    auto it = counts_.find(reason);
    if (it == counts_.end()) it = counts_.emplace(std::string(reason), 0).first;
    ++it->second;
}

std::map<std::string, std::uint64_t> Diagnostics::counts() const {
    std::lock_guard lock(mu_);
    return {counts_.begin(), counts_.end()};
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

std::string fingerprint(std::string_view rule_id, std::string_view secret) {
    std::string fp(rule_id);
    fp += ':';
    fp += sha256_hex(secret).substr(0, 32);
    return fp;
}

}  // namespace ks
