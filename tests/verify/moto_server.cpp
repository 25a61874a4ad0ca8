#include "moto_server.hpp"

#include "scripted_server.hpp"
#include "verify/curl_handles.hpp"
#include "verify/sts_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ks::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string moto_command() {
    const char* v = std::getenv("KEYSWEEP_MOTO_SERVER");
    return v && *v ? v : "moto_server";
}

bool on_path(const std::string& cmd) {
    if (cmd.find('/') != std::string::npos) return ::access(cmd.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "");
    for (std::string dir; std::getline(ss, dir, ':');)
        if (!dir.empty() && ::access((dir + "/" + cmd).c_str(), X_OK) == 0) return true;
    return false;
}

size_t collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// Plain HTTP for the moto control API. Returns the status; body in *out.
long http(const std::string& url, const std::string& body, const std::string& content_type, std::string* out) {
    ks::verify::ensure_curl_global_init();
    ks::verify::CurlEasy h(curl_easy_init());
    ks::verify::CurlSlist headers;
    ks::verify::append(headers, "Content-Type: " + content_type);
    curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
    if (!body.empty()) {
        curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE, long(body.size()));
        curl_easy_setopt(h.get(), CURLOPT_COPYPOSTFIELDS, body.c_str());
    }
    curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, out);
    if (curl_easy_perform(h.get()) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
    return status;
}

std::string field(const std::string& xml, const std::string& tag) {
    auto v = ks::verify::xml_text(xml, tag);
    if (!v) throw std::runtime_error("moto answer without <" + tag + ">: " + xml.substr(0, 400));
    return *v;
}

std::string url_encode(const std::string& s) {
    ks::verify::CurlString e(curl_easy_escape(nullptr, s.c_str(), int(s.size())));
    return e ? std::string(e.get()) : s;
}

bool base32_tail(const std::string& id) {
    if (id.size() != 20) return false;
    for (std::size_t i = 4; i < 20; ++i) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return false;
    }
    return true;
}

}  // namespace

bool MotoServer::available() { return on_path(moto_command()); }


MotoServer::MotoServer(int initial_no_auth_actions) {
    {
        char tmpl[] = "/tmp/keysweep-moto-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
    }
    log_ = dir_ / "moto.log";
    port_ = dead_loopback_port();  // free a moment ago; moto binds it next
    const std::string cmd = moto_command();
    const std::string count = std::to_string(initial_no_auth_actions);
    const std::string port = std::to_string(port_);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::setpgid(0, 0);                   // its own group, so the shim and python die together
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // and it never outlives a crashed test binary
        if (::getppid() != parent) ::_exit(1);
        int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || null < 0) ::_exit(126);
        ::dup2(null, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::setenv("INITIAL_NO_AUTH_ACTION_COUNT", count.c_str(), 1);
        ::setenv("PYTHONUNBUFFERED", "1", 1);
        ::unsetenv("MOTO_ACCOUNT_ID");
        ::execlp(cmd.c_str(), cmd.c_str(), "-H", "127.0.0.1", "-p", port.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("moto_server exited at start: " + log_tail());
        }
        std::string out;
        if (http(url() + "/moto-api/data.json", "", "text/plain", &out) == 200) return;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("moto_server did not answer within 60 s: " + log_tail());
}

MotoServer::~MotoServer() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 50 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(100ms);
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string MotoServer::call(const std::string& service, const std::string& body) {
    // Setup calls go out before authentication is on; moto still routes by the SigV4 credential
    // scope, so they are signed (with throwaway credentials) for the right service.
    ks::verify::SignedPost req;
    req.url = url() + "/";
    req.region = "us-east-1";
    req.service = service;
    req.content_type = std::string(ks::verify::kFormContentType);
    req.body = body;
    ks::verify::StsHttp h(10000);
    auto reply = h.post(req, {"testing", "testing", ""});
    if (reply.curl != CURLE_OK || reply.status != 200)
        throw std::runtime_error("moto " + service + " call failed (HTTP " + std::to_string(reply.status) + "): " +
                                 reply.curl_error + reply.body.substr(0, 400));
    return reply.body;
}

MotoServer::Key MotoServer::create_user_with_key(const std::string& user) {
    const std::string created = call("iam", "Action=CreateUser&UserName=" + user + "&Version=2010-05-08");
    Key k;
    k.arn = field(created, "Arn");
    k.user_id = field(created, "UserId");
    k.account = k.arn.substr(13, 12);  // arn:aws:iam::<account>:user/...
    for (int attempt = 0; attempt < 40; ++attempt) {
        const std::string key = call("iam", "Action=CreateAccessKey&UserName=" + user + "&Version=2010-05-08");
        k.id = field(key, "AccessKeyId");
        k.secret = field(key, "SecretAccessKey");
        if (base32_tail(k.id)) return k;
        call("iam", "Action=DeleteAccessKey&UserName=" + user + "&AccessKeyId=" + k.id + "&Version=2010-05-08");
    }
    throw std::runtime_error("moto gave no base32 key id in 40 tries");
}

MotoServer::Key MotoServer::assume_new_role(const std::string& role) {
    const std::string policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]})";
    const std::string created = call("iam", "Action=CreateRole&RoleName=" + role + "&AssumeRolePolicyDocument=" +
                                                url_encode(policy) + "&Version=2010-05-08");
    const std::string role_arn = field(created, "Arn");
    for (int attempt = 0; attempt < 40; ++attempt) {
        const std::string assumed = call("sts", "Action=AssumeRole&RoleArn=" + url_encode(role_arn) +
                                                    "&RoleSessionName=session" + std::to_string(attempt) +
                                                    "&Version=2011-06-15");
        Key k;
        k.id = field(assumed, "AccessKeyId");
        k.secret = field(assumed, "SecretAccessKey");
        k.session_token = field(assumed, "SessionToken");
        k.arn = field(assumed.substr(assumed.find("<AssumedRoleUser>")), "Arn");
        k.user_id = field(assumed, "AssumedRoleId");
        k.account = role_arn.substr(13, 12);
        if (base32_tail(k.id)) return k;
    }
    throw std::runtime_error("moto gave no base32 session key id in 40 tries");
}

void MotoServer::enable_auth() {
    std::string out;
    if (http(url() + "/moto-api/reset-auth", "0", "text/plain", &out) != 200)
        throw std::runtime_error("moto reset-auth failed: " + out);
}

std::size_t MotoServer::api_requests() const {
    std::ifstream in(log_);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.find("\"POST / HTTP/1.1\"") != std::string::npos) ++n;
    return n;
}

std::size_t MotoServer::settled_api_requests() const {
    std::size_t last = api_requests();
    for (int stable = 0; stable < 3;) {
        std::this_thread::sleep_for(100ms);
        std::size_t now = api_requests();
        stable = now == last ? stable + 1 : 0;
        last = now;
    }
    return last;
}

std::string MotoServer::log_tail(std::size_t bytes) const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

MotoFixture::MotoFixture() : server(1000) {
    alice = server.create_user_with_key("alice");
    bob = server.create_user_with_key("bob");
    role = server.assume_new_role("deployer");
    server.enable_auth();
}

MotoFixture& shared_moto() {
    static MotoFixture fixture;
    return fixture;
}

}  // namespace ks::test
