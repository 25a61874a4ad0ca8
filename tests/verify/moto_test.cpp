// ks::verify::run against a real moto_server: real SigV4 checking, real key ids, real answers.
#include "aws_fixtures.hpp"
#include "harness.hpp"
#include "moto_server.hpp"
#include "verify/verifier.hpp"

#include <gtest/gtest.h>

using ks::Finding;
using ks::VerifyStatus;
using ks::test::BlobBuilder;
using ks::test::MotoServer;
using ks::test::shared_moto;

namespace {

class Moto : public testing::Test {
protected:
    void SetUp() override {
        // The real peer is part of the suite: scripts/setup.sh installs it, and without it we fail.
        if (!MotoServer::available()) FAIL() << "moto_server not found (pip install 'moto[server]')";
        moto = &shared_moto();
    }

    ks::verify::Options opts() const {
        ks::verify::Options o;
        o.enabled = true;
        o.endpoint = moto->server.url();
        o.requests_per_second = 50;
        o.backoff_ms = 10;
        return o;
    }

    // Runs the verifier and returns how many API requests moto saw meanwhile.
    std::size_t verify(std::vector<Finding>& fs, const ks::verify::Options& o, ks::verify::Stats* stats = nullptr) {
        const std::size_t before = moto->server.settled_api_requests();
        ks::Diagnostics diag;
        auto s = ks::verify::run(fs, o, diag);
        if (stats) *stats = s;
        return moto->server.settled_api_requests() - before;
    }

    ks::test::MotoFixture* moto = nullptr;
};

std::vector<Finding> blob(const std::string& id, const std::string& secret, const std::string& token = {},
                          const std::string& name = "b") {
    BlobBuilder b(name);
    b.text("aws_access_key_id = ").key_id(id).text("\naws_secret_access_key = ").secret(secret);
    if (!token.empty()) b.text("\naws_session_token = ").token(token);
    std::vector<Finding> fs;
    b.into(fs);
    return fs;
}

}  // namespace

TEST_F(Moto, RealPairIsLiveWithMotosAccountAndArn) {
    auto fs = blob(moto->alice.id, moto->alice.secret);
    ks::verify::Stats stats;
    EXPECT_EQ(verify(fs, opts(), &stats), 1u);
    for (const auto& f : fs) {
        EXPECT_EQ(f.verification.status, VerifyStatus::live) << f.verification.message;
        EXPECT_EQ(f.verification.account, moto->alice.account);
        EXPECT_EQ(f.verification.arn, moto->alice.arn);
        EXPECT_EQ(f.verification.user_id, moto->alice.user_id);
    }
    EXPECT_EQ(moto->alice.arn, "arn:aws:iam::" + moto->alice.account + ":user/alice");
}

TEST_F(Moto, SameIdWithWrongSecretIsInvalid) {
    auto fs = blob(moto->alice.id, ks::test::fake_aws_secret(31));
    EXPECT_EQ(verify(fs, opts()), 1u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::invalid);
    EXPECT_NE(fs[0].verification.message.find("SignatureDoesNotMatch"), std::string::npos) << fs[0].verification.message;
    EXPECT_EQ(fs[0].verification.account, moto->alice.account);  // still decoded offline
}

TEST_F(Moto, UnknownIdIsInvalid) {
    auto fs = blob(ks::test::key_id_for_account(123456789012, "AKIA", 77), ks::test::fake_aws_secret(32));
    EXPECT_EQ(verify(fs, opts()), 1u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::invalid);
    EXPECT_NE(fs[0].verification.message.find("InvalidClientTokenId"), std::string::npos) << fs[0].verification.message;
}

TEST_F(Moto, SessionKeyWithItsTokenIsLive) {
    auto fs = blob(moto->role.id, moto->role.secret, moto->role.session_token);
    EXPECT_EQ(verify(fs, opts()), 1u);
    for (const auto& f : fs) EXPECT_EQ(f.verification.status, VerifyStatus::live) << f.verification.message;
    EXPECT_EQ(fs[0].verification.arn, moto->role.arn);
    EXPECT_NE(fs[0].verification.arn.find(":assumed-role/deployer/"), std::string::npos);
}

