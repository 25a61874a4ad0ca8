// Encoded secrets: base64 and percent-encoded runs are decoded and rescanned with every rule; findings
// point at the encoded text and carry the decoded secret.
#include "harness.hpp"
#include "match/decode.hpp"
#include "match/matcher.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ks {
namespace {

std::vector<Finding> scan_default(std::string_view text, std::string_view path, unsigned depth = 1) {
    static auto compiled = [] {
        std::vector<std::shared_ptr<const CompiledRules>> v;
        for (unsigned d = 0; d < 3; ++d) v.push_back(compile_rules(default_rules(), CompileOptions{{}, false, d}));
        return v;
    }();
    BlobMatcher m(compiled.at(depth));
    std::vector<Finding> out;
    m.scan(text, path, out);
    return out;
}

const Finding* find(const std::vector<Finding>& f, const std::string& rule) {
    for (const auto& x : f)
        if (x.rule_id == rule) return &x;
    return nullptr;
}

TEST(Decode, Base64AndPercentPrimitives) {
    std::string out;
    EXPECT_TRUE(decode::base64("aGVsbG8gd29ybGQ=", out));
    EXPECT_EQ(out, "hello world");
    EXPECT_TRUE(decode::base64("aGVsbG8gd29ybGQ", out));  // padding optional
    EXPECT_EQ(out, "hello world");
    EXPECT_TRUE(decode::base64("-_-_", out));  // base64url
    EXPECT_FALSE(decode::base64("abcde", out));
    EXPECT_FALSE(decode::base64("ab$d", out));
    std::vector<std::uint32_t> src;
    EXPECT_TRUE(decode::percent("p%40ss%2Fw", out, src));
    EXPECT_EQ(out, "p@ss/w");
    EXPECT_EQ(src[1], 1u);
    EXPECT_EQ(src[2], 4u);
    EXPECT_FALSE(decode::percent("no escapes %zz", out, src));
    EXPECT_TRUE(decode::looks_textual("token: abc\n"));
    EXPECT_FALSE(decode::looks_textual(std::string("\x01\x02\xff\xfe\x00", 5)));
}

TEST(Decode, TokenInAKubernetesSecretIsFoundAtTheEncodedText) {
    const std::string pat = test::fake_github_pat(7);
    const std::string encoded = test::base64("GITHUB_TOKEN=" + pat + "\n");
    const std::string text = "apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  env: " + encoded + "\n";
    auto f = scan_default(text, "k8s/secret.yaml");
    const Finding* gh = find(f, "github-pat");
    ASSERT_NE(gh, nullptr) << f.size();
    EXPECT_EQ(gh->secret, pat);
    EXPECT_EQ(gh->line, 5u);
    // Column of the encoded text holding the token (the token starts at decoded byte 13).
    const std::size_t col0 = text.find(encoded) - text.rfind('\n', text.find(encoded)) - 1;
    EXPECT_EQ(gh->column, col0 + decode::base64_src_begin(13) + 1);
    EXPECT_LE(gh->end_column, col0 + encoded.size());
    auto plain = scan_default(text, "k8s/secret.yaml", 0);
    EXPECT_EQ(find(plain, "github-pat"), nullptr);
}

TEST(Decode, DepthTwoReachesBase64InsideBase64) {
    const std::string pat = test::fake_github_pat(8);
    const std::string twice = test::base64("payload: " + test::base64("token=" + pat + "\n") + "\n");
    const std::string text = "blob = \"" + twice + "\"\n";
    auto one = scan_default(text, "a.txt", 1);
    EXPECT_EQ(find(one, "github-pat"), nullptr);
    auto two = scan_default(text, "a.txt", 2);
    const Finding* gh = find(two, "github-pat");
    ASSERT_NE(gh, nullptr);
    EXPECT_EQ(gh->secret, pat);
    EXPECT_EQ(gh->line, 1u);
}

TEST(Decode, PercentEncodedUrlCredentials) {
    // Built here from parts: the repository's own scan must stay clean.
    const std::string text = std::string("redirect=https%3A%2F%2Fdeploy%3A") + "Zq8r1Wv3RtYuP0oXb2" + "%40git.acme.io%2Frepo.git\n";
    auto f = scan_default(text, "a.txt");
    const Finding* u = find(f, "url-credentials-http");
    ASSERT_NE(u, nullptr);
    EXPECT_NE(u->secret.find("Zq8r1Wv3RtYuP0oXb2"), std::string::npos);  // decoded (the rule may add the user)
    EXPECT_EQ(u->line, 1u);
    // The column is in the encoded text, where the secret's first character is encoded.
    EXPECT_GE(u->column, text.find("https%3A") + 1);
    EXPECT_LE(u->column, text.find("Zq8r1") + 1);
    EXPECT_EQ(text[u->column - 1], u->secret[0]);
}

TEST(Decode, DockerConfigInsideAKubernetesSecret) {
    const std::string docker = "{\"auths\":{\"registry.acme.io\":{\"auth\":\"" + test::base64("ci-push:Zq8r1Wv3RtYuP0oX") + "\"}}}";
    const std::string text = "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " + test::base64(docker) + "\n";
    auto found = scan_default(text, "pull-secret.yaml");
    const Finding* d = find(found, "docker-config-auth");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->secret, "ci-push:Zq8r1Wv3RtYuP0oX");
    EXPECT_EQ(d->line, 4u);
}

