#include "common/input_lines.h"

#include <cstring>
#include <memory>
#include <vector>

#include "common/input_file.h"

namespace tally {

Status ForEachLine(const std::string& path, size_t max_line, const LineVisitor& visit) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, InputFile::Open(path));
  std::vector<char> chunk(size_t{1} << 20);
  std::string carry;
  bool overlong = false;
  int64_t number = 0;
  auto end_line = [&](std::string_view line) -> Status {
    ++number;
    Status s = visit(number, overlong ? std::string_view() : line, overlong);
    carry.clear();
    overlong = false;
    return s;
  };
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(size_t n, in->Read(chunk.data(), chunk.size()));
    if (n == 0) break;
    size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(chunk.data() + pos, '\n', n - pos));
      const size_t len = (nl != nullptr ? nl - chunk.data() : n) - pos;
      if (!overlong && carry.size() + len > max_line) {
        overlong = true;
        carry.clear();
      }
      if (nl == nullptr) {
        if (!overlong) carry.append(chunk.data() + pos, len);
        break;
      }
      if (carry.empty() && !overlong) {
        TALLY_RETURN_IF_ERROR(end_line(std::string_view(chunk.data() + pos, len)));
      } else {
        if (!overlong) carry.append(chunk.data() + pos, len);
        TALLY_RETURN_IF_ERROR(end_line(carry));
      }
      pos += len + 1;
    }
  }
  if (!carry.empty() || overlong) return end_line(carry);  // a last line without its newline
  return Status::Ok();
}

}  // namespace tally
