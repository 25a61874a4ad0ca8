#include "report/printer.hpp"

#include "report/formats.hpp"

#include <algorithm>
#include <stdexcept>

namespace ks::report {

Format parse_format(std::string_view name) {
    if (name == "text") return Format::text;
    if (name == "json") return Format::json;
    if (name == "jsonl") return Format::jsonl;
    if (name == "sarif") return Format::sarif;
    throw std::invalid_argument("unknown format '" + std::string(name) + "' (expected text, json, jsonl or sarif)");
}

std::string redact(std::string_view secret) {
    std::size_t keep = std::min<std::size_t>(4, secret.size() / 4);
    // Back off to a UTF-8 boundary so the prefix never ends inside a multi-byte character.
    while (keep > 0 && keep < secret.size() && (static_cast<unsigned char>(secret[keep]) & 0xC0) == 0x80) --keep;
    return std::string(secret.substr(0, keep)) + "\u2026";
}

Finding redacted(const Finding& f) {
    Finding r = f;
    r.secret = redact(f.secret);
    if (!f.secret.empty()) {
        std::string out;
        std::size_t pos = 0;
        for (std::size_t hit; (hit = f.match.find(f.secret, pos)) != std::string::npos; pos = hit + f.secret.size())
            out.append(f.match, pos, hit - pos).append(r.secret);
        out.append(f.match, pos, std::string::npos);
        r.match = std::move(out);
    }
    return r;
}

void print(std::ostream& out, const std::vector<Finding>& findings, const ScanSummary& summary,
           const PrintOptions& opts) {
    // Redact once, up front: then no writer can leak the secret through a field it forgot.
    std::vector<Finding> copy;
    if (opts.redact) {
        copy.reserve(findings.size());
        for (const auto& f : findings) copy.push_back(redacted(f));
    }
    const auto& list = opts.redact ? copy : findings;
    switch (opts.format) {
        case Format::text: detail::write_text(out, list, opts.color); break;
        case Format::json: detail::write_json(out, list, summary); break;
        case Format::jsonl: detail::write_jsonl(out, list); break;
        case Format::sarif: detail::write_sarif(out, list, summary, opts); break;
    }
    out.flush();
}

}  // namespace ks::report
