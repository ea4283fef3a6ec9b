#include "server/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/strings.h"

#include "server/api_routes.h"
#include "server/api_support.h"
#include "server/bounded_http_server.h"
#include "server/embedded_web.h"
#include "server/remote_write_sources.h"
#include "server/request_gate.h"

namespace tally {
namespace {

const char* ContentType(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".ico")) return "image/x-icon";
  if (path.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

// The dashboard compiled into the binary, at / (index.html) and its own paths.
void ServeEmbeddedWeb(httplib::Server& http) {
  for (const EmbeddedFile& file : EmbeddedWebFiles()) {
    auto reply = [file](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(file.data), ContentType(file.path));
    };
    http.Get(std::string(file.path), reply);
    if (file.path == "/index.html") http.Get("/", reply);
  }
}

}  // namespace

using Json = nlohmann::ordered_json;

Status ParseListenAddress(std::string_view text, ServerOptions* options) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address \"" + std::string(text) + "\" is not HOST:PORT");
  }
  int port = 0;
  const std::string_view port_text = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return InvalidArgument("listen address \"" + std::string(text) + "\" has no valid port");
  }
  std::string host = colon == 0 ? "127.0.0.1" : std::string(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // "[::]:8080"
  }
  options->host = host;
  options->port = port;
  return Status::Ok();
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

struct Server::Impl {
  Impl(std::unique_ptr<Store> s, ServerOptions o)
      : store(std::move(s)),
        options(std::move(o)),
        writes(options.remote_write_source),
        gate(options.auth_required ? options.access : nullptr, options.rate_limit_per_minute) {}

  void Routes();
  void RemoteWrite(const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& read);
  void FlushLoop();
  void FlushOnce(bool final);

  std::unique_ptr<Store> store;
  std::mutex store_mu;
  ServerOptions options;
  RemoteWriteSources writes;
  RequestGate gate;
  BoundedHttpServer http;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  ResponseCache cache;
  std::vector<ApiRoute> routes;
  int listen_fd = -1;  // the listening socket, to raise its backlog
};

void Server::Impl::Routes() {
  http.set_payload_max_length(options.max_body_bytes);
  http.set_read_timeout(options.read_timeout_seconds, 0);
  http.set_write_timeout(options.read_timeout_seconds, 0);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1000);
  http.set_tcp_nodelay(true);  // small JSON answers must not wait for Nagle's 40 ms
  http.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  // A worker serves one connection at a time while it is kept alive: enough of them for a
  // dashboard's and Prometheus's connections. Slow clients are bounded by the read timeout.
  http.new_task_queue = [] { return new httplib::ThreadPool(64); };
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        ReplyError(res, 500, "internal error");
      });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    ReplyError(res, res.status,
               res.status == 404   ? "no such route"
               : res.status == 413 ? "request body too large"
                                   : "HTTP " + std::to_string(res.status));
  });

  // Refused before any body is read: what httplib would read without bound or wait on.
  // (A Content-Length over the limit is httplib's: it answers 413 after reading the body to the
  // end, never storing it, so that the client sees the answer rather than a reset connection.)
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    using httplib::Server;
    if (req.path.find('\0') != std::string::npos) {
      ReplyError(res, 400, "the path holds a NUL byte");
      return Server::HandlerResponse::Handled;
    }
    // "by=ProviderName=x" would be read as by=x: a value's '=' must be percent-encoded.
    const size_t query = req.target.find('?');
    if (query != std::string::npos) {
      for (const std::string& part : SplitList(req.target.substr(query + 1), '&')) {
        const size_t eq = part.find('=');
        if (eq != std::string::npos && part.find('=', eq + 1) != std::string::npos) {
          ReplyError(res, 400,
                     "query parameter \"" + part + "\": a value cannot hold '=' (write %3D)");
          return Server::HandlerResponse::Handled;
        }
      }
    }
    const bool chunked = req.get_header_value("Transfer-Encoding") == "chunked";
    const bool has_length = req.has_header("Content-Length");
    const bool takes_body =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
        req.method == "DELETE";
    // Only remote_write reads a chunked body, and it counts what it reads.
    if ((chunked && req.path != "/api/v1/write") || (takes_body && !chunked && !has_length)) {
      res.set_header("Connection", "close");
      ReplyError(res, 411, "a request body needs a Content-Length");
      return Server::HandlerResponse::Handled;
    }
    return Server::HandlerResponse::Unhandled;
  });
  if (!options.web_dir.empty()) {
    if (!http.set_mount_point("/", options.web_dir)) {
      std::fprintf(stderr, "tally: serve: no dashboard: %s is not a directory\n",
                   options.web_dir.c_str());
    }
  } else {
    ServeEmbeddedWeb(http);
  }
  http.Get("/healthz",
           [](const httplib::Request&, httplib::Response& res) { ReplySuccess(res, "ok"); });
  // Ready: the store answers and can take writes (it is writable, with room to grow).
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(store_mu);
    auto sources = store->ListUsageSources();
    if (!sources.ok()) return ReplyError(res, 503, sources.status().message());
    Status writable = store->CheckWritable(options.min_free_bytes);
    if (!writable.ok()) return ReplyError(res, 503, writable.message());
    ReplySuccess(res, "ready");
  });

  http.Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& read) {
    RemoteWrite(req, res, read);
  });

  http.Get("/api/v1/remote-write", [this](const httplib::Request& req, httplib::Response& res) {
    if (!gate.Admit(req, res, Role::kViewer, Scoping::kPlatform, false)) return;
    ReplySuccess(res, writes.StatsJson());
  });
  ApiContext context{store.get(), &store_mu, &cache, options.config,
                     std::chrono::milliseconds(
                         static_cast<int64_t>(options.request_budget_seconds * 1000))};
  context.access = options.access;
  context.reload_config = options.reload_config;
  context.run_now = options.run_now;
  context.store_url = options.store_url;
  context.policies_dir = options.policies_dir;
  routes = ApiRoutes(context);
  for (const ApiRoute& route : routes) {
    auto admitted = [this, route](const httplib::Request& req, httplib::Response& res) {
      auto caller = gate.Admit(req, res, route.role, route.scoping, route.expensive);
      if (caller) route.handler(*caller, req, res);
    };
    if (std::string_view(route.method) == "POST") {
      http.Post(route.path, admitted);
    } else {
      http.Get(route.path, admitted);
    }
  }
  const std::string openapi = OpenApiDocument(routes).dump();
  http.Get("/api/v1/openapi.json", [this, openapi](const httplib::Request& req,
                                                   httplib::Response& res) {
    if (!gate.Admit(req, res, Role::kViewer, Scoping::kNone, false)) return;
    res.set_content(openapi, "application/json");
  });
}

