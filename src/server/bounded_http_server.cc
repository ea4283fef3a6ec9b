#include "server/bounded_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace tally {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events` or `timeout` passes; false on timeout or error.
bool WaitFor(int fd, short events, Clock::duration timeout) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  if (ms <= 0) return false;
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(ms));
  } while (rc < 0 && errno == EINTR);
  return rc > 0 && (p.revents & (events | POLLHUP)) != 0;
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  ip = text;
}

// A connection's stream. Reads are buffered (httplib reads headers a byte at a time); while a
// request's headers are being read, their bytes and their time are bounded as a whole.
class BoundedStream final : public httplib::Stream {
 public:
  // `ssl`, when set, is a connection whose handshake is done: bytes go through it.
  BoundedStream(int fd, SSL* ssl, Clock::duration read_timeout, Clock::duration write_timeout)
      : fd_(fd), ssl_(ssl), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  // A new request starts: its headers must be complete within the read timeout.
  void BeginRequest() {
    in_headers_ = true;
    header_bytes_ = 0;
    line_length_ = 0;
    header_deadline_ = Clock::now() + read_timeout_;
  }
  // Bytes already read from the socket: ours, or decrypted ones OpenSSL holds.
  bool has_buffered() const {
    return begin_ < end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0);
  }

  bool is_readable() const override { return has_buffered() || WaitFor(fd_, POLLIN, Timeout()); }
  bool is_writable() const override { return WaitFor(fd_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ >= end_) {
      ssize_t got;
      if (ssl_ != nullptr) {
        got = TlsRead();
      } else {
        if (!WaitFor(fd_, POLLIN, Timeout())) return -1;
        do {
          got = ::recv(fd_, buffer_, sizeof buffer_, 0);
        } while (got < 0 && errno == EINTR);
      }
      if (got <= 0) return got;
      begin_ = 0;
      end_ = static_cast<size_t>(got);
    }
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_ + begin_, n);
    begin_ += n;
    if (in_headers_ && !CountHeaderBytes(ptr, n)) return -1;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (ssl_ != nullptr) return TlsWrite(ptr, size);
    if (!WaitFor(fd_, POLLOUT, write_timeout_)) return -1;
    ssize_t sent;
    do {
      sent = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      AddressOf(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      AddressOf(addr, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // OpenSSL on a non-blocking socket: waits (within the timeouts) for what it asks for.
  bool WaitForTls(int result) const {
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ) return WaitFor(fd_, POLLIN, Timeout());
    if (error == SSL_ERROR_WANT_WRITE) return WaitFor(fd_, POLLOUT, write_timeout_);
    return false;
  }
  ssize_t TlsRead() {
    for (;;) {
      const int got = SSL_read(ssl_, buffer_, sizeof buffer_);
      if (got > 0) return got;
      if (SSL_get_error(ssl_, got) == SSL_ERROR_ZERO_RETURN) return 0;
      if (!WaitForTls(got)) return -1;
    }
  }
  ssize_t TlsWrite(const char* ptr, size_t size) {
    for (;;) {
      const int sent = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      if (sent > 0) return sent;
      if (!WaitForTls(sent)) return -1;
    }
  }

  // How long the next wait for input may take: the read timeout, and while headers are read,
  // no longer than their deadline.
  Clock::duration Timeout() const {
    if (!in_headers_) return read_timeout_;
    return std::min(read_timeout_, header_deadline_ - Clock::now());
  }

  // Follows the header bytes handed to httplib; an empty line ends them. False: too many.
  bool CountHeaderBytes(const char* p, size_t n) {
    header_bytes_ += n;
    for (size_t i = 0; i < n && in_headers_; ++i) {
      if (p[i] == '\n') {
        if (line_length_ == 0 && header_bytes_ > 2) in_headers_ = false;
        line_length_ = 0;
      } else if (p[i] != '\r') {
        ++line_length_;
      }
    }
    return header_bytes_ <= BoundedHttpServer::kMaxHeaderBytes;
  }

  const int fd_;
  SSL* const ssl_;
  const Clock::duration read_timeout_, write_timeout_;
  char buffer_[4096];
  size_t begin_ = 0, end_ = 0;
  bool in_headers_ = false;
  size_t header_bytes_ = 0;
  size_t line_length_ = 0;
  Clock::time_point header_deadline_;
};

// The TLS handshake of a new connection on a non-blocking socket, whole within `timeout`.
SSL* AcceptTls(SSL_CTX* ctx, int fd, Clock::duration timeout) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return nullptr;
  const int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  SSL_set_fd(ssl, fd);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const int rc = SSL_accept(ssl);
    if (rc == 1) return ssl;
    const int error = SSL_get_error(ssl, rc);
    const bool waiting =
        (error == SSL_ERROR_WANT_READ && WaitFor(fd, POLLIN, deadline - Clock::now())) ||
        (error == SSL_ERROR_WANT_WRITE && WaitFor(fd, POLLOUT, deadline - Clock::now()));
    if (!waiting) {
      ERR_clear_error();  // a failed handshake is the client's: nothing to keep
      SSL_free(ssl);
      return nullptr;
    }
  }
}

}  // namespace

BoundedHttpServer::~BoundedHttpServer() { SSL_CTX_free(tls_); }

Status BoundedHttpServer::EnableTls(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  auto fail = [&](const std::string& what) {
    char reason[256] = "";
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return InvalidArgument(what + " (" + reason + ")");
  };
  if (ctx == nullptr) return fail("TLS: no context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                   "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                   "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") !=
      1) {
    return fail("TLS: the cipher policy is not available");
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return fail("--tls-cert " + cert_file + ": not a PEM certificate chain");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      return fail("--tls-key " + key_file + " is not the key of --tls-cert " + cert_file);
    }
    return fail("--tls-key " + key_file + ": not a PEM private key");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail("--tls-key " + key_file + " is not the key of --tls-cert " + cert_file);
  }
  SSL_CTX_free(tls_);
  tls_ = ctx;
  return Status::Ok();
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  const auto read_timeout =
      std::chrono::seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_);
  const auto write_timeout =
      std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_);
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ssl = AcceptTls(tls_, sock, read_timeout);
    if (ssl == nullptr) {
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
      return false;
    }
  }
  BoundedStream stream(sock, ssl, read_timeout, write_timeout);
  bool ok = true;
  // Keep-alive: the next request must start within the keep-alive timeout; the wait is sliced
  // so that a stopping server lets go of idle connections at once.
  auto next_request = [&] {
    const auto until = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
    while (svr_sock_ != INVALID_SOCKET) {  // stop() closes the listening socket first
      if (stream.has_buffered() || WaitFor(sock, POLLIN, std::chrono::milliseconds(100))) {
        return true;
      }
      if (Clock::now() >= until) return false;
    }
    return false;
  };
  for (size_t left = keep_alive_max_count_; left > 0 && next_request(); --left) {
    stream.BeginRequest();
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (!ok || closed) break;
  }
  if (ssl != nullptr) {
    SSL_shutdown(ssl);  // close_notify, not waiting for the client's
    SSL_free(ssl);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace tally
