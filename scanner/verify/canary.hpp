// Known canary-token AWS accounts (the data in canary_accounts.inc) plus the user's own additions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::verify {

class CanaryAccounts {
public:
    // `extra`: account ids from --skip-aws-account (12 digits; dashes are ignored, "1234-5678-9012").
    // Throws std::invalid_argument naming the first entry that is not an account id.
    explicit CanaryAccounts(const std::vector<std::string>& extra = {});

    // Who runs the account ("Thinkst canarytokens.org", "--skip-aws-account", …), or nullopt.
    std::optional<std::string_view> lookup(std::string_view account) const;

    // The built-in list, in file order.
    struct Entry {
        std::string_view account;
        std::string_view source;
    };
    static const std::vector<Entry>& builtin();

private:
    std::map<std::string, std::string, std::less<>> accounts_;
};

}  // namespace ks::verify
