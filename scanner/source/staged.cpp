#include "source/staged.hpp"

#include "source/fd.hpp"
#include "source/git_handles.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

extern char** environ;

namespace ks {
namespace fs = std::filesystem;

namespace {

bool is_file_mode(std::string_view mode) { return mode == "100644" || mode == "100755"; }

std::string first_line(std::string_view s) {
    while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.remove_prefix(1);
    auto nl = s.find('\n');
    return std::string(s.substr(0, nl));
}

// ---------------------------------------------------------------------------------------------------
// Child processes: `git ...` with pipes, no shell.

struct Child {
    pid_t pid = -1;
    Fd in, out, err;
    Child() = default;
    Child(Child&&) = default;
    Child& operator=(Child&&) = default;
    ~Child() { reap(); }
    // Closes the pipes and waits; returns the exit status (-1 when not started or killed).
    int reap() {
        in.reset();
        out.reset();
        err.reset();
        if (pid <= 0) return -1;
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

// Starts argv[0] from PATH with pipes for stdin (when `with_stdin`), stdout and stderr. Returns the
// posix_spawnp error (ENOENT: no such program), 0 on success.
int spawn(const std::vector<std::string>& argv, char* const* env, bool with_stdin, Child& c) {
    int in[2] = {-1, -1}, out[2], err[2];
    if ((with_stdin && ::pipe2(in, O_CLOEXEC) != 0) || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        return errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (with_stdin) posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), env);
    posix_spawn_file_actions_destroy(&fa);
    if (with_stdin) ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        if (with_stdin) ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        return rc;
    }
    c.pid = pid;
    if (with_stdin) c.in = Fd(in[1]);
    c.out = Fd(out[0]);
    c.err = Fd(err[0]);
    return 0;
}

// Reads stdout and stderr to their ends (both at once, so neither pipe can fill up and stall the
// child) and waits. Returns the exit status.
int collect(Child& c, std::string& out, std::string& err) {
    char buf[65536];
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        pollfd fds[2];
        int n = 0, oi = -1, ei = -1;
        if (out_open) { fds[n] = {c.out.fd, POLLIN, 0}; oi = n++; }
        if (err_open) { fds[n] = {c.err.fd, POLLIN, 0}; ei = n++; }
        if (::poll(fds, nfds_t(n), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (auto [idx, open, dst] : {std::tuple{oi, &out_open, &out}, std::tuple{ei, &err_open, &err}}) {
            if (idx < 0 || !fds[idx].revents) continue;
            ssize_t k = ::read(fds[idx].fd, buf, sizeof buf);
            if (k > 0) dst->append(buf, std::size_t(k));
            else if (k == 0 || errno != EINTR) *open = false;
        }
    }
    return c.reap();
}

// The variables that point git at a repository; dropped when the caller named the repository.
bool repository_variable(std::string_view kv) {
    for (std::string_view name : {"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
                                  "GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_COMMON_DIR=", "GIT_NAMESPACE=",
                                  "GIT_PREFIX=", "GIT_OPTIONAL_LOCKS="})
        if (kv.starts_with(name)) return true;
    return false;
}

// Buffered reads of `git cat-file --batch` answers.
class BatchReader {
public:
    explicit BatchReader(int fd) : fd_(fd) {}
    bool line(std::string& out) {
        out.clear();
        for (;;) {
            auto nl = std::find(buf_.begin() + long(pos_), buf_.end(), '\n');
            if (nl != buf_.end()) {
                out.append(buf_.begin() + long(pos_), nl);
                pos_ = std::size_t(nl - buf_.begin()) + 1;
                return true;
            }
            out.append(buf_.begin() + long(pos_), buf_.end());
            pos_ = buf_.size();
            if (!fill()) return false;
        }
    }
    // Appends n bytes to `out` (or skips them when out is null).
    bool bytes(std::size_t n, std::string* out) {
        while (n) {
            if (pos_ == buf_.size() && !fill()) return false;
            std::size_t k = std::min(n, buf_.size() - pos_);
            if (out) out->append(buf_.data() + pos_, k);
            pos_ += k;
            n -= k;
        }
        return true;
    }

private:
    bool fill() {
        buf_.resize(65536);
        pos_ = 0;
        for (;;) {
            ssize_t k = ::read(fd_, buf_.data(), buf_.size());
            if (k > 0) {
                buf_.resize(std::size_t(k));
                return true;
            }
            if (k < 0 && errno == EINTR) continue;
            buf_.clear();
            return false;
        }
    }
    int fd_;
    std::vector<char> buf_;
    std::size_t pos_ = 0;
};

bool write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t k = ::write(fd, s.data(), s.size());
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        s.remove_prefix(std::size_t(k));
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

using ReadSink = StagedSource::ReadSink;

struct StagedSource::Impl {
    virtual ~Impl() = default;
    virtual const std::string& root() = 0;
    virtual std::vector<StagedBlob> changes() = 0;
    virtual void read_each(const std::vector<std::string>& ids, std::uint64_t max_size, const ReadSink& sink) = 0;
    virtual const char* backend() const = 0;
};

namespace {

// The `git` program.
class GitCli final : public StagedSource::Impl {
public:
    // Null when `git` cannot be run at all; throws when git runs and says there is no repository.
    static std::unique_ptr<GitCli> start(const std::string& path, bool from_env) {
        auto g = std::unique_ptr<GitCli>(new GitCli());
        if (!from_env) {
            for (char** e = environ; *e; ++e)
                if (!repository_variable(*e)) g->env_.emplace_back(*e);
            g->prefix_ = {"git", "-C", path};
        } else {
            for (char** e = environ; *e; ++e)
                if (!std::string_view(*e).starts_with("GIT_OPTIONAL_LOCKS=")) g->env_.emplace_back(*e);
            g->prefix_ = {"git"};
        }
        g->env_.emplace_back("GIT_OPTIONAL_LOCKS=0");  // a read-only look: never take the index lock
        for (auto& s : g->env_) g->envp_.push_back(s.data());
        g->envp_.push_back(nullptr);

        // All three start at once and run while the caller loads its rules; nothing waits here.
        int rc = spawn(g->args({"rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"}), g->envp_.data(), false,
                       g->rev_parse_);
        if (rc == ENOENT || rc == EACCES) return nullptr;
        if (rc == 0)
            rc = spawn(g->args({"diff-index", "--cached", "-z", "-M", "--raw", "--no-color", "HEAD", "--"}),
                       g->envp_.data(), false, g->diff_);
        if (rc == 0) rc = spawn(g->args({"cat-file", "--batch"}), g->envp_.data(), true, g->cat_);
        if (rc != 0) throw std::runtime_error(path + ": cannot run git: " + std::strerror(rc));
        g->reader_ = std::make_unique<BatchReader>(g->cat_.out.fd);
        g->path_ = path;
        return g;
    }

    // rev-parse's answer: the top folder, and whether HEAD is a commit yet.
    const std::string& root() override {
        if (resolved_) return root_;
        std::string out, err;
        int status = collect(rev_parse_, out, err);
        // 0: HEAD is a commit. 1 (with the top folder printed): no commit yet. Else: no work tree here.
        auto nl = out.find('\n');
        if ((status != 0 && status != 1) || nl == std::string::npos || nl == 0) {
            std::string why = first_line(err);
            throw std::runtime_error(path_ + ": not a git repository with a work tree (--staged needs one)" +
                                     (why.empty() ? "" : ": " + why));
        }
        root_ = out.substr(0, nl);
        resolved_ = true;
        if (status == 1) {
            // No commit yet: every staged file is new; list the index instead.
            diff_.reap();
            listing_unborn_ = true;
            int rc = spawn(args({"ls-files", "--stage", "-z"}), envp_.data(), false, diff_);
            if (rc != 0) throw std::runtime_error(path_ + ": cannot run git: " + std::strerror(rc));
        }
        return root_;
    }

    ~GitCli() override {
        rev_parse_.reap();
        diff_.reap();
        cat_.reap();
    }

    const char* backend() const override { return "git"; }

    std::vector<StagedBlob> changes() override {
        root();
        std::string out, err;
        int status = collect(diff_, out, err);
        if (status != 0)
            throw std::runtime_error(root_ + ": cannot compare the index with HEAD: " +
                                     (first_line(err).empty() ? "git exited " + std::to_string(status) : first_line(err)));
        return listing_unborn_ ? parse_ls_files(out) : parse_diff_index(out);
    }

    void read_each(const std::vector<std::string>& ids, std::uint64_t max_size, const ReadSink& sink) override {
        std::string data, detail;
        // Requests go out in groups small enough that they never fill the pipe while git's answers
        // wait to be read (no deadlock), and large enough to save round trips.
        constexpr std::size_t kGroup = 256;
        for (std::size_t first = 0; first < ids.size(); first += kGroup) {
            const std::size_t last = std::min(ids.size(), first + kGroup);
            std::string request;
            for (std::size_t i = first; i < last; ++i) request += ids[i] + "\n";
            const bool sent = write_all(cat_.in.fd, request);
            for (std::size_t i = first; i < last; ++i) {
                StagedRead st = sent ? answer(max_size, data, detail) : StagedRead::missing;
                if (!sent) detail = "git cat-file stopped answering";
                sink(i, st, data, detail);
            }
        }
    }

private:
    GitCli() { ::signal(SIGPIPE, SIG_IGN); }  // a git that dies must not take us with it: writes fail instead

    // One answer of `git cat-file --batch`: "<id> blob <size>\n<content>\n" or "<id> missing\n".
    StagedRead answer(std::uint64_t max_size, std::string& data, std::string& detail) {
        data.clear();
        std::string header;
        if (!reader_->line(header)) {
            detail = "git cat-file stopped answering";
            return StagedRead::missing;
        }
        auto sp2 = header.rfind(' ');
        auto sp1 = header.find(' ');
        if (sp1 == std::string::npos || sp2 == sp1 || header.compare(sp1 + 1, sp2 - sp1 - 1, "blob") != 0) {
            detail = "object not found or not a blob (" + header.substr(sp1 == std::string::npos ? 0 : sp1 + 1) + ")";
            return StagedRead::missing;
        }
        std::uint64_t size = std::strtoull(header.c_str() + sp2 + 1, nullptr, 10);
        const bool keep = size <= max_size;
        if (keep) data.reserve(size);
        if (!reader_->bytes(size, keep ? &data : nullptr) || !reader_->bytes(1, nullptr)) {
            detail = "git cat-file stopped mid-object";
            return StagedRead::missing;
        }
        if (!keep) {
            detail = "blob of " + std::to_string(size) + " bytes is over --max-blob-size (" + std::to_string(max_size) + ")";
            return StagedRead::too_large;
        }
        return StagedRead::ok;
    }

    std::vector<std::string> args(std::initializer_list<std::string> rest) const {
        std::vector<std::string> a = prefix_;
        a.insert(a.end(), rest.begin(), rest.end());
        return a;
    }

    // ":<old mode> <new mode> <old id> <new id> <status>[score]\0<path>\0[<new path>\0]"
    std::vector<StagedBlob> parse_diff_index(const std::string& out) const {
        std::vector<StagedBlob> blobs;
        std::size_t pos = 0;
        auto field = [&](std::string& f) {
            auto end = out.find('\0', pos);
            if (end == std::string::npos) return false;
            f.assign(out, pos, end - pos);
            pos = end + 1;
            return true;
        };
        std::string meta, p1, p2;
        while (pos < out.size() && field(meta)) {
            if (meta.size() < 2 || meta[0] != ':')
                throw std::runtime_error(root_ + ": unexpected output from git diff-index");
            std::vector<std::string> w;
            std::size_t s = 1;
            while (s <= meta.size()) {
                auto e = meta.find(' ', s);
                if (e == std::string::npos) e = meta.size();
                w.push_back(meta.substr(s, e - s));
                s = e + 1;
            }
            if (w.size() != 5 || w[4].empty() || !field(p1)) throw std::runtime_error(root_ + ": unexpected output from git diff-index");
            const char status = w[4][0];
            const bool two_paths = status == 'R' || status == 'C';
            if (two_paths && !field(p2)) throw std::runtime_error(root_ + ": unexpected output from git diff-index");
            if (status != 'A' && status != 'M' && status != 'R' && status != 'C' && status != 'T') continue;
            if (!is_file_mode(w[1])) continue;
            StagedBlob b;
            b.path = two_paths ? p2 : p1;
            b.id = w[3];
            if (status != 'A' && (is_file_mode(w[0]) || w[0] == "120000") &&
                w[2].find_first_not_of('0') != std::string::npos) {
                b.old_id = w[2];
                b.old_path = p1;
            }
            blobs.push_back(std::move(b));
        }
        return blobs;
    }

    // "<mode> <id> <stage>\t<path>\0": no commit yet, so every staged file is new.
    std::vector<StagedBlob> parse_ls_files(const std::string& out) const {
        std::vector<StagedBlob> blobs;
        std::size_t pos = 0;
        while (pos < out.size()) {
            auto end = out.find('\0', pos);
            if (end == std::string::npos) end = out.size();
            std::string_view rec(out.data() + pos, end - pos);
            pos = end + 1;
            auto tab = rec.find('\t');
            if (tab == std::string_view::npos) continue;
            std::string_view meta = rec.substr(0, tab);
            auto s1 = meta.find(' '), s2 = meta.rfind(' ');
            if (s1 == std::string_view::npos || s2 == s1) continue;
            if (meta.substr(s2 + 1) != "0" || !is_file_mode(meta.substr(0, s1))) continue;  // conflicts, links, submodules
            blobs.push_back({std::string(rec.substr(tab + 1)), std::string(meta.substr(s1 + 1, s2 - s1 - 1)), "", ""});
        }
        return blobs;
    }

    std::vector<std::string> prefix_;
    std::vector<std::string> env_;
    std::vector<char*> envp_;
    Child rev_parse_, diff_, cat_;
    bool listing_unborn_ = false, resolved_ = false;
    std::string path_, root_;
    std::unique_ptr<BatchReader> reader_;
};

// ---------------------------------------------------------------------------------------------------
// libgit2, when there is no `git` to run.

using Diff = std::unique_ptr<git_diff, git::Deleter<git_diff, git_diff_free>>;

bool is_file_mode(std::uint16_t mode) { return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE; }

class Libgit2 final : public StagedSource::Impl {
public:
    Libgit2(const std::string& path, bool from_env) {
        git::init();
        git_repository* r = nullptr;
        int rc = from_env ? git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr)
                          : git_repository_open_ext(&r, path.c_str(), 0, nullptr);
        if (rc != 0) throw std::runtime_error(path + ": not a git repository (--staged needs one)");
        repo_.reset(r);
        const char* wd = git_repository_workdir(r);
        if (!wd) throw std::runtime_error(path + ": a bare repository has no staged changes (--staged needs a work tree)");
        root_ = wd;
        while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    }

    const std::string& root() override { return root_; }

    const char* backend() const override { return "libgit2"; }

    std::vector<StagedBlob> changes() override {
        git_repository* repo = repo_.get();
        git_index* ip = nullptr;
        if (git_repository_index(&ip, repo) != 0)
            throw std::runtime_error(root_ + ": cannot read the index: " + git::last_error());
        git::Index index(ip);
        git::Tree tree;
        if (git_repository_head_unborn(repo) != 1) {
            git_object* o = nullptr;
            if (git_revparse_single(&o, repo, "HEAD^{tree}") != 0)
                throw std::runtime_error(root_ + ": cannot read HEAD: " + git::last_error());
            tree.reset(reinterpret_cast<git_tree*>(o));
        }
        git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
        opts.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
        git_diff* dp = nullptr;
        if (git_diff_tree_to_index(&dp, repo, tree.get(), index.get(), &opts) != 0)
            throw std::runtime_error(root_ + ": cannot compare the index with HEAD: " + git::last_error());
        Diff diff(dp);
        git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
        find.flags = GIT_DIFF_FIND_RENAMES;
        if (git_diff_num_deltas(dp) > 1 && git_diff_find_similar(dp, &find) != 0)
            throw std::runtime_error(root_ + ": cannot detect renames: " + git::last_error());

        std::vector<StagedBlob> out;
        for (size_t i = 0, n = git_diff_num_deltas(dp); i < n; ++i) {
            const git_diff_delta* d = git_diff_get_delta(dp, i);
            switch (d->status) {
                case GIT_DELTA_ADDED:
                case GIT_DELTA_MODIFIED:
                case GIT_DELTA_RENAMED:
                case GIT_DELTA_COPIED:
                case GIT_DELTA_TYPECHANGE: break;
                default: continue;  // deleted, unmodified, conflicted
            }
            if (!is_file_mode(d->new_file.mode)) continue;
            StagedBlob b;
            b.path = d->new_file.path;
            b.id = git::hex(d->new_file.id);
            if (d->status != GIT_DELTA_ADDED && (is_file_mode(d->old_file.mode) || d->old_file.mode == GIT_FILEMODE_LINK) &&
                !git_oid_is_zero(&d->old_file.id)) {
                b.old_id = git::hex(d->old_file.id);
                b.old_path = d->old_file.path;
            }
            out.push_back(std::move(b));
        }
        return out;
    }

    void read_each(const std::vector<std::string>& ids, std::uint64_t max_size, const ReadSink& sink) override {
        std::string data, detail;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            StagedRead st = read(ids[i], max_size, data, detail);
            sink(i, st, data, detail);
        }
    }

private:
    StagedRead read(const std::string& id, std::uint64_t max_size, std::string& data, std::string& detail) {
        data.clear();
        if (!odb_) {
            git_odb* raw = nullptr;
            if (git_repository_odb(&raw, repo_.get()) != 0) {
                detail = "cannot open the object database: " + git::last_error();
                return StagedRead::missing;
            }
            odb_.reset(raw);
        }
        git_oid oid;
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_oid_fromstr(&oid, id.c_str()) != 0 || git_odb_read_header(&len, &type, odb_.get(), &oid) != 0) {
            detail = git::last_error();
            return StagedRead::missing;
        }
        if (len > max_size) {
            detail = "blob of " + std::to_string(len) + " bytes is over --max-blob-size (" + std::to_string(max_size) + ")";
            return StagedRead::too_large;
        }
        git_odb_object* o = nullptr;
        if (git_odb_read(&o, odb_.get(), &oid) != 0) {
            detail = git::last_error();
            return StagedRead::missing;
        }
        git::OdbObject obj(o);
        data.assign(static_cast<const char*>(git_odb_object_data(o)), git_odb_object_size(o));
        return StagedRead::ok;
    }

