#include "pipeline/staged_scan.hpp"

#include "source/added_lines.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>

namespace ks {

namespace {

// Git's own rule: a NUL in the first 8000 bytes means binary.
bool looks_binary(std::string_view data) {
    return std::memchr(data.data(), 0, std::min<std::size_t>(data.size(), 8000)) != nullptr;
}

}  // namespace

std::unordered_set<std::string> path_rule_ids(const CompiledRules& rules) {
    std::unordered_set<std::string> ids;
    for (const auto& r : rules_of(rules))
        if (r.kind == Rule::Kind::path) ids.insert(r.id);
    return ids;
}

void keep_new_findings(std::vector<Finding>& findings, std::string_view after, const std::vector<OldVersion>& before,
                       BlobMatcher& matcher, const std::unordered_set<std::string>& path_rules) {
    if (findings.empty() || before.empty()) return;
    std::unordered_set<std::string> old_content, old_paths;
    std::vector<Finding> scratch;
    for (const auto& b : before) {
        scratch.clear();
        matcher.scan(b.data, b.path, scratch);
        for (const auto& f : scratch) old_content.insert(f.fingerprint);
        scratch.clear();
        matcher.scan_path(b.path, scratch);
        for (const auto& f : scratch) old_paths.insert(f.fingerprint);
    }
    std::optional<AddedLines> added;  // only when a content finding needs it
    std::vector<std::string_view> old_texts;
    for (const auto& b : before) old_texts.push_back(b.data);
    std::erase_if(findings, [&](const Finding& f) {
        if (path_rules.count(f.rule_id)) return old_paths.count(f.fingerprint) > 0;
        if (old_content.count(f.fingerprint)) return true;
        if (!added) added = AddedLines::compute(old_texts, after);
        return !added->intersects(f.line, std::max(f.line, f.end_line));
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
        // Only blobs with findings are kept (with their bytes) for the comparison with HEAD's
        // version, which most staged files never need.
        struct Hit {
            std::size_t blob;
            std::string data;
            std::vector<Finding> found;
        };
        std::vector<Hit> hits;
        std::vector<std::string> ids;
        for (const auto& b : staged) ids.push_back(b.id);
        source.read_each(ids, opts.max_blob_size, [&](std::size_t i, StagedRead st, const std::string& data,
                                                      const std::string& detail) {
            const StagedBlob& b = staged[i];
            if (st != StagedRead::ok) {
                diag.warn(st == StagedRead::too_large ? "too-large" : "missing",
                          root + ": staged blob " + b.id + " (" + b.path + ")", detail);
                return;
            }
            std::vector<Finding> found;
            if (!opts.scan_binary && looks_binary(data)) {
                diag.count("binary");
                matcher.scan_path(b.path, found);  // path rules (key stores, ...) still apply
            } else {
                matcher.scan(data, b.path, found);
                out.summary.blobs_scanned += 1;
                out.summary.bytes_scanned += data.size();
            }
            if (!found.empty()) hits.push_back({i, data, std::move(found)});
        });

        // HEAD's versions of the files with findings. One too large or unreadable counts as absent:
        // everything in the file is then new.
        std::vector<std::string> old_ids;
        std::vector<std::size_t> old_of(hits.size(), SIZE_MAX);
        for (std::size_t h = 0; h < hits.size(); ++h) {
            const StagedBlob& b = staged[hits[h].blob];
            if (b.old_id.empty()) continue;
            old_of[h] = old_ids.size();
            old_ids.push_back(b.old_id);
        }
        std::vector<std::string> old_data(old_ids.size());
        std::vector<char> old_ok(old_ids.size(), 0);
        source.read_each(old_ids, opts.max_blob_size, [&](std::size_t i, StagedRead st, const std::string& data,
                                                          const std::string&) {
            if (st != StagedRead::ok) return;
            old_data[i] = data;
            old_ok[i] = 1;
        });

        const auto path_rules = path_rule_ids(*rules);
        for (std::size_t h = 0; h < hits.size(); ++h) {
            const StagedBlob& b = staged[hits[h].blob];
            std::vector<OldVersion> before;
            if (old_of[h] != SIZE_MAX && old_ok[old_of[h]]) before.push_back({b.old_path, old_data[old_of[h]]});
            keep_new_findings(hits[h].found, hits[h].data, before, matcher, path_rules);
            for (auto& f : hits[h].found) {
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
