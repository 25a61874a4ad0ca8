#include "verify/canary.hpp"

#include <stdexcept>

namespace ks::verify {

const std::vector<CanaryAccounts::Entry>& CanaryAccounts::builtin() {
    static const std::vector<Entry> list = {
#define KS_CANARY_ACCOUNT(account, source) Entry{account, source},
#include "verify/canary_accounts.inc"
#undef KS_CANARY_ACCOUNT
    };
    return list;
}

CanaryAccounts::CanaryAccounts(const std::vector<std::string>& extra) {
    for (const Entry& e : builtin()) accounts_.emplace(std::string(e.account), std::string(e.source));
    for (const std::string& raw : extra) {
        std::string digits;
        bool ok = true;
        for (char c : raw) {
            if (c >= '0' && c <= '9') digits.push_back(c);
            else if (c != '-') ok = false;
        }
        if (!ok || digits.size() != 12)
            throw std::invalid_argument("--skip-aws-account '" + raw + "': not a 12-digit AWS account id");
        accounts_.emplace(digits, "--skip-aws-account");
    }
}

std::optional<std::string_view> CanaryAccounts::lookup(std::string_view account) const {
    auto it = accounts_.find(account);
    if (it == accounts_.end()) return std::nullopt;
    return std::string_view(it->second);
}

}  // namespace ks::verify
