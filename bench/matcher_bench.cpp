// matcher_bench: throughput of the matcher kernel (Hyperscan + PCRE2 captures + filters) with the full
// default rule set, on one core unless a benchmark says otherwise.
//
//   build-bench/bench/matcher_bench [--benchmark_filter=REGEX] [--benchmark_repetitions=N]
//
// Inputs, all built at start-up and deterministic on a given machine:
//   real_source   files from /usr/include (a stride over the sorted list, ~16 MiB), one scan per file, as a
//                 history scan sees blobs; also the same text as one 16 MiB blob.
//   near_miss     every line almost an AWS key: "AKIA" + 15 key characters, or "aws_secret_access_key = "
//                 + 39 characters (one short of a match), 16 MiB.
//   long_lines    the same near misses joined by spaces into 1 MiB lines.
//   minified      one 8 MiB line with no newline: 1 MiB of real source with its newlines turned into spaces,
//                 repeated; run on its first 1 MiB and on all 8 MiB (equal bytes/s: no cost that grows with
//                 the length of a line); and with a true positive every 64 KiB or every 4 KiB (the cost per finding should
//                 not grow with the length of the line either).
//   dense_true    a true positive (AWS key id, AWS secret, GitHub, Slack, Stripe) on every line, 4 MiB.
// The *_no_decode rows compile the rules with decode_depth 0 (no base64 / percent decoding pass);
// base64_candidates_per_file times that pass's first step alone (decode::base64_runs per file).
// bytes_per_second: per CPU second of one core for the single-thread rows; for the `real_time/threads:N`
// rows, per wall second, summed over the threads. `findings` is the number of findings in one scan.
// No key-shaped literal appears here: keys are built from a prefix and characters drawn from a PRNG.

#include "match/decode.hpp"
#include "match/matcher.hpp"
#include "match/rules_loader.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

