#include "verify/curl_handles.hpp"

#include <mutex>
#include <new>
#include <stdexcept>

namespace ks::verify {

void ensure_curl_global_init() {
    static std::once_flag once;
    static CURLcode rc = CURLE_OK;
    std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (rc != CURLE_OK) throw std::runtime_error(std::string("libcurl initialisation failed: ") + curl_easy_strerror(rc));
}

void append(CurlSlist& list, const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (!head) throw std::bad_alloc();
    if (head != list.get()) {
        (void)list.release();  // the old head (if any) is now part of `head`'s chain
        list.reset(head);
    }
}

}  // namespace ks::verify
