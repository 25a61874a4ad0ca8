// ks::verify::run against hand-built findings: offline behaviour, and the request policy (dedupe,
// retries, competing secrets, dead endpoint) against a scripted loopback server.
#include "aws_fixtures.hpp"
#include "harness.hpp"
#include "scripted_server.hpp"
#include "verify/verifier.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using ks::Finding;
using ks::VerifyStatus;
using ks::test::BlobBuilder;
using ks::test::fake_aws_key_id;
using ks::test::fake_aws_secret;
using ks::test::fake_session_token;
using ks::test::key_id_for_account;
using ks::test::ScriptedServer;

namespace {

std::string live_body(const std::string& account, const std::string& arn) {
    return "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
           "<Arn>" + arn + "</Arn><UserId>AIDATESTUSER</UserId><Account>" + account +
           "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
           "</GetCallerIdentityResponse>";
}

ScriptedServer::Answer live(const std::string& account, const std::string& arn) {
    return {200, live_body(account, arn), "", 0};
}

ScriptedServer::Answer sts_error(int status, const std::string& code, const std::string& message = "m") {
    return {status, "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
                        "</Message></Error><RequestId>r</RequestId></ErrorResponse>", "", 0};
}

ks::verify::Options online(const std::string& endpoint) {
    ks::verify::Options o;
    o.enabled = true;
    o.endpoint = endpoint;
    o.requests_per_second = 0;  // no pacing in tests
    o.backoff_ms = 1;
    o.timeout_ms = 3000;
    return o;
}

// A credentials file: key id, secret and (for ASIA) token, in one blob.
std::vector<Finding> pair_blob(const std::string& blob, const std::string& id, const std::string& secret,
                               const std::string& token = {}) {
    BlobBuilder b(blob);
    b.text("[default]\naws_access_key_id = ").key_id(id).text("\naws_secret_access_key = ").secret(secret);
    if (!token.empty()) b.text("\naws_session_token = ").token(token);
    b.text("\n");
    std::vector<Finding> fs;
    b.into(fs);
    return fs;
}

void expect_no_secret_in_messages(const std::vector<Finding>& fs, const std::string& stderr_text = {}) {
    for (const auto& f : fs) {
        if (f.rule_id == "aws-access-key-id" || f.secret.empty()) continue;  // a key id is an identifier, and no message holds one anyway
        for (const auto& g : fs) {
            EXPECT_EQ(g.verification.message.find(f.secret), std::string::npos) << g.verification.message;
            EXPECT_EQ(g.verification.arn.find(f.secret), std::string::npos);
        }
        if (!stderr_text.empty()) {
            EXPECT_EQ(stderr_text.find(f.secret), std::string::npos) << stderr_text;
        }
    }
}

}  // namespace

TEST(VerifyOffline, AccountOnEveryAwsFindingAndNoNetwork) {
    ScriptedServer server;
    auto fs = pair_blob("b1", key_id_for_account(123456789012), fake_aws_secret(1));
    auto more = pair_blob("b2", key_id_for_account(210987654321, "ASIA"), fake_aws_secret(2), fake_session_token(2));
    fs.insert(fs.end(), more.begin(), more.end());
    Finding other;
    other.rule_id = "github-pat";
    other.secret = ks::test::fake_github_pat(1);
    fs.push_back(other);

    ks::verify::Options opts;  // enabled = false
    opts.endpoint = server.url();
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, opts, diag);

    EXPECT_EQ(server.count(), 0u);
    EXPECT_EQ(stats.requests, 0u);
    EXPECT_EQ(fs[0].verification.account, "123456789012");
    EXPECT_EQ(fs[1].verification.account, "123456789012");  // the secret takes its key id's account
    EXPECT_EQ(fs[2].verification.account, "210987654321");
    EXPECT_EQ(fs[3].verification.account, "210987654321");
    EXPECT_EQ(fs[4].verification.account, "210987654321");  // and so does the session token
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(fs[i].verification.status, VerifyStatus::not_attempted) << i;
    EXPECT_EQ(fs[5].verification.account, "");
    EXPECT_EQ(fs[5].verification.status, VerifyStatus::not_attempted);
    EXPECT_EQ(stats.not_attempted, 5u);
}

