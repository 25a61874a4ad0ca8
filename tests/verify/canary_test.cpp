#include "verify/canary.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

using ks::verify::CanaryAccounts;

TEST(Canary, BuiltInListHoldsThinkstAccounts) {
    CanaryAccounts c;
    EXPECT_TRUE(c.lookup("534261010715"));
    EXPECT_TRUE(c.lookup("052310077262"));
    EXPECT_NE(c.lookup("717712589309")->find("Thinkst"), std::string_view::npos);
    EXPECT_TRUE(c.lookup("044858866125"));  // a look-alike service
    EXPECT_FALSE(c.lookup("123456789012"));
    EXPECT_FALSE(c.lookup(""));
}

TEST(Canary, BuiltInListIsWellFormed) {
    std::set<std::string_view> seen;
    for (const auto& e : CanaryAccounts::builtin()) {
        EXPECT_EQ(e.account.size(), 12u) << e.account;
        EXPECT_EQ(e.account.find_first_not_of("0123456789"), std::string_view::npos) << e.account;
        EXPECT_FALSE(e.source.empty());
        EXPECT_TRUE(seen.insert(e.account).second) << "duplicate " << e.account;
    }
    EXPECT_GE(seen.size(), 20u);
}

TEST(Canary, UserAccountsExtendTheList) {
    CanaryAccounts c({"111122223333", "4444-5555-6666"});
    EXPECT_EQ(c.lookup("111122223333"), "--skip-aws-account");
    EXPECT_TRUE(c.lookup("444455556666"));
    EXPECT_TRUE(c.lookup("534261010715"));
}

TEST(Canary, BadUserAccountIsAConfigurationError) {
    EXPECT_THROW(CanaryAccounts({"12345"}), std::invalid_argument);
    EXPECT_THROW(CanaryAccounts({"11112222333x"}), std::invalid_argument);
    try {
        CanaryAccounts({"nope"});
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos);
    }
}
