// One STS GetCallerIdentity exchange: the request we build (libcurl signs it with SigV4), the HTTP
// round trip on a reusable libcurl handle, and what the answer means.
#pragma once

#include "verify/curl_handles.hpp"
#include "verify/endpoint.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::verify {

struct Credentials {
    std::string key_id;
    std::string secret;
    std::string session_token;  // empty for long-term (AKIA) keys
};

// What we control of the canonical request; libcurl (CURLOPT_AWS_SIGV4) computes the signature from
// these plus the host it connects to and the date.
struct SignedPost {
    std::string url;
    std::string region;
    std::string service;
    std::string content_type;          // sent and signed; empty: libcurl's default, unsigned
    std::string body;                  // the payload hashed into the signature
    std::vector<std::string> headers;  // extra "Name: value" lines; libcurl signs each of them
    std::string connect_to;            // optional CURLOPT_CONNECT_TO entry (tests: fixed host, local port)
};

inline constexpr std::string_view kStsService = "sts";
inline constexpr std::string_view kGetCallerIdentityBody = "Action=GetCallerIdentity&Version=2011-06-15";
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";
inline constexpr std::string_view kSessionTokenHeader = "X-Amz-Security-Token";

// The GetCallerIdentity request for an endpoint (no credentials in it).
SignedPost get_caller_identity(const Endpoint& endpoint);

// CURLOPT_AWS_SIGV4 value: "aws:amz:<region>:<service>".
std::string sigv4_param(const SignedPost& req);

struct HttpReply {
    CURLcode curl = CURLE_OK;  // transport outcome
    std::string curl_error;    // libcurl's explanation (host and reason; never credentials)
    long status = 0;           // HTTP status, 0 without an answer
    std::string body;          // at most kMaxBody bytes
    long retry_after_s = -1;   // Retry-After in seconds, -1 if absent
};
inline constexpr std::size_t kMaxBody = 256 * 1024;

// A libcurl easy handle reused across requests (keeps the connection alive). One per worker thread.
// Redirects are not followed, only http/https are allowed, TLS verification stays on.
class StsHttp {
public:
    explicit StsHttp(long timeout_ms);
    // Sends `req` signed with `creds`; with a session token, X-Amz-Security-Token goes along (signed).
    HttpReply post(const SignedPost& req, const Credentials& creds);

private:
    CurlEasy h_;
    long timeout_ms_;
};

// What an answer means for the key pair.
enum class Answer {
    live,           // 200 with a caller identity
    unknown_key,    // InvalidClientTokenId: no such key id (or deleted / inactive)
    bad_signature,  // SignatureDoesNotMatch: the secret does not belong to the key id
    expired_token,  // ExpiredToken: the session credentials have expired
    clock_skew,     // "Signature expired" / RequestExpired: our clock is off, says nothing about the key
    throttled,      // Throttling, 429: retried
    server_error,   // 5xx: retried
    timeout,        // no (complete) answer in time, connection reset: retried
    unreachable,    // could not resolve or connect: not retried
    tls,            // certificate or handshake failure: not retried
    unexpected,     // any other answer
};

struct StsResult {
    Answer answer = Answer::unexpected;
    std::string account, arn, user_id;  // when live
    std::string code;                   // AWS error code (only [A-Za-z0-9.]), when there is one
    long http_status = 0;
};

// Classifies a reply. Reads only <Arn>, <UserId>, <Account>, <Code> and <Message> of the XML.
StsResult classify(const HttpReply& reply);

// Text of the first <tag>…</tag> element in `xml`, with the five XML entities decoded; nullopt if absent.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);

}  // namespace ks::verify
