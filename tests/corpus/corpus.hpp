// The labelled corpus: realistic files in which every planted secret is known (positives) and files
// that hold none (negatives: placeholders, documentation, hashes, identifiers, lock files, minified
// code). Most samples are generated at test time from templates with seeded random secrets, so the
// source tree holds no key-shaped literal; a few real-world negatives live in tests/fixtures/corpus/.
#pragma once

#include "harness.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ks::corpus {

struct Sample {
    std::string family;                // row of the precision / recall table
    std::string path;                  // path the file is scanned under
    std::string text;                  // file content
    std::vector<std::string> secrets;  // what must be reported; empty for a negative sample
};

// Deterministic random values for the templates.
class Gen {
public:
    explicit Gen(std::uint64_t seed) : rng_(seed) {}
    std::size_t pick(std::size_t n) { return std::size_t(rng_() % n); }
    template <class T>
    const T& one(const std::vector<T>& v) { return v[pick(v.size())]; }
    std::string chars(std::string_view alphabet, std::size_t n);
    std::string alnum(std::size_t n);      // mixed case and digits, never a placeholder
    std::string lower_alnum(std::size_t n);
    std::string hex(std::size_t n);
    std::string upper_hex(std::size_t n);
    std::string b64(std::size_t n);        // base64 alphabet, no padding
    std::string password(std::size_t n);   // letters, digits and a few symbols
    std::string word();                    // a lower-case English word
    std::string user();                    // a service-account-like user name
    std::string host();                    // an internal host name
    std::string ip();
    std::string uuid();

private:
    std::mt19937_64 rng_;
};

using test::base64;
std::string percent(std::string_view in);  // every reserved character escaped

// Generated samples (families: dotfiles, shell, ftp, app-config, infra, hashes, keys,
// sensitive-paths, generic, encoded; negatives also in non-secrets).
std::vector<Sample> positives();
std::vector<Sample> negatives();

// Real-world files under tests/fixtures/corpus/negative/<family>/...: every one is a negative.
std::vector<Sample> fixture_negatives(const std::string& root);

}  // namespace ks::corpus
