// zstd frames for the store's compressed blobs (line blocks, series columns, rollup blocks):
// one-shot compression, and decompression bounded in size so that a corrupt blob reads as an
// error, never as a huge allocation.
//
// ZstdReader keeps one decompression context; not thread-safe. The functions are.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tally/result.h"

namespace tally::sqlite {

// Compresses `raw` at `level` (zstd's 1 to 19).
Result<std::string> ZstdCompress(std::string_view raw, int level);

class ZstdReader {
 public:
  ZstdReader();
  ~ZstdReader();
  // Decompresses one frame into *out (reused by callers between blobs). Errors: kInternal,
  // naming `what`, for a frame that is corrupt or would decompress past 1 GiB.
  Status Decompress(std::string_view frame, std::string* out, std::string_view what);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace tally::sqlite
