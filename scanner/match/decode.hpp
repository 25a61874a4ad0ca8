// Decoding encoded substrings (base64, percent-encoding) so that the matcher can rescan what they
// hold. Only candidate runs are decoded, never a whole blob, and every limit below bounds the work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ks::decode {

inline constexpr std::size_t kMinBase64Run = 20;          // shorter base64 runs are not decoded
inline constexpr std::size_t kMaxRun = 64 * 1024;         // longer runs are skipped whole
inline constexpr std::size_t kMaxCandidates = 512;        // decoded runs per blob and level
inline constexpr std::size_t kMaxDecodedBytes = 4u << 20; // decoded bytes per blob and level

// The base64 and base64url alphabets together (padding '=' aside).
bool is_base64_char(unsigned char c);

// Appends [begin, end) of each run of at least kMinBase64Run base64(url) characters (with its '='
// padding) in `data` that holds both letter cases and decodes to text (looks_textual), skipping runs
// longer than kMaxRun, until `out` holds `max` runs. Identifiers and digests, the runs source code is
// full of, are left out before they count against `max`.
void base64_runs(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out, std::size_t max);
// The same without AVX2 (what base64_runs does on CPUs without it); tests compare the two.
void base64_runs_baseline(std::string_view data, std::vector<std::pair<std::size_t, std::size_t>>& out,
                          std::size_t max);

// Standard or URL-safe base64, padding optional. False on a character outside the alphabets, on
// misplaced padding, or on a length no encoding produces.
bool base64(std::string_view in, std::string& out);

// Decodes %XX escapes; `src[i]` is the offset in `in` of decoded byte i (src has out.size()+1 entries,
// the last one in.size()). False when `in` holds no valid escape.
bool percent(std::string_view in, std::string& out, std::vector<std::uint32_t>& src);

// Text worth rescanning: no NUL, and at least 90% of bytes printable ASCII, tab, CR, LF or UTF-8.
bool looks_textual(std::string_view s);

// Offsets in a base64 run of decoded byte d (first character holding its bits) and of the end of
// decoded bytes [.., e) (one past the last character holding their bits).
inline std::size_t base64_src_begin(std::size_t d) { return d / 3 * 4 + d % 3; }
inline std::size_t base64_src_end(std::size_t e) { return (4 * e + 2) / 3; }

// Characters a percent-encoded run may span (URL characters, '%' included).
bool is_url_char(unsigned char c);

}  // namespace ks::decode
