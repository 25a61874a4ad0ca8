// Test helpers for the verifier: key ids for a chosen account, and blobs of hand-placed findings.
// Every key-shaped string is assembled at run time; none is written in the source.
#pragma once

#include "model/finding.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ks::test {

// A 20-character key id (`prefix` + 16 base32 characters) that decodes to `account`, built the way AWS
// lays the account into a key id: a set top bit, 40 bits of account, then filler.
inline std::string key_id_for_account(std::uint64_t account, const std::string& prefix = "AKIA", unsigned seed = 1) {
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ULL + 17);
    const std::uint64_t head = (1ULL << 47) | (account << 7) | (rng() & 0x7f);
    unsigned char bytes[10];
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(head >> (8 * (5 - i)));
    for (int i = 6; i < 10; ++i) bytes[i] = static_cast<unsigned char>(rng());
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out = prefix;
    std::uint64_t buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    return out;
}

// A fake session token (base64-ish, 356 characters), distinct per seed.
inline std::string fake_session_token(unsigned seed) {
    std::mt19937_64 rng(seed + 4242);
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string t = "IQoJb3JpZ2luX2Vj";
    while (t.size() < 356) t.push_back(alphabet[rng() % 64]);
    return t;
}

// Lays out the text of one blob and records a Finding for each credential placed in it.
class BlobBuilder {
public:
    explicit BlobBuilder(std::string blob_id) : blob_id_(std::move(blob_id)) {}
    BlobBuilder& text(const std::string& s) {
        text_ += s;
        return *this;
    }
    BlobBuilder& key_id(const std::string& v) { return add("aws-access-key-id", "aws:key-id", v); }
    BlobBuilder& secret(const std::string& v) { return add("aws-secret-access-key", "aws:secret", v); }
    BlobBuilder& token(const std::string& v) { return add("aws-session-token", "aws:session-token", v); }
    // Finding i of this blob, in placement order.
    const std::vector<Finding>& findings() const { return findings_; }
    const std::string& str() const { return text_; }
    // Appends this blob's findings to `out`; returns the index of the first.
    std::size_t into(std::vector<Finding>& out) const {
        std::size_t first = out.size();
        out.insert(out.end(), findings_.begin(), findings_.end());
        return first;
    }

private:
    BlobBuilder& add(const std::string& rule, const std::string& kind, const std::string& value) {
        Finding f;
        f.rule_id = rule;
        f.verify_kind = kind;
        f.secret = value;
        f.match = value;
        f.blob_id = blob_id_;
        f.start = f.secret_start = text_.size();
        f.end = f.secret_end = text_.size() + value.size();
        f.path = "config/" + blob_id_;
        text_ += value;
        findings_.push_back(f);
        return *this;
    }

    std::string blob_id_;
    std::string text_;
    std::vector<Finding> findings_;
};

}  // namespace ks::test