void Server::Impl::RemoteWrite(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& read) {
  // Who pushes, to which source: refused before the body is read.
  const std::optional<Caller> caller = gate.Admit(req, res, Role::kViewer, Scoping::kNone, false);
  const std::string source = req.has_param("source") ? req.get_param_value("source")
                                                     : writes.default_source();
  if (caller && !caller->CanWrite(source)) {
    ReplyError(res, 403, caller->write_sources.empty()
                             ? caller->name + " has no write scope: remote_write needs a token "
                                              "made with --write SOURCE"
                             : caller->name + " may not write the source \"" + source + "\"");
  }
  if (!caller || res.status == 403) {
    res.set_header("Connection", "close");  // the body is not read
    return;
  }
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "snappy") {
    res.set_header("Connection", "close");  // the body is not read
    return ReplyError(res, 415, "remote write: Content-Encoding must be snappy");
  }
  // Read here, not by httplib: a chunked body has no length to refuse up front, so its bytes
  // are counted as they come.
  std::string body;
  bool too_large = false;
  const bool read_all = read([&](const char* data, size_t n) {
    if (body.size() + n > options.max_body_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_large || res.status == 413) {
    res.set_header("Connection", "close");
    return ReplyError(res, 413, "request body too large");
  }
  if (!read_all) return ReplyError(res, 400, "remote write: the body could not be read");
  RemoteWriteLimits limits;
  limits.max_uncompressed_bytes = options.max_body_bytes * 8;
  Status status = writes.Accept(source, caller->name, body, limits);
  if (!status.ok()) return ReplyError(res, ErrorStatus(status), status.message());
  res.status = 204;
}

void Server::Impl::FlushOnce(bool final) {
  std::lock_guard lock(store_mu);
  const std::string errors = writes.Flush(store.get(), options.access, final);
  if (!errors.empty()) {
    std::fprintf(stderr, "tally: serve: storing remote_write usage failed: %s\n", errors.c_str());
  }
}

void Server::Impl::FlushLoop() {
  std::unique_lock lock(stop_mu);
  while (!stopping) {
    stop_cv.wait_for(lock, std::chrono::duration<double>(options.flush_interval_seconds));
    if (stopping) break;
    lock.unlock();
    FlushOnce(false);
    lock.lock();
  }
}

Server::Server(std::unique_ptr<Store> store, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(store), std::move(options))) {
  impl_->Routes();
}

Server::~Server() = default;

Status Server::Run() {
  if (!impl_->options.tls_cert.empty() || !impl_->options.tls_key.empty()) {
    if (impl_->options.tls_cert.empty() || impl_->options.tls_key.empty()) {
      return InvalidArgument("serve: --tls-cert and --tls-key go together");
    }
    TALLY_RETURN_IF_ERROR(impl_->http.EnableTls(impl_->options.tls_cert, impl_->options.tls_key)
                              .WithContext("serve"));
  }
  if (!impl_->http.bind_to_port(impl_->options.host, impl_->options.port)) {
    return Unavailable("serve: cannot listen on " + impl_->options.host + ":" +
                       std::to_string(impl_->options.port) + " (in use, or not an address here)");
  }
  // Debian's cpp-httplib listens with a backlog of 5: when more clients connect at once (a
  // dashboard, Prometheus, a load test), their handshakes overflow it and wait out TCP's
  // retransmission backoff, 200 ms and more. Listening again on the socket raises the backlog.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  std::thread flusher([this] { impl_->FlushLoop(); });
  const bool v6 = impl_->options.host.find(':') != std::string::npos;
  std::fprintf(stderr, "tally: serving on %s://%s%s%s:%d%s\n",
               impl_->http.tls() ? "https" : "http", v6 ? "[" : "", impl_->options.host.c_str(),
               v6 ? "]" : "", impl_->options.port,
               impl_->options.auth_required ? " (authentication required)" : "");
  const bool listened = impl_->http.listen_after_bind();
  {
    std::lock_guard lock(impl_->stop_mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  flusher.join();
  impl_->FlushOnce(true);
  return listened ? Status::Ok() : Unavailable("serve: the HTTP server stopped with an error");
}

void Server::Stop() { impl_->http.stop(); }

}  // namespace tally
