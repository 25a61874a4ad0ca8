// The libcurl entry points keysweep uses, defined here and resolved from libcurl.so.4 on first use:
// libcurl and the two dozen libraries it pulls in (TLS, Kerberos, LDAP, HTTP/2, IDN...) cost every
// process about 3 ms to load and relocate, and only `--verify` talks to the network. A hook pays
// for neither. If the library cannot be loaded, every call fails with CURLE_FAILED_INIT (or null)
// and curl_easy_strerror() says why, so the verifier reports one clear error.
#define CURL_DISABLE_TYPECHECK  // the type-checking macros would rename the definitions below
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <mutex>
#include <string>

namespace {

// Pointer types from the declarations in <curl/curl.h>, so a mismatch fails to compile.
struct Api {
    decltype(&::curl_global_init) global_init;
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_reset) easy_reset;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_easy_escape) easy_escape;
    decltype(&::curl_free) free_;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
    decltype(&::curl_url) url;
    decltype(&::curl_url_cleanup) url_cleanup;
    decltype(&::curl_url_get) url_get;
    decltype(&::curl_url_set) url_set;
};

struct Loaded {
    Api api{};
    bool ok = false;
    std::string error;
};

template <class F>
bool bind(void* lib, const char* name, F& f, std::string& error) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f && error.empty()) error = std::string("libcurl lacks ") + name;
    return f != nullptr;
}

const Loaded& loaded() {
    static Loaded l;
    static std::once_flag once;
    std::call_once(once, [] {
        void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            const char* why = dlerror();
            l.error = std::string("cannot load libcurl.so.4: ") + (why ? why : "unknown error");
            return;
        }
        Api& a = l.api;
        bool ok = bind(lib, "curl_global_init", a.global_init, l.error);
        ok &= bind(lib, "curl_easy_init", a.easy_init, l.error);
        ok &= bind(lib, "curl_easy_setopt", a.easy_setopt, l.error);
        ok &= bind(lib, "curl_easy_perform", a.easy_perform, l.error);
        ok &= bind(lib, "curl_easy_getinfo", a.easy_getinfo, l.error);
        ok &= bind(lib, "curl_easy_reset", a.easy_reset, l.error);
        ok &= bind(lib, "curl_easy_cleanup", a.easy_cleanup, l.error);
        ok &= bind(lib, "curl_easy_strerror", a.easy_strerror, l.error);
        ok &= bind(lib, "curl_easy_escape", a.easy_escape, l.error);
        ok &= bind(lib, "curl_free", a.free_, l.error);
        ok &= bind(lib, "curl_slist_append", a.slist_append, l.error);
        ok &= bind(lib, "curl_slist_free_all", a.slist_free_all, l.error);
        ok &= bind(lib, "curl_url", a.url, l.error);
        ok &= bind(lib, "curl_url_cleanup", a.url_cleanup, l.error);
        ok &= bind(lib, "curl_url_get", a.url_get, l.error);
        ok &= bind(lib, "curl_url_set", a.url_set, l.error);
        l.ok = ok;  // the library stays loaded for the life of the process
    });
    return l;
}

const Api* api() {
    const Loaded& l = loaded();
    return l.ok ? &l.api : nullptr;
}

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) { return api() ? api()->global_init(flags) : CURLE_FAILED_INIT; }

CURL* curl_easy_init() { return api() ? api()->easy_init() : nullptr; }

// One argument follows the option; its type is given by the option's range, as in libcurl.
CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
    const Api* a = api();
    if (!a) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) rc = a->easy_setopt(h, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT) rc = a->easy_setopt(h, option, va_arg(ap, void*));
    else if (option < CURLOPTTYPE_OFF_T) rc = a->easy_setopt(h, option, va_arg(ap, void (*)()));
    else if (option < CURLOPTTYPE_BLOB) rc = a->easy_setopt(h, option, va_arg(ap, curl_off_t));
    else rc = a->easy_setopt(h, option, va_arg(ap, void*));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL* h) { return api() ? api()->easy_perform(h) : CURLE_FAILED_INIT; }

// Every CURLINFO takes one pointer.
CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
    const Api* a = api();
    if (!a) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void* out = va_arg(ap, void*);
    va_end(ap);
    return a->easy_getinfo(h, info, out);
}

void curl_easy_reset(CURL* h) {
    if (api()) api()->easy_reset(h);
}

void curl_easy_cleanup(CURL* h) {
    if (api()) api()->easy_cleanup(h);
}

const char* curl_easy_strerror(CURLcode code) {
    const Loaded& l = loaded();
    return l.ok ? l.api.easy_strerror(code) : l.error.c_str();
}

char* curl_easy_escape(CURL* h, const char* s, int n) { return api() ? api()->easy_escape(h, s, n) : nullptr; }

void curl_free(void* p) {
    if (api()) api()->free_(p);
}

curl_slist* curl_slist_append(curl_slist* list, const char* s) {
    return api() ? api()->slist_append(list, s) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
    if (api()) api()->slist_free_all(list);
}

CURLU* curl_url() { return api() ? api()->url() : nullptr; }

void curl_url_cleanup(CURLU* u) {
    if (api()) api()->url_cleanup(u);
}

CURLUcode curl_url_get(CURLU* u, CURLUPart what, char** part, unsigned int flags) {
    return api() ? api()->url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU* u, CURLUPart what, const char* part, unsigned int flags) {
    return api() ? api()->url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

}  // extern "C"
