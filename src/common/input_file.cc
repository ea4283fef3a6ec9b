#include "common/input_file.h"

#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

namespace tally {

Result<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory");
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (probe == nullptr) return IoError(path + ": " + std::strerror(errno));
  unsigned char magic[4] = {0, 0, 0, 0};
  size_t got = std::fread(magic, 1, 4, probe);

  std::unique_ptr<InputFile> f(new InputFile());
  f->path_ = path;
  f->size_on_disk_ = static_cast<uint64_t>(st.st_size);
  if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    std::rewind(probe);
    f->file_ = probe;
    f->zstd_ = ZSTD_createDStream();
    if (f->zstd_ == nullptr) return IoError(path + ": cannot start zstd");
    f->compressed_ = true;
    return f;
  }
  std::fclose(probe);
  f->compressed_ = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(gz, 1 << 18);
  f->gz_ = gz;
  return f;
}

InputFile::~InputFile() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
  if (zstd_ != nullptr) ZSTD_freeDStream(static_cast<ZSTD_DStream*>(zstd_));
  if (file_ != nullptr) std::fclose(file_);
}

Result<size_t> InputFile::ReadZstd(char* buf, size_t n) {
  ZSTD_outBuffer out{buf, n, 0};
  while (out.pos == 0) {
    if (zstd_in_pos_ == zstd_in_.size()) {
      zstd_in_.resize(1 << 17);
      const size_t got = std::fread(zstd_in_.data(), 1, zstd_in_.size(), file_);
      if (got == 0 && std::ferror(file_)) return IoError(path_ + ": " + std::strerror(errno));
      zstd_in_.resize(got);
      zstd_in_pos_ = 0;
      zstd_consumed_ += got;
      if (got == 0) {
        if (zstd_frame_left_ != 0) return IoError(path_ + ": truncated zstd stream");
        return size_t{0};
      }
    }
    ZSTD_inBuffer in{zstd_in_.data(), zstd_in_.size(), zstd_in_pos_};
    const size_t hint = ZSTD_decompressStream(static_cast<ZSTD_DStream*>(zstd_), &out, &in);
    if (ZSTD_isError(hint)) {
      return IoError(path_ + ": corrupt zstd data: " + ZSTD_getErrorName(hint));
    }
    zstd_in_pos_ = in.pos;
    zstd_frame_left_ = hint;
  }
  return out.pos;
}

Result<size_t> InputFile::Read(char* buf, size_t n) {
  if (zstd_ != nullptr) return ReadZstd(buf, n);
  gzFile gz = static_cast<gzFile>(gz_);
  if (n > static_cast<size_t>(INT_MAX)) n = INT_MAX;
  int got = gzread(gz, buf, static_cast<unsigned>(n));
  if (got < 0) {
    int code = 0;
    const char* msg = gzerror(gz, &code);
    return IoError(path_ + ": corrupt gzip data: " + (msg != nullptr ? msg : "unknown error"));
  }
  if (got == 0) {
    int code = 0;
    const char* msg = gzerror(gz, &code);
    if (code == Z_BUF_ERROR) return IoError(path_ + ": truncated gzip stream");
    if (code != Z_OK) return IoError(path_ + ": " + (msg != nullptr ? msg : "read error"));
  }
  return static_cast<size_t>(got);
}

uint64_t InputFile::consumed_on_disk() const {
  if (zstd_ != nullptr) return zstd_consumed_ - (zstd_in_.size() - zstd_in_pos_);
  z_off_t off = gzoffset(static_cast<gzFile>(gz_));
  return off < 0 ? 0 : static_cast<uint64_t>(off);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, InputFile::Open(path));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    Result<size_t> n = file->Read(buf, sizeof buf);
    if (!n.ok()) return IoError(path + ": " + n.status().message());
    if (*n == 0) break;
    text.append(buf, *n);
  }
  return text;
}

}  // namespace tally
