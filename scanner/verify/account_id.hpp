// Offline facts about AWS key ids: what kind of credential one names, and which account owns it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::verify {

// The 12-digit account id encoded in a 20-character AWS key id (AKIA…, ASIA…, AIDA…, …): base32 of
// characters 5–20, bits 1–40 of the first 48. nullopt when the id carries none: old-format ids
// (fifth character I or J), a wrong length, or characters outside the key alphabet.
std::optional<std::string> account_from_key_id(std::string_view key_id);

// AKIA…: a long-term IAM user access key id.
bool is_long_term_key_id(std::string_view key_id);
// ASIA…: a temporary (STS) access key id; it works only together with its session token.
bool is_session_key_id(std::string_view key_id);

}  // namespace ks::verify
