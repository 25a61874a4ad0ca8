// The verify stage: offline facts first (accounts, canaries), then STS for what is left, then one
// status per AWS finding. How a pair is chosen: pairing.hpp; how a request is sent: executor.hpp.
#include "verify/verifier.hpp"

#include "verify/account_id.hpp"
#include "verify/canary.hpp"
#include "verify/endpoint.hpp"
#include "verify/executor.hpp"
#include "verify/pairing.hpp"
#include "verify/rate_limiter.hpp"
#include "verify/sts_client.hpp"

#include <atomic>
#include <map>
#include <string>
#include <unordered_map>

namespace ks::verify {
namespace {

// Which verdict wins when one finding takes part in several pairs (a secret near two key ids, a key
// id tried with two secrets): the most telling one.
int rank(VerifyStatus s) {
    switch (s) {
        case VerifyStatus::live: return 6;
        case VerifyStatus::canary: return 5;
        case VerifyStatus::error: return 4;
        case VerifyStatus::invalid: return 3;
        case VerifyStatus::unverifiable: return 2;
        case VerifyStatus::not_attempted: return 1;
    }
    return 0;
}

void merge(Verification& into, const Verification& v) {
    if (rank(v.status) <= rank(into.status)) return;
    std::string account = into.account;
    into = v;
    if (into.account.empty()) into.account = account;
}

Verification make(VerifyStatus status, std::string message, std::string account = {}) {
    Verification v;
    v.status = status;
    v.message = std::move(message);
    v.account = std::move(account);
    return v;
}

std::string tries(int n) { return std::to_string(n) + (n == 1 ? " try" : " tries"); }

// The verdict for one answered (or failed) job. Messages hold codes, counts and the endpoint only.
Verification verdict(const Job& job, const Endpoint& ep) {
    const StsResult& r = job.result;
    const std::string code = r.code.empty() ? "" : " (" + r.code + ")";
    const std::string detail = job.detail.empty() ? "" : " (" + job.detail + ")";
    switch (r.answer) {
        case Answer::live: {
            Verification v = make(VerifyStatus::live, "STS GetCallerIdentity accepted the key pair", r.account);
            v.arn = r.arn;
            v.user_id = r.user_id;
            return v;
        }
        case Answer::unknown_key:
            return make(VerifyStatus::invalid, "STS" + code + ": the key id does not exist, is inactive, or its token is invalid");
        case Answer::bad_signature:
            return make(VerifyStatus::invalid, "STS (SignatureDoesNotMatch): this secret does not belong to the key id");
        case Answer::expired_token:
            return make(VerifyStatus::invalid, "STS" + code + ": the session credentials have expired");
        case Answer::clock_skew:
            return make(VerifyStatus::error, "STS rejected the request time" + code + "; check this machine's clock");
        case Answer::throttled:
            return make(VerifyStatus::error, "throttled by STS" + code + ", gave up after " + tries(job.attempts));
        case Answer::server_error:
            return make(VerifyStatus::error, "STS answered HTTP " + std::to_string(r.http_status) + code +
                                                 ", gave up after " + tries(job.attempts));
        case Answer::timeout:
            return make(VerifyStatus::error, "no answer from " + ep.display + " after " + tries(job.attempts) + detail);
        case Answer::unreachable:
            if (job.skipped) return make(VerifyStatus::error, "not sent: " + ep.display + " is unreachable");
            return make(VerifyStatus::error, "cannot reach " + ep.display + detail);
        case Answer::tls:
            return make(VerifyStatus::error, "TLS failure with " + ep.display + detail);
        case Answer::unexpected:
            break;
    }
    return make(VerifyStatus::error, "unexpected answer from STS (HTTP " + std::to_string(r.http_status) +
                                         (r.code.empty() ? "" : ", " + r.code) + ")");
}

std::string cache_key(const Credentials& c) { return c.key_id + '\n' + c.secret + '\n' + c.session_token; }

}  // namespace

Stats run(std::vector<Finding>& findings, const Options& opts, Diagnostics& diag) {
    Stats stats;
    const CanaryAccounts canaries(opts.skip_accounts);
    const std::string bound = std::to_string(opts.pair_distance) + " bytes";
    const Pairing pairing = pair_findings(findings, opts.pair_distance, 2);

    // Offline: the account of every AWS finding, from its own or its paired key id.
    std::vector<AwsKind> kinds(findings.size(), AwsKind::none);
    for (std::size_t i = 0; i < findings.size(); ++i) {
        kinds[i] = aws_kind(findings[i]);
        if (kinds[i] == AwsKind::key_id) findings[i].verification.account = account_from_key_id(findings[i].secret).value_or("");
    }
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (kinds[i] == AwsKind::secret || kinds[i] == AwsKind::session_token)
            if (auto k = pairing.nearest_key[i]) findings[i].verification.account = findings[*k].verification.account;
    }

    // Canaries: marked, never sent, with or without --verify.
    std::vector<bool> settled(pairing.keys.size(), false);
    for (std::size_t p = 0; p < pairing.keys.size(); ++p) {
        const KeyPlan& plan = pairing.keys[p];
        const std::string account = findings[plan.id].verification.account;
        auto source = account.empty() ? std::nullopt : canaries.lookup(account);
        if (!source) continue;
        const Verification v =
            make(VerifyStatus::canary, "canary token account (" + std::string(*source) + "); not sent to STS", account);
        merge(findings[plan.id].verification, v);
        for (std::size_t s : plan.secrets) merge(findings[s].verification, v);
        if (plan.token) merge(findings[*plan.token].verification, v);
        settled[p] = true;
    }

