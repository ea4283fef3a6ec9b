#include "common/input_file.h"

#include <sys/stat.h>
#include <zlib.h>

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
  unsigned char magic[2] = {0, 0};
  size_t got = std::fread(magic, 1, 2, probe);
  std::fclose(probe);

  std::unique_ptr<InputFile> f(new InputFile());
  f->path_ = path;
  f->size_on_disk_ = static_cast<uint64_t>(st.st_size);
  f->compressed_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(gz, 1 << 18);
  f->gz_ = gz;
  return f;
}

InputFile::~InputFile() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

Result<size_t> InputFile::Read(char* buf, size_t n) {
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
