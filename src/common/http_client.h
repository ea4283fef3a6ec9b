// HttpClient: blocking HTTP requests over libcurl, one connection kept alive per client.
// Transport failures, timeouts and 5xx/429 answers are kUnavailable (worth a retry); other
// non-2xx answers are returned to the caller to interpret.
//
// Not thread-safe: use one client per thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tally/result.h"

namespace tally {

// A request of any method, for APIs that need more than GET and POST (the Kubernetes API).
struct HttpCall {
  std::string method = "GET";  // GET, POST, PATCH, PUT, DELETE
  std::string url;
  std::string body;             // sent when not empty
  std::string content_type;     // of the body
  std::string bearer_token;     // sent as Authorization: Bearer
  std::string ca_file;          // verify the server against this CA ("" = the system's)
  std::vector<std::string> headers;  // more, as "Name: value" (e.g. Basic authorization)
  double timeout_seconds = 30;
};

struct HttpResponse {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  std::string body;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs an application/x-www-form-urlencoded body. Errors: kUnavailable as above;
  // kCancelled as soon as *cancel (when given) becomes true.
  Result<HttpResponse> PostForm(const std::string& url, const std::string& form,
                                double timeout_seconds, const std::atomic<bool>* cancel = nullptr);
  // POSTs an application/json body; the same errors.
  Result<HttpResponse> PostJson(const std::string& url, const std::string& json,
                                double timeout_seconds, const std::atomic<bool>* cancel = nullptr);
  // Any method, headers and CA; the same errors (a 4xx answer is returned, not an error).
  Result<HttpResponse> Call(const HttpCall& call);
  // GETs `url` (JSON expected); the same errors.
  Result<HttpResponse> Get(const std::string& url, double timeout_seconds,
                           const std::atomic<bool>* cancel = nullptr);
  // The largest answer body taken (default 1 GiB); a larger one fails with kInvalidArgument.
  void set_max_body_bytes(size_t bytes) { max_body_bytes_ = bytes; }
  // "a=b&c=d" escaping of one value.
  std::string Escape(const std::string& value);

 private:
  // POSTs `body`, or GETs without one; `header` is sent as it is.
  Result<HttpResponse> Send(const std::string& url, const std::string* body, const char* header,
                            double timeout_seconds, const std::atomic<bool>* cancel,
                            const HttpCall* call = nullptr);
  void* curl_;  // CURL*; void* keeps curl.h out of this header
  size_t max_body_bytes_ = size_t{1} << 30;
};

}  // namespace tally
