#include "scripted_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <stdexcept>

namespace ks::test {
namespace {

int listen_loopback(int* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
        ::close(fd);
        throw std::runtime_error("bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    *port = ntohs(addr.sin_port);
    return fd;
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

const char* reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

}  // namespace

ScriptedServer::ScriptedServer() : ScriptedServer(std::vector<Answer>{Answer{}}) {}

ScriptedServer::ScriptedServer(std::vector<Answer> script) : script_(std::move(script)) {
    if (script_.empty()) script_.push_back(Answer{});
    fd_ = listen_loopback(&port_);
    thread_ = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
}

void ScriptedServer::serve() {
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        std::string raw;
        char buf[8192];
        std::size_t want = std::string::npos;
        while (true) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 5000) <= 0) break;
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            raw.append(buf, std::size_t(n));
            std::size_t end = raw.find("\r\n\r\n");
            if (end != std::string::npos && want == std::string::npos) {
                std::string cl = header_value(raw, "Content-Length");
                want = end + 4 + (cl.empty() ? 0 : std::stoul(cl));
            }
            if (want != std::string::npos && raw.size() >= want) break;
        }
        Answer a;
        {
            std::lock_guard lock(mu_);
            requests_.push_back(raw);
            a = script_[std::min(requests_.size() - 1, script_.size() - 1)];
        }
        if (a.delay_ms > 0) {
            for (int waited = 0; waited < a.delay_ms && !stop_; waited += 10)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::string out = "HTTP/1.1 " + std::to_string(a.status) + " " + reason(a.status) +
                          "\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(a.body.size()) +
                          "\r\nConnection: close\r\n" + a.extra_headers + "\r\n" + a.body;
        std::size_t sent = 0;
        while (sent < out.size()) {
            ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += std::size_t(n);
        }
        ::close(c);
    }
}

std::vector<std::string> ScriptedServer::requests() const {
    std::lock_guard lock(mu_);
    return requests_;
}

std::size_t ScriptedServer::count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
}

int dead_loopback_port() {
    int port = 0;
    int fd = listen_loopback(&port);
    ::close(fd);
    return port;
}

std::string header_value(const std::string& raw, const std::string& name) {
    const std::string want = lower(name) + ":";
    std::size_t end = raw.find("\r\n\r\n");
    std::size_t pos = raw.find("\r\n");
    while (pos != std::string::npos && pos < end) {
        std::size_t next = raw.find("\r\n", pos + 2);
        std::string line = raw.substr(pos + 2, next - pos - 2);
        if (lower(line.substr(0, want.size())) == want) {
            std::string v = line.substr(want.size());
            while (!v.empty() && v.front() == ' ') v.erase(v.begin());
            return v;
        }
        pos = next;
    }
    return {};
}

std::string request_body(const std::string& raw) {
    std::size_t end = raw.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : raw.substr(end + 4);
}

}  // namespace ks::test
