#include "pipeline/scan.hpp"

#include "pipeline/bounded_queue.hpp"
#include "pipeline/progress.hpp"
#include "source/blob_reader.hpp"
#include "source/files.hpp"
#include "source/history.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ks {
namespace fs = std::filesystem;

namespace {

// Git's own rule: a NUL in the first 8000 bytes means binary.
bool looks_binary(std::string_view data) {
    return std::memchr(data.data(), 0, std::min<std::size_t>(data.size(), 8000)) != nullptr;
}

unsigned thread_count(const ScanOptions& o) {
    if (o.threads) return o.threads;
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

constexpr std::size_t kBatch = 64;       // tasks handed over at once, to keep lock traffic low
constexpr std::size_t kQueueBatches = 64;

// Runs `work(worker_index, batch)` on N threads over batches produced by `produce(push)`.
template <class Task, class Produce, class Work>
void run_parallel(unsigned threads, Produce&& produce, Work&& work) {
    BoundedQueue<std::vector<Task>> queue(kQueueBatches);
    std::vector<std::thread> pool;
    std::exception_ptr failure;
    std::mutex failure_mu;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                while (auto batch = queue.pop()) work(t, *batch);
            } catch (...) {
                std::lock_guard lock(failure_mu);
                if (!failure) failure = std::current_exception();
                while (queue.pop()) {}  // keep draining so the producer never blocks forever
            }
        });
    }
    std::vector<Task> batch;
    batch.reserve(kBatch);
    try {
        produce([&](Task&& task) {
            batch.push_back(std::move(task));
            if (batch.size() == kBatch) {
                queue.push(std::move(batch));
                batch = {};
                batch.reserve(kBatch);
            }
        });
    } catch (...) {
        queue.close();
        for (auto& th : pool) th.join();
        throw;
    }
    if (!batch.empty()) queue.push(std::move(batch));
    queue.close();
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
}

struct Accumulator {
    std::mutex mu;
    std::vector<Finding> findings;
    void add(std::vector<Finding>& local) {
        if (local.empty()) return;
        std::lock_guard lock(mu);
        for (auto& f : local) findings.push_back(std::move(f));
        local.clear();
    }
};

void scan_history(const std::string& path, git_repository* repo, const std::shared_ptr<const CompiledRules>& rules,
                  const ScanOptions& opts, Diagnostics& diag, Counters& counters, Accumulator& acc,
                  ScanSummary& summary) {
    HistoryWalker walker(repo, HistoryOptions{opts.include, opts.exclude, opts.all_objects}, diag, path);
    const unsigned n = thread_count(opts);
    std::vector<std::unique_ptr<BlobReader>> readers;
    std::vector<BlobMatcher> matchers;
    for (unsigned i = 0; i < n; ++i) {
        readers.push_back(std::make_unique<BlobReader>(path));
        matchers.emplace_back(rules);
    }
    run_parallel<BlobTask>(
        n, [&](auto push) { walker.walk(push); },
        [&](unsigned t, std::vector<BlobTask>& batch) {
            BlobReader& reader = *readers[t];
            std::vector<Finding> local;
            std::string detail;
            for (BlobTask& task : batch) {
                ReadStatus st = reader.read(task.id, opts.max_blob_size, detail);
                if (st != ReadStatus::ok) {
                    static const char* names[] = {"ok", "missing", "corrupt", "too-large"};
                    std::string where = path + ": blob " + git::hex(task.id) + (task.path.empty() ? "" : " (" + task.path + ")");
                    diag.warn(names[int(st)], where, detail);
                    continue;
                }
                std::string_view data = reader.data();
                if (!opts.scan_binary && looks_binary(data)) {
                    diag.count("binary");
                    continue;
                }
                std::size_t before = local.size();
                matchers[t].scan(data, task.path, local);
                counters.blobs.fetch_add(1, std::memory_order_relaxed);
                counters.bytes.fetch_add(data.size(), std::memory_order_relaxed);
                if (local.size() == before) continue;
                counters.findings.fetch_add(local.size() - before, std::memory_order_relaxed);
                std::string blob = git::hex(task.id);
                std::string commit = task.commit == BlobTask::kNoCommit ? "" : git::hex(walker.commits()[task.commit]);
                for (std::size_t i = before; i < local.size(); ++i) {
                    local[i].blob_id = blob;
                    local[i].commit = commit;
                }
            }
            acc.add(local);
        });
    summary.commits += walker.commits().size();
}

struct FileTask {
    fs::path file;
    std::string display;
};

