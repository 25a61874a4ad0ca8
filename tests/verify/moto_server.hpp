// A real moto_server (AWS emulator that checks SigV4 signatures and access keys) for integration tests.
// Started on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT set, so the first calls (which
// create IAM users and keys) need no credentials; enable_auth() then switches checking on for every
// later request (moto's /moto-api/reset-auth). Killed (its process group) when the object dies.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace ks::test {

class MotoServer {
public:
    // Whether `moto_server` (or $KEYSWEEP_MOTO_SERVER) can be run; the tests fail without it.
    static bool available();

    // Throws std::runtime_error (with the tail of moto's log) when it does not come up within 60 s.
    explicit MotoServer(int initial_no_auth_actions = 1000);
    ~MotoServer();
    MotoServer(const MotoServer&) = delete;
    MotoServer& operator=(const MotoServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    struct Key {
        std::string id, secret, session_token;  // session_token for assumed-role (ASIA) keys
        std::string arn, user_id, account;      // what GetCallerIdentity should answer
    };
    // IAM CreateUser + CreateAccessKey. The key id is drawn again until all 16 characters after the
    // prefix are base32 (moto also uses 0, 1, 8, 9; real AWS ids and the detection rule do not).
    Key create_user_with_key(const std::string& user);
    // IAM CreateRole + STS AssumeRole: temporary ASIA credentials with a session token.
    Key assume_new_role(const std::string& role);
    // From now on every request is authenticated and signature-checked.
    void enable_auth();

    // Requests moto has logged so far ("POST / HTTP/1.1" lines: every AWS API call).
    std::size_t api_requests() const;
    // Waits until the count stops changing (moto logs just after it answers), returns it.
    std::size_t settled_api_requests() const;
    std::string log_tail(std::size_t bytes = 2000) const;

private:
    std::string call(const std::string& service, const std::string& body);

    pid_t pid_ = -1;
    int port_ = 0;
    std::filesystem::path dir_, log_;
};

// One server for the whole test binary, started on first use (with its users and keys), auth on.
struct MotoFixture {
    MotoServer server;
    MotoServer::Key alice;   // long-term AKIA key of IAM user alice
    MotoServer::Key bob;     // another user, for end-to-end scans
    MotoServer::Key role;    // ASIA key + session token of an assumed role
    MotoFixture();
};
MotoFixture& shared_moto();

}  // namespace ks::test
