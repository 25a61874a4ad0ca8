#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

extern char** environ;

namespace ks::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/keysweep-test-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

RunResult run(const std::vector<std::string>& argv, const fs::path& cwd, const std::string& input,
              const std::vector<std::string>& extra_env) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        // A pipe end may have landed on 0-2 when the test itself runs without them: keep those.
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
            if (fd > 2) close(fd);
        if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
        for (const auto& kv : extra_env) putenv(const_cast<char*>(strdup(kv.c_str())));
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    RunResult r;
    size_t written = 0;
    if (input.empty()) close(in[1]);
    bool in_open = !input.empty();
    bool out_open = true, err_open = true;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    char buf[65536];
    while (out_open || err_open) {
        pollfd fds[3];
        int n = 0;
        int oi = -1, ei = -1, ii = -1;
        if (out_open) { fds[n] = {out[0], POLLIN, 0}; oi = n++; }
        if (err_open) { fds[n] = {err[0], POLLIN, 0}; ei = n++; }
        if (in_open) { fds[n] = {in[1], POLLOUT, 0}; ii = n++; }
        if (poll(fds, n, -1) < 0) continue;
        if (oi >= 0 && fds[oi].revents) {
            ssize_t k = read(out[0], buf, sizeof buf);
            if (k <= 0) { out_open = false; close(out[0]); } else r.out.append(buf, k);
        }
        if (ei >= 0 && fds[ei].revents) {
            ssize_t k = read(err[0], buf, sizeof buf);
            if (k <= 0) { err_open = false; close(err[0]); } else r.err.append(buf, k);
        }
        if (ii >= 0 && fds[ii].revents) {
            ssize_t k = write(in[1], input.data() + written, input.size() - written);
            if (k > 0) written += k;
            if (k < 0 || written == input.size()) { in_open = false; close(in[1]); }
        }
    }
    if (in_open) close(in[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string keysweep_bin() {
    if (const char* p = std::getenv("KEYSWEEP_BIN")) return p;
    return KEYSWEEP_BIN;  // set by tests/CMakeLists.txt
}

RunResult keysweep(const std::vector<std::string>& args, const fs::path& cwd, const std::string& input) {
    std::vector<std::string> argv{keysweep_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, cwd, input, {"NO_COLOR=1"});
}

GitRepo::GitRepo(const fs::path& dir, bool bare) : dir_(dir) {
    fs::create_directories(dir_);
    if (bare) git({"init", "-q", "--bare", "-b", "main", "."});
    else git({"init", "-q", "-b", "main", "."});
}

void GitRepo::write(const std::string& rel, const std::string& content) const {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << content;
}

void GitRepo::remove(const std::string& rel) const { fs::remove(dir_ / rel); }

std::string GitRepo::git(const std::vector<std::string>& args, const std::string& input) const {
    std::vector<std::string> argv{"git", "-c", "user.name=Test Author", "-c", "user.email=author@example.com",
                                  "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"};
    argv.insert(argv.end(), args.begin(), args.end());
    ++tick_;
    std::string date = "GIT_AUTHOR_DATE=2024-01-01T00:00:" + std::string(tick_ < 10 ? "0" : "") +
                       std::to_string(tick_ % 60) + "Z";
    std::string cdate = "GIT_COMMITTER_DATE=" + date.substr(date.find('=') + 1);
    auto r = run(argv, dir_, input, {date, cdate, "GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir_.string()});
    if (r.exit_code != 0) throw std::runtime_error("git failed: " + r.err);
    return r.out;
}

std::string GitRepo::commit_all(const std::string& message) const {
    git({"add", "-A"});
    git({"commit", "-q", "--allow-empty", "-m", message});
    return head();
}

std::string GitRepo::head() const {
    std::string h = git({"rev-parse", "HEAD"});
    while (!h.empty() && (h.back() == '\n' || h.back() == '\r')) h.pop_back();
    return h;
}

namespace {
std::string random_chars(unsigned seed, const std::string& alphabet, size_t n) {
    std::mt19937_64 rng(0x6b657973ULL ^ (seed * 0x9e3779b97f4a7c15ULL));
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    return s;
}
}  // namespace

std::string fake_aws_key_id(unsigned seed, const std::string& prefix) {
    return prefix + random_chars(seed, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
}

std::string fake_aws_secret(unsigned seed) {
    return random_chars(seed + 7777,
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
}

std::string fake_github_pat(unsigned seed) {
    return std::string("gh") + "p_" +
           random_chars(seed + 31337, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36);
}

std::string base64(std::string_view in) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned v = 0;
    int bits = 0;
    for (unsigned char c : in) {
        v = (v << 8) | c, bits += 8;
        while (bits >= 6) out += a[(v >> (bits -= 6)) & 63];
    }
    if (bits) out += a[(v << (6 - bits)) & 63];
    while (out.size() % 4) out += '=';
    return out;
}

}  // namespace ks::test
