#include "verify/sts_client.hpp"

#include <gtest/gtest.h>

using ks::verify::Answer;
using ks::verify::classify;
using ks::verify::HttpReply;
using ks::verify::xml_text;

namespace {
HttpReply reply(long status, std::string body) {
    HttpReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}
HttpReply transport(CURLcode rc) {
    HttpReply r;
    r.curl = rc;
    return r;
}
std::string aws_error(const std::string& code, const std::string& message) {
    // The shape STS (awsQuery protocol) uses for errors.
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n"
           "    <Code>" + code + "</Code>\n    <Message>" + message + "</Message>\n  </Error>\n"
           "  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n</ErrorResponse>\n";
}
}  // namespace

TEST(StsResponse, LiveIdentity) {
    const std::string body =
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
        "  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
        "    <UserId>AIDAEXAMPLEUSERID</UserId>\n    <Account>123456789012</Account>\n"
        "  </GetCallerIdentityResult>\n  <ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>\n"
        "</GetCallerIdentityResponse>\n";
    auto r = classify(reply(200, body));
    EXPECT_EQ(r.answer, Answer::live);
    EXPECT_EQ(r.account, "123456789012");
    EXPECT_EQ(r.arn, "arn:aws:iam::123456789012:user/Alice");
    EXPECT_EQ(r.user_id, "AIDAEXAMPLEUSERID");
}

TEST(StsResponse, InvalidKeyAndSignature) {
    EXPECT_EQ(classify(reply(403, aws_error("InvalidClientTokenId", "The security token included in the request is invalid."))).answer,
              Answer::unknown_key);
    auto bad = classify(reply(403, aws_error("SignatureDoesNotMatch",
                                              "The request signature we calculated does not match the signature you "
                                              "provided. Check your AWS Secret Access Key and signing method.")));
    EXPECT_EQ(bad.answer, Answer::bad_signature);
    EXPECT_EQ(bad.code, "SignatureDoesNotMatch");
    EXPECT_EQ(bad.http_status, 403);
    // moto's layout (Errors wrapper, XML declaration).
    EXPECT_EQ(classify(reply(403, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>"
                                  "InvalidClientTokenId</Code><Message>The security token included in the request is "
                                  "invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>"))
                  .answer,
              Answer::unknown_key);
    EXPECT_EQ(classify(reply(400, aws_error("ExpiredToken", "The security token included in the request is expired"))).answer,
              Answer::expired_token);
}

TEST(StsResponse, SignatureExpiredIsClockSkewNotInvalid) {
    auto r = classify(reply(403, aws_error("SignatureDoesNotMatch",
                                           "Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z "
                                           "(20240101T001500Z - 5 min.)")));
    EXPECT_EQ(r.answer, Answer::clock_skew);
    EXPECT_EQ(classify(reply(400, aws_error("RequestExpired", "Request has expired."))).answer, Answer::clock_skew);
    EXPECT_EQ(classify(reply(403, aws_error("SignatureDoesNotMatch", "Signature not yet current: 20990101T000000Z is still later than ..."))).answer,
              Answer::clock_skew);
}

TEST(StsResponse, ThrottlingAndServerErrors) {
    EXPECT_EQ(classify(reply(400, aws_error("Throttling", "Rate exceeded"))).answer, Answer::throttled);
    EXPECT_EQ(classify(reply(429, "")).answer, Answer::throttled);
    EXPECT_EQ(classify(reply(503, aws_error("ServiceUnavailable", "Service is unable to handle request."))).answer,
              Answer::server_error);
    EXPECT_EQ(classify(reply(500, "<html>oops</html>")).answer, Answer::server_error);
}

TEST(StsResponse, TransportFailures) {
    EXPECT_EQ(classify(transport(CURLE_COULDNT_CONNECT)).answer, Answer::unreachable);
    EXPECT_EQ(classify(transport(CURLE_COULDNT_RESOLVE_HOST)).answer, Answer::unreachable);
    EXPECT_EQ(classify(transport(CURLE_OPERATION_TIMEDOUT)).answer, Answer::timeout);
    EXPECT_EQ(classify(transport(CURLE_GOT_NOTHING)).answer, Answer::timeout);
    EXPECT_EQ(classify(transport(CURLE_PEER_FAILED_VERIFICATION)).answer, Answer::tls);
}

TEST(StsResponse, AnythingElseIsUnexpected) {
    EXPECT_EQ(classify(reply(200, "<html>captive portal</html>")).answer, Answer::unexpected);
    EXPECT_EQ(classify(reply(403, aws_error("AccessDenied", "nope"))).answer, Answer::unexpected);
    EXPECT_EQ(classify(reply(302, "")).answer, Answer::unexpected);
    // Codes are cleaned before they can reach a message.
    EXPECT_EQ(classify(reply(400, aws_error("Odd<&amp;>Code\nX", "m"))).code, "OddCodeX");
}

TEST(StsResponse, XmlText) {
    EXPECT_EQ(xml_text("<a><B>x &amp; y &lt;z&gt;</B></a>", "B"), "x & y <z>");
    EXPECT_EQ(xml_text("<a><B>first</B><B>second</B></a>", "B"), "first");
    EXPECT_EQ(xml_text("<a><B>unterminated</a>", "B"), std::nullopt);
    EXPECT_EQ(xml_text("<a/>", "B"), std::nullopt);
    EXPECT_EQ(xml_text("<Bx>no</Bx>", "B"), std::nullopt);
}
