// RAII owners for the libcurl handles the verifier uses; nothing here talks to the network.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace ks::verify {

struct CurlEasyDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
struct CurlUrlDeleter {
    void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct CurlFreeDeleter {
    void operator()(char* p) const noexcept { curl_free(p); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
using CurlString = std::unique_ptr<char, CurlFreeDeleter>;

// curl_global_init, once per process (thread-safe). Throws std::runtime_error if it fails.
void ensure_curl_global_init();

// Appends one header line; throws std::bad_alloc when libcurl cannot.
void append(CurlSlist& list, const std::string& line);

}  // namespace ks::verify
