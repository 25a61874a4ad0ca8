#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/rule_loading.hpp"
#include "cli/scan_flags.hpp"
#include "match/matcher.hpp"
#include "pipeline/scan.hpp"
#include "report/printer.hpp"
#include "report/suppress.hpp"
#include "source/git_handles.hpp"
#include "verify/verifier.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace ks::cli {
namespace fs = std::filesystem;

namespace {


// Revisions for --range A..B and --since REV.
void apply_revisions(const ScanFlags& f, ScanOptions& o) {
    if (!f.range.empty() && !f.since.empty()) throw std::runtime_error("--range and --since cannot be combined");
    if (!f.range.empty()) {
        auto dots = f.range.find("..");
        if (dots == std::string::npos || f.range.find("...") != std::string::npos)
            throw std::runtime_error("--range expects A..B, got '" + f.range + "'");
        std::string a = f.range.substr(0, dots), b = f.range.substr(dots + 2);
        o.include.push_back(b.empty() ? "HEAD" : b);
        if (!a.empty()) o.exclude.push_back(a);
    }
    if (!f.since.empty()) {
        o.include.push_back("HEAD");
        o.exclude.push_back(f.since);
    }
    // A range reports what its commits introduce, not secrets they only carry along.
    o.only_introduced = !o.exclude.empty();
}

std::string discover_repository(const std::string& from) {
    git::init();
    git_buf buf = GIT_BUF_INIT;
    std::string found = from;
    if (git_repository_discover(&buf, from.c_str(), 0, nullptr) == 0) {
        git::Repository repo = git::open(buf.ptr);
        // Scan a work tree from its top (so paths and .keysweep.toml line up), a bare one as is.
        if (repo) found = git_repository_workdir(repo.get()) ? git_repository_workdir(repo.get()) : buf.ptr;
    }
    git_buf_dispose(&buf);
    if (found.size() > 1 && found.back() == '/') found.pop_back();
    return found;
}

std::string default_ignore_file(const std::vector<std::string>& targets) {
    for (const auto& t : targets) {
        std::error_code ec;
        if (t == "-" || !fs::is_directory(t, ec)) continue;
        fs::path p = fs::path(t) / ".keysweepignore";
        return fs::exists(p, ec) ? p.string() : "";
    }
    return "";
}

}  // namespace

Runner add_scan_command(CLI::App& app) {
    auto f = std::make_shared<ScanFlags>();
    auto* cmd = app.add_subcommand("scan", "Scan git history, a folder, a file or stdin (-) for credentials");
    cmd->add_option("targets", f->targets, "Git repositories (all history), folders, files, or - for stdin");
    cmd->add_option("--format", f->format, "Output format")->check(CLI::IsMember({"text", "json", "jsonl", "sarif"}));
    cmd->add_option("--output,-o", f->output, "Write the report to FILE (written whole, or not at all)");
    cmd->add_option("--rules", f->rules, "Rule file or folder to add (repeatable)");
    cmd->add_option("--config", f->config, "Config file (default: .keysweep.toml in the target)");
    cmd->add_option("--threads", f->threads, "Matcher threads (default: all cores)");
    cmd->add_option("--range", f->range, "Scan only blobs introduced by the commits in A..B");
    cmd->add_option("--since", f->since, "Scan only blobs introduced after REV (REV..HEAD)");
    cmd->add_flag("--staged", f->staged, "Scan what is staged in the index, reporting only added lines");
    cmd->add_flag("--no-git", f->no_git, "Treat repositories as plain folders (working tree files)");
    cmd->add_flag("--all-objects", f->all_objects, "Also scan blobs that no ref reaches");
    cmd->add_flag("--scan-binary", f->scan_binary, "Also scan blobs that look binary");
    cmd->add_option("--max-blob-size", f->max_blob_size, "Skip blobs larger than this many bytes");
    cmd->add_flag("--verify", f->verify, "Check found AWS key pairs against STS GetCallerIdentity");
    cmd->add_option("--sts-endpoint", f->sts_endpoint, "STS endpoint URL (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS)");
    cmd->add_option("--verify-rps", f->verify_rps, "Verification requests per second at most");
    cmd->add_option("--skip-aws-account", f->skip_accounts, "Treat keys of this AWS account as canaries (repeatable)");
    cmd->add_option("--baseline", f->baseline, "Suppress every finding of an earlier JSON report");
    cmd->add_option("--ignore-file", f->ignore_file, "Fingerprints to suppress (default: .keysweepignore in the target)");
    cmd->add_flag("--redact", f->redact, "Hide secrets in the report");
    cmd->add_flag("--quiet,-q", f->quiet, "No progress, warnings or summary on stderr");
    cmd->add_flag("--no-cache", f->no_cache, "Compile the rules without the on-disk cache");
    cmd->add_option("--decode-depth", f->decode_depth,
                    "Levels of base64 / percent-encoded text decoded and rescanned (0: none)")
        ->check(CLI::Range(0u, 8u));

    return [f]() -> int {
        // No target: the repository around the current folder (as git itself finds it), else ".".
        if (f->targets.empty()) f->targets.push_back(discover_repository("."));
        if (f->staged) return scan_staged_command(*f);
        // libgit2's start-up (it parses the system's CA bundle: ~6 ms) runs on another core while
        // the rules load; whatever needs libgit2 first waits for it (git::init is call_once).
        std::jthread git_init;  // joined when the command returns
        if (!f->no_git && std::any_of(f->targets.begin(), f->targets.end(), [](const std::string& t) { return t != "-"; }))
            git_init = std::jthread([] { git::init(); });
        Diagnostics diag;
        diag.set_quiet(f->quiet);
        RuleSet set = load_rule_set(f->rules, f->config, f->targets);
        report::Suppressor suppressor = report::Suppressor::load(
            f->ignore_file.empty() ? default_ignore_file(f->targets) : f->ignore_file, f->baseline);
        auto rules = compile_rules(std::move(set), CompileOptions{{}, !f->no_cache, f->decode_depth});

        ScanOptions opts;
        opts.threads = f->threads;
        opts.max_blob_size = f->max_blob_size;
        opts.scan_binary = f->scan_binary;
        opts.no_git = f->no_git;
        opts.all_objects = f->all_objects;
        opts.progress = !f->quiet && isatty(2);
        apply_revisions(*f, opts);

        ScanOutcome result = scan_targets(f->targets, rules, opts, diag);
        drop_allowed_commits(*rules, result.findings);  // gitleaks allow-lists by commit
        // Reviewed findings are dropped before verification: no request for a key already triaged.
        result.summary.suppressed = suppressor.filter(result.findings);
        verify::Options vopts;
        vopts.enabled = f->verify;
        vopts.endpoint = f->sts_endpoint;
        vopts.requests_per_second = f->verify_rps;
        vopts.skip_accounts = f->skip_accounts;
        verify::run(result.findings, vopts, diag);
        result.summary.skipped = diag.counts();
        return finish(result, *f);
    };
}

}  // namespace ks::cli
