// --redact: a short prefix stays so a person can recognise the key; the secret appears nowhere.
#include "sample.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ks;
using namespace ks::test;

namespace {
const std::string kEllipsis = "\u2026";
}

TEST(Redact, KeepsAtMostFourCharactersAndAQuarter) {
    std::string key = fake_aws_key_id(7);  // 20 characters
    EXPECT_EQ(report::redact(key), key.substr(0, 4) + kEllipsis);
    EXPECT_EQ(report::redact("abcdefgh"), "ab" + kEllipsis);
    EXPECT_EQ(report::redact("abcdefghijklmno"), "abc" + kEllipsis);
    EXPECT_EQ(report::redact("abc"), kEllipsis);
    EXPECT_EQ(report::redact(""), kEllipsis);
    for (std::size_t n = 0; n < 64; ++n) {
        std::string s(n, 'x');
        std::string r = report::redact(s);
        std::size_t kept = r.size() - kEllipsis.size();
        EXPECT_LE(kept, 4u);
        EXPECT_LE(kept * 4, n);
        EXPECT_TRUE(r.ends_with(kEllipsis));
    }
}

TEST(Redact, NeverCutsAUtf8Character) {
    std::string s = "aaa\xc3\xa9" + std::string(12, 'x');  // 'é' spans bytes 3-4; 4 bytes would split it
    EXPECT_EQ(report::redact(s), "aaa" + kEllipsis);
}

TEST(Redact, ReplacesTheSecretInsideMatchEverywhere) {
    auto f = aws_key_finding();
    f.match = f.secret + " # again: " + f.secret;
    auto r = report::redacted(f);
    EXPECT_EQ(r.secret, report::redact(f.secret));
    EXPECT_EQ(r.match, r.secret + " # again: " + r.secret);
    EXPECT_EQ(r.fingerprint, f.fingerprint) << "fingerprints stay, so baselines still work";
}

// For each format: the full secret, and its tail, must be absent with --redact.
class RedactEverywhere : public ::testing::TestWithParam<std::tuple<report::Format, bool>> {};

TEST_P(RedactEverywhere, SecretAppearsNowhere) {
    auto [format, color] = GetParam();
    auto live = aws_key_finding();
    live.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "AIDAUSER", ""};
    std::vector<Finding> findings = {live, aws_secret_finding(), github_finding()};
    std::string out = render(findings, format, /*redact=*/true, color);
    ASSERT_FALSE(out.empty());
    for (const auto& f : findings) {
        EXPECT_EQ(out.find(f.secret), std::string::npos) << f.rule_id << " leaked:\n" << out;
        EXPECT_EQ(out.find(f.secret.substr(f.secret.size() - 8)), std::string::npos) << f.rule_id << " tail leaked";
    }
    if (format == report::Format::text) {
        EXPECT_NE(out.find(report::redact(live.secret)), std::string::npos) << out;
    }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, RedactEverywhere,
                         ::testing::Values(std::tuple{report::Format::text, false}, std::tuple{report::Format::text, true},
                                           std::tuple{report::Format::json, false}, std::tuple{report::Format::jsonl, false},
                                           std::tuple{report::Format::sarif, false}));

TEST(Redact, JsonCarriesTheRedactionInSecretAndMatch) {
    auto f = aws_key_finding();
    auto j = nlohmann::json::parse(render({f}, report::Format::json, true))["findings"][0];
    EXPECT_EQ(j["secret"], report::redact(f.secret));
    EXPECT_EQ(j["match"], "key = \"" + report::redact(f.secret) + "\"");
    EXPECT_EQ(j["fingerprint"], f.fingerprint);
}

TEST(Redact, WithoutRedactTheSecretIsPrintedExceptInSarif) {
    auto f = aws_key_finding();
    for (auto fmt : {report::Format::text, report::Format::json, report::Format::jsonl})
        EXPECT_NE(render({f}, fmt).find(f.secret), std::string::npos) << "sanity: the test above would see a leak";
    EXPECT_EQ(render({f}, report::Format::sarif).find(f.secret), std::string::npos)
        << "SARIF is uploaded elsewhere and never carries the secret";
}
