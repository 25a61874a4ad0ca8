// Reading STS answers: a few known elements of a small XML document, no XML library needed.
#include "verify/sts_client.hpp"

namespace ks::verify {
namespace {

std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        static constexpr std::pair<std::string_view, char> kEntities[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool done = false;
        for (auto [name, ch] : kEntities) {
            if (s.substr(i, name.size()) == name) {
                out.push_back(ch);
                i += name.size() - 1;
                done = true;
                break;
            }
        }
        if (!done) out.push_back('&');
    }
    return out;
}

// Error codes go into messages: keep only the characters AWS codes are made of.
std::string clean_code(std::string_view code) {
    std::string out;
    for (char c : code) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') out.push_back(c);
        if (out.size() >= 64) break;
    }
    return out;
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

Answer transport_answer(CURLcode rc) {
    switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return Answer::unreachable;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
            return Answer::tls;
        case CURLE_WRITE_ERROR:  // answer too large
            return Answer::unexpected;
        default:  // timeouts, resets, empty replies, partial transfers
            return Answer::timeout;
    }
}

}  // namespace

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    std::size_t a = xml.find(open);
    if (a == std::string_view::npos) return std::nullopt;
    a += open.size();
    std::size_t b = xml.find(close, a);
    if (b == std::string_view::npos) return std::nullopt;
    return decode_entities(xml.substr(a, b - a));
}

StsResult classify(const HttpReply& reply) {
    StsResult r;
    r.http_status = reply.status;
    if (reply.curl != CURLE_OK) {
        r.answer = transport_answer(reply.curl);
        return r;
    }
    const std::string_view body = reply.body;
    if (reply.status == 200) {
        auto arn = xml_text(body, "Arn");
        auto account = xml_text(body, "Account");
        if (arn && account && contains(body, "GetCallerIdentityResult")) {
            r.answer = Answer::live;
            r.arn = *arn;
            r.account = *account;
            r.user_id = xml_text(body, "UserId").value_or("");
        }
        return r;  // unexpected otherwise
    }
    r.code = clean_code(xml_text(body, "Code").value_or(""));
    const std::string message = xml_text(body, "Message").value_or("");
    const std::string& c = r.code;
    if (c == "RequestExpired" || c == "RequestTimeTooSkewed" || contains(message, "Signature expired") ||
        contains(message, "Signature not yet current")) {
        r.answer = Answer::clock_skew;
    } else if (c == "InvalidClientTokenId" || c == "UnrecognizedClientException" || c == "InvalidAccessKeyId" ||
               c == "InvalidToken") {
        r.answer = Answer::unknown_key;
    } else if (c == "SignatureDoesNotMatch" || c == "IncompleteSignature") {
        r.answer = c == "SignatureDoesNotMatch" ? Answer::bad_signature : Answer::unexpected;
    } else if (c == "ExpiredToken" || c == "ExpiredTokenException") {
        r.answer = Answer::expired_token;
    } else if (reply.status == 429 || c == "Throttling" || c == "ThrottlingException" || c == "RequestLimitExceeded" ||
               c == "TooManyRequestsException" || c == "RequestThrottled" || c == "SlowDown") {
        r.answer = Answer::throttled;
    } else if (reply.status >= 500) {
        r.answer = Answer::server_error;
    } else {
        r.answer = Answer::unexpected;
    }
    return r;
}

}  // namespace ks::verify
