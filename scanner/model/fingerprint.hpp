// Content-based finding fingerprints: "<rule_id>:<first 32 hex of SHA-256(secret)>".
// They never contain the secret, and survive line moves and history rewrites.
#pragma once

#include <string>
#include <string_view>

namespace ks {

std::string sha256_hex(std::string_view data);
std::string fingerprint(std::string_view rule_id, std::string_view secret);

}  // namespace ks
