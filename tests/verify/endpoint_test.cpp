#include "verify/endpoint.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

using ks::verify::parse_endpoint;
using ks::verify::region_from_host;
using ks::verify::resolve_endpoint;

namespace {
ks::verify::GetEnv fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}
}  // namespace

TEST(Endpoint, RegionFromRegionalStsHosts) {
    EXPECT_EQ(region_from_host("sts.eu-west-1.amazonaws.com"), "eu-west-1");
    EXPECT_EQ(region_from_host("STS.AP-SOUTHEAST-2.AMAZONAWS.COM"), "ap-southeast-2");
    EXPECT_EQ(region_from_host("sts-fips.us-east-2.amazonaws.com"), "us-east-2");
    EXPECT_EQ(region_from_host("sts.us-gov-west-1.amazonaws.com"), "us-gov-west-1");
    EXPECT_EQ(region_from_host("sts.cn-north-1.amazonaws.com.cn"), "cn-north-1");
    EXPECT_EQ(region_from_host("sts.us-west-2.api.aws"), "us-west-2");
    EXPECT_EQ(region_from_host("sts.amazonaws.com"), "");  // global endpoint: us-east-1
    EXPECT_EQ(region_from_host("127.0.0.1"), "");
    EXPECT_EQ(region_from_host("s3.eu-west-1.amazonaws.com"), "");
    EXPECT_EQ(region_from_host("sts.example.amazonaws.com"), "");
}

TEST(Endpoint, DefaultIsRealStsOverTlsInUsEast1) {
    auto e = resolve_endpoint("", "", fake_env({}));
    EXPECT_EQ(e.url, "https://sts.amazonaws.com");
    EXPECT_EQ(e.host, "sts.amazonaws.com");
    EXPECT_EQ(e.region, "us-east-1");
    EXPECT_EQ(e.source, "default");
}

TEST(Endpoint, Precedence) {
    auto env = fake_env({{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"}, {"AWS_ENDPOINT_URL", "http://other:1"}});
    EXPECT_EQ(resolve_endpoint("https://sts.eu-central-1.amazonaws.com", "", env).url,
              "https://sts.eu-central-1.amazonaws.com");
    EXPECT_EQ(resolve_endpoint("", "", env).url, "http://127.0.0.1:4566");
    EXPECT_EQ(resolve_endpoint("", "", env).source, "AWS_ENDPOINT_URL_STS");
    EXPECT_EQ(resolve_endpoint("", "", fake_env({{"AWS_ENDPOINT_URL", "http://other:1"}})).url, "http://other:1");
    EXPECT_EQ(resolve_endpoint("", "", fake_env({{"AWS_ENDPOINT_URL_STS", ""}})).source, "default");
}

TEST(Endpoint, RegionFollowsHostUnlessGiven) {
    EXPECT_EQ(parse_endpoint("https://sts.eu-west-3.amazonaws.com/").region, "eu-west-3");
    EXPECT_EQ(parse_endpoint("http://127.0.0.1:5000").region, "us-east-1");
    EXPECT_EQ(parse_endpoint("http://127.0.0.1:5000", "ap-east-1").region, "ap-east-1");
}

TEST(Endpoint, DisplayHasNoUserInfoPathOrQuery) {
    auto e = parse_endpoint("http://user:pw@LocalHost:5000/some/path?x=1");
    EXPECT_EQ(e.display, "http://localhost:5000");
    EXPECT_EQ(e.host, "localhost");
    EXPECT_EQ(parse_endpoint("https://sts.amazonaws.com").display, "https://sts.amazonaws.com");
}

TEST(Endpoint, BadUrlsAreConfigurationErrors) {
    EXPECT_THROW(parse_endpoint("ftp://example.com"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("not a url"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("file:///etc/passwd"), std::invalid_argument);
    try {
        resolve_endpoint("", "", fake_env({{"AWS_ENDPOINT_URL", "gopher://x"}}));
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("AWS_ENDPOINT_URL"), std::string::npos) << e.what();
    }
}
