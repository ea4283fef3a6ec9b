#include "store/sqlite/zstd_frame.h"

#include <zstd.h>

namespace tally::sqlite {
namespace {

constexpr unsigned long long kMaxFrameBytes = 1ull << 30;

}  // namespace

Result<std::string> ZstdCompress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

struct ZstdReader::Context {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~Context() { ZSTD_freeDCtx(dctx); }
};

ZstdReader::ZstdReader() : context_(std::make_unique<Context>()) {}
ZstdReader::~ZstdReader() = default;

Status ZstdReader::Decompress(std::string_view frame, std::string* out, std::string_view what) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (context_->dctx == nullptr || size == ZSTD_CONTENTSIZE_ERROR ||
      size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxFrameBytes) {
    return Internal("sqlite: " + std::string(what) + " is corrupt");
  }
  out->resize(static_cast<size_t>(size));
  const size_t n =
      ZSTD_decompressDCtx(context_->dctx, out->data(), out->size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) return Internal("sqlite: " + std::string(what) + " is corrupt");
  return Status::Ok();
}

}  // namespace tally::sqlite
