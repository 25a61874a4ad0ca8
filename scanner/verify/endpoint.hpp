// Where GetCallerIdentity goes, and the SigV4 region that follows from it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace ks::verify {

inline constexpr std::string_view kDefaultStsEndpoint = "https://sts.amazonaws.com";
inline constexpr std::string_view kDefaultRegion = "us-east-1";

struct Endpoint {
    std::string url;      // as given (http or https)
    std::string host;     // lower case, without port
    std::string region;   // SigV4 signing region
    std::string display;  // scheme://host[:port], for warning lines (no user info, path or query)
    std::string source;   // "--sts-endpoint", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL" or "default"
};

// The region of a regional AWS STS host ("sts.eu-west-1.amazonaws.com", "sts-fips.us-east-2.amazonaws.com",
// "sts.cn-north-1.amazonaws.com.cn", "sts.us-west-2.api.aws"), or "" for any other host (including the
// global sts.amazonaws.com, which signs as us-east-1).
std::string region_from_host(std::string_view host);

// Parses an endpoint URL. `region`: explicit signing region, else from the host, else us-east-1.
// Throws std::invalid_argument (one line, naming `source`) when it is not an http:// or https:// URL.
Endpoint parse_endpoint(std::string_view url, std::string_view region = {}, std::string_view source = "--sts-endpoint");

// `option` (--sts-endpoint) if set, else $AWS_ENDPOINT_URL_STS, else $AWS_ENDPOINT_URL, else the
// real STS (TLS verification always on). `getenv` is injectable for tests.
using GetEnv = std::function<const char*(const char*)>;
Endpoint resolve_endpoint(std::string_view option, std::string_view region = {}, const GetEnv& getenv = {});

}  // namespace ks::verify
