// A loopback HTTP server for tests: records each raw request and answers from a script (status and
// body per request, the last entry repeating). Serves one connection at a time, closes after each answer.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ks::test {

class ScriptedServer {
public:
    struct Answer {
        int status = 200;
        std::string body;
        std::string extra_headers;  // "Name: value\r\n" lines
        int delay_ms = 0;           // wait this long before answering
    };
    ScriptedServer();  // answers 200 with an empty body
    explicit ScriptedServer(std::vector<Answer> script);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> requests() const;  // raw bytes of each request (head and body)
    std::size_t count() const;

private:
    void serve();

    std::vector<Answer> script_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

// A loopback port nothing listens on (bound and released a moment ago).
int dead_loopback_port();

// Value of header `name` (case-insensitive) in a raw HTTP request, "" if absent (the first one).
std::string header_value(const std::string& raw_request, const std::string& name);
// Body of a raw HTTP request.
std::string request_body(const std::string& raw_request);

}  // namespace ks::test
