// The labelled corpus, scored: per family precision and recall of the default rules. Prints the
// table (docs/PRECISION.md shows it); fails when overall recall or precision drops below 0.95.
//   build/tests/test_corpus --gtest_filter=Corpus.*      (KS_CORPUS_VERBOSE=1 lists misses and FPs)
#include "corpus.hpp"
#include "harness.hpp"
#include "match/matcher.hpp"
#include "match/rules_loader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#ifndef KS_FIXTURES_DIR
#define KS_FIXTURES_DIR "tests/fixtures"
#endif

namespace ks::corpus {

std::vector<Sample> fixture_negatives(const std::string& root) {
    namespace fs = std::filesystem;
    std::vector<Sample> out;
    fs::path base = fs::path(root) / "corpus" / "negative";
    std::error_code ec;
    if (!fs::is_directory(base, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
        if (!e.is_regular_file()) continue;
        fs::path rel = fs::relative(e.path(), base);
        std::string family = rel.begin()->string();
        std::ifstream f(e.path(), std::ios::binary);
        std::ostringstream os;
        os << f.rdbuf();
        fs::path inner;
        for (auto it = std::next(rel.begin()); it != rel.end(); ++it) inner /= *it;
        out.push_back({family, inner.generic_string(), os.str(), {}});
    }
    return out;
}

namespace {

struct Score {
    int samples_pos = 0, samples_neg = 0, expected = 0, tp = 0, fn = 0, fp = 0;
    double precision() const { return tp + fp ? double(tp) / (tp + fp) : 1.0; }
    double recall() const { return expected ? double(tp) / expected : 1.0; }
};

// A finding reports an expected secret when one holds the other (a URL rule may add the user name,
// a docker auth is reported as user:password), with at least 6 characters in common.
bool reports(const Finding& f, const std::string& expected) {
    if (f.secret == expected) return true;
    if (expected.size() >= 6 && f.secret.find(expected) != std::string::npos) return true;
    if (f.secret.size() >= 6 && expected.find(f.secret) != std::string::npos) return true;
    return false;
}

struct Result {
    std::map<std::string, Score> by_family;
    Score total;
    std::vector<std::string> notes;  // misses and false positives, for KS_CORPUS_VERBOSE
};

Result evaluate() {
    BlobMatcher m(compile_rules(default_rules(), CompileOptions{{}, false}));
    Result r;
    std::vector<Sample> all = positives();
    for (auto& s : negatives()) all.push_back(std::move(s));
    for (auto& s : fixture_negatives(KS_FIXTURES_DIR)) all.push_back(std::move(s));
    std::vector<Finding> found;
    for (const Sample& s : all) {
        found.clear();
        m.scan(s.text, s.path, found);
        Score& fam = r.by_family[s.family];
        (s.secrets.empty() ? fam.samples_neg : fam.samples_pos)++;
        std::vector<char> used(found.size());
        for (const auto& want : s.secrets) {
            ++fam.expected;
            bool hit = false;
            for (std::size_t i = 0; i < found.size(); ++i)
                if (reports(found[i], want)) used[i] = 1, hit = true;
            if (hit) ++fam.tp;
            else {
                ++fam.fn;
                r.notes.push_back("MISS [" + s.family + "] " + s.path + ": " + want.substr(0, 80));
            }
        }
        for (std::size_t i = 0; i < found.size(); ++i) {
            if (used[i]) continue;
            ++fam.fp;
            r.notes.push_back("FP   [" + s.family + "] " + s.path + ":" + std::to_string(found[i].line) + " " +
                              found[i].rule_id + ": " + found[i].secret.substr(0, 60));
        }
    }
    for (const auto& [name, f] : r.by_family) {
        r.total.samples_pos += f.samples_pos, r.total.samples_neg += f.samples_neg;
        r.total.expected += f.expected, r.total.tp += f.tp, r.total.fn += f.fn, r.total.fp += f.fp;
    }
    return r;
}

std::string row(const std::string& name, const Score& s) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "| %-16s | %9d | %9d | %8d | %5d | %4d | %4d | %9.3f | %6.3f |\n", name.c_str(), s.samples_pos,
                  s.samples_neg, s.expected, s.tp, s.fn, s.fp, s.precision(), s.recall());
    return buf;
}

std::string table(const Result& r) {
    std::string t = "| family           | positives | negatives | expected |    TP |   FN |   FP | precision | recall |\n"
                    "|------------------|----------:|----------:|---------:|------:|-----:|-----:|----------:|-------:|\n";
    for (const auto& [name, s] : r.by_family) t += row(name, s);
    t += row("**overall**", r.total);
    return t;
}

TEST(Corpus, IsLargeEnough) {
    auto p = positives();
    auto n = negatives();
    auto fixtures = fixture_negatives(KS_FIXTURES_DIR);
    EXPECT_FALSE(fixtures.empty());
    n.insert(n.end(), fixtures.begin(), fixtures.end());
    EXPECT_GE(p.size(), 300u);
    EXPECT_GE(n.size(), 300u);
    for (const auto& s : p) EXPECT_FALSE(s.secrets.empty()) << s.path;
}

TEST(Corpus, PrecisionAndRecallPerFamily) {
    Result r = evaluate();
    std::printf("\n%s\n", table(r).c_str());
    const bool verbose = std::getenv("KS_CORPUS_VERBOSE") != nullptr;
    const bool ok = r.total.recall() >= 0.95 && r.total.precision() >= 0.95;
    if (verbose || !ok)
        for (const auto& n : r.notes) std::printf("%s\n", n.c_str());
    EXPECT_GE(r.total.recall(), 0.95);
    EXPECT_GE(r.total.precision(), 0.95);
}

}  // namespace
}  // namespace ks::corpus
