#include "pipeline/scan.hpp"

#include "pipeline/blob_origins.hpp"
#include "pipeline/bounded_queue.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/push_range.hpp"
#include "source/blob_reader.hpp"
#include "source/files.hpp"
#include "source/history.hpp"
#include "source/oid_set.hpp"
#include "source/pack_scan.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
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

// Matches one blob and tags its findings; shared by every way a blob is read.
struct BlobScanner {
    const ScanOptions& opts;
    Diagnostics& diag;
    Counters& counters;
    std::shared_ptr<const CompiledRules> rules;
    std::vector<std::unique_ptr<BlobMatcher>> matchers;  // made on a thread's first blob (Hyperscan scratch costs)
    std::vector<std::vector<Finding>> found;  // per thread

    BlobScanner(const std::shared_ptr<const CompiledRules>& r, unsigned n, const ScanOptions& o, Diagnostics& d,
                Counters& c)
        : opts(o), diag(d), counters(c), rules(r), found(n) {
        matchers.resize(n);
    }

    BlobMatcher& matcher(unsigned t) {
        if (!matchers[t]) matchers[t] = std::make_unique<BlobMatcher>(rules);
        return *matchers[t];
    }

    // Matches one blob or file with thread t's matcher; returns where its findings start in found[t].
    std::size_t match(unsigned t, std::string_view data, std::string_view path) {
        auto& local = found[t];
        const std::size_t before = local.size();
        if (!opts.scan_binary && looks_binary(data)) {
            diag.count("binary");
            matcher(t).scan_path(path, local);  // path rules (key stores, ...) still apply to binary blobs
        } else {
            matcher(t).scan(data, path, local);
            counters.blobs.fetch_add(1, std::memory_order_relaxed);
            counters.bytes.fetch_add(data.size(), std::memory_order_relaxed);
        }
        counters.findings.fetch_add(local.size() - before, std::memory_order_relaxed);
        return before;
    }

    // `commit_of()`: the commit's id, asked only when the blob has findings (formatting it for every
    // blob showed in profiles).
    template <class CommitOf>
    void scan(unsigned t, const git_oid& id, std::string_view data, std::string_view path, CommitOf&& commit_of) {
        auto& local = found[t];
        const std::size_t first = match(t, data, path);
        if (first == local.size()) return;
        const std::string blob = git::hex(id);
        const std::string commit = commit_of();
        for (std::size_t i = first; i < local.size(); ++i) {
            local[i].blob_id = blob;
            local[i].commit = commit;
        }
    }

    void flush_into(Accumulator& acc) {
        for (auto& v : found) acc.add(v);
    }
};

const char* read_status_name(ReadStatus st) {
    switch (st) {
        case ReadStatus::ok: return "ok";
        case ReadStatus::missing: return "missing";
        case ReadStatus::corrupt: return "corrupt";
        case ReadStatus::too_large: return "too-large";
    }
    return "corrupt";
}

std::string where(const std::string& repo, const git_oid& id, std::string_view path) {
    return repo + ": blob " + git::hex(id) + (path.empty() ? "" : " (" + std::string(path) + ")");
}

// Reads tasks one by one through libgit2 (ranges, loose objects, and whatever the packs lacked).
void scan_tasks(const std::string& path, const std::function<void(const std::function<void(BlobTask&&)>&)>& produce,
                const std::function<std::string(const BlobTask&)>& commit_of, BlobScanner& scanner, unsigned n) {
    std::vector<std::unique_ptr<BlobReader>> readers;
    for (unsigned i = 0; i < n; ++i) readers.push_back(std::make_unique<BlobReader>(path));
    run_parallel<BlobTask>(
        n, [&](auto push) { produce(push); },
        [&](unsigned t, std::vector<BlobTask>& batch) {
            std::string detail;
            for (BlobTask& task : batch) {
                ReadStatus st = readers[t]->read(task.id, scanner.opts.max_blob_size, detail);
                if (st != ReadStatus::ok) {
                    scanner.diag.warn(read_status_name(st), where(path, task.id, task.path), detail);
                    continue;
                }
                scanner.scan(t, task.id, readers[t]->data(), task.path, [&] { return commit_of(task); });
            }
        });
}

// Ranges: few blobs, so stream them from the walker straight to libgit2 reads.
void scan_history_range(const std::string& path, HistoryWalker& walker, BlobScanner& scanner, unsigned n) {
    scan_tasks(
        path, [&](const auto& push) { walker.walk(push); },
        [&](const BlobTask& t) { return walker.commit_hex(t.commit); },
        scanner, n);
}