void scan_folder(const std::string& target, const std::shared_ptr<const CompiledRules>& rules, const ScanOptions& opts,
                 Diagnostics& diag, Counters& counters, Accumulator& acc) {
    const unsigned n = thread_count(opts);
    std::vector<BlobMatcher> matchers;
    for (unsigned i = 0; i < n; ++i) matchers.emplace_back(rules);
    run_parallel<FileTask>(
        n,
        [&](auto push) {
            enumerate_files(target, diag, [&](const fs::path& p, std::string display) {
                push(FileTask{p, std::move(display)});
            });
        },
        [&](unsigned t, std::vector<FileTask>& batch) {
            std::string buf, detail;
            std::vector<Finding> local;
            for (FileTask& task : batch) {
                FileStatus st = read_file(task.file, opts.max_blob_size, buf, detail);
                if (st != FileStatus::ok) {
                    diag.warn(st == FileStatus::too_large ? "too-large" : "unreadable", task.file.string(), detail);
                    continue;
                }
                if (!opts.scan_binary && looks_binary(buf)) {
                    diag.count("binary");
                    continue;
                }
                std::size_t before = local.size();
                matchers[t].scan(buf, task.display, local);
                counters.blobs.fetch_add(1, std::memory_order_relaxed);
                counters.bytes.fetch_add(buf.size(), std::memory_order_relaxed);
                if (local.size() == before) continue;
                counters.findings.fetch_add(local.size() - before, std::memory_order_relaxed);
                std::string id = blob_id_of(buf);
                for (std::size_t i = before; i < local.size(); ++i) local[i].blob_id = id;
            }
            acc.add(local);
        });
}

void scan_stdin(const std::shared_ptr<const CompiledRules>& rules, Counters& counters, Accumulator& acc) {
    std::string data = read_stdin();
    BlobMatcher m(rules);
    std::vector<Finding> local;
    m.scan(data, "-", local);
    counters.blobs += 1;
    counters.bytes += data.size();
    if (!local.empty()) {
        std::string id = blob_id_of(data);
        for (auto& f : local) f.blob_id = id;
    }
    acc.add(local);
}

std::string iso_date(const git_time& t) {
    std::time_t secs = std::time_t(t.time) + std::time_t(t.offset) * 60;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    int off = t.offset;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
    return buf;
}

}  // namespace

TargetKind classify_target(const std::string& target, bool no_git) {
    if (target == "-") return TargetKind::stdin_;
    std::error_code ec;
    if (!fs::exists(target, ec)) throw std::runtime_error(target + ": no such file, folder or repository");
    if (fs::is_regular_file(target, ec)) return TargetKind::file;
    if (!no_git && git::open(target)) return TargetKind::git;
    if (fs::is_directory(target, ec)) return TargetKind::folder;
    throw std::runtime_error(target + ": not a file, folder or repository");
}

ScanOutcome scan_targets(const std::vector<std::string>& targets, std::shared_ptr<const CompiledRules> rules,
                         const ScanOptions& opts, Diagnostics& diag) {
    auto t0 = std::chrono::steady_clock::now();
    ScanOutcome out;
    Counters counters;
    Accumulator acc;
    std::vector<std::pair<std::string, TargetKind>> kinds;
    for (const auto& t : targets) kinds.emplace_back(t, classify_target(t, opts.no_git));
    if ((!opts.include.empty() || !opts.exclude.empty()))
        for (const auto& [t, k] : kinds)
            if (k != TargetKind::git) throw std::runtime_error(t + ": --range and --since need a git repository");
    {
        ProgressLine progress(counters, opts.progress);
        for (const auto& [target, kind] : kinds) {
            std::size_t before = acc.findings.size();
            switch (kind) {
                case TargetKind::stdin_: scan_stdin(rules, counters, acc); break;
                case TargetKind::file:
                case TargetKind::folder: scan_folder(target, rules, opts, diag, counters, acc); break;
                case TargetKind::git: {
                    git::Repository repo = git::open(target);
                    scan_history(target, repo.get(), rules, opts, diag, counters, acc, out.summary);
                    std::vector<Finding> mine(std::make_move_iterator(acc.findings.begin() + long(before)),
                                              std::make_move_iterator(acc.findings.end()));
                    attribute(target, mine);
                    std::move(mine.begin(), mine.end(), acc.findings.begin() + long(before));
                    break;
                }
            }
        }
    }
    out.findings = std::move(acc.findings);
    sort_findings(out.findings);
    out.summary.targets = targets;
    out.summary.blobs_scanned = counters.blobs;
    out.summary.bytes_scanned = counters.bytes;
    out.summary.skipped = diag.counts();
    out.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& r : rules_of(*rules)) out.summary.rules.push_back({r.id, r.description});
    return out;
}

void attribute(const std::string& repo_path, std::vector<Finding>& findings) {
    git::Repository repo = git::open(repo_path);
    if (!repo) return;
    struct Who { std::string author, email, date; };
    std::map<std::string, Who> cache;
    for (auto& f : findings) {
        if (f.commit.empty()) continue;
        auto it = cache.find(f.commit);
        if (it == cache.end()) {
            Who who;
            git_oid id;
            git_commit* c = nullptr;
            if (git_oid_fromstr(&id, f.commit.c_str()) == 0 && git_commit_lookup(&c, repo.get(), &id) == 0) {
                git::Commit commit(c);
                const git_signature* a = git_commit_author(c);
                who = {a->name ? a->name : "", a->email ? a->email : "", iso_date(a->when)};
            }
            it = cache.emplace(f.commit, std::move(who)).first;
        }
        f.author = it->second.author;
        f.email = it->second.email;
        f.date = it->second.date;
    }
}

void sort_findings(std::vector<Finding>& findings) {
    std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.path, a.line, a.column, a.rule_id, a.commit, a.blob_id) <
               std::tie(b.path, b.line, b.column, b.rule_id, b.commit, b.blob_id);
    });
}

}  // namespace ks
