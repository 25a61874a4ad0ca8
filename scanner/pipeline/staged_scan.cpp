#include "pipeline/staged_scan.hpp"

#include "source/added_lines.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_set>

namespace ks {

namespace {

// Git's own rule: a NUL in the first 8000 bytes means binary.
bool looks_binary(std::string_view data) {
    return std::memchr(data.data(), 0, std::min<std::size_t>(data.size(), 8000)) != nullptr;
}

}  // namespace

void keep_new_findings(std::vector<Finding>& findings, std::string_view after,
                       const std::vector<std::string_view>& before, std::string_view path, BlobMatcher& matcher) {
    if (findings.empty() || before.empty()) return;
    AddedLines added = AddedLines::compute(before, after);
    std::unordered_set<std::string> old_fingerprints;
    std::vector<Finding> old;
    for (auto b : before) matcher.scan(b, path, old);
    for (const auto& f : old) old_fingerprints.insert(f.fingerprint);
    std::erase_if(findings, [&](const Finding& f) {
        return !added.intersects(f.line, std::max(f.line, f.end_line)) || old_fingerprints.count(f.fingerprint);
    });
}

ScanOutcome scan_staged(StagedSource& source, const std::shared_ptr<const CompiledRules>& rules,
                        const StagedScanOptions& opts, Diagnostics& diag) {
    auto t0 = std::chrono::steady_clock::now();
    const std::string& root = source.root();
    ScanOutcome out;
    out.summary.targets = {root};
    for (const auto& r : rules_of(*rules)) out.summary.rules.push_back({r.id, r.description});

    std::vector<StagedBlob> staged = source.changes();
    if (!staged.empty()) {
        BlobMatcher matcher(rules);
        std::string data, old_data, detail;
        for (const StagedBlob& b : staged) {
            StagedRead st = source.read(b.id, opts.max_blob_size, data, detail);
            if (st != StagedRead::ok) {
                diag.warn(st == StagedRead::too_large ? "too-large" : "missing",
                          root + ": staged blob " + b.id + " (" + b.path + ")", detail);
                continue;
            }
            if (!opts.scan_binary && looks_binary(data)) {
                diag.count("binary");
                continue;
            }
            std::vector<Finding> found;
            matcher.scan(data, b.path, found);
            out.summary.blobs_scanned += 1;
            out.summary.bytes_scanned += data.size();
            if (found.empty()) continue;

            // Only now is HEAD's version worth reading: most staged files hold no finding at all. One
            // too large or unreadable counts as absent: everything is then new.
            std::vector<std::string_view> before;
            if (!b.old_id.empty() && source.read(b.old_id, opts.max_blob_size, old_data, detail) == StagedRead::ok)
                before.push_back(old_data);
            keep_new_findings(found, data, before, b.path, matcher);
            for (auto& f : found) {
                f.blob_id = b.id;
                out.findings.push_back(std::move(f));
            }
        }
    }
    sort_findings(out.findings);
    out.summary.skipped = diag.counts();
    out.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace ks
