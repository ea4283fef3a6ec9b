// Status: the error currency of tally. A Status is either OK or carries a code and a
// lower-case context chain such as "ingest focus: bill.csv: line 18: BilledCost: not a number".
//
// Value type; cheap to copy when OK (no allocation). Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tally {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (bad flag, bad file content)
  kNotFound,            // a named file, column or object does not exist
  kIoError,             // reading or writing failed (disk, network, truncated stream)
  kFailedPrecondition,  // the store or input is not in a state the call needs
  kInternal,            // a bug or an unexpected library failure
  kUnavailable,         // a peer is down, slow or overloaded: worth retrying later
  kCancelled,           // the caller asked the work to stop
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: <message>".
  Status WithContext(std::string_view context) const;

  // "ok" or the message.
  std::string ToString() const { return ok() ? "ok" : message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

}  // namespace tally

#define TALLY_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::tally::Status tally_status_ = (expr);        \
    if (!tally_status_.ok()) return tally_status_; \
  } while (0)
