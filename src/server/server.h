// Server: `tally serve`, the long-running daemon. It answers HTTP on one loopback or network
// address: health checks, Prometheus remote_write at POST /api/v1/write, and a JSON API under
// /api/v1 whose every answer is an envelope {"status":"success","data":...} or
// {"status":"error","error":"..."} with a 4xx or 5xx code.
//
// The store is shared by the request threads and the flusher behind one mutex.
#pragma once

#include <memory>
#include <string>

#include "config/config_watch.h"
#include "server/remote_write_receiver.h"
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
};

// "HOST:PORT" or ":PORT". Errors: kInvalidArgument.
Status ParseListenAddress(std::string_view text, ServerOptions* options);

class Server {
 public:
  Server(std::unique_ptr<Store> store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves until Stop(); flushes remote_write usage on the way out.
  // Errors: kUnavailable when the address cannot be bound.
  Status Run();
  // Safe from any thread, including a signal-handling one.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tally
