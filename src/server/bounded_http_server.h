// BoundedHttpServer: cpp-httplib's server with each connection read through a stream that
// bounds what a slow or hostile client can hold: a request's line and headers must arrive
// within the read timeout as a whole (not per byte, so a header line every few seconds cannot
// keep a worker forever) and within 64 KiB. Everything else is httplib's own request
// processing, keep-alive included.
//
// With TLS enabled the same stream reads and writes through OpenSSL, and the handshake too must
// finish within the read timeout (httplib's own SSLServer has neither bound).
//
// Hand-written because Debian's cpp-httplib (0.11) bounds only the time between two reads.
// Thread-safe as httplib::Server is: each connection is served on one worker thread.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <string>

#include "tally/status.h"

namespace tally {

class BoundedHttpServer : public httplib::Server {
 public:
  // Bytes a request's line and headers may take.
  static constexpr size_t kMaxHeaderBytes = 64 << 10;

  BoundedHttpServer() = default;
  ~BoundedHttpServer() override;

  // Serves HTTPS from now on, with the PEM certificate chain and private key: TLS 1.2 and 1.3
  // only, TLS 1.2 with forward-secret AEAD ciphers only (Mozilla's "intermediate" policy), no
  // compression or renegotiation. Call before listening. Errors: kInvalidArgument naming what
  // does not load.
  Status EnableTls(const std::string& cert_file, const std::string& key_file);
  bool tls() const { return tls_ != nullptr; }

 private:
  // Called by httplib for each accepted connection (a virtual of httplib::Server).
  bool process_and_close_socket(socket_t sock) override;

  SSL_CTX* tls_ = nullptr;
};

}  // namespace tally
