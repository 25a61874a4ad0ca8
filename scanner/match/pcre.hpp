// RAII for PCRE2 handles, and a regex that compiles itself (with JIT) on first use, once.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace ks {

struct Pcre2CodeFree { void operator()(pcre2_code* c) const { pcre2_code_free(c); } };
struct Pcre2MatchDataFree { void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); } };
struct Pcre2MatchContextFree { void operator()(pcre2_match_context* m) const { pcre2_match_context_free(m); } };
struct Pcre2JitStackFree { void operator()(pcre2_jit_stack* s) const { pcre2_jit_stack_free(s); } };
using Pcre2Code = std::unique_ptr<pcre2_code, Pcre2CodeFree>;
using Pcre2MatchData = std::unique_ptr<pcre2_match_data, Pcre2MatchDataFree>;
using Pcre2MatchContext = std::unique_ptr<pcre2_match_context, Pcre2MatchContextFree>;
using Pcre2JitStack = std::unique_ptr<pcre2_jit_stack, Pcre2JitStackFree>;

// Compiles `pattern`; on failure returns null and sets `error` to PCRE2's message and offset.
Pcre2Code pcre2_compile_jit(std::string_view pattern, std::string& error, bool jit = true);

// A regex compiled lazily and thread-safely: start-up pays nothing for rules that never hit.
class LazyRegex {
public:
    explicit LazyRegex(std::string pattern) : pattern_(std::move(pattern)) {}
    const std::string& pattern() const { return pattern_; }
    // The compiled code, or null if the pattern does not compile.
    const pcre2_code* get() const;
    // True when `subject` contains a match.
    bool search(std::string_view subject, pcre2_match_data* md) const;

private:
    std::string pattern_;
    mutable std::once_flag once_;
    mutable Pcre2Code code_;
};

}  // namespace ks
