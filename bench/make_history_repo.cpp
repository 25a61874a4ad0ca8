// make_history_repo: builds, deterministically, a git repository with a long history made of real text
// found on this machine, with fake credentials planted in it, for the end-to-end benchmark.
//
//   make_history_repo OUTDIR [--commits N] [--blob-bytes SIZE] [--keys K] [--files F] [--seed S]
//                            [--source DIR]... [--force] [--no-repack] [--quiet]
//
// Writes OUTDIR/repo.git (bare, one pack, like a mirror clone), OUTDIR/manifest.tsv (one line per planted
// secret: kind, sha256 of the secret, introducing commit, branch, path, commit that removed it) and
// OUTDIR/info.txt (parameters and sizes). The work happens in OUTDIR.tmp, renamed at the end, so an
// interrupted run never leaves a repository that looks finished.
//
// Same machine + same flags => same repository (same commit ids): the source files are ordered by a seeded
// hash of their path (installing a package disturbs little), every other choice comes from one seeded PRNG,
// identities and dates are fixed. The history is written as
// a `git fast-import` stream into a child git process, then packed once with `git repack -a -d -F`
// (default window and depth: like the pack a clone receives).
//
// No key-shaped literal appears in this file: planted secrets are built at run time from a prefix and
// characters drawn from the PRNG.

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Deterministic PRNG (xoshiro256**, seeded by splitmix64): identical sequence on every platform, unlike the
// <random> distributions.
class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (auto& w : s_) {
            seed += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            w = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n); n > 0.
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
    std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }  // [lo, hi]
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// ---------------------------------------------------------------------------------------------------------
struct Options {
    fs::path out;
    std::uint64_t commits = 20000;
    std::uint64_t blob_bytes = 5ull << 30;  // target total of uncompressed bytes of all distinct blobs
    std::uint64_t keys = 50;
    std::uint64_t files = 3000;             // files in the first commit
    std::uint64_t seed = 20240601;
    std::vector<fs::path> sources;
    bool force = false;
    bool repack = true;
    bool quiet = false;
};

[[noreturn]] void die(const std::string& msg) {
    std::cerr << "make_history_repo: " << msg << "\n";
    std::exit(2);
}

std::uint64_t parse_size(const std::string& s) {
    if (s.empty()) die("empty size");
    std::size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(s, &pos);
    } catch (...) {
        die("bad size: " + s);
    }
    std::string suf = s.substr(pos);
    double mul = 1;
    if (suf.empty() || suf == "B") mul = 1;
    else if (suf == "K" || suf == "KiB" || suf == "k") mul = 1024.0;
    else if (suf == "M" || suf == "MiB") mul = 1024.0 * 1024;
    else if (suf == "G" || suf == "GiB") mul = 1024.0 * 1024 * 1024;
    else die("bad size suffix in " + s + " (use K, M, G)");
    if (v < 0) die("negative size: " + s);
    return static_cast<std::uint64_t>(v * mul);
}

std::uint64_t parse_count(const std::string& s) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (errno || end == s.c_str() || *end) die("bad number: " + s);
    return v;
}

void usage() {
    std::cout <<
        "usage: make_history_repo OUTDIR [options]\n"
        "  --commits N       commits in the history (default 20000)\n"
        "  --blob-bytes SIZE target total uncompressed size of all distinct blobs, e.g. 1G, 5G (default 5G)\n"
        "  --keys K          fake credentials to plant (default 50)\n"
        "  --files F         files in the first commit (default 3000)\n"
        "  --seed S          PRNG seed (default 20240601)\n"
        "  --source DIR      where to take real text from (repeatable; default /usr/include and /usr/share)\n"
        "  --force           replace OUTDIR if it exists\n"
        "  --no-repack       keep fast-import's pack as is (uncompressed, no deltas: not like a clone)\n"
        "  --quiet           no progress on stderr\n"
        "Writes OUTDIR/repo.git (bare), OUTDIR/manifest.tsv and OUTDIR/info.txt.\n";
}

Options parse_args(int argc, char** argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) die("missing value after " + a);
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        } else if (a == "--commits") o.commits = parse_count(value());
        else if (a == "--blob-bytes") o.blob_bytes = parse_size(value());
        else if (a == "--keys") o.keys = parse_count(value());
        else if (a == "--files") o.files = parse_count(value());
        else if (a == "--seed") o.seed = parse_count(value());
        else if (a == "--source") o.sources.emplace_back(value());
        else if (a == "--force") o.force = true;
        else if (a == "--no-repack") o.repack = false;
        else if (a == "--quiet") o.quiet = true;
        else if (!a.empty() && a[0] == '-') die("unknown option " + a + " (see --help)");
        else if (o.out.empty()) o.out = a;
        else die("more than one OUTDIR given");
    }
    if (o.out.empty()) {
        usage();
        std::exit(2);
    }
    if (o.commits < 2) die("--commits must be at least 2");
    if (o.files < 10) die("--files must be at least 10");
    if (o.sources.empty()) o.sources = {"/usr/include", "/usr/share"};
    return o;
}

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string sha256_hex(std::string_view s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr)) die("sha256 failed");
    static const char* hex = "0123456789abcdef";
    std::string r;
    for (unsigned i = 0; i < len; ++i) {
        r += hex[md[i] >> 4];
        r += hex[md[i] & 15];
    }
    return r;
}

// ---------------------------------------------------------------------------------------------------------
// Real text from the machine.

struct SourceFile {
    std::string path;  // path inside the generated repository, e.g. "include/linux/types.h"
    std::shared_ptr<const std::string> text;
};

