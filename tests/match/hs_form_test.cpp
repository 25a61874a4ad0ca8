// hs_form(): what Hyperscan is given for a rule. A leading optional run is dropped (every match of
// the regex ends where a match of the rest does, so it only costs Hyperscan); anything else, and any
// drop that could leave a regex that matches nothing or everything, is left as written.
#include "match/compiled_rules.hpp"

#include <gtest/gtest.h>

namespace ks {
namespace {

TEST(HsForm, LeadingOptionalRunIsDropped) {
    EXPECT_EQ(hs_form(R"((?i)\b[\w.\-]{0,40}?(?:secret|token)=x)"), R"((?i)(?:secret|token)=x)");
    EXPECT_EQ(hs_form(R"(\b\w*pass=)"), "pass=");
    EXPECT_EQ(hs_form(R"([]a]{0,3}key)"), "key");       // ']' first in a class is a member
    EXPECT_EQ(hs_form(R"([\]x]*?key)"), "key");         // so is an escaped one
    EXPECT_EQ(hs_form(R"((?i)(?-s).?key)"), "(?i)(?-s)key");
}

TEST(HsForm, EverythingElseIsLeftAsWritten) {
    for (const char* re : {
             R"([a-z]{0,5})",          // nothing would be left
             R"([a-z]{0,5}|foo)",      // an empty alternative would match everywhere
             R"((?:[a-z]{0,5})foo)",   // inside a group
             R"([a-z]{1,5}foo)",       // not optional
             R"([a-z]{0,5}+foo)",      // possessive: PCRE2 semantics
             R"([[:alpha:]]{0,5}foo)", // POSIX class: not parsed here
             R"(\bfoo[a-z]{0,5})",     // no leading run
             R"(\Bx*foo)",             // \B is not \b
             R"([a-z{0,5}foo)",        // unterminated class
             R"(.{0,}foo)",            // {0,} is not {0,N}
         })
        EXPECT_EQ(hs_form(re), re) << re;
}

}  // namespace
}  // namespace ks