    git::Repository repo_;
    git::Odb odb_;
    std::string root_;
};

}  // namespace

StagedSource::StagedSource(const std::string& path, bool from_env) : from_env_(from_env) {
    // KEYSWEEP_STAGED_BACKEND=libgit2 forces the fallback (tests use it; so can a person comparing).
    const char* forced = std::getenv("KEYSWEEP_STAGED_BACKEND");
    if (!(forced && std::string_view(forced) == "libgit2")) impl_ = GitCli::start(path, from_env);
    if (!impl_) impl_ = std::make_unique<Libgit2>(path, from_env);
}

StagedSource::~StagedSource() = default;

const std::string& StagedSource::root() { return impl_->root(); }

std::string StagedSource::root_hint() {
    // Where git runs hooks: the top of the work tree, with GIT_DIR set for a linked worktree.
    if (from_env_ && !std::getenv("GIT_WORK_TREE")) {
        std::error_code ec;
        fs::path here = fs::current_path(ec);
        if (!ec && (std::getenv("GIT_DIR") || fs::exists(here / ".git", ec))) return here.string();
    }
    return root();
}

std::vector<StagedBlob> StagedSource::changes() { return impl_->changes(); }

void StagedSource::read_each(const std::vector<std::string>& ids, std::uint64_t max_size, const ReadSink& sink) {
    impl_->read_each(ids, max_size, sink);
}

const char* StagedSource::backend() const { return impl_->backend(); }

}  // namespace ks
