#include "aws_fixtures.hpp"
#include "harness.hpp"
#include "verify/account_id.hpp"

#include <gtest/gtest.h>

using ks::verify::account_from_key_id;
using ks::verify::is_long_term_key_id;
using ks::verify::is_session_key_id;

// Published decoding examples; the ids are split so this file holds no key-shaped literal.
TEST(AccountId, DecodesKnownVectors) {
    EXPECT_EQ(account_from_key_id(std::string("ASIA") + "Y34FZKBOKMUTVV7A"), "609629065308");
    EXPECT_EQ(account_from_key_id(std::string("AKIA") + "XYZDQCEN4B6JSJQI"), "534261010715");
}

TEST(AccountId, OldFormatIdsCarryNoAccount) {
    std::string id = ks::test::fake_aws_key_id(3);
    id[4] = 'I';
    EXPECT_EQ(account_from_key_id(id), std::nullopt);
    id[4] = 'J';
    EXPECT_EQ(account_from_key_id(id), std::nullopt);
}

TEST(AccountId, RejectsWrongShapes) {
    const std::string id = ks::test::key_id_for_account(123456789012);
    EXPECT_EQ(account_from_key_id(id.substr(0, 19)), std::nullopt);
    EXPECT_EQ(account_from_key_id(id + "A"), std::nullopt);
    std::string lower = id;
    lower[6] = 'a';
    EXPECT_EQ(account_from_key_id(lower), std::nullopt);
    std::string bad = id;
    bad[5] = '0';  // not base32, inside the account bits
    EXPECT_EQ(account_from_key_id(bad), std::nullopt);
    EXPECT_EQ(account_from_key_id(""), std::nullopt);
}

TEST(AccountId, RoundTripsAccountsOfEveryShape) {
    for (std::uint64_t account : {0ULL, 1ULL, 123456789012ULL, 609629065308ULL, 999999999999ULL, 52310077262ULL}) {
        for (unsigned seed = 1; seed < 5; ++seed) {
            const std::string id = ks::test::key_id_for_account(account, seed % 2 ? "AKIA" : "ASIA", seed);
            std::string want = std::to_string(account);
            want.insert(0, 12 - want.size(), '0');
            EXPECT_EQ(account_from_key_id(id), want) << "seed " << seed;
        }
    }
}

TEST(AccountId, TailOutsideBase32StillDecodes) {
    // moto (and possibly other emulators) fill the last characters from [A-Z0-9].
    std::string id = ks::test::key_id_for_account(123456789012);
    id[19] = '9';
    id[17] = '0';
    EXPECT_EQ(account_from_key_id(id), "123456789012");
}

TEST(AccountId, KeyKinds) {
    EXPECT_TRUE(is_long_term_key_id(ks::test::fake_aws_key_id(1)));
    EXPECT_FALSE(is_session_key_id(ks::test::fake_aws_key_id(1)));
    EXPECT_TRUE(is_session_key_id(ks::test::fake_aws_key_id(1, "ASIA")));
    EXPECT_FALSE(is_long_term_key_id(ks::test::fake_aws_key_id(1, "AIDA")));
    EXPECT_FALSE(is_session_key_id(ks::test::fake_aws_key_id(1, "AIDA")));
    EXPECT_FALSE(is_long_term_key_id("AKIA"));
}