TEST(Decode, BinaryAndHugeRunsAreBoundedAndQuiet) {
    std::string bin;
    for (int i = 0; i < 300000; ++i) bin += char(i * 131 % 256);
    std::string text = "data:image/png;base64," + test::base64(bin) + "\n";
    EXPECT_TRUE(scan_default(text, "a.html").empty());
    // Many short candidates: the per-blob budget stops decoding, the scan still ends.
    std::string many;
    for (int i = 0; i < 5000; ++i) many += test::base64("not a secret at all, just text " + std::to_string(i)) + "\n";
    EXPECT_TRUE(scan_default(many, "a.txt").empty());
}

TEST(Decode, IntegrityHashesInLockFilesDecodeToNothing) {
    std::string lock = "{\n  \"packages\": {\n";
    for (int i = 0; i < 200; ++i) {
        std::string h;
        for (int k = 0; k < 64; ++k) h += char((i * 7 + k * 13) % 256);
        lock += "    \"node_modules/p" + std::to_string(i) + "\": {\"integrity\": \"sha512-" + test::base64(h) + "\"},\n";
    }
    lock += "  }\n}\n";
    EXPECT_TRUE(scan_default(lock, "package-lock.json").empty());
}

}  // namespace
}  // namespace ks

namespace ks {
namespace {

// The block-wise run finder agrees with a plain byte-by-byte scan, across 64-byte block edges,
// with UTF-8 bytes, single-case runs and runs that do not decode to text (neither reported), and
// runs at the very end of the text.
TEST(Decode, Base64RunsMatchANaiveScan) {
    std::mt19937 rng(7);
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_- .=\n\"\xc3\xa9\x80\xff@[`{";
    auto mixed = [](std::string_view r) {
        bool up = false, low = false;
        for (char c : r) up |= c >= 'A' && c <= 'Z', low |= c >= 'a' && c <= 'z';
        return up && low;
    };
    std::size_t reported = 0;
    for (int round = 0; round < 2000; ++round) {
        std::string s;
        const std::size_t n = rng() % 700;
        const unsigned breaks = 4 + rng() % 40;  // how sparse the breaks are: runs of every length occur
        const bool upper_only = round % 5 == 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (rng() % 64 == 0) {  // base64 of text (which decodes to text), sometimes with a control byte
                std::string text;
                for (std::size_t k = 10 + rng() % 50; k-- > 0;) text += char(rng() % 9 == 0 ? rng() % 32 : 32 + rng() % 95);
                s += test::base64(text);
                continue;
            }
            char c = (rng() % breaks == 0) ? alphabet[62 + rng() % (alphabet.size() - 62)] : alphabet[rng() % 62];
            if (upper_only && c >= 'a' && c <= 'z') c = char(c - 32);
            s += c;
        }
        std::vector<std::pair<std::size_t, std::size_t>> fast, slow;
        decode::base64_runs(s, fast, 1000);
        for (std::size_t i = 0; i < s.size();) {
            if (!decode::is_base64_char(static_cast<unsigned char>(s[i]))) { ++i; continue; }
            std::size_t e = i;
            while (e < s.size() && decode::is_base64_char(static_cast<unsigned char>(s[e]))) ++e;
            std::size_t end = e;
            while (end < s.size() && s[end] == '=' && (end - i) % 4) ++end;
            const std::string_view run = std::string_view(s).substr(i, e - i);
            std::string text;
            if (run.size() >= decode::kMinBase64Run && mixed(run) && decode::base64(run, text) && decode::looks_textual(text))
                slow.emplace_back(i, end);
            i = e;
        }
        ASSERT_EQ(fast, slow) << s;
        std::vector<std::pair<std::size_t, std::size_t>> baseline;
        decode::base64_runs_baseline(s, baseline, 1000);
        ASSERT_EQ(baseline, slow) << s;
        reported += fast.size();
    }
    EXPECT_GT(reported, 500u);  // the comparison saw many runs that are reported, not only empty lists
}

// Long runs span many blocks and are reported whole; one past kMaxRun is skipped and the scan goes
// on after it; the scan stops once `out` holds `max` runs, keeping the first ones.
TEST(Decode, RunsAcrossManyBlocksAndTheLimits) {
    std::string text;
    for (int i = 0; text.size() < 12000; ++i) text += "line " + std::to_string(i) + " of a config file,\n";
    const std::string long_run = test::base64(text);
    std::string huge_text;
    while (huge_text.size() < decode::kMaxRun) huge_text += text;
    const std::string huge = test::base64(huge_text);
    const std::string small = test::base64("user=admin password=Tr0ub4dor");
    const std::string s = "a " + long_run + " b " + huge + " c " + small + " d " + small + "\n";
    const std::size_t long_at = 2, small1 = s.find(small), small2 = s.find(small, small1 + 1);
    using Runs = std::vector<std::pair<std::size_t, std::size_t>>;
    const Runs all = {{long_at, long_at + long_run.size()}, {small1, small1 + small.size()}, {small2, small2 + small.size()}};
    for (auto find : {&decode::base64_runs, &decode::base64_runs_baseline}) {
        Runs got;
        find(s, got, 1000);
        EXPECT_EQ(got, all);
        got.clear();
        find(s, got, 2);
        EXPECT_EQ(got, Runs(all.begin(), all.begin() + 2));
        find(s, got, 2);  // already full: nothing is added
        EXPECT_EQ(got.size(), 2u);
    }
}

}  // namespace
}  // namespace ks