TEST_F(Moto, SessionKeyWithoutTokenIsUnverifiableAndNotSent) {
    auto fs = blob(moto->role.id, moto->role.secret);
    EXPECT_EQ(verify(fs, opts()), 0u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::unverifiable);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::unverifiable);
}

TEST_F(Moto, CanaryAccountIsNeverSent) {
    auto fs = blob(ks::test::key_id_for_account(534261010715), ks::test::fake_aws_secret(33));
    ks::verify::Stats stats;
    EXPECT_EQ(verify(fs, opts(), &stats), 0u);
    EXPECT_EQ(stats.requests, 0u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::canary);
    EXPECT_EQ(fs[0].verification.account, "534261010715");
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::canary);
}

TEST_F(Moto, SkippedAccountIsNeverSent) {
    // moto's own account, declared a canary by the user: even the real, working pair stays unsent.
    auto fs = blob(moto->alice.id, moto->alice.secret);
    auto o = opts();
    o.skip_accounts = {moto->alice.account};
    EXPECT_EQ(verify(fs, o), 0u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::canary);
}

TEST_F(Moto, SamePairInFiftyBlobsIsOneRequest) {
    std::vector<Finding> fs;
    for (int i = 0; i < 50; ++i) {
        auto b = blob(moto->bob.id, moto->bob.secret, {}, "blob" + std::to_string(i));
        fs.insert(fs.end(), b.begin(), b.end());
    }
    ks::verify::Stats stats;
    EXPECT_EQ(verify(fs, opts(), &stats), 1u);
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(stats.live, 100u);
}

TEST_F(Moto, EverythingAtOnce) {
    std::vector<Finding> fs;
    auto add = [&](std::vector<Finding> b) {
        std::size_t first = fs.size();
        fs.insert(fs.end(), b.begin(), b.end());
        return first;
    };
    const std::size_t live = add(blob(moto->alice.id, moto->alice.secret, {}, "b1"));
    const std::size_t wrong = add(blob(moto->alice.id, ks::test::fake_aws_secret(41), {}, "b2"));
    const std::size_t unknown = add(blob(ks::test::key_id_for_account(123456789012, "AKIA", 78), ks::test::fake_aws_secret(42), {}, "b3"));
    const std::size_t asia = add(blob(moto->role.id, moto->role.secret, {}, "b4"));
    const std::size_t canary = add(blob(ks::test::key_id_for_account(717712589309), ks::test::fake_aws_secret(43), {}, "b5"));
    auto o = opts();
    o.concurrency = 3;
    EXPECT_EQ(verify(fs, o), 3u);
    EXPECT_EQ(fs[live].verification.status, VerifyStatus::live);
    EXPECT_EQ(fs[wrong].verification.status, VerifyStatus::invalid);
    EXPECT_EQ(fs[unknown].verification.status, VerifyStatus::invalid);
    EXPECT_EQ(fs[asia].verification.status, VerifyStatus::unverifiable);
    EXPECT_EQ(fs[canary].verification.status, VerifyStatus::canary);
}

TEST_F(Moto, CompetingSecretsFindTheRightOne) {
    // The nearest secret is wrong; the farther one is alice's: one extra request finds it.
    BlobBuilder b("compete");
    b.text("id=").key_id(moto->alice.id).text(" old=").secret(ks::test::fake_aws_secret(51)).text("\n# rotated\nnew=")
        .secret(moto->alice.secret);
    std::vector<Finding> fs;
    b.into(fs);
    EXPECT_EQ(verify(fs, opts()), 2u);
    EXPECT_EQ(fs[0].verification.status, VerifyStatus::live);
    EXPECT_EQ(fs[1].verification.status, VerifyStatus::invalid);
    EXPECT_EQ(fs[2].verification.status, VerifyStatus::live);
}
