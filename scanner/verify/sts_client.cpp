#include "verify/sts_client.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

namespace ks::verify {
namespace {

struct Sink {
    std::string* body;
    bool overflow = false;
};

size_t write_body(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const size_t len = size * n;
    if (sink->body->size() + len > kMaxBody) {
        sink->overflow = true;
        return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    }
    sink->body->append(data, len);
    return len;
}

}  // namespace

SignedPost get_caller_identity(const Endpoint& endpoint) {
    SignedPost req;
    req.url = endpoint.url;
    req.region = endpoint.region;
    req.service = std::string(kStsService);
    req.content_type = std::string(kFormContentType);
    req.body = std::string(kGetCallerIdentityBody);
    return req;
}

std::string sigv4_param(const SignedPost& req) { return "aws:amz:" + req.region + ":" + req.service; }

StsHttp::StsHttp(long timeout_ms) : timeout_ms_(timeout_ms > 0 ? timeout_ms : 5000) {
    ensure_curl_global_init();
    h_.reset(curl_easy_init());
    if (!h_) throw std::runtime_error("libcurl: cannot create a handle");
}

HttpReply StsHttp::post(const SignedPost& req, const Credentials& creds) {
    HttpReply reply;
    CURL* h = h_.get();
    curl_easy_reset(h);  // keeps the connection cache, forgets every option of the previous request

    CurlSlist headers;
    if (!req.content_type.empty()) append(headers, "Content-Type: " + req.content_type);
    for (const auto& line : req.headers) append(headers, line);
    if (!creds.session_token.empty()) append(headers, std::string(kSessionTokenHeader) + ": " + creds.session_token);
    CurlSlist connect_to;
    if (!req.connect_to.empty()) append(connect_to, req.connect_to);

    char errbuf[CURL_ERROR_SIZE] = {0};
    Sink sink{&reply.body};
    const std::string sigv4 = sigv4_param(req);

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NETRC, long(CURL_NETRC_IGNORED));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms_, 10000L));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "keysweep-verify/1 (GetCallerIdentity)");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, long(req.body.size()));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    if (connect_to) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, creds.key_id.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, creds.secret.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

    reply.curl = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        reply.retry_after_s = long(retry_after);
    if (reply.curl != CURLE_OK) {
        reply.curl_error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(reply.curl));
        if (sink.overflow) reply.curl_error = "answer larger than " + std::to_string(kMaxBody) + " bytes";
    }

    // Nothing of this request may outlive it in the handle: the lists die with this scope.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h, CURLOPT_USERNAME, "");
    curl_easy_setopt(h, CURLOPT_PASSWORD, "");
    return reply;
}

}  // namespace ks::verify
