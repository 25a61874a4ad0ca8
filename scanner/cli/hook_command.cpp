// `keysweep hook pre-commit | pre-push | install` and `keysweep scan --staged`.
#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/rule_loading.hpp"
#include "cli/scan_flags.hpp"
#include "match/matcher.hpp"
#include "pipeline/push_range.hpp"
#include "pipeline/staged_scan.hpp"
#include "report/suppress.hpp"
#include "source/git_handles.hpp"
#include "source/staged.hpp"
#include "verify/verifier.hpp"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ks::cli {
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------------
// The hook shims. hooks/pre-commit and hooks/pre-push in the source tree are these texts with the
// binary left empty (tests/hooks checks that they stay identical); `hook install` fills it in.
constexpr std::string_view kShimMarker = "keysweep-hook-shim";
constexpr std::string_view kBinaryLine = "keysweep_bin=''";

std::string shim_text(std::string_view hook, std::string_view what) {
    std::string s;
    s += "#!/bin/sh\n";
    s += fmt::format("# {} v1: {} hook. It {}\n", kShimMarker, hook, what);
    s += "# Installed by `keysweep hook install` (run it again to update this file; delete the file to uninstall).\n";
    s += "# Bypass once, knowingly: git --no-verify. False positives: see docs/HOOKS.md.\n";
    s += std::string(kBinaryLine) + "\n";
    s += "if [ -n \"$keysweep_bin\" ] && [ -x \"$keysweep_bin\" ]; then\n";
    s += fmt::format("    exec \"$keysweep_bin\" hook {} \"$@\"\n", hook);
    s += "elif command -v keysweep >/dev/null 2>&1; then\n";
    s += fmt::format("    exec keysweep hook {} \"$@\"\n", hook);
    s += "fi\n";
    s += fmt::format("echo \"keysweep {} hook: keysweep is not at '$keysweep_bin' nor on PATH; install it, or delete $0\" >&2\n",
                     hook);
    s += "exit 2\n";
    return s;
}

std::string pre_commit_shim() { return shim_text("pre-commit", "blocks commits that add credentials."); }
std::string pre_push_shim() { return shim_text("pre-push", "blocks pushes of commits that add credentials."); }

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

// The repository around the current folder, found as git finds it inside a hook (GIT_DIR and the
// other GIT_* variables honoured). Null when there is none.
git::Repository open_here() {
    git::init();
    git_repository* r = nullptr;
    if (git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) return nullptr;
    return git::Repository(r);
}

