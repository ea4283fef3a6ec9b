// BoundedHttpServer: cpp-httplib's server with each connection read through a stream that
// bounds what a slow or hostile client can hold: a request's line and headers must arrive
// within the read timeout as a whole (not per byte, so a header line every few seconds cannot
// keep a worker forever) and within 64 KiB. Everything else is httplib's own request
// processing, keep-alive included.
//
// Hand-written because Debian's cpp-httplib (0.11) bounds only the time between two reads.
// Thread-safe as httplib::Server is: each connection is served on one worker thread.
#pragma once

#include <httplib.h>

namespace tally {

class BoundedHttpServer : public httplib::Server {
 public:
  // Bytes a request's line and headers may take.
  static constexpr size_t kMaxHeaderBytes = 64 << 10;

 private:
  // Called by httplib for each accepted connection (a virtual of httplib::Server).
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace tally
