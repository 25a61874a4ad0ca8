// text: every field a developer needs, colour only on request, and nothing that drives the terminal.
#include "sample.hpp"

#include <gtest/gtest.h>

using namespace ks;
using namespace ks::test;

namespace {
bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }
}  // namespace

TEST(TextPrinter, ShowsEveryField) {
    auto f = aws_key_finding();
    std::string out = render({f}, report::Format::text);
    EXPECT_TRUE(has(out, "aws-access-key-id")) << out;
    EXPECT_TRUE(has(out, "AWS Access Key ID")) << out;
    EXPECT_TRUE(has(out, "config/prod settings.ini:12:8")) << out;
    EXPECT_TRUE(has(out, "0123456789ab")) << out;
    EXPECT_FALSE(has(out, f.commit)) << "commit should be shortened: " << out;
    EXPECT_TRUE(has(out, "Jane Dev <jane@example.com>")) << out;
    EXPECT_TRUE(has(out, "2024-01-02T03:04:05+01:00")) << out;
    EXPECT_TRUE(has(out, f.secret)) << out;
    EXPECT_TRUE(has(out, "3.68")) << out;
    EXPECT_TRUE(has(out, f.fingerprint)) << out;
    EXPECT_FALSE(has(out, "verified")) << "not_attempted is not shown: " << out;
    EXPECT_FALSE(has(out, "\x1b")) << "no colour unless asked";
}

TEST(TextPrinter, ShowsVerificationWithAccountAndArnWhenLive) {
    auto f = aws_key_finding();
    f.verification = {VerifyStatus::live, "123456789012", "arn:aws:iam::123456789012:user/ci", "", ""};
    std::string out = render({f}, report::Format::text);
    EXPECT_TRUE(has(out, "live")) << out;
    EXPECT_TRUE(has(out, "123456789012")) << out;
    EXPECT_TRUE(has(out, "arn:aws:iam::123456789012:user/ci")) << out;

    f.verification = {VerifyStatus::invalid, "", "", "", ""};
    EXPECT_TRUE(has(render({f}, report::Format::text), "invalid"));
}

TEST(TextPrinter, LeavesOutWhatIsUnknown) {
    auto f = aws_key_finding();
    f.commit = f.author = f.email = f.date = "";
    f.path = "-";
    f.line = f.column = 0;
    std::string out = render({f}, report::Format::text);
    EXPECT_FALSE(has(out, "commit:")) << out;
    EXPECT_FALSE(has(out, "author:")) << out;
    EXPECT_FALSE(has(out, "date:")) << out;
    EXPECT_FALSE(has(out, "-:0")) << out;
}

TEST(TextPrinter, ColourOnlyWhenAsked) {
    auto f = aws_key_finding();
    std::string plain = render({f}, report::Format::text, false, false);
    std::string coloured = render({f}, report::Format::text, false, true);
    EXPECT_FALSE(has(plain, "\x1b["));
    EXPECT_TRUE(has(coloured, "\x1b[")) << coloured;
    EXPECT_TRUE(has(coloured, f.secret));
}

TEST(TextPrinter, EscapesControlCharactersFromScannedContent) {
    auto f = aws_key_finding();
    f.path = "evil\x1b]0;owned\x07name\xc2\x9b.txt";  // OSC title change, BEL, and a C1 CSI
    f.author = "Mallory\r\nfake: line";
    std::string out = render({f}, report::Format::text);
    EXPECT_FALSE(has(out, "\x1b")) << out;
    EXPECT_FALSE(has(out, "\x07")) << out;
    EXPECT_FALSE(has(out, "\r")) << out;
    EXPECT_FALSE(has(out, "\xc2\x9b")) << out;
    EXPECT_TRUE(has(out, "evil\\x1b]0;owned\\x07name\\x9b.txt")) << out;
    EXPECT_TRUE(has(out, "Mallory\\x0d\\x0afake: line")) << out;
}

TEST(TextPrinter, KeepsValidUnicode) {
    auto f = aws_key_finding();
    f.author = "Zoë Ñandú 李";
    EXPECT_TRUE(has(render({f}, report::Format::text), "Zoë Ñandú 李"));
}

TEST(TextPrinter, OneBlockPerFindingAndNoSummary) {
    auto summary = sample_summary();
    summary.blobs_scanned = 987654321;
    std::string out = render({aws_key_finding(), github_finding()}, report::Format::text, false, false, summary);
    EXPECT_TRUE(has(out, "\n\ngithub-pat")) << "blocks are separated by a blank line: " << out;
    EXPECT_FALSE(has(out, "987654321")) << "the summary belongs to the CLI, on stderr: " << out;
    EXPECT_EQ(render({}, report::Format::text), "");
}
