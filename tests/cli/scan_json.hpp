// Shared helpers for the end-to-end tests: run a scan and parse its JSON report.
#pragma once

#include "harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ks::test {

struct JsonScan {
    RunResult run;
    nlohmann::json report;
    const nlohmann::json& findings() const { return report.at("findings"); }
    const nlohmann::json& summary() const { return report.at("summary"); }
};

inline JsonScan scan_json(std::vector<std::string> args, const std::filesystem::path& cwd = {},
                          const std::string& input = {}) {
    args.insert(args.begin(), "scan");
    args.push_back("--format");
    args.push_back("json");
    JsonScan s;
    s.run = keysweep(args, cwd, input);
    EXPECT_TRUE(s.run.exit_code == 0 || s.run.exit_code == 1 || s.run.exit_code == 3)
        << "exit " << s.run.exit_code << ": " << s.run.err;
    s.report = nlohmann::json::parse(s.run.out.empty() ? "{}" : s.run.out);
    if (!s.report.contains("findings")) s.report["findings"] = nlohmann::json::array();
    return s;
}

// Findings of one rule whose secret is `secret`.
inline std::vector<nlohmann::json> with_secret(const JsonScan& s, const std::string& secret) {
    std::vector<nlohmann::json> out;
    for (const auto& f : s.findings())
        if (f.value("secret", "") == secret) out.push_back(f);
    return out;
}

}  // namespace ks::test
