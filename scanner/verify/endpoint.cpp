#include "verify/endpoint.hpp"

#include "verify/curl_handles.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ks::verify {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "us-east-1", "us-gov-west-1", "ap-southeast-2", "eu-central-1", "cn-north-1", "il-central-1".
bool looks_like_region(std::string_view r) {
    std::size_t dash = r.find('-');
    if (dash == std::string_view::npos || dash < 2) return false;
    std::size_t last = r.rfind('-');
    if (last == dash || last + 1 >= r.size()) return false;
    for (std::size_t i = last + 1; i < r.size(); ++i)
        if (r[i] < '0' || r[i] > '9') return false;
    for (std::size_t i = 0; i < last; ++i)
        if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '-')) return false;
    return true;
}

std::string part(CURLU* u, CURLUPart what) {
    char* raw = nullptr;
    if (curl_url_get(u, what, &raw, 0) != CURLUE_OK || !raw) return {};
    CurlString owned(raw);
    return std::string(owned.get());
}

}  // namespace

std::string region_from_host(std::string_view host_in) {
    std::string host = lower(host_in);
    std::string_view h = host;
    for (std::string_view suffix : {".amazonaws.com.cn", ".amazonaws.com", ".api.aws"}) {
        if (!ends_with(h, suffix)) continue;
        std::string_view rest = h.substr(0, h.size() - suffix.size());  // "sts.eu-west-1"
        for (std::string_view prefix : {"sts.", "sts-fips.", "sts.dualstack."}) {
            if (rest.substr(0, prefix.size()) != prefix) continue;
            std::string_view region = rest.substr(prefix.size());
            if (looks_like_region(region)) return std::string(region);
        }
        return {};
    }
    return {};
}

Endpoint parse_endpoint(std::string_view url, std::string_view region, std::string_view source) {
    ensure_curl_global_init();
    auto bad = [&](std::string_view why) {
        return std::invalid_argument(std::string(source) + ": '" + std::string(url) + "' " + std::string(why));
    };
    CurlUrl u(curl_url());
    if (!u) throw std::bad_alloc();
    if (curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), 0) != CURLUE_OK)
        throw bad("is not a URL (expected http://HOST[:PORT] or https://HOST[:PORT])");
    Endpoint e;
    e.url = std::string(url);
    std::string scheme = lower(part(u.get(), CURLUPART_SCHEME));
    if (scheme != "http" && scheme != "https") throw bad("is not an http:// or https:// URL");
    e.host = lower(part(u.get(), CURLUPART_HOST));
    if (e.host.empty()) throw bad("has no host");
    std::string port = part(u.get(), CURLUPART_PORT);
    e.display = scheme + "://" + e.host + (port.empty() ? "" : ":" + port);
    e.region = !region.empty() ? std::string(region) : region_from_host(e.host);
    if (e.region.empty()) e.region = std::string(kDefaultRegion);
    e.source = std::string(source);
    return e;
}

Endpoint resolve_endpoint(std::string_view option, std::string_view region, const GetEnv& getenv) {
    ensure_curl_global_init();
    auto env = [&](const char* name) -> std::string {
        const char* v = getenv ? getenv(name) : std::getenv(name);
        return v ? std::string(v) : std::string();
    };
    if (!option.empty()) return parse_endpoint(option, region, "--sts-endpoint");
    if (std::string v = env("AWS_ENDPOINT_URL_STS"); !v.empty()) return parse_endpoint(v, region, "AWS_ENDPOINT_URL_STS");
    if (std::string v = env("AWS_ENDPOINT_URL"); !v.empty()) return parse_endpoint(v, region, "AWS_ENDPOINT_URL");
    return parse_endpoint(kDefaultStsEndpoint, region, "default");
}

}  // namespace ks::verify