// The folder a person sees: the work tree, or the git folder of a bare repository.
std::string root_of(git_repository* repo) {
    const char* dir = git_repository_workdir(repo);
    if (!dir) dir = git_repository_path(repo);
    std::string s = dir ? dir : ".";
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

// ---------------------------------------------------------------------------------------------------
// Flags shared by the scanning hooks (a subset of `scan`'s, with the same meaning).
void add_report_flags(CLI::App* cmd, ScanFlags& f) {
    cmd->add_option("--format", f.format, "Output format")->check(CLI::IsMember({"text", "json", "jsonl", "sarif"}));
    cmd->add_option("--output,-o", f.output, "Write the report to FILE (written whole, or not at all)");
    cmd->add_option("--rules", f.rules, "Rule file or folder to add (repeatable)");
    cmd->add_option("--config", f.config, "Config file (default: .keysweep.toml at the repository root)");
    cmd->add_option("--baseline", f.baseline, "Suppress every finding of an earlier JSON report");
    cmd->add_option("--ignore-file", f.ignore_file, "Fingerprints to suppress (default: .keysweepignore at the repository root)");
    cmd->add_flag("--redact", f.redact, "Hide secrets in the report");
    cmd->add_flag("--quiet,-q", f.quiet, "No warnings, summary or advice on stderr");
    cmd->add_flag("--no-cache", f.no_cache, "Compile the rules without the on-disk cache");
    cmd->add_option("--max-blob-size", f.max_blob_size, "Skip blobs larger than this many bytes");
    cmd->add_flag("--scan-binary", f.scan_binary, "Also scan blobs that look binary");
    cmd->add_flag("--verify", f.verify, "Check found AWS key pairs against STS GetCallerIdentity");
    cmd->add_option("--sts-endpoint", f.sts_endpoint, "STS endpoint URL");
    cmd->add_option("--decode-depth", f.decode_depth, "Levels of base64 / percent-encoded text decoded and rescanned");
}

// Everything both hooks do around their scan: rules, suppression, verification, report, advice.
struct Prepared {
    std::shared_ptr<const CompiledRules> rules;
    report::Suppressor suppressor;
};

Prepared prepare(const ScanFlags& f, const std::string& root) {
    Prepared p;
    RuleSet set = load_rule_set(f.rules, f.config, {root});
    std::string ignore = f.ignore_file;
    if (ignore.empty()) {
        std::error_code ec;
        fs::path candidate = fs::path(root) / ".keysweepignore";
        if (fs::exists(candidate, ec)) ignore = candidate.string();
    }
    p.suppressor = report::Suppressor::load(ignore, f.baseline);
    p.rules = compile_rules(std::move(set), CompileOptions{{}, !f.no_cache, f.decode_depth});
    return p;
}

// As `scan` does: commit allow-lists, then suppression (no request for a key already triaged), then
// verification.
void verify_and_filter(ScanOutcome& result, const ScanFlags& f, const Prepared& p, Diagnostics& diag) {
    drop_allowed_commits(*p.rules, result.findings);
    result.summary.suppressed = p.suppressor.filter(result.findings);
    verify::Options vopts;
    vopts.enabled = f.verify;
    vopts.endpoint = f.sts_endpoint;
    vopts.requests_per_second = f.verify_rps;
    vopts.skip_accounts = f.skip_accounts;
    verify::run(result.findings, vopts, diag);
    result.summary.skipped = diag.counts();
}

// A path as an ignore-file glob that matches only itself (fnmatch: a backslash quotes).
std::string literal_glob(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == '*' || c == '?' || c == '[' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// One "FINGERPRINT PATH" line per distinct finding, ready for .keysweepignore. Never the secret.
std::string ignore_lines(const std::vector<Finding>& findings) {
    std::set<std::string> lines;
    for (const auto& x : findings) lines.insert(x.fingerprint + " " + literal_glob(x.path));
    std::string out;
    for (const auto& l : lines) out += "      " + l + "\n";
    return out;
}

void advise_pre_commit(const std::vector<Finding>& findings) {
    std::set<std::string> paths;
    for (const auto& x : findings) paths.insert(x.path);
    std::string unstage;
    for (const auto& p : paths) unstage += " " + shell_quote(p);
    fmt::print(stderr,
               "keysweep: commit blocked: {} finding{} in what this commit adds (listed above).\n"
               "  To remove a secret: delete it from the file and `git add` the file again, or unstage the file:\n"
               "      git restore --staged --{}\n"
               "    Load it from the environment or a secret manager instead. If the secret was ever shared,\n"
               "    pushed or pasted anywhere, rotate it: removing it from the file does not make it safe.\n"
               "  A false positive? Put a `keysweep:allow` comment on its line, or add its fingerprint to\n"
               "  .keysweepignore at the repository root:\n{}",
               findings.size(), findings.size() == 1 ? "" : "s", unstage, ignore_lines(findings));
}

void advise_pre_push(const std::vector<Finding>& findings) {
    std::set<std::string> commits;
    for (const auto& x : findings) commits.insert(x.commit.substr(0, 12));
    std::string list;
    for (const auto& c : commits) list += (list.empty() ? "" : ", ") + c;
    fmt::print(stderr,
               "keysweep: push blocked: {} finding{} introduced by the commits being pushed ({}).\n"
               "  The secret is in history: take it out of the commit that added it before pushing, e.g.\n"
               "      git rebase -i <that commit>~1   (mark it 'edit', remove the secret, git commit --amend,\n"
               "                                       git rebase --continue)\n"
               "  and rotate it if it was ever shared. Removing it in a later commit does not remove it\n"
               "  from the pushed history.\n"
               "  A false positive? Put a `keysweep:allow` comment on its line (amend the commit), or add its\n"
               "  fingerprint to .keysweepignore at the repository root:\n{}",
               findings.size(), findings.size() == 1 ? "" : "s", list, ignore_lines(findings));
}

// ---------------------------------------------------------------------------------------------------
// pre-push

std::string read_all_stdin() {
    std::string s;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n > 0) s.append(buf, std::size_t(n));
        else if (n == 0 || errno != EINTR) break;
    }
    return s;
}