bool acceptable_path(const std::string& p) {
    if (p.empty() || p.front() == '"' || p.size() > 200) return false;
    for (unsigned char c : p)
        if (c < 0x20 || c == 0x7f || c == '\\') return false;
    return true;
}

// Text: no NUL, almost no control characters (git, and keysweep, would treat it as binary otherwise).
bool looks_like_text(const std::string& s) {
    std::size_t ctl = 0;
    for (unsigned char c : s) {
        if (c == 0) return false;
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) ++ctl;
    }
    return ctl * 200 <= s.size() && s.find('\n') != std::string::npos;
}

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) return std::nullopt;
    return std::move(ss).str();
}

struct Pool {
    std::vector<SourceFile> initial;   // the first commit's files
    std::vector<SourceFile> reserve;   // files added later
    std::string donor;                 // real text that edits splice in (line-aligned chunks)
    std::size_t candidates = 0;
};

Pool load_pool(const Options& o) {
    constexpr std::uintmax_t kMinSize = 256, kMaxSize = 512 * 1024;
    std::vector<std::pair<std::string, fs::path>> cands;  // (repo path, disk path)
    for (const auto& root : o.sources) {
        std::error_code ec;
        if (!fs::is_directory(root, ec)) die("not a folder: " + root.string());
        std::string prefix = root.filename().string();
        if (prefix.empty()) prefix = root.parent_path().filename().string();
        fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            std::error_code e2;
            auto st = it->symlink_status(e2);
            if (e2 || !fs::is_regular_file(st)) continue;
            auto sz = it->file_size(e2);
            if (e2 || sz < kMinSize || sz > kMaxSize) continue;
            std::string rel = prefix + "/" + fs::relative(it->path(), root, e2).generic_string();
            if (e2 || !acceptable_path(rel)) continue;
            cands.emplace_back(std::move(rel), it->path());
        }
    }
    std::sort(cands.begin(), cands.end());
    cands.erase(std::unique(cands.begin(), cands.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                cands.end());
    // A seeded order that depends on each path alone (not on its rank in the list), so that installing a
    // package adds a few candidates without reshuffling all the others.
    auto rank = [&](const std::string& path) {
        std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a splitmix64 finaliser with the seed
        for (unsigned char ch : path) h = (h ^ ch) * 0x100000001b3ull;
        h ^= o.seed * 0x9E3779B97F4A7C15ull;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
        return h ^ (h >> 31);
    };
    {
        std::vector<std::pair<std::uint64_t, std::size_t>> order;
        order.reserve(cands.size());
        for (std::size_t i = 0; i < cands.size(); ++i) order.emplace_back(rank(cands[i].first), i);
        std::sort(order.begin(), order.end());
        std::vector<std::pair<std::string, fs::path>> shuffled;
        shuffled.reserve(cands.size());
        for (const auto& [key, i] : order) shuffled.push_back(std::move(cands[i]));
        cands = std::move(shuffled);
    }

    Pool pool;
    pool.candidates = cands.size();
    const std::size_t want_reserve = o.files;           // plenty for additions
    const std::size_t want_donor = 24u << 20;           // 24 MiB of text to splice from
    for (const auto& [rel, disk] : cands) {
        if (pool.initial.size() >= o.files && pool.reserve.size() >= want_reserve && pool.donor.size() >= want_donor)
            break;
        auto text = read_file(disk);
        if (!text || !looks_like_text(*text)) continue;
        if (text->back() != '\n') text->push_back('\n');
        if (pool.initial.size() < o.files) {
            pool.initial.push_back({rel, std::make_shared<const std::string>(std::move(*text))});
        } else if (pool.reserve.size() < want_reserve) {
            pool.reserve.push_back({rel, std::make_shared<const std::string>(std::move(*text))});
        } else {
            pool.donor += *text;
        }
    }
    if (pool.initial.size() < o.files)
        die("found only " + std::to_string(pool.initial.size()) + " text files under the source folders; need --files " +
            std::to_string(o.files));
    if (pool.donor.size() < (1u << 20)) {  // small machines: splice from the tree's own files
        for (const auto& f : pool.initial) {
            pool.donor += *f.text;
            if (pool.donor.size() >= want_donor) break;
        }
    }
    return pool;
}

// ---------------------------------------------------------------------------------------------------------
// Writing the fast-import stream into a child `git fast-import`.

