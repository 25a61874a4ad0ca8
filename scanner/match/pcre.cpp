#include "match/pcre.hpp"

namespace ks {

Pcre2Code pcre2_compile_jit(std::string_view pattern, std::string& error, bool jit) {
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), 0, &errcode,
                                     &erroff, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(errcode, buf, sizeof buf);
        error = std::string(reinterpret_cast<const char*>(buf)) + " at offset " + std::to_string(erroff);
        return nullptr;
    }
    // JIT can fail on exotic patterns; the interpreter still works, so that is not an error.
    if (jit) pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return Pcre2Code(code);
}

const pcre2_code* LazyRegex::get() const {
    std::call_once(once_, [this] {
        std::string err;
        code_ = pcre2_compile_jit(pattern_, err);
    });
    return code_.get();
}

bool LazyRegex::search(std::string_view subject, pcre2_match_data* md) const {
    const pcre2_code* code = get();
    if (!code) return false;
    return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, md, nullptr) >= 0;
}

}  // namespace ks
