// InputFile: sequential reader of a file's bytes that decompresses transparently when the file
// starts with the gzip or the zstd magic number, whatever its name (Spark writes zstd event logs
// as plain-named files). Truncated or corrupt compressed data is an error, not a silent end of
// file.
//
// Owns its zlib or zstd handle. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "tally/result.h"

namespace tally {

class InputFile {
 public:
  // Errors: kNotFound (no such file), kIoError (unreadable, a directory).
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads up to `n` bytes into `buf`; returns 0 only at the end of the data.
  // Errors: kIoError naming the problem ("truncated gzip stream", "corrupt gzip data: ...",
  // "truncated zstd stream", "corrupt zstd data: ...").
  Result<size_t> Read(char* buf, size_t n);

  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }
  // Size of the file on disk, and how much of it has been consumed (for progress).
  uint64_t size_on_disk() const { return size_on_disk_; }
  uint64_t consumed_on_disk() const;

 private:
  InputFile() = default;
  Result<size_t> ReadZstd(char* buf, size_t n);

  std::string path_;
  void* gz_ = nullptr;  // gzFile; void* keeps zlib.h out of this header
  // zstd: the file, the stream and its input buffer (void* keeps zstd.h out of this header).
  std::FILE* file_ = nullptr;
  void* zstd_ = nullptr;  // ZSTD_DStream
  std::string zstd_in_;
  size_t zstd_in_pos_ = 0;
  size_t zstd_frame_left_ = 0;  // the last ZSTD_decompressStream's hint: 0 at a frame's end
  uint64_t zstd_consumed_ = 0;
  bool compressed_ = false;
  uint64_t size_on_disk_ = 0;
};

// Reads a whole file (gunzipped when compressed) into memory, for small inputs such as scrapes.
// Errors: those of Open and Read, naming the path.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace tally
