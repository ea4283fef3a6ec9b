#include "common/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cmath>
#include <type_traits>

namespace tally {
namespace {

// libcurl, loaded on first use: linked into the binary, its 30 dependent libraries (TLS,
// Kerberos, LDAP, ...) cost every tally command 10 ms at start-up; only collectors need it.
struct Curl {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  char* (*easy_escape)(CURL*, const char*, int);
  void (*free)(void*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  std::string error;  // why it could not be loaded; "" when it was
};

const Curl& Lib() {
  static const Curl lib = [] {
    Curl c{};
    void* so = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (so == nullptr) {
      const char* why = dlerror();
      c.error = std::string("libcurl could not be loaded (install libcurl4): ") +
                (why != nullptr ? why : "libcurl.so.4");
      return c;
    }
    auto bind = [&](auto* fn, const char* name) {
      *fn = reinterpret_cast<std::remove_reference_t<decltype(*fn)>>(dlsym(so, name));
      if (*fn == nullptr && c.error.empty()) c.error = std::string("libcurl lacks ") + name;
    };
    bind(&c.global_init, "curl_global_init");
    bind(&c.easy_init, "curl_easy_init");
    bind(&c.easy_cleanup, "curl_easy_cleanup");
    bind(&c.easy_escape, "curl_easy_escape");
    bind(&c.free, "curl_free");
    bind(&c.easy_setopt, "curl_easy_setopt");
    bind(&c.easy_perform, "curl_easy_perform");
    bind(&c.easy_getinfo, "curl_easy_getinfo");
    bind(&c.easy_strerror, "curl_easy_strerror");
    bind(&c.slist_append, "curl_slist_append");
    bind(&c.slist_free_all, "curl_slist_free_all");
    if (c.error.empty()) c.global_init(CURL_GLOBAL_DEFAULT);
    return c;
  }();
  return lib;
}

// Where an answer's body goes, and how much of it may come: past the limit the transfer stops
// (a hostile or broken peer cannot fill memory).
struct Sink {
  std::string* body;
  size_t limit;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  Sink* sink = static_cast<Sink*>(out);
  if (sink->body->size() + size * n > sink->limit) return 0;  // libcurl: CURLE_WRITE_ERROR
  sink->body->append(data, size * n);
  return size * n;
}

// libcurl calls this about once a second and whenever data moves; non-zero aborts the transfer.
int CheckCancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return cancel != nullptr && static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

}  // namespace

HttpClient::HttpClient() {
  if (Lib().error.empty()) curl_ = Lib().easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) Lib().easy_cleanup(static_cast<CURL*>(curl_));
}

std::string HttpClient::Escape(const std::string& value) {
  if (curl_ == nullptr) return value;
  char* escaped =
      Lib().easy_escape(static_cast<CURL*>(curl_), value.data(), static_cast<int>(value.size()));
  std::string out = escaped == nullptr ? "" : escaped;
  Lib().free(escaped);
  return out;
}

Result<HttpResponse> HttpClient::PostForm(const std::string& url, const std::string& form,
                                          double timeout_seconds, const std::atomic<bool>* cancel) {
  return Send(url, &form, "Content-Type: application/x-www-form-urlencoded", timeout_seconds, cancel);
}

Result<HttpResponse> HttpClient::PostJson(const std::string& url, const std::string& json,
                                          double timeout_seconds, const std::atomic<bool>* cancel) {
  return Send(url, &json, "Content-Type: application/json", timeout_seconds, cancel);
}

Result<HttpResponse> HttpClient::Get(const std::string& url, double timeout_seconds,
                                     const std::atomic<bool>* cancel) {
  return Send(url, nullptr, "Accept: application/json", timeout_seconds, cancel);
}

Result<HttpResponse> HttpClient::Call(const HttpCall& call) {
  const std::string type = "Content-Type: " + call.content_type;
  return Send(call.url, call.body.empty() && call.method != "POST" ? nullptr : &call.body,
              call.content_type.empty() ? "Accept: application/json" : type.c_str(),
              call.timeout_seconds, nullptr, &call);
}

Result<HttpResponse> HttpClient::Send(const std::string& url, const std::string* body,
                                      const char* header, double timeout_seconds,
                                      const std::atomic<bool>* cancel, const HttpCall* call) {
  const Curl& lib = Lib();
  if (!lib.error.empty()) return Unavailable(lib.error);
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Internal("libcurl: could not create a handle");
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (body == nullptr) {
    lib.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
    lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_slist* headers = lib.slist_append(nullptr, header);
  const std::string bearer =
      call != nullptr && !call->bearer_token.empty() ? "Authorization: Bearer " + call->bearer_token
                                                     : "";
  if (!bearer.empty()) headers = lib.slist_append(headers, bearer.c_str());
  if (call != nullptr) {
    for (const std::string& h : call->headers) headers = lib.slist_append(headers, h.c_str());
  }
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  // The method, when not what the body implies; the handle is reused: always set or reset.
  lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
                  call != nullptr && call->method != "GET" && call->method != "POST"
                      ? call->method.c_str()
                      : nullptr);
  lib.easy_setopt(curl, CURLOPT_CAINFO,
                  call != nullptr && !call->ca_file.empty() ? call->ca_file.c_str() : nullptr);
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  Sink sink{&response.body, max_body_bytes_};
  lib.easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, std::lround(timeout_seconds * 1000));
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "tally/0.1");
  lib.easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckCancel);
  lib.easy_setopt(curl, CURLOPT_XFERINFODATA, cancel);
  lib.easy_setopt(curl, CURLOPT_NOPROGRESS, cancel == nullptr ? 1L : 0L);
  const CURLcode code = lib.easy_perform(curl);
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // the handle is reused: drop the list
  lib.slist_free_all(headers);
  if (code == CURLE_ABORTED_BY_CALLBACK) return Cancelled(url + ": cancelled");
  if (code == CURLE_WRITE_ERROR) {
    return InvalidArgument(url + ": the answer is larger than " + std::to_string(max_body_bytes_) +
                           " bytes");
  }
  if (code != CURLE_OK) {
    return Unavailable(url + ": " + (error[0] != 0 ? error : lib.easy_strerror(code)));
  }
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status >= 500 || response.status == 429) {
    std::string excerpt = response.body.substr(0, 200);
    return Unavailable(url + ": HTTP " + std::to_string(response.status) +
                       (excerpt.empty() ? "" : ": " + excerpt));
  }
  return response;
}

}  // namespace tally
