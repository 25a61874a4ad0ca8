#include "pipeline/staged_scan.hpp"

#include "source/added_lines.hpp"
#include "source/staged.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

namespace ks {

namespace {

// Git's own rule: a NUL in the first 8000 bytes means binary.
bool looks_binary(std::string_view data) {
    return std::memchr(data.data(), 0, std::min<std::size_t>(data.size(), 8000)) != nullptr;
}

enum class Read { ok, missing, too_large };

// Reads one blob through the repository's object database (a handle that honours GIT_OBJECT_DIRECTORY).
Read read_blob(git_odb* odb, const git_oid& id, std::uint64_t max_size, git::OdbObject& obj, std::string& detail) {
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&len, &type, odb, &id) != 0) {
        detail = git::last_error();
        return Read::missing;
    }
    if (len > max_size) {
        detail = "blob of " + std::to_string(len) + " bytes is over --max-blob-size (" + std::to_string(max_size) + ")";
        return Read::too_large;
    }
    git_odb_object* o = nullptr;
    if (git_odb_read(&o, odb, &id) != 0) {
        detail = git::last_error();
        return Read::missing;
    }
    obj.reset(o);
    return Read::ok;
}

std::string_view view(const git::OdbObject& o) {
    return {static_cast<const char*>(git_odb_object_data(o.get())), git_odb_object_size(o.get())};
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

ScanOutcome scan_staged(git_repository* repo, const std::shared_ptr<const CompiledRules>& rules,
                        const StagedScanOptions& opts, Diagnostics& diag) {
    auto t0 = std::chrono::steady_clock::now();
    const std::string root = repository_root(repo);
    ScanOutcome out;
    out.summary.targets = {root};
    for (const auto& r : rules_of(*rules)) out.summary.rules.push_back({r.id, r.description});

    std::vector<StagedBlob> staged = staged_blobs(repo);
    if (!staged.empty()) {
        git_odb* raw = nullptr;
        if (git_repository_odb(&raw, repo) != 0)
            throw std::runtime_error(root + ": cannot open the object database: " + git::last_error());
        git::Odb odb(raw);
        BlobMatcher matcher(rules);
        std::string detail;
        for (const StagedBlob& b : staged) {
            git::OdbObject obj;
            Read st = read_blob(odb.get(), b.id, opts.max_blob_size, obj, detail);
            if (st != Read::ok) {
                diag.warn(st == Read::too_large ? "too-large" : "missing",
                          root + ": staged blob " + git::hex(b.id) + " (" + b.path + ")", detail);
                continue;
            }
            std::string_view data = view(obj);
            if (!opts.scan_binary && looks_binary(data)) {
                diag.count("binary");
                continue;
            }
            std::vector<Finding> found;
            matcher.scan(data, b.path, found);
            out.summary.blobs_scanned += 1;
            out.summary.bytes_scanned += data.size();
            if (found.empty()) continue;

            // Only now is the old version worth reading: most staged files hold no finding at all.
            git::OdbObject old_obj;
            std::vector<std::string_view> before;
            if (b.has_old) {
                // An old version too large or unreadable counts as absent: everything is then new.
                if (read_blob(odb.get(), b.old_id, opts.max_blob_size, old_obj, detail) == Read::ok)
                    before.push_back(view(old_obj));
            }
            keep_new_findings(found, data, before, b.path, matcher);
            const std::string blob = git::hex(b.id);
            for (auto& f : found) {
                f.blob_id = blob;
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