TEST(VerifyOffline, DisabledNeverLooksAtTheEndpoint) {
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    ks::verify::Options opts;
    opts.endpoint = "not a url";
    ks::Diagnostics diag;
    EXPECT_NO_THROW(ks::verify::run(fs, opts, diag));
    opts.enabled = true;
    EXPECT_THROW(ks::verify::run(fs, opts, diag), std::invalid_argument);
}

TEST(VerifyOffline, CanaryMarkedWithoutVerify) {
    auto fs = pair_blob("b", key_id_for_account(534261010715), fake_aws_secret(1));
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, {}, diag);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::canary);
    EXPECT_EQ(fs[0].verification.account, "534261010715");
    EXPECT_NE(fs[0].verification.message.find("Thinkst"), std::string::npos);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::canary);
    EXPECT_EQ(stats.canary, 2u);
}

TEST(VerifyOffline, SkipAccountExtendsCanaries) {
    auto fs = pair_blob("b", key_id_for_account(111122223333), fake_aws_secret(1));
    ks::verify::Options opts;
    opts.skip_accounts = {"111122223333"};
    ks::Diagnostics diag;
    ks::verify::run(fs, opts, diag);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::canary);
    opts.skip_accounts = {"bogus"};
    EXPECT_THROW(ks::verify::run(fs, opts, diag), std::invalid_argument);
}

TEST(VerifyScripted, CanaryIsNeverSent) {
    ScriptedServer server({live("534261010715", "arn:aws:iam::534261010715:user/canarytokens.com@@x")});
    auto fs = pair_blob("b", key_id_for_account(534261010715), fake_aws_secret(1));
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(server.count(), 0u);
    EXPECT_EQ(stats.requests, 0u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::canary);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::canary);
}

TEST(VerifyScripted, UnverifiableShapes) {
    ScriptedServer server({live("123456789012", "arn:aws:iam::123456789012:user/x")});
    std::vector<Finding> fs;
    BlobBuilder lone_id("b1"), lone_secret("b2"), asia("b3"), aida("b4");
    lone_id.text("id=").key_id(fake_aws_key_id(1));
    lone_secret.text("secret=").secret(fake_aws_secret(2));
    asia.text("id=").key_id(fake_aws_key_id(3, "ASIA")).text("\nsecret=").secret(fake_aws_secret(3));
    aida.text("user=").key_id(fake_aws_key_id(4, "AIDA")).text("\nsecret=").secret(fake_aws_secret(4));
    for (auto* b : {&lone_id, &lone_secret, &asia, &aida}) b->into(fs);
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(server.count(), 0u);
    for (const auto& f : fs) EXPECT_EQ(f.verification.status, VerifyStatus::unverifiable) << f.rule_id;
    EXPECT_NE(fs[0].verification.message.find("no secret"), std::string::npos) << fs[0].verification.message;
    EXPECT_NE(fs[1].verification.message.find("no access key id"), std::string::npos) << fs[1].verification.message;
    EXPECT_NE(fs[2].verification.message.find("session token"), std::string::npos) << fs[2].verification.message;
    EXPECT_NE(fs[4].verification.message.find("not an access key"), std::string::npos) << fs[4].verification.message;
    EXPECT_EQ(stats.unverifiable, fs.size());
    expect_no_secret_in_messages(fs);
}

