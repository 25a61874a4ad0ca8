#include "aws_fixtures.hpp"
#include "harness.hpp"
#include "verify/pairing.hpp"

#include <gtest/gtest.h>

using ks::Finding;
using ks::test::BlobBuilder;
using ks::test::fake_aws_key_id;
using ks::test::fake_aws_secret;
using ks::verify::AwsKind;
using ks::verify::aws_kind;
using ks::verify::pair_findings;

namespace {
const ks::verify::KeyPlan& plan_for(const ks::verify::Pairing& p, std::size_t id) {
    for (const auto& k : p.keys)
        if (k.id == id) return k;
    throw std::runtime_error("no plan");
}
}  // namespace

TEST(Pairing, KindsFromVerifyFieldOrRuleId) {
    Finding f;
    f.verify_kind = "aws:key-id";
    EXPECT_EQ(aws_kind(f), AwsKind::key_id);
    f.verify_kind = "aws:secret";
    EXPECT_EQ(aws_kind(f), AwsKind::secret);
    f.verify_kind = "aws:session-token";
    EXPECT_EQ(aws_kind(f), AwsKind::session_token);
    f.verify_kind = "aws";
    f.rule_id = "aws-secret-access-key";
    EXPECT_EQ(aws_kind(f), AwsKind::secret);
    f.verify_kind = "";
    f.rule_id = "github-pat";
    EXPECT_EQ(aws_kind(f), AwsKind::none);
}

TEST(Pairing, CredentialsFileNearestFirst) {
    BlobBuilder b("blob1");
    b.text("[default]\naws_access_key_id = ").key_id(fake_aws_key_id(1)).text("\naws_secret_access_key = ")
        .secret(fake_aws_secret(1)).text("\n");
    std::vector<Finding> fs;
    b.into(fs);
    auto p = pair_findings(fs);
    ASSERT_EQ(p.keys.size(), 1u);
    EXPECT_EQ(p.keys[0].id, 0u);
    ASSERT_EQ(p.keys[0].secrets.size(), 1u);
    EXPECT_EQ(p.keys[0].secrets[0], 1u);
    EXPECT_EQ(p.nearest_key[1], 0u);
}

TEST(Pairing, TwoProfilesEachKeyGetsItsOwnSecret) {
    // In A2's neighbourhood S1 (before it) is nearer than S2, but S1 is nearer still to A1.
    BlobBuilder b("b");
    b.text("[a]\nk=").key_id(fake_aws_key_id(1)).text(" s=").secret(fake_aws_secret(1)).text("\n[b]\nk=")
        .key_id(fake_aws_key_id(2)).text("\naws_secret_access_key = ").secret(fake_aws_secret(2)).text("\n");
    std::vector<Finding> fs;
    b.into(fs);
    ASSERT_LT(ks::verify::gap(fs[2], fs[1]), ks::verify::gap(fs[2], fs[3]));  // the premise
    auto p = pair_findings(fs);
    EXPECT_EQ(plan_for(p, 0).secrets.front(), 1u);
    EXPECT_EQ(plan_for(p, 2).secrets.front(), 3u);
    // The other secret stays as the one extra candidate.
    ASSERT_EQ(plan_for(p, 2).secrets.size(), 2u);
    EXPECT_EQ(plan_for(p, 2).secrets[1], 1u);
    EXPECT_EQ(p.nearest_key[1], 0u);
    EXPECT_EQ(p.nearest_key[3], 2u);
}

TEST(Pairing, DistanceBoundIsInclusiveAndConfigurable) {
    for (std::uint64_t bound : {16ULL, 1024ULL}) {
        BlobBuilder at("b"), over("b");
        at.key_id(fake_aws_key_id(1)).text(std::string(bound, ' ')).secret(fake_aws_secret(1));
        over.key_id(fake_aws_key_id(1)).text(std::string(bound + 1, ' ')).secret(fake_aws_secret(1));
        std::vector<Finding> a, o;
        at.into(a);
        over.into(o);
        EXPECT_EQ(pair_findings(a, bound).keys[0].secrets.size(), 1u) << bound;
        EXPECT_TRUE(pair_findings(o, bound).keys[0].secrets.empty()) << bound;
        EXPECT_FALSE(pair_findings(o, bound).nearest_key[1].has_value());
    }
}

