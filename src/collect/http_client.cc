#include "collect/http_client.h"

#include <curl/curl.h>

#include <cmath>
#include <mutex>

namespace tally {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// libcurl calls this about once a second and whenever data moves; non-zero aborts the transfer.
int CheckCancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return cancel != nullptr && static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpClient::HttpClient() {
  GlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::string HttpClient::Escape(const std::string& value) {
  char* escaped =
      curl_easy_escape(static_cast<CURL*>(curl_), value.data(), static_cast<int>(value.size()));
  std::string out = escaped == nullptr ? "" : escaped;
  curl_free(escaped);
  return out;
}

Result<HttpResponse> HttpClient::PostForm(const std::string& url, const std::string& form,
                                          double timeout_seconds, const std::atomic<bool>* cancel) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Internal("libcurl: could not create a handle");
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, std::lround(timeout_seconds * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tally/0.1");
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckCancel);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, cancel == nullptr ? 1L : 0L);
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_ABORTED_BY_CALLBACK) return Cancelled(url + ": cancelled");
  if (code != CURLE_OK) {
    return Unavailable(url + ": " + (error[0] != 0 ? error : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status >= 500 || response.status == 429) {
    std::string excerpt = response.body.substr(0, 200);
    return Unavailable(url + ": HTTP " + std::to_string(response.status) +
                       (excerpt.empty() ? "" : ": " + excerpt));
  }
  return response;
}

}  // namespace tally