class Child {
public:
    Child(const std::vector<std::string>& argv, bool pipe_stdin) {
        std::vector<char*> av;
        for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
        av.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        int fds[2] = {-1, -1};
        if (pipe_stdin) {
            if (pipe2(fds, O_CLOEXEC) != 0) die(std::string("pipe: ") + std::strerror(errno));
            posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
        } else {
            // Never our stdin: `git repack` hands it to pack-objects, which reads revisions from it.
            posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        }
        int rc = posix_spawnp(&pid_, av[0], &fa, nullptr, av.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) die("cannot run " + argv[0] + ": " + std::strerror(rc));
        if (pipe_stdin) {
            close(fds[0]);
            fd_ = fds[1];
        }
        name_ = argv.size() > 3 ? argv[3] : argv[0];
    }
    void write(const char* p, std::size_t n) {
        while (n > 0) {
            ssize_t w = ::write(fd_, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                die("writing to git " + name_ + ": " + std::strerror(errno));
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }
    int wait() {
        if (fd_ >= 0) {
            close(fd_);
            fd_ = -1;
        }
        int st = 0;
        while (waitpid(pid_, &st, 0) < 0)
            if (errno != EINTR) die(std::string("waitpid: ") + std::strerror(errno));
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string name_;
};

void run_git(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c(argv, false);
    int rc = c.wait();
    if (rc != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        die("`" + cmd + "` failed with status " + std::to_string(rc));
    }
}

class Stream {
public:
    explicit Stream(Child& c) : child_(c) { buf_.reserve(kCap); }
    ~Stream() { flush(); }
    Stream& operator<<(std::string_view s) {
        if (buf_.size() + s.size() > kCap) flush();
        if (s.size() >= kCap) child_.write(s.data(), s.size());
        else buf_.append(s);
        bytes_ += s.size();
        return *this;
    }
    Stream& operator<<(std::uint64_t v) { return *this << std::string_view(std::to_string(v)); }
    void data(std::string_view payload) {
        *this << "data " << static_cast<std::uint64_t>(payload.size()) << "\n";
        *this << payload << "\n";
    }
    void flush() {
        if (!buf_.empty()) child_.write(buf_.data(), buf_.size());
        buf_.clear();
    }
    std::uint64_t bytes() const { return bytes_; }

private:
    static constexpr std::size_t kCap = 4u << 20;
    Child& child_;
    std::string buf_;
    std::uint64_t bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// The history model: each branch has a tree (path -> blob version); a commit stages changes, emits the new
// blobs (each once, so no blob is left unreachable), then the commit.

struct Version {
    std::uint64_t mark = 0;  // fast-import mark of the blob
    std::shared_ptr<const std::string> text;
};
using Tree = std::map<std::string, Version>;

struct Branch {
    std::string ref;
    Tree tree;
    std::uint64_t tip = 0;  // commit mark; 0 = no commit yet
    bool needs_from = false;
    std::uint64_t from = 0;  // parent mark when needs_from
    // Picking a random path: keys of `tree`, rebuilt when paths were added or removed.
    std::vector<std::string> keys;
    bool keys_dirty = true;
    const std::vector<std::string>& paths() {
        if (keys_dirty) {
            keys.clear();
            keys.reserve(tree.size());
            for (const auto& kv : tree) keys.push_back(kv.first);
            keys_dirty = false;
        }
        return keys;
    }
};

enum class KeyKind { aws_key_id, aws_secret, github_pat, slack_bot, stripe_live };
constexpr KeyKind kKinds[] = {KeyKind::aws_key_id, KeyKind::aws_secret, KeyKind::github_pat, KeyKind::slack_bot,
                              KeyKind::stripe_live};

const char* kind_name(KeyKind k) {
    switch (k) {
        case KeyKind::aws_key_id: return "aws-access-key-id";
        case KeyKind::aws_secret: return "aws-secret-access-key";
        case KeyKind::github_pat: return "github-pat";
        case KeyKind::slack_bot: return "slack-bot-token";
        case KeyKind::stripe_live: return "stripe-live-secret-key";
    }
    return "?";
}

struct Plant {
    KeyKind kind;
    std::string secret;
    std::string line;       // the whole planted line, with its newline
    std::uint64_t commit_index = 0;
    std::uint64_t commit_mark = 0;
    std::string branch;
    std::string path;
    bool own_file = false;  // planted in a file of its own (deleted by removing the file)
    std::uint64_t delete_at = 0;  // commit index from which to remove it (0: never)
    std::uint64_t deleted_mark = 0;
    bool on_release = false;      // planted on the release branch (never merged into main)
};

double shannon(std::string_view s) {
    if (s.empty()) return 0;
    std::size_t n[256] = {};
    for (unsigned char c : s) ++n[c];
    double h = 0;
    for (std::size_t c : n)
        if (c) {
            double p = static_cast<double>(c) / static_cast<double>(s.size());
            h -= p * std::log2(p);
        }
    return h;
}

std::string draw(Rng& rng, std::string_view alphabet, std::size_t n) {
    std::string s;
    s.reserve(n);
    for (std::size_t i = 0; i < n; ++i) s += alphabet[rng.below(alphabet.size())];
    return s;
}

bool has_stopword(const std::string& s) {
    std::string l = s;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* w : {"example", "test", "fake", "dummy", "sample", "xxxx", "0000", "1234", "abcd", "demo"})
        if (l.find(w) != std::string::npos) return true;
    return false;
}

// Builds a fake secret of `kind` and the line that carries it. Key-shaped only at run time.
std::pair<std::string, std::string> make_secret(KeyKind kind, Rng& rng, std::uint64_t style) {
    const std::string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const std::string lower = "abcdefghijklmnopqrstuvwxyz";
    const std::string digits = "0123456789";
    const std::string b32 = upper + "234567";
    const std::string alnum = upper + lower + digits;
    const std::string b64 = alnum + "+/";
    for (;;) {
        std::string secret, body;
        double min_h = 3.0;
        switch (kind) {
            case KeyKind::aws_key_id:
                body = draw(rng, b32, 16);
                secret = std::string("AK") + "IA" + body;
                min_h = 3.3;
                break;
            case KeyKind::aws_secret:
                body = draw(rng, b64, 40);
                secret = body;
                min_h = 4.3;
                break;
            case KeyKind::github_pat:
                body = draw(rng, alnum, 36);
                secret = std::string("gh") + "p_" + body;
                min_h = 4.3;
                break;
            case KeyKind::slack_bot:
                body = draw(rng, alnum, 24);
                secret = std::string("xo") + "xb-" + std::to_string(rng.range(1, 9)) + draw(rng, digits, 11) + "-" +
                         std::to_string(rng.range(1, 9)) + draw(rng, digits, 12) + "-" + body;
                min_h = 4.0;
                break;
            case KeyKind::stripe_live:
                body = draw(rng, alnum, 24);
                secret = std::string("sk") + "_live_" + body;
                min_h = 4.0;
                break;
        }
        if (has_stopword(body) || shannon(body) < min_h) continue;
        std::string line;
        switch (kind) {
            case KeyKind::aws_key_id:
                line = style % 2 ? "aws_access_key_id = " + secret : "AWS_ACCESS_KEY_ID=" + secret;
                break;
            case KeyKind::aws_secret:
                line = "aws_secret_access_key = " + secret;
                break;
            case KeyKind::github_pat:
                line = style % 2 ? "GITHUB_TOKEN=" + secret : "    token: \"" + secret + "\"";
                break;
            case KeyKind::slack_bot:
                line = style % 2 ? "SLACK_BOT_TOKEN=" + secret : "slack_token = \"" + secret + "\"";
                break;
            case KeyKind::stripe_live:
                line = style % 2 ? "STRIPE_SECRET_KEY=" + secret : "stripe.api_key = \"" + secret + "\"";
                break;
        }
        return {secret, line + "\n"};
    }
}

class Generator {
public:
    Generator(const Options& o, Pool& pool, Rng& rng, Stream& out)
        : o_(o), pool_(pool), rng_(rng), out_(out) {
        main_.ref = "refs/heads/main";
        topic_.ref = "refs/heads/topic";
        release_.ref = "refs/heads/release";
    }

    void run();
    std::vector<Plant>& plants() { return plants_; }
    std::uint64_t blob_bytes() const { return blob_bytes_; }
    std::uint64_t blobs() const { return blobs_; }
    std::uint64_t commits() const { return commits_; }
    std::uint64_t merges() const { return merges_; }
    std::uint64_t tags() const { return tags_; }

private:
    // One commit's staged changes: path -> new content (nullptr: delete).
    using Stage = std::map<std::string, std::shared_ptr<const std::string>>;

    std::string_view donor_chunk(std::size_t min_len, std::size_t max_len);
    std::string edit(const std::string& text);
    const std::string& pick_path(Branch& b, bool by_size);
    std::shared_ptr<const std::string> current(Branch& b, const Stage& st, const std::string& path);
    void commit(Branch& b, Stage& st, const std::string& message, std::uint64_t merge_from = 0,
                const Tree* merged = nullptr);
    Tree merge_trees(const Tree& base, const Tree& ours, const Tree& theirs);
    void plant(Branch& b, Stage& st, Plant& p);
    std::vector<std::size_t> process_deletions(Branch& b, Stage& st);
    void tag(const std::string& name, std::uint64_t mark, bool annotated);
    void ident(const char* role);
    void progress();

    const Options& o_;
    Pool& pool_;
    Rng& rng_;
    Stream& out_;
    Branch main_, topic_, release_;
    Tree topic_base_, release_base_;
    bool topic_active_ = false;
    std::uint64_t topic_left_ = 0;
    bool release_exists_ = false;
    std::uint64_t release_commits_ = 0;
    std::uint64_t next_mark_ = 1;
    std::uint64_t index_ = 0;  // current commit index (0-based)
    std::uint64_t blob_bytes_ = 0, blobs_ = 0, commits_ = 0, merges_ = 0, tags_ = 0;
    std::size_t reserve_next_ = 0, generated_files_ = 0;
    std::vector<Plant> plants_;
    std::multimap<std::uint64_t, std::size_t> plant_at_;  // commit index -> plant index
    double t0_ = now_s();
};

std::string_view Generator::donor_chunk(std::size_t min_len, std::size_t max_len) {
    const std::string& d = pool_.donor;
    std::size_t start = rng_.below(d.size());
    std::size_t nl = d.find('\n', start);
    start = (nl == std::string::npos || nl + 1 >= d.size()) ? 0 : nl + 1;
    std::size_t want = static_cast<std::size_t>(rng_.range(min_len, max_len));
    std::size_t end = std::min(d.size(), start + want);
    std::size_t e = d.find('\n', end);
    end = (e == std::string::npos) ? d.size() : e + 1;
    return std::string_view(d).substr(start, end - start);
}

// One realistic edit: replace, insert, append or delete a run of whole lines, with real text.
std::string Generator::edit(const std::string& text) {
    auto snap = [&](std::size_t pos) {  // start of the line after pos (or end)
        if (pos == 0) return std::size_t{0};
        std::size_t nl = text.find('\n', pos);
        return nl == std::string::npos ? text.size() : nl + 1;
    };
    constexpr std::size_t kCap = 1024 * 1024;
    std::uint64_t op = rng_.below(100);
    if (text.size() > kCap && op < 60) op = 90;           // too big: shrink
    if (text.size() < 512 && op >= 80) op = 50;           // too small: grow
    std::string r;
    if (op < 45) {  // replace a run of lines
        std::size_t a = snap(rng_.below(text.size()));
        std::size_t b = snap(std::min(text.size(), a + rng_.range(1, 2048)));
        auto chunk = donor_chunk(16, 2048);
        r.reserve(text.size() - (b - a) + chunk.size());
        r.append(text, 0, a).append(chunk).append(text, b);
    } else if (op < 70) {  // insert
        std::size_t a = snap(rng_.below(text.size()));
        auto chunk = donor_chunk(16, 4096);
        r.reserve(text.size() + chunk.size());
        r.append(text, 0, a).append(chunk).append(text, a);
    } else if (op < 80) {  // append
        auto chunk = donor_chunk(64, 8192);
        r.reserve(text.size() + chunk.size());
        r.append(text).append(chunk);
    } else {  // delete a run of lines
        std::size_t a = snap(rng_.below(text.size()));
        std::size_t b = snap(std::min(text.size(), a + rng_.range(1, text.size() > kCap ? 65536 : 2048)));
        r.reserve(text.size());
        r.append(text, 0, a).append(text, b);
        if (r.empty()) r = std::string(donor_chunk(64, 1024));
    }
    if (r == text) r.append(donor_chunk(16, 256));
    return r;
}

const std::string& Generator::pick_path(Branch& b, bool by_size) {
    const auto& keys = b.paths();
    if (!by_size) return keys[rng_.below(keys.size())];
    // Size-weighted (rejection sampling): big files change more often, as in real projects.
    for (int tries = 0; tries < 256; ++tries) {
        const std::string& k = keys[rng_.below(keys.size())];
        std::size_t sz = b.tree.at(k).text->size();
        if (rng_.below(256 * 1024) < sz) return k;
    }
    return keys[rng_.below(keys.size())];
}

std::shared_ptr<const std::string> Generator::current(Branch& b, const Stage& st, const std::string& path) {
    if (auto it = st.find(path); it != st.end()) return it->second;
    if (auto it = b.tree.find(path); it != b.tree.end()) return it->second.text;
    return nullptr;
}

void Generator::ident(const char* role) {
    static const char* names[] = {"Ada Lovelace", "Alan Turing",   "Grace Hopper",  "Edsger Dijkstra",
                                  "Barbara Liskov", "Donald Knuth", "Frances Allen", "Ken Thompson",
                                  "Radia Perlman", "Dennis Ritchie", "Margaret Hamilton", "John Backus"};
    static const char* mails[] = {"ada", "alan", "grace", "edsger", "barbara", "donald",
                                  "frances", "ken", "radia", "dennis", "margaret", "john"};
    std::size_t who = (index_ * 7 + (role[0] == 'c' ? 3 : 0)) % 12;
    std::uint64_t when = 1420070400ull + index_ * 3000 + (index_ * 2654435761ull) % 1200;  // from 2015-01-01
    out_ << role << " " << names[who] << " <" << mails[who] << "@bench.invalid> " << when << " +0000\n";
}

void Generator::commit(Branch& b, Stage& st, const std::string& message, std::uint64_t merge_from,
                       const Tree* merged) {
    // Blobs first, each distinct staged content once.
    std::vector<std::pair<std::string, std::uint64_t>> mods;
    std::vector<std::string> dels;
    for (auto& [path, text] : st) {
        if (!text) {
            if (b.tree.count(path)) dels.push_back(path);
            continue;
        }
        auto it = b.tree.find(path);
        if (it != b.tree.end() && (it->second.text == text || *it->second.text == *text)) continue;  // unchanged
        std::uint64_t mark = 0;
        // Content that already has a mark (a merge brings the other side's version): reuse it.
        if (merged) {
            auto m = merged->find(path);
            if (m != merged->end() && m->second.text == text) mark = m->second.mark;
        }
        if (!mark) {
            mark = next_mark_++;
            out_ << "blob\nmark :" << mark << "\n";
            out_.data(*text);
            blob_bytes_ += text->size();
            ++blobs_;
        }
        mods.emplace_back(path, mark);
        b.tree[path] = Version{mark, text};
        if (it == b.tree.end()) b.keys_dirty = true;
    }
    for (const auto& p : dels) {
        b.tree.erase(p);
        b.keys_dirty = true;
    }
    std::uint64_t mark = next_mark_++;
    out_ << "commit " << b.ref << "\nmark :" << mark << "\n";
    ident("author");
    ident("committer");
    out_.data(message);
    if (b.needs_from) {
        out_ << "from :" << b.from << "\n";
        b.needs_from = false;
    }
    if (merge_from) out_ << "merge :" << merge_from << "\n";
    for (const auto& p : dels) out_ << "D " << p << "\n";
    for (const auto& [p, m] : mods) out_ << "M 100644 :" << m << " " << p << "\n";
    out_ << "\n";
    b.tip = mark;
    ++commits_;
    st.clear();
}

Tree Generator::merge_trees(const Tree& base, const Tree& ours, const Tree& theirs) {
    // Three-way by blob mark, path by path; when both sides changed a path, ours wins (the merge's resolution).
    Tree r = ours;
    auto mark_in = [](const Tree& t, const std::string& p) -> std::uint64_t {
        auto it = t.find(p);
        return it == t.end() ? 0 : it->second.mark;
    };
    std::set<std::string> paths;
    for (const auto& kv : base) paths.insert(kv.first);
    for (const auto& kv : theirs) paths.insert(kv.first);
    for (const auto& p : paths) {
        std::uint64_t b = mark_in(base, p), o = mark_in(ours, p), t = mark_in(theirs, p);
        if (t == b || o != b) continue;  // theirs unchanged, or ours changed too: keep ours
        if (t == 0) r.erase(p);
        else r[p] = theirs.at(p);
    }
    return r;
}

// Paths that secret scanners often skip by default (images, lock files, tests, examples): a key planted
// there would measure an allow-list, not the scan.
bool allow_listed_looking(const std::string& path) {
    std::string l = path;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* w : {"test", "example", "sample", "fixture", "mock", "vendor", "node_modules", "third_party"})
        if (l.find(w) != std::string::npos) return true;
    for (const char* e : {".svg", ".png", ".jpg", ".gif", ".pdf", ".lock", ".min.js", ".map", ".enc"})
        if (l.size() >= std::strlen(e) && l.compare(l.size() - std::strlen(e), std::string::npos, e) == 0) return true;
    return false;
}

void Generator::plant(Branch& b, Stage& st, Plant& p) {
    static const char* dirs[] = {"deploy/env", "services/billing/config", "ops/ansible/group_vars",
                                 "tools/ci/secrets", "app/settings", "infra/terraform/modules/iam"};
    static const char* exts[] = {".env", ".ini", ".yml", ".cfg", ".py", ".conf"};
    std::size_t i = &p - plants_.data();
    auto [secret, line] = make_secret(p.kind, rng_, rng_.next());
    p.secret = secret;
    p.line = line;
    p.commit_index = index_;
    p.branch = b.ref.substr(std::strlen("refs/heads/"));
    if (i % 2 == 0) {  // a file of its own, some real text around the secret
        p.own_file = true;
        p.path = std::string(dirs[i % 6]) + "/" + p.branch + "-" + std::to_string(i) + exts[(i / 6) % 6];
        std::string text(donor_chunk(64, 1024));
        text += line;
        text += donor_chunk(64, 2048);
        st[p.path] = std::make_shared<const std::string>(std::move(text));
    } else {  // one line inserted into a real file (not one that scanners commonly allow-list)
        for (int tries = 0;; ++tries) {
            p.path = pick_path(b, false);
            if (st.count(p.path) && !st.at(p.path)) continue;  // being deleted in this commit
            if (tries < 1000 && allow_listed_looking(p.path)) continue;
            break;
        }
        auto cur = current(b, st, p.path);
        std::size_t pos = rng_.below(cur->size());
        std::size_t nl = cur->find('\n', pos);
        pos = nl == std::string::npos ? cur->size() : nl + 1;
        std::string text;
        text.reserve(cur->size() + line.size());
        text.append(*cur, 0, pos).append(line).append(*cur, pos);
        st[p.path] = std::make_shared<const std::string>(std::move(text));
    }
}

std::vector<std::size_t> Generator::process_deletions(Branch& b, Stage& st) {
    std::vector<std::size_t> done;
    for (auto& p : plants_) {
        if (!p.delete_at || p.deleted_mark || p.commit_mark == 0 || index_ < p.delete_at) continue;
        if (b.ref != "refs/heads/" + p.branch) continue;
        auto cur = current(b, st, p.path);
        if (!cur) { p.delete_at = 0; continue; }             // already gone with its file
        std::size_t at = cur->find(p.line);
        if (at == std::string::npos) { p.delete_at = 0; continue; }  // an edit already removed it
        if (p.own_file) {
            st[p.path] = nullptr;
        } else {
            std::string text = *cur;
            text.erase(at, p.line.size());
            st[p.path] = std::make_shared<const std::string>(std::move(text));
        }
        done.push_back(static_cast<std::size_t>(&p - plants_.data()));
    }
    return done;
}

void Generator::tag(const std::string& name, std::uint64_t mark, bool annotated) {
    if (annotated) {
        out_ << "tag " << name << "\nfrom :" << mark << "\n";
        ident("tagger");
        out_.data("Release " + name + "\n");
    } else {
        out_ << "reset refs/tags/" << name << "\nfrom :" << mark << "\n\n";
    }
    ++tags_;
}

void Generator::progress() {
    if (o_.quiet) return;
    double dt = now_s() - t0_;
    std::fprintf(stderr, "\r  commits %llu/%llu  blobs %llu  %.0f MiB of blobs  %.1f s ",
                 static_cast<unsigned long long>(commits_), static_cast<unsigned long long>(o_.commits),
                 static_cast<unsigned long long>(blobs_), static_cast<double>(blob_bytes_) / 1048576.0, dt);
    std::fflush(stderr);
}

void Generator::run() {
    const std::uint64_t N = o_.commits;
    // Where the keys go: spread evenly over the history; a third of them removed again a little later.
    plants_.resize(o_.keys);
    for (std::uint64_t i = 0; i < o_.keys; ++i) {
        std::uint64_t at = std::clamp<std::uint64_t>((2 * i + 1) * N / (2 * o_.keys), 1, std::max<std::uint64_t>(1, N - 2));
        plants_[i].kind = kKinds[i % 5];
        if (i % 3 == 1) plants_[i].delete_at = std::min(N - 1, at + 1 + rng_.below(200));
        // A few keys only on the release branch: reachable from no branch but that one.
        plants_[i].on_release = i % 10 == 7 && at > N / 2 + 1;
        plant_at_.emplace(at, i);
    }
    const std::uint64_t release_at = N / 2;
    // Annotated tags v0.1 .. v0.5 on main, at the first main commit past each sixth of the history.
    int next_tag = 1;
    auto maybe_tag = [&] {
        if (next_tag <= 5 && index_ >= N * static_cast<std::uint64_t>(next_tag) / 6) {
            tag("v0." + std::to_string(next_tag), main_.tip, true);
            ++next_tag;
        }
    };

    out_ << "feature done\n";
    // Commit 0: the initial import.
    Stage st;
    for (const auto& f : pool_.initial) st[f.path] = f.text;
    index_ = 0;
    commit(main_, st, "Initial import of " + std::to_string(pool_.initial.size()) + " files\n");

    for (index_ = 1; index_ < N; ++index_) {
        // The byte budget this commit should bring the total to.
        const std::uint64_t budget = static_cast<std::uint64_t>(
            static_cast<long double>(o_.blob_bytes) * static_cast<long double>(index_ + 1) / static_cast<long double>(N));

        // Which branch: a topic branch forks from main, gets a few commits and is merged back; a release
        // branch forks at the middle, gets a commit now and then, and takes main in every so often.
        // A merge commit plants nothing, so none happens where a key is due.
        const bool plant_due = plant_at_.count(index_) > 0;
        bool release_due = false;
        for (auto [it, end] = plant_at_.equal_range(index_); it != end; ++it)
            release_due = release_due || (release_exists_ && plants_[it->second].on_release);
        Branch* b = &main_;
        if (release_due || (release_exists_ && rng_.below(40) == 0)) {
            b = &release_;
            if (++release_commits_ % 20 == 0 && !plant_due) {  // merge main into release
                Tree merged = merge_trees(release_base_, release_.tree, main_.tree);
                Stage ms;
                for (const auto& [p, v] : merged) {
                    auto it = release_.tree.find(p);
                    if (it == release_.tree.end() || it->second.mark != v.mark) ms[p] = v.text;
                }
                for (const auto& [p, v] : release_.tree)
                    if (!merged.count(p)) ms[p] = nullptr;
                commit(release_, ms, "Merge branch 'main' into release\n", main_.tip, &merged);
                release_base_ = main_.tree;
                ++merges_;
                continue;
            }
        } else if (topic_active_ && topic_left_ == 0 && !plant_due) {  // merge the topic into main
            Tree merged = merge_trees(topic_base_, main_.tree, topic_.tree);
            Stage ms;
            for (const auto& [p, v] : merged) {
                auto it = main_.tree.find(p);
                if (it == main_.tree.end() || it->second.mark != v.mark) ms[p] = v.text;
            }
            for (const auto& [p, v] : main_.tree)
                if (!merged.count(p)) ms[p] = nullptr;
            commit(main_, ms, "Merge branch 'topic'\n", topic_.tip, &merged);
            topic_active_ = false;
            ++merges_;
            maybe_tag();
            continue;
        } else if (topic_active_ && rng_.chance(0.5)) {
            b = &topic_;
            if (topic_left_) --topic_left_;
        } else if (!topic_active_ && rng_.below(25) == 0) {
            topic_active_ = true;
            topic_left_ = rng_.range(1, 11);
            topic_.tree = main_.tree;
            topic_.keys_dirty = true;
            topic_base_ = main_.tree;
            topic_.needs_from = true;
            topic_.from = main_.tip;
            b = &topic_;
        }

        Stage s;
        std::uint64_t edits = 0, adds = 0, removes = 0;
        // Edits: a few files always, more while the total is behind the byte budget.
        std::uint64_t min_edits = rng_.range(1, 4);
        std::uint64_t pending = 0;
        for (int guard = 0; guard < 2000 && (edits < min_edits || blob_bytes_ + pending < budget); ++guard) {
            const std::string& p = pick_path(*b, rng_.chance(0.6));
            auto cur = current(*b, s, p);
            if (!cur) continue;
            auto next = std::make_shared<const std::string>(edit(*cur));
            if (s.count(p) == 0) pending += next->size();
            else pending += next->size() - std::min(next->size(), cur->size());
            s[p] = std::move(next);
            ++edits;
        }
        if (rng_.chance(0.15)) {  // add a file
            std::string path;
            std::shared_ptr<const std::string> text;
            if (reserve_next_ < pool_.reserve.size()) {
                path = pool_.reserve[reserve_next_].path;
                text = pool_.reserve[reserve_next_].text;
                ++reserve_next_;
            } else {
                path = "src/generated/part-" + std::to_string(generated_files_++) + ".txt";
                text = std::make_shared<const std::string>(std::string(donor_chunk(1024, 32768)));
            }
            if (!b->tree.count(path) && !s.count(path)) {
                s[path] = std::move(text);
                ++adds;
            }
        }
        if (rng_.chance(0.10) && b->tree.size() > o_.files / 2) {  // remove a file
            const std::string p = pick_path(*b, false);
            if (!s.count(p)) {
                s[p] = nullptr;
                ++removes;
            }
        }
        if (rng_.chance(0.03)) {  // rename a file (same blob, new folder)
            const std::string p = pick_path(*b, false);
            if (!s.count(p)) {
                std::string np = "moved/" + p;
                if (!b->tree.count(np) && acceptable_path(np)) {
                    s[np] = b->tree.at(p).text;
                    s[p] = nullptr;
                }
            }
        }
        // Planted keys scheduled at this commit, and removals that are due on this branch.
        std::vector<std::size_t> planted_here;
        for (auto [it, end] = plant_at_.equal_range(index_); it != end; ++it) {
            plant(*b, s, plants_[it->second]);
            planted_here.push_back(it->second);
        }
        auto removed_here = process_deletions(*b, s);

        std::string msg = "Update " + std::to_string(edits) + " file" + (edits == 1 ? "" : "s");
        if (adds) msg += ", add " + std::to_string(adds);
        if (removes) msg += ", remove " + std::to_string(removes);
        msg += "\n\nChange " + std::to_string(index_) + " on " + b->ref.substr(11) + ".\n";
        commit(*b, s, msg);
        for (auto i : planted_here) plants_[i].commit_mark = b->tip;
        for (auto i : removed_here) plants_[i].deleted_mark = b->tip;

        if (b == &main_) maybe_tag();
        if (b == &main_ && !release_exists_ && index_ >= release_at) {
            release_exists_ = true;
            release_.tree = main_.tree;
            release_.keys_dirty = true;
            release_base_ = main_.tree;
            release_.needs_from = true;
            release_.from = main_.tip;
            tag("release-base", main_.tip, false);
        }
        if (index_ % 200 == 0) progress();
    }
    // A tag on each tip, so every ref kind is present.
    tag("v1.0", main_.tip, true);
    if (release_exists_) {
        // The release ref exists only once it has a commit; make sure it has one.
        if (!release_.tip) {
            out_ << "reset " << release_.ref << "\nfrom :" << release_.from << "\n\n";
        }
    }
    out_ << "done\n";
    progress();
    if (!o_.quiet) std::fputc('\n', stderr);
}

// ---------------------------------------------------------------------------------------------------------

std::unordered_map<std::uint64_t, std::string> read_marks(const fs::path& p) {
    std::unordered_map<std::uint64_t, std::string> m;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 3 || line[0] != ':') continue;
        auto sp = line.find(' ');
        m[std::strtoull(line.c_str() + 1, nullptr, 10)] = line.substr(sp + 1);
    }
    return m;
}