std::string env_or(const char* name, const std::string& fallback = "") {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

// The pre-commit framework's pre-push stage does not forward git's stdin; it names the range in
// PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead. A push of a whole new history sets neither, only
// PRE_COMMIT_LOCAL_BRANCH: then everything the remote-tracking refs lack is new.
std::vector<PushUpdate> updates_from_pre_commit_env(git_repository* repo) {
    std::string to = env_or("PRE_COMMIT_TO_REF", env_or("PRE_COMMIT_LOCAL_BRANCH"));
    if (to.empty()) return {};
    auto resolve = [&](const std::string& spec) {
        git_object* o = nullptr;
        if (git_revparse_single(&o, repo, spec.c_str()) != 0)
            throw std::runtime_error("unknown revision '" + spec + "': " + git::last_error());
        git::Object obj(o);
        return git::hex(*git_object_id(o));
    };
    std::string from = env_or("PRE_COMMIT_TO_REF").empty() ? "" : env_or("PRE_COMMIT_FROM_REF");
    std::string zeros(40, '0');
    return {PushUpdate{env_or("PRE_COMMIT_LOCAL_BRANCH", "HEAD"), resolve(to),
                       env_or("PRE_COMMIT_REMOTE_BRANCH", "unknown"), from.empty() ? zeros : resolve(from)}};
}

int pre_push_command(const ScanFlags& f) {
    Diagnostics diag;
    diag.set_quiet(f.quiet);
    git::Repository repo = open_here();
    if (!repo) throw std::runtime_error("hook pre-push: not inside a git repository");
    const std::string root = root_of(repo.get());

    // Under the pre-commit framework (it sets PRE_COMMIT=1) the range comes from its environment.
    const bool framework = !env_or("PRE_COMMIT").empty();
    std::vector<PushUpdate> updates;
    if (isatty(0) && !framework)
        throw std::runtime_error("hook pre-push: reads git's pre-push lines on stdin "
                                 "('<local ref> <local sha> <remote ref> <remote sha>'); git provides them");
    if (!isatty(0)) updates = parse_pre_push(read_all_stdin());
    if (updates.empty() && framework) updates = updates_from_pre_commit_env(repo.get());

    Prepared p = prepare(f, root);
    ScanOptions opts;
    opts.threads = f.threads;
    opts.max_blob_size = f.max_blob_size;
    opts.scan_binary = f.scan_binary;
    ScanOutcome result = scan_push(root, updates, p.rules, opts, diag);
    verify_and_filter(result, f, p, diag);
    int code = finish(result, f);
    if (code != kExitClean && !f.quiet) advise_pre_push(result.findings);
    return code;
}

// ---------------------------------------------------------------------------------------------------
// install

std::string self_path() {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return "";
    std::string s = p.string();
    if (s.ends_with(" (deleted)")) return "";
    return s;
}

// Where git runs hooks from: core.hooksPath (relative to the work tree, as git runs hooks there),
// else the hooks folder of the common git directory (shared by every worktree).
fs::path hooks_dir(git_repository* repo) {
    git_config* cfg = nullptr;
    if (git_repository_config_snapshot(&cfg, repo) == 0) {
        std::unique_ptr<git_config, git::Deleter<git_config, git_config_free>> guard(cfg);
        git_buf buf = GIT_BUF_INIT;
        if (git_config_get_path(&buf, cfg, "core.hooksPath") == 0) {
            std::string v(buf.ptr, buf.size);
            git_buf_dispose(&buf);
            if (!v.empty()) {
                fs::path p(v);
                if (p.is_relative()) p = fs::path(root_of(repo)) / p;
                return p.lexically_normal();
            }
        }
    }
    return fs::path(git_repository_commondir(repo)) / "hooks";
}

bool is_ours(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(kShimMarker) != std::string::npos;
}

void write_executable(const fs::path& file, const std::string& text) {
    fs::path tmp = file;
    tmp += ".keysweep-tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error(file.string() + ": cannot write hook");
        }
    }
    if (::chmod(tmp.c_str(), 0755) != 0) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw std::runtime_error(file.string() + ": cannot make the hook executable: " + std::strerror(errno));
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw std::runtime_error(file.string() + ": cannot write hook: " + ec.message());
    }
}