TEST(VerifyScripted, SamePairInFiftyBlobsIsOneRequest) {
    ScriptedServer server({live("123456789012", "arn:aws:iam::123456789012:user/ci")});
    const std::string id = key_id_for_account(123456789012), secret = fake_aws_secret(8);
    std::vector<Finding> fs;
    for (int i = 0; i < 50; ++i) {
        auto b = pair_blob("blob" + std::to_string(i), id, secret);
        fs.insert(fs.end(), b.begin(), b.end());
    }
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(server.count(), 1u);
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(stats.pairs_sent, 1u);
    EXPECT_EQ(stats.cache_hits, 49u);
    EXPECT_EQ(stats.live, 100u);
    for (const auto& f : fs) {
        EXPECT_EQ(f.verification.status, VerifyStatus::live);
        EXPECT_EQ(f.verification.arn, "arn:aws:iam::123456789012:user/ci");
        EXPECT_EQ(f.verification.account, "123456789012");
        EXPECT_EQ(f.verification.user_id, "AIDATESTUSER");
    }
}

TEST(VerifyScripted, SessionTokenTravelsOnlyWithAsia) {
    ScriptedServer server({live("123456789012", "arn:aws:sts::123456789012:assumed-role/r/s")});
    const std::string token = fake_session_token(5);
    auto fs = pair_blob("b1", fake_aws_key_id(5, "ASIA"), fake_aws_secret(5), token);
    auto akia = pair_blob("b2", fake_aws_key_id(6), fake_aws_secret(6), fake_session_token(6));
    fs.insert(fs.end(), akia.begin(), akia.end());
    ks::Diagnostics diag;
    ks::verify::run(fs, online(server.url()), diag);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    int with_token = 0;
    for (const auto& r : reqs) {
        std::string t = ks::test::header_value(r, "X-Amz-Security-Token");
        if (!t.empty()) {
            ++with_token;
            EXPECT_EQ(t, token);
            EXPECT_NE(ks::test::header_value(r, "Authorization").find("x-amz-security-token"), std::string::npos);
        }
        for (const auto& f : fs)
            if (f.rule_id == "aws-secret-access-key") {
                EXPECT_EQ(r.find(f.secret), std::string::npos);
            }
    }
    EXPECT_EQ(with_token, 1);
    EXPECT_EQ(fs[2].verification.status, VerifyStatus::live);  // the token itself is reported live too
}

TEST(VerifyScripted, ThrottlingRetriesThenError) {
    ScriptedServer server({sts_error(400, "Throttling", "Rate exceeded")});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    auto opts = online(server.url());
    opts.max_retries = 2;
    ks::Diagnostics diag;
    testing::internal::CaptureStderr();
    auto stats = ks::verify::run(fs, opts, diag);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(server.count(), 3u);
    EXPECT_EQ(stats.requests, 3u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::error);
    EXPECT_NE(fs[0].verification.message.find("throttled"), std::string::npos) << fs[0].verification.message;
    EXPECT_NE(fs[0].verification.message.find("3 tries"), std::string::npos) << fs[0].verification.message;
    EXPECT_NE(err.find("keysweep: warning: " + server.url()), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    expect_no_secret_in_messages(fs, err);
}

TEST(VerifyScripted, RetriesFiveHundredsAndThrottlingUntilAnswered) {
    ScriptedServer server({sts_error(503, "ServiceUnavailable"), sts_error(400, "Throttling"),
                           live("123456789012", "arn:aws:iam::123456789012:user/a")});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(stats.requests, 3u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::live);
}

TEST(VerifyScripted, TimeoutsAreRetriedThenError) {
    ScriptedServer server({{200, live_body("123456789012", "arn:aws:iam::123456789012:user/slow"), "", 1500}});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    auto opts = online(server.url());
    opts.timeout_ms = 200;
    opts.max_retries = 1;
    ks::Diagnostics diag;
    diag.set_quiet(true);
    auto stats = ks::verify::run(fs, opts, diag);
    EXPECT_EQ(stats.requests, 2u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::error);
    EXPECT_NE(fs[0].verification.message.find("no answer from " + server.url() + " after 2 tries"), std::string::npos)
        << fs[0].verification.message;
    EXPECT_EQ(diag.counts().at("verify-error"), 1u);
}

TEST(VerifyScripted, RetryAfterIsHonouredButBounded) {
    // Retry-After: 1 makes the second try wait about a second rather than the 1 ms back-off.
    ScriptedServer server({{429, "", "Retry-After: 1\r\n", 0},
                           live("123456789012", "arn:aws:iam::123456789012:user/late")});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(stats.requests, 2u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::live);
}

TEST(VerifyScripted, SignatureExpiredIsAnErrorNotInvalidAndNotRetried) {
    ScriptedServer server({sts_error(403, "SignatureDoesNotMatch",
                                     "Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z")});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    ks::Diagnostics diag;
    diag.set_quiet(true);
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::error);
    EXPECT_NE(fs[0].verification.message.find("clock"), std::string::npos);
}