TEST(Pairing, SecretBeforeTheKeyIdCounts) {
    BlobBuilder b("b");
    b.text("secret=").secret(fake_aws_secret(5)).text("\nid=").key_id(fake_aws_key_id(5));
    std::vector<Finding> fs;
    b.into(fs);
    auto p = pair_findings(fs);
    ASSERT_EQ(p.keys.size(), 1u);
    EXPECT_EQ(p.keys[0].id, 1u);
    EXPECT_EQ(p.keys[0].secrets, std::vector<std::size_t>{0u});
}

TEST(Pairing, NeverAcrossBlobs) {
    BlobBuilder one("blob-one"), two("blob-two");
    one.key_id(fake_aws_key_id(1));
    two.secret(fake_aws_secret(1));
    std::vector<Finding> fs;
    one.into(fs);
    two.into(fs);
    auto p = pair_findings(fs);
    ASSERT_EQ(p.keys.size(), 1u);
    EXPECT_TRUE(p.keys[0].secrets.empty());
}

TEST(Pairing, AtMostTwoCandidatesNearestFirst) {
    BlobBuilder b("b");
    b.secret(fake_aws_secret(1)).text(std::string(60, ' ')).key_id(fake_aws_key_id(1)).text(" ")
        .secret(fake_aws_secret(2)).text(std::string(10, ' ')).secret(fake_aws_secret(3));
    std::vector<Finding> fs;
    b.into(fs);
    auto p = pair_findings(fs);
    EXPECT_EQ(p.keys[0].secrets, (std::vector<std::size_t>{2u, 3u}));
    EXPECT_EQ(pair_findings(fs, 1024, 3).keys[0].secrets, (std::vector<std::size_t>{2u, 3u, 0u}));
}

TEST(Pairing, SessionTokenOnlyForAsiaIds) {
    BlobBuilder b("b");
    b.text("AWS_ACCESS_KEY_ID=").key_id(fake_aws_key_id(1, "ASIA")).text("\nAWS_SECRET_ACCESS_KEY=")
        .secret(fake_aws_secret(1)).text("\nAWS_SESSION_TOKEN=").token(ks::test::fake_session_token(1))
        .text("\n\nAWS_ACCESS_KEY_ID=").key_id(fake_aws_key_id(2)).text("\n");
    std::vector<Finding> fs;
    b.into(fs);
    auto p = pair_findings(fs);
    EXPECT_EQ(plan_for(p, 0).token, 2u);
    EXPECT_FALSE(plan_for(p, 3).token.has_value());  // AKIA never sends a token
    EXPECT_EQ(p.nearest_key[2], 0u);                 // the token belongs to the ASIA key
}

TEST(Pairing, ManyIdsShareOneSecret) {
    BlobBuilder b("b");
    b.key_id(fake_aws_key_id(1)).text(" ").secret(fake_aws_secret(1)).text(" ").key_id(fake_aws_key_id(2));
    std::vector<Finding> fs;
    b.into(fs);
    auto p = pair_findings(fs);
    EXPECT_EQ(plan_for(p, 0).secrets, std::vector<std::size_t>{1u});
    EXPECT_EQ(plan_for(p, 2).secrets, std::vector<std::size_t>{1u});  // nothing else nearby: shared
}

TEST(Pairing, NonAwsFindingsAreIgnored) {
    std::vector<Finding> fs(3);
    fs[0].rule_id = "github-pat";
    fs[1].rule_id = "slack-token";
    fs[2].rule_id = "aws-access-key-id";
    fs[2].verify_kind = "aws:key-id";
    fs[2].secret = fake_aws_key_id(9);
    auto p = pair_findings(fs);
    ASSERT_EQ(p.keys.size(), 1u);
    EXPECT_EQ(p.keys[0].id, 2u);
    EXPECT_FALSE(p.nearest_key[0].has_value());
}
