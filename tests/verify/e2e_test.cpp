// `keysweep scan REPO --verify --sts-endpoint URL` end to end: a real git history, the real binary, a
// real moto_server. The moto keys are written into commits; nothing key-shaped is in this source.
#include "aws_fixtures.hpp"
#include "harness.hpp"
#include "moto_server.hpp"
#include "scripted_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using ks::test::GitRepo;
using ks::test::MotoServer;
using ks::test::shared_moto;
using ks::test::TempDir;
using nlohmann::json;

namespace {

constexpr int kExitFindings = 1;
constexpr int kExitLive = 3;

std::string credentials_file(const std::string& id, const std::string& secret, const std::string& note = "") {
    return "# " + note + "\n[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret +
           "\nregion = us-east-1\n";
}

class ScanVerify : public testing::Test {
protected:
    void SetUp() override {
        // The real peer is part of the suite: scripts/setup.sh installs it, and without it we fail.
        if (!MotoServer::available()) FAIL() << "moto_server not found (pip install 'moto[server]')";
        moto = &shared_moto();
        repo = std::make_unique<GitRepo>(dir / "repo");
        rule_args = secret_rule_args();
    }

    // The default rules must detect both halves of a pair (and session tokens) for these tests.
    std::vector<std::string> secret_rule_args() {
        auto listed = ks::test::keysweep({"rules", "list"});
        for (const char* id : {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"})
            EXPECT_NE(listed.out.find(id), std::string::npos) << "default rules lack " << id;
        return {};
    }

    ks::test::RunResult scan(std::vector<std::string> extra, const std::vector<std::string>& env = {}) {
        std::vector<std::string> argv{ks::test::keysweep_bin(), "scan", repo->dir().string(), "--format", "json"};
        argv.insert(argv.end(), rule_args.begin(), rule_args.end());
        argv.insert(argv.end(), extra.begin(), extra.end());
        std::vector<std::string> full_env{"NO_COLOR=1"};
        full_env.insert(full_env.end(), env.begin(), env.end());
        return ks::test::run(argv, {}, {}, full_env);
    }

    // Scans and returns (result, moto requests seen meanwhile).
    std::pair<ks::test::RunResult, std::size_t> scan_counted(std::vector<std::string> extra,
                                                             const std::vector<std::string>& env = {}) {
        const std::size_t before = moto->server.settled_api_requests();
        auto r = scan(std::move(extra), env);
        return {r, moto->server.settled_api_requests() - before};
    }

    static std::vector<json> aws(const ks::test::RunResult& r) {
        std::vector<json> out;
        json doc = json::parse(r.out);
        for (const auto& f : doc.at("findings"))
            if (f.at("rule_id").get<std::string>().rfind("aws-", 0) == 0) out.push_back(f);
        return out;
    }

    static std::string status(const json& f) { return f.at("verification").at("status").get<std::string>(); }

    TempDir dir;
    std::unique_ptr<GitRepo> repo;
    std::vector<std::string> rule_args;
    ks::test::MotoFixture* moto = nullptr;
};

}  // namespace

TEST_F(ScanVerify, LiveKeyInHistoryExitsThree) {
    repo->write("deploy/credentials", credentials_file(moto->alice.id, moto->alice.secret));
    repo->commit_all("add credentials");
    repo->remove("deploy/credentials");
    repo->commit_all("oops, remove them");

    auto [r, requests] = scan_counted({"--verify", "--sts-endpoint", moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitLive) << r.err;
    EXPECT_EQ(requests, 1u);
    auto fs = aws(r);
    ASSERT_EQ(fs.size(), 2u) << r.out;
    for (const auto& f : fs) {
        EXPECT_EQ(status(f), "live");
        EXPECT_EQ(f["verification"]["account"], moto->alice.account);
        EXPECT_EQ(f["verification"]["arn"], moto->alice.arn);
    }
    EXPECT_EQ(r.err.find(moto->alice.secret), std::string::npos);
}

TEST_F(ScanVerify, SessionKeyGoesWithItsToken) {
    repo->write("env/session", "export AWS_ACCESS_KEY_ID=" + moto->role.id + "\nexport AWS_SECRET_ACCESS_KEY=" +
                                   moto->role.secret + "\nexport AWS_SESSION_TOKEN=" + moto->role.session_token + "\n");
    repo->write("env/no-token", "aws_access_key_id = " + moto->role.id + "\naws_secret_access_key = " +
                                    moto->role.secret + "\n");
    repo->commit_all("temporary credentials");
    auto [r, requests] = scan_counted({"--verify", "--sts-endpoint", moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitLive) << r.err;
    EXPECT_EQ(requests, 1u);
    std::map<std::string, std::string> id_status;
    bool token_live = false;
    for (const auto& f : aws(r)) {
        if (f["rule_id"] == "aws-access-key-id") id_status[f["path"]] = status(f);
        if (f["rule_id"] == "aws-session-token") token_live = status(f) == "live";
    }
    EXPECT_EQ(id_status["env/session"], "live");
    EXPECT_EQ(id_status["env/no-token"], "unverifiable");
    EXPECT_TRUE(token_live);
}

TEST_F(ScanVerify, SamePairInFiftyCommitsIsOneRequest) {
    for (int i = 0; i < 50; ++i) {
        repo->write("ci/env", credentials_file(moto->bob.id, moto->bob.secret, "build " + std::to_string(i)));
        repo->commit_all("build " + std::to_string(i));
    }
    auto [r, requests] = scan_counted({"--verify", "--sts-endpoint", moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitLive) << r.err;
    EXPECT_EQ(requests, 1u);
    auto fs = aws(r);
    EXPECT_EQ(fs.size(), 100u);  // 50 blobs, each with a key id and a secret
    for (const auto& f : fs) EXPECT_EQ(status(f), "live");
}

TEST_F(ScanVerify, InvalidUnknownAndCanary) {
    repo->write("a/wrong", credentials_file(moto->alice.id, ks::test::fake_aws_secret(61)));
    repo->write("b/unknown", credentials_file(ks::test::key_id_for_account(123456789012, "AKIA", 62), ks::test::fake_aws_secret(62)));
    repo->write("c/canary", credentials_file(ks::test::key_id_for_account(534261010715, "AKIA", 63), ks::test::fake_aws_secret(63)));
    repo->commit_all("three kinds");

    auto [r, requests] = scan_counted({"--verify", "--sts-endpoint", moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitFindings) << r.err;
    EXPECT_EQ(requests, 2u) << "the canary must not be sent";
    std::map<std::string, std::string> by_path;
    for (const auto& f : aws(r))
        if (f["rule_id"] == "aws-access-key-id") by_path[f["path"]] = status(f);
    EXPECT_EQ(by_path["a/wrong"], "invalid");
    EXPECT_EQ(by_path["b/unknown"], "invalid");
    EXPECT_EQ(by_path["c/canary"], "canary");
}

TEST_F(ScanVerify, DeadEndpointStillReportsEverything) {
    for (unsigned i = 0; i < 6; ++i)
        repo->write("svc" + std::to_string(i) + "/credentials",
                    credentials_file(ks::test::fake_aws_key_id(70 + i), ks::test::fake_aws_secret(70 + i)));
    repo->write("README", "marker: kstest-" + std::to_string(424242) + "\n");
    repo->commit_all("many services");
    {
        std::ofstream f(dir / "marker-rule.toml");
        f << "[[rules]]\nid = \"test-marker\"\ndescription = \"a non-AWS finding\"\n"
             "regex = '''\\b(kstest-[0-9]{6})\\b'''\nexamples = [\"kstest-123456\"]\n"
             "negative_examples = [\"kstest-1\"]\n";
    }
    rule_args.push_back("--rules");
    rule_args.push_back((dir / "marker-rule.toml").string());
    const std::string dead = "http://127.0.0.1:" + std::to_string(ks::test::dead_loopback_port());

    auto r = scan({"--verify", "--sts-endpoint", dead});
    ASSERT_EQ(r.exit_code, kExitFindings) << r.err;
    auto doc = json::parse(r.out);
    std::size_t errors = 0, others = 0;
    for (const auto& f : doc["findings"]) {
        if (f["rule_id"].get<std::string>().rfind("aws-", 0) == 0) {
            EXPECT_EQ(status(f), "error") << f.dump();
            ++errors;
        } else {
            ++others;
        }
    }
    EXPECT_EQ(errors, 12u);
    EXPECT_GE(others, 1u) << "non-AWS findings are reported as usual";
    EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
    for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(r.err.find(ks::test::fake_aws_secret(70 + i)), std::string::npos);
}

TEST_F(ScanVerify, WithoutVerifyNothingIsSentButAccountsAreShown) {
    repo->write("creds", credentials_file(moto->alice.id, moto->alice.secret));
    repo->commit_all("add");
    auto [r, requests] = scan_counted({"--sts-endpoint", moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitFindings) << r.err;
    EXPECT_EQ(requests, 0u);
    for (const auto& f : aws(r)) {
        EXPECT_EQ(status(f), "not_attempted");
        EXPECT_EQ(f["verification"]["account"], moto->alice.account);
    }
}

TEST_F(ScanVerify, EndpointFromEnvironment) {
    repo->write("creds", credentials_file(moto->alice.id, moto->alice.secret));
    repo->commit_all("add");
    auto [r, requests] = scan_counted({"--verify"}, {"AWS_ENDPOINT_URL_STS=" + moto->server.url()});
    ASSERT_EQ(r.exit_code, kExitLive) << r.err;
    EXPECT_EQ(requests, 1u);
}

TEST_F(ScanVerify, SkipAwsAccountAndRateFlags) {
    repo->write("creds", credentials_file(moto->alice.id, moto->alice.secret));
    repo->commit_all("add");
    auto [r, requests] = scan_counted({"--verify", "--sts-endpoint", moto->server.url(), "--verify-rps", "2",
                                       "--skip-aws-account", moto->alice.account});
    ASSERT_EQ(r.exit_code, kExitFindings) << r.err;
    EXPECT_EQ(requests, 0u);
    for (const auto& f : aws(r)) EXPECT_EQ(status(f), "canary");
}

TEST_F(ScanVerify, BadEndpointIsAConfigurationError) {
    repo->write("creds", credentials_file(moto->alice.id, moto->alice.secret));
    repo->commit_all("add");
    auto r = scan({"--verify", "--sts-endpoint", "ftp://example.com"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("--sts-endpoint"), std::string::npos) << r.err;
}
