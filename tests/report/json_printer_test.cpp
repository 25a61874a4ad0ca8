// json and jsonl: the documented shape, exactly, and no exception on bytes that are not UTF-8.
#include "sample.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

using nlohmann::json;
using namespace ks;
using namespace ks::test;

namespace {

std::set<std::string> keys(const json& j) {
    std::set<std::string> out;
    for (const auto& [k, v] : j.items()) out.insert(k);
    return out;
}

const std::set<std::string> kFindingFields = {
    "rule_id", "description", "secret",      "match",      "path",    "commit",  "author",
    "email",   "date",        "line",        "column",     "end_line", "end_column", "blob_id",
    "entropy", "fingerprint", "verification"};

}  // namespace

TEST(JsonPrinter, ObjectHasVersionFindingsAndSummary) {
    auto doc = json::parse(render({aws_key_finding(), github_finding()}, report::Format::json));
    EXPECT_EQ(keys(doc), (std::set<std::string>{"version", "findings", "summary"}));
    EXPECT_EQ(doc["version"], 1);
    ASSERT_EQ(doc["findings"].size(), 2u);
    const auto& s = doc["summary"];
    EXPECT_EQ(keys(s), (std::set<std::string>{"targets", "blobs_scanned", "bytes_scanned", "commits", "skipped",
                                              "suppressed", "seconds"}));
    EXPECT_EQ(s["targets"], json::array({"/tmp/repo"}));
    EXPECT_EQ(s["blobs_scanned"], 1234);
    EXPECT_EQ(s["bytes_scanned"], 56789);
    EXPECT_EQ(s["commits"], 42);
    EXPECT_EQ(s["skipped"], (json{{"binary", 3}, {"too-large", 1}}));
    EXPECT_EQ(s["suppressed"], 2);
    EXPECT_DOUBLE_EQ(s["seconds"].get<double>(), 1.5);
}

TEST(JsonPrinter, FindingHasExactlyTheDesignFields) {
    auto f = aws_key_finding();
    auto j = json::parse(render({f}, report::Format::json))["findings"][0];
    EXPECT_EQ(keys(j), kFindingFields);
    EXPECT_EQ(j["rule_id"], f.rule_id);
    EXPECT_EQ(j["description"], f.description);
    EXPECT_EQ(j["secret"], f.secret);
    EXPECT_EQ(j["match"], f.match);
    EXPECT_EQ(j["path"], f.path);
    EXPECT_EQ(j["commit"], f.commit);
    EXPECT_EQ(j["author"], f.author);
    EXPECT_EQ(j["email"], f.email);
    EXPECT_EQ(j["date"], f.date);
    EXPECT_EQ(j["line"], f.line);
    EXPECT_EQ(j["column"], f.column);
    EXPECT_EQ(j["end_line"], f.end_line);
    EXPECT_EQ(j["end_column"], f.end_column);
    EXPECT_EQ(j["blob_id"], f.blob_id);
    EXPECT_NEAR(j["entropy"].get<double>(), f.entropy, 1e-9);
    EXPECT_EQ(j["fingerprint"], f.fingerprint);
    EXPECT_EQ(j["verification"], (json{{"status", "not_attempted"}, {"account", ""}, {"arn", ""}}));
}

TEST(JsonPrinter, UnknownValuesAreEmptyStringsNotNull) {
    Finding f = aws_key_finding();
    f.commit = f.author = f.email = f.date = "";
    auto j = json::parse(render({f}, report::Format::json))["findings"][0];
    for (const char* k : {"commit", "author", "email", "date"}) EXPECT_EQ(j[k], "") << k;
}

TEST(JsonPrinter, VerificationAddsUserIdAndMessageWhenSet) {
    auto f = aws_key_finding();
    f.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "AIDAEXAMPLEUSERID", ""};
    auto g = aws_key_finding(2);
    g.verification.status = VerifyStatus::error;
    g.verification.message = "sts: connection refused";
    auto doc = json::parse(render({f, g}, report::Format::json));
    EXPECT_EQ(doc["findings"][0]["verification"],
              (json{{"status", "live"}, {"account", "123456789012"}, {"arn", "arn:aws:iam::123456789012:user/ci"},
                    {"user_id", "AIDAEXAMPLEUSERID"}}));
    EXPECT_EQ(doc["findings"][1]["verification"],
              (json{{"status", "error"}, {"account", ""}, {"arn", ""}, {"message", "sts: connection refused"}}));
}

TEST(JsonPrinter, EveryVerificationStatusHasItsName) {
    const std::pair<VerifyStatus, const char*> all[] = {
        {VerifyStatus::not_attempted, "not_attempted"}, {VerifyStatus::live, "live"},
        {VerifyStatus::invalid, "invalid"},             {VerifyStatus::unverifiable, "unverifiable"},
        {VerifyStatus::canary, "canary"},               {VerifyStatus::error, "error"}};
    for (auto [status, name] : all) {
        auto f = aws_key_finding();
        f.verification.status = status;
        EXPECT_EQ(json::parse(render({f}, report::Format::json))["findings"][0]["verification"]["status"], name);
    }
}

TEST(JsonPrinter, InvalidUtf8NeverThrows) {
    auto f = aws_key_finding();
    f.secret = "\xff\xfe" + f.secret + "\xc3";
    f.match = "x\x80y";
    f.path = "bad\xc0\xafname.txt";
    f.author = "\xed\xa0\x80";  // an encoded surrogate: invalid UTF-8 too
    for (auto fmt : {report::Format::json, report::Format::jsonl, report::Format::sarif, report::Format::text}) {
        std::string out;
        ASSERT_NO_THROW(out = render({f}, fmt));
        if (fmt != report::Format::text) {
            EXPECT_TRUE(json::accept(out)) << out;  // jsonl: one finding, so one line here
        }
    }
    auto j = json::parse(render({f}, report::Format::json))["findings"][0];
    EXPECT_NE(j["secret"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST(JsonPrinter, NoFindingsIsStillAReport) {
    auto doc = json::parse(render({}, report::Format::json));
    EXPECT_EQ(doc["findings"], json::array());
    EXPECT_TRUE(doc.contains("summary"));
}

TEST(JsonlPrinter, OneFindingPerLineAndNoSummary) {
    std::string out = render({aws_key_finding(), aws_secret_finding(), github_finding()}, report::Format::jsonl);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), '\n');
    std::istringstream in(out);
    std::vector<json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
    ASSERT_EQ(lines.size(), 3u);
    for (const auto& j : lines) EXPECT_EQ(keys(j), kFindingFields);
    EXPECT_EQ(lines[1]["rule_id"], "aws-secret-access-key");
    EXPECT_EQ(lines[2]["path"], "src/deploy.sh");
}

TEST(JsonlPrinter, NoFindingsIsEmpty) { EXPECT_EQ(render({}, report::Format::jsonl), ""); }

TEST(Format, ParsesNamesAndRejectsOthers) {
    EXPECT_EQ(report::parse_format("text"), report::Format::text);
    EXPECT_EQ(report::parse_format("json"), report::Format::json);
    EXPECT_EQ(report::parse_format("jsonl"), report::Format::jsonl);
    EXPECT_EQ(report::parse_format("sarif"), report::Format::sarif);
    EXPECT_THROW(report::parse_format("xml"), std::invalid_argument);
}