// Full history: walk the trees once to learn which blobs are reachable and where each first
// appeared, then resolve the packs' delta trees (each object inflated once, across all threads), then
// read whatever the packs did not hold (loose objects, missing ones) through libgit2.
void scan_history_full(const std::string& path, git_repository* repo, HistoryWalker& walker, PackScan& packs,
                       BlobScanner& scanner, unsigned n) {
    const pack::Packs& index = packs.packs();
    BlobOrigins blobs(index);
    PathTable paths;
    walker.walk([&](BlobTask&& t) { blobs.add(t, paths.intern(t.path)); });

    const bool all = scanner.opts.all_objects;

    // Every thread resolves delta trees (largest first) and matches what it resolves, while the blob
    // is still in its cache. A long delta chain is serial, though: once a thread has no trees left,
    // the others hand it blobs (shared buffers, not copies) through a small queue instead.
    struct Item {
        git_oid id;
        BlobBuffer data;
        BlobOrigin origin;
    };
    BoundedQueue<Item> queue(4 * n);
    std::atomic<unsigned> idle{0};
    auto path_of = [&](const BlobOrigin& o) { return o.reached() ? std::string_view(paths[o.path]) : std::string_view(); };
    auto match = [&](unsigned t, const Item& item) {
        scanner.scan(t, item.id, *item.data, path_of(item.origin), [&] { return walker.commit_hex(item.origin.commit); });
    };
    packs.run(
        n, scanner.opts.max_blob_size, [&](pack::Location at, const git_oid&) { return all || blobs.at(at).reached(); },
        [&](unsigned t, pack::Location at, const git_oid& id, PackBlobStatus st, const BlobBuffer& data,
            const std::string& detail) {
            // A blob stored in several packs is matched from the first that holds it (where the
            // walk located it); --all-objects meets the others too.
            if (index.size() > 1) {
                if (pack::locate(index, id) != at) return;
            }
            if (!blobs.visit(at)) return;
            const BlobOrigin origin = blobs.at(at);
            if (st != PackBlobStatus::ok) {
                scanner.diag.warn(st == PackBlobStatus::too_large ? "too-large" : "corrupt",
                                  where(path, id, path_of(origin)), detail);
                return;
            }
            Item item{id, data, origin};
            if (idle.load(std::memory_order_relaxed) > 0 && queue.try_push(item)) return;
            match(t, item);
        },
        [&](unsigned t) {
            // The last thread to run out of trees closes the queue; all then drain it.
            if (idle.fetch_add(1) + 1 == n) queue.close();
            while (auto item = queue.pop()) match(t, *item);
        });

    // Unreachable blobs outside the packs (or in them, but not resolvable there), for --all-objects.
    std::vector<git_oid> loose_unreachable;
    if (all) {
        git_odb* raw = nullptr;
        if (git_repository_odb(&raw, repo) == 0) {
            git::Odb odb(raw);
            OidSet listed;
            for (const auto& id : git::object_ids(raw)) {
                const pack::Location at = pack::locate(index, id);
                if ((at.found() && blobs.visited(at)) || blobs.reached(at, id)) continue;
                if (git::is_blob(raw, id) && listed.insert(id)) loose_unreachable.push_back(id);
            }
        }
    }
    scan_tasks(
        path,
        [&](const auto& push) {
            blobs.for_each_unvisited(index, [&](const git_oid& id, const BlobOrigin& o) {
                push(BlobTask{id, o.commit, paths[o.path]});
            });
            for (const auto& id : loose_unreachable) push(BlobTask{id, BlobTask::kNoCommit, ""});
        },
        [&](const BlobTask& t) { return walker.commit_hex(t.commit); }, scanner, n);
}

void scan_history(const std::string& path, git_repository* repo, const std::shared_ptr<const CompiledRules>& rules,
                  const ScanOptions& opts, Diagnostics& diag, Counters& counters, Accumulator& acc,
                  ScanSummary& summary) {
    const bool range = !opts.include.empty() || !opts.exclude.empty();
    // In a full scan the packs provide unreachable blobs; the walker need not look for them.
    const unsigned n = thread_count(opts);
    HistoryOptions hopts{opts.include, opts.exclude, range && opts.all_objects, range ? 1u : n, path};
    // Full scans parse the pack indexes first: the walk reads trees and commits through them too.
    std::unique_ptr<PackScan> packs;
    if (!range) {
        packs = std::make_unique<PackScan>(fs::path(git_repository_commondir(repo)) / "objects", diag);
        hopts.packs = &packs->packs();
    }
    HistoryWalker walker(repo, hopts, diag, path);
    BlobScanner scanner(rules, n, opts, diag, counters);
    if (range) scan_history_range(path, walker, scanner, n);
    else scan_history_full(path, repo, walker, *packs, scanner, n);
    scanner.flush_into(acc);
    summary.commits += walker.commits().size();
}

struct FileTask {
    fs::path file;
    std::string display;
};

void scan_folder(const std::string& target, const std::shared_ptr<const CompiledRules>& rules, const ScanOptions& opts,
                 Diagnostics& diag, Counters& counters, Accumulator& acc) {
    const unsigned n = thread_count(opts);
    BlobScanner scanner(rules, n, opts, diag, counters);
    run_parallel<FileTask>(
        n,
        [&](auto push) {
            enumerate_files(target, diag, [&](const fs::path& p, std::string display) {
                push(FileTask{p, std::move(display)});
            });
        },
        [&](unsigned t, std::vector<FileTask>& batch) {
            std::string buf, detail;
            auto& local = scanner.found[t];
            for (FileTask& task : batch) {
                FileStatus st = read_file(task.file, opts.max_blob_size, buf, detail);
                if (st != FileStatus::ok) {
                    diag.warn(st == FileStatus::too_large ? "too-large" : "unreadable", task.file.string(), detail);
                    continue;
                }
                const std::size_t first = scanner.match(t, buf, task.display);
                if (first == local.size()) continue;
                std::string id = blob_id_of(buf);  // only for files with findings: hashing costs
                for (std::size_t i = first; i < local.size(); ++i) local[i].blob_id = id;
            }
        });
    scanner.flush_into(acc);
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
                    if (opts.only_introduced) keep_introduced(repo.get(), mine, rules, opts.max_blob_size);
                    attribute(target, mine);
                    acc.findings.resize(before);
                    std::move(mine.begin(), mine.end(), std::back_inserter(acc.findings));
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
