#include "cli/output.hpp"

#include "cli/app.hpp"
#include "report/printer.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace ks::cli {
namespace fs = std::filesystem;

namespace {

std::string summary_line(const ScanSummary& s, std::size_t findings) {
    std::string line = fmt::format("keysweep: scanned {} blobs ({:.1f} MiB)", s.blobs_scanned,
                                   double(s.bytes_scanned) / (1 << 20));
    if (s.commits) line += fmt::format(" from {} commits", s.commits);
    line += fmt::format(" in {:.2f} s; {} finding{}", s.seconds, findings, findings == 1 ? "" : "s");
    if (s.suppressed) line += fmt::format(", {} suppressed", s.suppressed);
    std::string skips;
    for (const auto& [reason, n] : s.skipped) skips += fmt::format("{}{} {}", skips.empty() ? "" : ", ", n, reason);
    if (!skips.empty()) line += "; skipped " + skips;
    return line;
}

void write_whole(const std::string& path, const std::string& text) {
    fs::path target(path);
    std::error_code sec;
    auto st = fs::symlink_status(target, sec);
    if (!sec && fs::exists(st) && !fs::is_regular_file(st)) {
        // A device, a pipe or a link (/dev/null, /dev/stdout, a FIFO): write into it; renaming over it
        // would replace it.
        std::ofstream out(target, std::ios::binary);
        out << text;
        out.flush();
        if (!out) throw std::runtime_error(path + ": cannot write report");
        return;
    }
    fs::path tmp = target;
    tmp += ".keysweep-tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(path + ": cannot write report");
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error(path + ": cannot write report");
        }
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw std::runtime_error(path + ": cannot write report: " + ec.message());
    }
}

}  // namespace

int exit_code_for(const std::vector<Finding>& findings) {
    if (findings.empty()) return kExitClean;
    for (const auto& f : findings)
        if (f.verification.status == VerifyStatus::live) return kExitLive;
    return kExitFindings;
}

int finish(const ScanOutcome& result, const ScanFlags& f) {
    report::PrintOptions po;
    po.format = report::parse_format(f.format);
    po.redact = f.redact;
    po.tool_version = KEYSWEEP_VERSION;
    const char* no_color = std::getenv("NO_COLOR");
    po.color = po.format == report::Format::text && f.output.empty() && isatty(1) && !(no_color && *no_color);
    std::ostringstream os;
    report::print(os, result.findings, result.summary, po);
    if (f.output.empty()) {
        std::cout << os.str();
        std::cout.flush();
    } else {
        write_whole(f.output, os.str());
    }
    if (!f.quiet) fmt::print(stderr, "{}\n", summary_line(result.summary, result.findings.size()));
    return exit_code_for(result.findings);
}

}  // namespace ks::cli