TEST(VerifyScripted, InvalidAnswers) {
    ScriptedServer server({sts_error(403, "InvalidClientTokenId")});
    auto fs = pair_blob("b", fake_aws_key_id(1), fake_aws_secret(1));
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::invalid);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::invalid);
    EXPECT_TRUE(diag.counts().empty());  // an invalid key is an answer, not a problem
}

TEST(VerifyScripted, CompetingSecretsGetOneMoreTry) {
    // Nearest secret first (403 SignatureDoesNotMatch), then the other one (200).
    ScriptedServer server({sts_error(403, "SignatureDoesNotMatch"),
                           live("123456789012", "arn:aws:iam::123456789012:user/b")});
    BlobBuilder b("b");
    b.text("id=").key_id(fake_aws_key_id(1)).text(" old=").secret(fake_aws_secret(1)).text(std::string(40, ' '))
        .text("new=").secret(fake_aws_secret(2)).text(" s3=").secret(fake_aws_secret(3));
    std::vector<Finding> fs;
    b.into(fs);
    ks::Diagnostics diag;
    auto stats = ks::verify::run(fs, online(server.url()), diag);
    EXPECT_EQ(stats.requests, 2u);  // never a third secret
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::live);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::invalid);
    EXPECT_EQ(fs[2].verification.status, VerifyStatus::live);
    EXPECT_EQ(fs[3].verification.status, VerifyStatus::unverifiable);
    const auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
}

TEST(VerifyScripted, DeadEndpointFailsFastAndEverythingIsStillReported) {
    const std::string dead = "http://127.0.0.1:" + std::to_string(ks::test::dead_loopback_port());
    std::vector<Finding> fs;
    for (unsigned i = 0; i < 20; ++i) {
        auto b = pair_blob("b" + std::to_string(i), fake_aws_key_id(100 + i), fake_aws_secret(100 + i));
        fs.insert(fs.end(), b.begin(), b.end());
    }
    auto canary = pair_blob("c", key_id_for_account(534261010715), fake_aws_secret(99));
    fs.insert(fs.end(), canary.begin(), canary.end());
    Finding other;
    other.rule_id = "github-pat";
    fs.push_back(other);
    auto opts = online(dead);
    opts.max_retries = 5;
    ks::Diagnostics diag;
    testing::internal::CaptureStderr();
    auto stats = ks::verify::run(fs, opts, diag);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_LE(stats.requests, 8u) << "the breaker stops a dead endpoint from being tried per key";
    EXPECT_EQ(stats.pairs_sent, stats.requests);  // refused connections are not retried
    EXPECT_EQ(stats.error, 40u);
    EXPECT_EQ(stats.canary, 2u);
    for (std::size_t i = 0; i < 40; ++i) {
        EXPECT_EQ(fs[i].verification.status, VerifyStatus::error);
        EXPECT_NE(fs[i].verification.message.find("127.0.0.1"), std::string::npos) << fs[i].verification.message;
    }
    EXPECT_EQ(fs.back().verification.status, VerifyStatus::not_attempted);
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;  // one line, not one per key
    expect_no_secret_in_messages(fs, err);
}