    if (opts.enabled) {
        const Endpoint ep = resolve_endpoint(opts.endpoint, opts.region);
        ExecConfig cfg;
        cfg.request = get_caller_identity(ep);
        cfg.concurrency = opts.concurrency;
        cfg.timeout_ms = opts.timeout_ms;
        cfg.max_retries = opts.max_retries;
        cfg.backoff_ms = opts.backoff_ms;
        TokenBucket bucket(opts.requests_per_second);
        Breaker breaker;
        std::atomic<std::uint64_t> requests{0};

        // One job per distinct (key id, secret, token) in the whole run.
        std::unordered_map<std::string, Job> cache;
        std::vector<Job*> pending;
        auto want = [&](const KeyPlan& plan, std::size_t secret) -> Job* {
            Credentials c;
            c.key_id = findings[plan.id].secret;
            c.secret = findings[secret].secret;
            if (plan.token) c.session_token = findings[*plan.token].secret;
            auto [it, fresh] = cache.try_emplace(cache_key(c));
            if (fresh) {
                it->second.creds = std::move(c);
                pending.push_back(&it->second);
            } else {
                ++stats.cache_hits;
            }
            return &it->second;
        };
        struct Try {
            std::size_t plan, secret;
            Job* job;
        };
        std::vector<Try> tried;

        // Round 1: each key id with its first candidate secret.
        for (std::size_t p = 0; p < pairing.keys.size(); ++p) {
            if (settled[p]) continue;
            const KeyPlan& plan = pairing.keys[p];
            Verification& idv = findings[plan.id].verification;
            const std::string& id = findings[plan.id].secret;
            if (!is_long_term_key_id(id) && !is_session_key_id(id)) {
                merge(idv, make(VerifyStatus::unverifiable, "not an access key id (prefix " + id.substr(0, 4) + ")"));
            } else if (plan.secrets.empty()) {
                merge(idv, make(VerifyStatus::unverifiable, "no secret access key within " + bound));
            } else if (is_session_key_id(id) && !plan.token) {
                const Verification v =
                    make(VerifyStatus::unverifiable, "temporary (ASIA) key without a session token within " + bound);
                merge(idv, v);
                for (std::size_t s : plan.secrets) merge(findings[s].verification, v);
            } else {
                tried.push_back({p, plan.secrets[0], want(plan, plan.secrets[0])});
            }
        }
        execute(pending, cfg, bucket, breaker, requests);
        pending.clear();

        // Round 2: one more secret for a key id whose nearest secret did not match it.
        const std::size_t first_round = tried.size();
        for (std::size_t t = 0; t < first_round; ++t) {
            const KeyPlan& plan = pairing.keys[tried[t].plan];
            if (tried[t].job->result.answer != Answer::bad_signature || plan.secrets.size() < 2) continue;
            tried.push_back({tried[t].plan, plan.secrets[1], want(plan, plan.secrets[1])});
        }
        execute(pending, cfg, bucket, breaker, requests);
        stats.requests = requests.load();
        for (const auto& [key, job] : cache) stats.pairs_sent += job.attempts > 0 ? 1 : 0;

        // Verdicts onto every finding that took part in a tried pair.
        struct ErrorLine {
            std::uint64_t count = 0;
            std::string message;
            bool from_skipped = false;
        };
        std::map<int, ErrorLine> errors;  // by Answer
        for (const Try& t : tried) {
            const KeyPlan& plan = pairing.keys[t.plan];
            const Verification v = verdict(*t.job, ep);
            merge(findings[plan.id].verification, v);
            merge(findings[t.secret].verification, v);
            if (plan.token) merge(findings[*plan.token].verification, v);
        }
        for (const auto& [key, job] : cache) {
            const Verification v = verdict(job, ep);
            if (v.status != VerifyStatus::error) continue;
            auto& slot = errors[int(job.result.answer)];  // one line per kind of failure
            ++slot.count;
            if (slot.message.empty() || (slot.from_skipped && !job.skipped)) {
                slot.message = v.message;
                slot.from_skipped = job.skipped;
            }
        }
        for (const auto& [answer, line] : errors)
            diag.warn("verify-error", ep.display,
                      std::to_string(line.count) + " AWS key pair(s) not verified: " + line.message);

        // Whatever took part in no request.
        for (std::size_t i = 0; i < findings.size(); ++i) {
            if (kinds[i] == AwsKind::none || findings[i].verification.status != VerifyStatus::not_attempted) continue;
            Verification& v = findings[i].verification;
            const bool near_key = pairing.nearest_key[i].has_value();
            if (kinds[i] == AwsKind::secret)
                merge(v, make(VerifyStatus::unverifiable, near_key ? "the key id nearby was verified with another secret"
                                                                   : "no access key id within " + bound));
            else if (kinds[i] == AwsKind::session_token)
                merge(v, make(VerifyStatus::unverifiable, "no temporary (ASIA) key id with a secret within " + bound));
            else
                merge(v, make(VerifyStatus::unverifiable, "not verified"));
        }
    }

    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (kinds[i] == AwsKind::none) continue;
        switch (findings[i].verification.status) {
            case VerifyStatus::live: ++stats.live; break;
            case VerifyStatus::invalid: ++stats.invalid; break;
            case VerifyStatus::unverifiable: ++stats.unverifiable; break;
            case VerifyStatus::canary: ++stats.canary; break;
            case VerifyStatus::error: ++stats.error; break;
            case VerifyStatus::not_attempted: ++stats.not_attempted; break;
        }
    }
    return stats;
}

}  // namespace ks::verify