namespace {

class Rng {  // splitmix64: deterministic everywhere
public:
    explicit Rng(std::uint64_t s) : s_(s) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t s_;
};

const std::string kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const std::string kAlnum = kUpper + "abcdefghijklmnopqrstuvwxyz0123456789";
const std::string kB32 = kUpper + "234567";
const std::string kB64 = kAlnum + "+/";
const std::string kDigits = "0123456789";

std::string draw(Rng& r, const std::string& alphabet, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[r.below(alphabet.size())];
    return s;
}

// One line that nearly matches the AWS rules, alternating the two shapes. The 39 characters after the
// secret's name come from a 4-letter alphabet: a generic "secret = <value>" rule then matches the line,
// captures the value and drops it on entropy, so every line costs the whole pipeline and finds nothing.
std::string near_miss(Rng& r, std::size_t i) {
    if (i % 2 == 0) return std::string("AK") + "IA" + draw(r, kB32, 15);
    return "aws_secret_access_key = " + draw(r, "aB3+", 39);
}

// One line with a true positive, cycling through five kinds.
std::string true_positive(Rng& r, std::size_t i) {
    switch (i % 5) {
        case 0: return "aws_access_key_id = " + std::string("AK") + "IA" + draw(r, kB32, 16);
        case 1: return "aws_secret_access_key = " + draw(r, kB64, 40);
        case 2: return "GITHUB_TOKEN=" + std::string("gh") + "p_" + draw(r, kAlnum, 36);
        case 3:
            return "SLACK_BOT_TOKEN=" + std::string("xo") + "xb-" + draw(r, "123456789", 1) + draw(r, kDigits, 11) + "-" +
                   draw(r, "123456789", 1) + draw(r, kDigits, 12) + "-" + draw(r, kAlnum, 24);
        default: return "stripe.api_key = \"" + std::string("sk") + "_live_" + draw(r, kAlnum, 24) + "\"";
    }
}

struct Doc {
    std::string path;
    std::string text;
};

struct Corpus {
    std::vector<Doc> source_files;  // real source, one entry per file
    std::string source_blob;        // the same, concatenated
    std::string near_miss_lines, long_lines, minified, dense_true;
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

Corpus build_corpus() {
    constexpr std::size_t kSource = 16u << 20, kAdv = 16u << 20, kMinified = 8u << 20, kDense = 4u << 20;
    Corpus c;
    // Real source: a stride over the sorted list of /usr/include, so it spans many libraries.
    std::vector<std::pair<std::string, std::uintmax_t>> files;
    std::uintmax_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it("/usr/include", fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (!fs::is_regular_file(it->symlink_status(e2)) || e2) continue;
        auto sz = it->file_size(e2);
        if (e2 || sz == 0 || sz > (4u << 20)) continue;
        files.emplace_back(it->path().string(), sz);
        total += sz;
    }
    std::sort(files.begin(), files.end());
    const std::size_t stride = std::max<std::uintmax_t>(1, total / kSource);
    for (std::size_t i = 0; i < files.size() && c.source_blob.size() < kSource; i += stride) {
        std::string t = read_file(files[i].first);
        if (t.empty() || t.find('\0') != std::string::npos) continue;
        c.source_blob += t;
        c.source_files.push_back({files[i].first.substr(1), std::move(t)});
    }
    if (c.source_blob.empty()) {
        std::cerr << "matcher_bench: no text under /usr/include\n";
        std::exit(2);
    }

    Rng r(7);
    for (std::size_t i = 0; c.near_miss_lines.size() < kAdv; ++i) c.near_miss_lines += near_miss(r, i) + "\n";
    for (std::size_t i = 0; c.long_lines.size() < kAdv; ++i) {
        c.long_lines += near_miss(r, i);
        c.long_lines += (c.long_lines.size() % (1u << 20)) < 64 ? "\n" : " ";
    }
    // Minified: real text with its newlines made spaces (what a bundler's output looks like to a scanner).
    // One MiB drawn from all over the source (eight 128 KiB slices), repeated: the 1 MiB and 8 MiB rows
    // then differ in length only, not in content (the source's first MiB alone scans faster).
    std::string first;
    for (std::size_t i = 0; i < 8; ++i) first += c.source_blob.substr(i * (c.source_blob.size() / 8), 128u << 10);
    std::replace(first.begin(), first.end(), '\n', ' ');
    while (c.minified.size() < kMinified) c.minified += first;
    c.minified.resize(kMinified);
    for (std::size_t i = 0; c.dense_true.size() < kDense; ++i) c.dense_true += true_positive(r, i) + "\n";
    return c;
}

const Corpus& corpus() {
    static const Corpus c = build_corpus();
    return c;
}

// The default rules, compiled once per process (no on-disk cache: measure the matcher, not the cache).
// decode = false: without the base64 / percent decoding pass, to show what that pass costs.
std::shared_ptr<const ks::CompiledRules> rules(bool decode = true) {
    auto make = [](unsigned depth) {
        ks::CompileOptions opts;
        opts.use_cache = false;
        opts.decode_depth = depth;
        return ks::compile_rules(ks::default_rules(), opts);
    };
    if (decode) {
        static const auto r = make(ks::CompileOptions{}.decode_depth);
        return r;
    }
    static const auto r = make(0);
    return r;
}

void scan_one(benchmark::State& state, const std::string& text, const char* path, bool decode = true) {
    ks::BlobMatcher m(rules(decode));
    std::vector<ks::Finding> out;
    std::size_t findings = 0;
    for (auto _ : state) {
        out.clear();
        m.scan(text, path, out);
        findings = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["findings"] = benchmark::Counter(static_cast<double>(findings), benchmark::Counter::kAvgThreads);
    state.counters["MiB"] = benchmark::Counter(static_cast<double>(text.size()) / 1048576.0, benchmark::Counter::kAvgThreads);
}

void real_source_per_file(benchmark::State& state, bool decode) {
    const auto& c = corpus();
    ks::BlobMatcher m(rules(decode));
    std::vector<ks::Finding> out;
    std::size_t findings = 0;
    for (auto _ : state) {
        findings = 0;
        for (const auto& d : c.source_files) {
            out.clear();
            m.scan(d.text, d.path, out);
            findings += out.size();
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.source_blob.size()));
    state.counters["findings"] = benchmark::Counter(static_cast<double>(findings), benchmark::Counter::kAvgThreads);
    state.counters["files"] = benchmark::Counter(static_cast<double>(c.source_files.size()), benchmark::Counter::kAvgThreads);
    state.counters["MiB"] = benchmark::Counter(static_cast<double>(c.source_blob.size()) / 1048576.0, benchmark::Counter::kAvgThreads);
}

// The decoding pass's first step alone: finding base64 candidates (runs of 20+ base64 characters with
// both letter cases that decode to text) in each file of the real source.
void BM_base64_candidates_per_file(benchmark::State& state) {
    const auto& c = corpus();
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    std::size_t kept = 0;
    for (auto _ : state) {
        kept = 0;
        for (const auto& d : c.source_files) {
            runs.clear();
            ks::decode::base64_runs(d.text, runs, ks::decode::kMaxCandidates);
            kept += runs.size();
        }
        benchmark::DoNotOptimize(runs.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.source_blob.size()));
    state.counters["kept"] = benchmark::Counter(static_cast<double>(kept));
    state.counters["MiB"] = benchmark::Counter(static_cast<double>(c.source_blob.size()) / 1048576.0);
}

void BM_real_source_per_file(benchmark::State& s) { real_source_per_file(s, true); }
void BM_real_source_per_file_no_decode(benchmark::State& s) { real_source_per_file(s, false); }
void BM_near_miss_lines_no_decode(benchmark::State& s) { scan_one(s, corpus().near_miss_lines, "config.ini", false); }
void BM_real_source_one_blob(benchmark::State& s) { scan_one(s, corpus().source_blob, "all.h"); }
void BM_real_source_one_blob_no_decode(benchmark::State& s) { scan_one(s, corpus().source_blob, "all.h", false); }
void BM_near_miss_lines(benchmark::State& s) { scan_one(s, corpus().near_miss_lines, "config.ini"); }
void BM_long_lines(benchmark::State& s) { scan_one(s, corpus().long_lines, "config.ini"); }
// The first range(0) MiB of the minified line: bytes/s at 1 and 8 MiB should match (no cost per byte that
// grows with the length of a line).
void BM_minified_line(benchmark::State& s) {
    const std::string& m = corpus().minified;
    scan_one(s, m.substr(0, std::min<std::size_t>(m.size(), static_cast<std::size_t>(s.range(0)) << 20)), "app.min.js");
}
// The minified line (first range(0) MiB) with a true positive every range(1) KiB: the cost per finding
// should not grow with the length of the line.
void BM_minified_line_with_keys(benchmark::State& s) {
    std::string m = corpus().minified.substr(0, static_cast<std::size_t>(s.range(0)) << 20);
    const std::size_t every = static_cast<std::size_t>(s.range(1)) << 10;
    Rng r(11);
    for (std::size_t at = every / 2, i = 0; at + 200 < m.size(); at += every, ++i) {
        std::string k(1, ' ');
        k += true_positive(r, i);
        k += ' ';
        m.replace(at, k.size(), k);
    }
    scan_one(s, m, "app.min.js");
}
void BM_dense_true_positives(benchmark::State& s) { scan_one(s, corpus().dense_true, "secrets.env"); }

}  // namespace

// One thread: bytes/s per CPU second of that thread (fair on a shared machine). Two threads: wall time,
// the total of both threads; compare with the one-thread run that also uses wall time.
BENCHMARK(BM_real_source_per_file)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_real_source_per_file)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK(BM_real_source_per_file_no_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_base64_candidates_per_file)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_real_source_one_blob)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_real_source_one_blob_no_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_near_miss_lines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_near_miss_lines_no_decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_long_lines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_minified_line)->Unit(benchmark::kMillisecond)->Arg(1)->Arg(8);
BENCHMARK(BM_minified_line_with_keys)->Unit(benchmark::kMillisecond)->Args({1, 64})->Args({8, 64})->Args({8, 4});
BENCHMARK(BM_dense_true_positives)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