std::uint64_t dir_size(const fs::path& p) {
    std::uint64_t n = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) n += it->file_size(ec);
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    Options o = parse_args(argc, argv);
    const double t_start = now_s();
    std::error_code ec;
    if (!o.out.has_filename()) o.out = o.out.parent_path();
    if (fs::exists(o.out, ec)) {
        if (!o.force) die(o.out.string() + " exists (use --force to replace it)");
        fs::remove_all(o.out, ec);
        if (ec) die("cannot remove " + o.out.string() + ": " + ec.message());
    }
    o.out = fs::absolute(o.out).lexically_normal();
    fs::path tmp = o.out;
    tmp += ".tmp";
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) die("cannot create " + tmp.string() + ": " + ec.message());
    const fs::path repo = tmp / "repo.git";

    Rng rng(o.seed);
    if (!o.quiet) std::cerr << "make_history_repo: reading text from the source folders\n";
    Pool pool = load_pool(o);
    const double t_pool = now_s();
    if (!o.quiet)
        std::cerr << "  " << pool.candidates << " candidate files; " << pool.initial.size() << " in the first commit, "
                  << pool.reserve.size() << " to add later, " << (pool.donor.size() >> 20) << " MiB to splice from ("
                  << static_cast<int>(t_pool - t_start) << " s)\n";

    run_git({"init", "--quiet", "--bare", "-b", "main", repo.string()});
    // Settings of a plain clone; no bitmaps (a clone has none).
    run_git({"-C", repo.string(), "config", "repack.writeBitmaps", "false"});
    run_git({"-C", repo.string(), "config", "gc.auto", "0"});

    const fs::path marks = tmp / "marks";
    std::uint64_t stream_bytes = 0;
    // fast-import writes a throw-away pack: stored uncompressed and without deltas (its deltas are against
    // whatever blob came just before, useless), which makes it several times faster; the repack below
    // computes the real deltas and compresses at the default level.
    Child fi({"git", "-C", repo.string(), "-c", "pack.compression=0", "fast-import", "--quiet", "--depth=0",
              "--export-marks=" + marks.string()},
             true);
    std::vector<Plant> plants;
    std::uint64_t blobs = 0, blob_bytes = 0, commits = 0, merges = 0, tags = 0;
    {
        Stream out(fi);
        Generator g(o, pool, rng, out);
        g.run();
        out.flush();
        stream_bytes = out.bytes();
        plants = g.plants();
        blobs = g.blobs();
        blob_bytes = g.blob_bytes();
        commits = g.commits();
        merges = g.merges();
        tags = g.tags();
    }
    if (int rc = fi.wait(); rc != 0) die("git fast-import failed with status " + std::to_string(rc));
    const double t_import = now_s();
    if (!o.quiet)
        std::cerr << "  fast-import done: " << commits << " commits, " << blobs << " blobs, "
                  << (blob_bytes >> 20) << " MiB of blobs (" << static_cast<int>(t_import - t_pool) << " s)\n";

    if (o.repack) {
        if (!o.quiet) std::cerr << "  git repack -a -d -F (one pack, default delta window and depth, as a clone has)\n";
        run_git({"-C", repo.string(), "repack", "-a", "-d", "-F", "-q"});
    }
    run_git({"-C", repo.string(), "pack-refs", "--all"});
    const double t_repack = now_s();

    // Manifest: every planted secret by hash, never in clear.
    auto m = read_marks(marks);
    {
        std::ofstream mf(tmp / "manifest.tsv");
        mf << "# kind\tsha256(secret)\tcommit\tbranch\tpath\tremoved_in\n";
        for (const auto& p : plants) {
            if (!p.commit_mark) die("internal error: a key was not planted");
            mf << kind_name(p.kind) << "\t" << sha256_hex(p.secret) << "\t" << m.at(p.commit_mark) << "\t" << p.branch
               << "\t" << p.path << "\t" << (p.deleted_mark ? m.at(p.deleted_mark) : "-") << "\n";
        }
        if (!mf) die("cannot write the manifest");
    }
    fs::remove(marks, ec);
    const std::uint64_t pack_bytes = dir_size(repo / "objects" / "pack");
    {
        std::ofstream inf(tmp / "info.txt");
        inf << "commits\t" << commits << "\nmerges\t" << merges << "\ntags\t" << tags << "\nblobs_written\t" << blobs
            << "\nblob_bytes_written\t" << blob_bytes << "\nplanted_keys\t" << plants.size() << "\nfiles_first_commit\t"
            << pool.initial.size() << "\nseed\t" << o.seed << "\ntarget_blob_bytes\t" << o.blob_bytes
            << "\nfast_import_stream_bytes\t" << stream_bytes << "\npack_bytes\t" << pack_bytes << "\nseconds_read_text\t"
            << (t_pool - t_start) << "\nseconds_fast_import\t" << (t_import - t_pool) << "\nseconds_repack\t"
            << (t_repack - t_import) << "\nseconds_total\t" << (t_repack - t_start) << "\n";
    }
    fs::rename(tmp, o.out, ec);
    if (ec) die("cannot rename " + tmp.string() + " to " + o.out.string() + ": " + ec.message());
    if (!o.quiet)
        std::cerr << "make_history_repo: " << o.out.string() << "/repo.git: " << commits << " commits, "
                  << (blob_bytes >> 20) << " MiB of blobs, pack " << (pack_bytes >> 20) << " MiB, " << plants.size()
                  << " keys planted; " << static_cast<int>(t_repack - t_start) << " s\n";
    return 0;
}