int install_command(bool pre_push, bool force) {
    git::Repository repo = open_here();
    if (!repo) throw std::runtime_error("hook install: not inside a git repository");
    const fs::path dir = hooks_dir(repo.get());
    std::string bin = self_path();

    std::vector<std::pair<std::string, std::string>> hooks{{"pre-commit", pre_commit_shim()}};
    if (pre_push) hooks.emplace_back("pre-push", pre_push_shim());
    // Every check first, so that a refusal leaves nothing half-installed.
    for (const auto& [name, text] : hooks) {
        fs::path file = dir / name;
        std::error_code ec;
        if (fs::exists(file, ec) && !is_ours(file) && !force)
            throw std::runtime_error(file.string() + ": a " + name +
                                     " hook that keysweep did not write is already there; "
                                     "add `keysweep hook " + name + "` to it, or run `keysweep hook install --force` "
                                     "to replace it (the old one is kept as " + name + ".keysweep-backup)");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error(dir.string() + ": cannot create the hooks folder: " + ec.message());
    for (auto& [name, text] : hooks) {
        fs::path file = dir / name;
        if (fs::exists(file, ec) && !is_ours(file)) {
            fs::path backup = dir / (name + ".keysweep-backup");
            fs::rename(file, backup, ec);
            if (ec) throw std::runtime_error(file.string() + ": cannot move the old hook aside: " + ec.message());
            fmt::print(stderr, "keysweep: kept the previous {} hook as {}\n", name, backup.string());
        }
        std::size_t at = text.find(kBinaryLine);
        text.replace(at, kBinaryLine.size(), "keysweep_bin=" + shell_quote(bin));
        write_executable(file, text);
        fmt::print(stderr, "keysweep: installed the {} hook: {}\n", name, file.string());
    }
    return kExitClean;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

int scan_staged_command(const ScanFlags& f) {
    if (f.targets.size() > 1) throw std::runtime_error("--staged scans one repository, got " + std::to_string(f.targets.size()));
    if (!f.range.empty() || !f.since.empty()) throw std::runtime_error("--staged cannot be combined with --range or --since");
    if (f.no_git) throw std::runtime_error("--staged cannot be combined with --no-git");
    const std::string target = f.targets.empty() ? "." : f.targets.front();
    // The repository around the current folder (`scan` fills in its top folder when no target is
    // given) is found as git finds it: inside a hook, GIT_INDEX_FILE names the index being committed.
    std::error_code ec;
    const fs::path here = fs::current_path(ec);
    const fs::path named = fs::weakly_canonical(target, ec);
    const bool around_here = target == "." || (!ec && !here.lexically_relative(named).empty() &&
                                               *here.lexically_relative(named).begin() != "..");
    Diagnostics diag;
    diag.set_quiet(f.quiet);
    // git compares the index with HEAD while the rules load.
    StagedSource source(target, /*from_env=*/around_here);
    std::string root = source.root_hint();
    Prepared p = prepare(f, root);
    std::error_code same_ec;
    if (!fs::equivalent(root, source.root(), same_ec)) p = prepare(f, source.root());  // core.worktree: rare
    StagedScanOptions opts;
    opts.max_blob_size = f.max_blob_size;
    opts.scan_binary = f.scan_binary;
    ScanOutcome result = scan_staged(source, p.rules, opts, diag);
    verify_and_filter(result, f, p, diag);
    int code = finish(result, f);
    if (code != kExitClean && !f.quiet) advise_pre_commit(result.findings);
    return code;
}

Runner add_hook_command(CLI::App& app) {
    auto flags = std::make_shared<ScanFlags>();
    auto install_pre_push = std::make_shared<bool>(false);
    auto install_force = std::make_shared<bool>(false);
    auto remote = std::make_shared<std::vector<std::string>>();

    auto* cmd = app.add_subcommand("hook", "Git hooks: pre-commit, pre-push, install");
    cmd->require_subcommand(1);
    auto* pre_commit = cmd->add_subcommand("pre-commit", "Scan the staged changes (what a pre-commit hook runs)");
    add_report_flags(pre_commit, *flags);
    auto* pre_push = cmd->add_subcommand("pre-push", "Scan the commits being pushed (reads git's pre-push lines on stdin)");
    add_report_flags(pre_push, *flags);
    pre_push->add_option("--threads", flags->threads, "Matcher threads (default: all cores)");
    pre_push->add_option("remote", *remote, "Remote name and URL (as git passes them; informational)")->expected(0, 2);
    auto* install = cmd->add_subcommand("install", "Install keysweep's git hooks into this repository");
    install->add_flag("--pre-push", *install_pre_push, "Also install the pre-push hook");
    install->add_flag("--force", *install_force, "Replace hooks keysweep did not write (keeping a .keysweep-backup)");

    // Each shared_ptr is captured: CLI11 writes through references into them while parsing.
    return [flags, install_pre_push, install_force, remote, pre_commit, pre_push, install]() -> int {
        if (pre_commit->parsed()) return scan_staged_command(*flags);
        if (pre_push->parsed()) return pre_push_command(*flags);
        if (install->parsed()) return install_command(*install_pre_push, *install_force);
        throw std::runtime_error("hook: expected pre-commit, pre-push or install");
    };
}

}  // namespace ks::cli
