// Server: `tally serve`, the long-running daemon. It answers HTTP on one loopback or network
// address: health checks, Prometheus remote_write at POST /api/v1/write, and a JSON API under
// /api/v1 whose every answer is an envelope {"status":"success","data":...} or
// {"status":"error","error":"..."} with a 4xx or 5xx code. Over HTTP or HTTPS; with
// authentication on, each request is admitted by a RequestGate (request_gate.h).
//
// The store is shared by the request threads and the flusher behind one mutex.
#pragma once

#include <memory>
#include <functional>
#include <string>
#include <string_view>

#include "access/access_control.h"
#include "config/config_watch.h"
#include "tally/store.h"

namespace tally {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  double flush_interval_seconds = 60;  // how often remote_write usage is stored
  size_t max_body_bytes = 16 << 20;    // larger requests get 413
  int read_timeout_seconds = 10;       // a client slower than this is dropped
  std::string remote_write_source = "remote-write";
  std::string web_dir;  // the built dashboard (web/dist), served at /; "" serves none
  const ConfigWatch* config = nullptr;  // the daemon's tally.yaml, shown by /api/v1/sources
  // /readyz fails while the store's disk has less free space than this.
  uint64_t min_free_bytes = 64u << 20;
  // How long one API request may query the store before it is stopped with 503.
  double request_budget_seconds = 15;
  // Who may do what (docs/security.md). `access` records mutations (config reloads, writes,
  // state changes) in the audit log; with `auth_required` it also authenticates every API
  // request, /metrics and remote_write (401 without a valid bearer token). Null: no audit, no
  // authentication.
  AccessControl* access = nullptr;
  bool auth_required = false;
  double rate_limit_per_minute = 300;  // per caller, on routes that query the store
  std::string tls_cert, tls_key;       // PEM files: both set serves HTTPS
  // Reads tally.yaml again now (POST /api/v1/config/reload); says what happened.
  std::function<std::string()> reload_config = nullptr;
  // Collects every source now and allocates what changed (POST /api/v1/runs).
  std::function<void()> run_now = nullptr;
  std::string store_url;     // for the policy state's own connection
  std::string policies_dir;  // policy files beside tally.yaml's (GET /api/v1/policies)
};

// True for 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches.
bool IsLoopbackHost(std::string_view host);

// "HOST:PORT" or ":PORT". Errors: kInvalidArgument.
Status ParseListenAddress(std::string_view text, ServerOptions* options);

class Server {
 public:
  Server(std::unique_ptr<Store> store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves until Stop(); flushes remote_write usage on the way out.
  // Errors: kUnavailable when the address cannot be bound; kInvalidArgument when the TLS
  // certificate or key cannot be loaded.
  Status Run();
  // Safe from any thread, including a signal-handling one.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tally
