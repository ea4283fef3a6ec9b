#include "common/csv_reader.h"

#include <array>
#include <cstring>
#include <string>

#include "common/strings.h"

namespace tally {
namespace {

constexpr size_t kInitialBuffer = 1 << 20;
constexpr size_t kMaxRecord = 64u << 20;

// Bytes that end a run of ordinary field bytes outside quotes (the delimiter is added per reader).
std::array<bool, 256> SpecialBytes(char delimiter) {
  std::array<bool, 256> special{};
  for (unsigned char c : {'\n', '\r', '"'}) special[c] = true;
  special[static_cast<unsigned char>(delimiter)] = true;
  return special;
}

}  // namespace

CsvReader::CsvReader(InputFile* in, char delimiter)
    : in_(in), delimiter_(delimiter), special_(SpecialBytes(delimiter)), buf_(kInitialBuffer) {}

Status CsvReader::Refill() {
  // Keep the unfinished record: move it to the front, then read more behind it.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    read_ -= begin_;
    write_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= kMaxRecord) {
      return InvalidArgument(in_->path() + ": line " + std::to_string(record_line_) +
                             ": record longer than 64 MiB (not a CSV file?)");
    }
    buf_.resize(buf_.size() * 2);
  }
  TALLY_ASSIGN_OR_RETURN(size_t got, in_->Read(buf_.data() + end_, buf_.size() - end_));
  if (got == 0) {
    eof_ = true;
    return Status::Ok();
  }
  if (std::memchr(buf_.data() + end_, '\0', got) != nullptr) {
    return InvalidArgument(in_->path() + ": binary data (NUL byte): not a CSV file");
  }
  end_ += got;
  if (!started_ && end_ >= 3) {
    started_ = true;
    if (std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) read_ = write_ = begin_ = 3;
  }
  return Status::Ok();
}

CsvReader::Step CsvReader::ParseRecord() {
  char* b = buf_.data();
  while (read_ < end_) {
    const char c = b[read_];
    if (in_quotes_) {
      if (c == '"') {
        if (read_ + 1 == end_ && !eof_) return Step::kNeedData;  // is it a doubled quote?
        if (read_ + 1 < end_ && b[read_ + 1] == '"') {
          b[write_++] = '"';
          read_ += 2;
        } else {
          in_quotes_ = false;
          ++read_;
        }
        continue;
      }
      if (c == '\n') {
        ++line_;
        b[write_++] = c;
        ++read_;
        continue;
      }
      size_t run_end = read_ + 1;  // a run of quoted bytes up to the next quote or line break
      while (run_end < end_ && b[run_end] != '"' && b[run_end] != '\n') ++run_end;
      if (write_ != read_) std::memmove(b + write_, b + read_, run_end - read_);
      write_ += run_end - read_;
      read_ = run_end;
      continue;
    }
    if (!special_[static_cast<unsigned char>(c)]) {
      // A run of ordinary bytes: find its end in one tight loop, then move it once.
      size_t run_end = read_ + 1;
      while (run_end < end_ && !special_[static_cast<unsigned char>(b[run_end])]) ++run_end;
      if (write_ != read_) std::memmove(b + write_, b + read_, run_end - read_);
      write_ += run_end - read_;
      read_ = run_end;
    } else if (c == delimiter_) {
      spans_.emplace_back(field_start_, write_ - begin_);
      field_start_ = write_ - begin_;
      field_quoted_ = false;
      ++read_;
    } else if (c == '\n') {
      spans_.emplace_back(field_start_, write_ - begin_);
      ++read_;
      ++line_;
      return Step::kRecord;
    } else if (c == '\r') {
      if (read_ + 1 == end_ && !eof_) return Step::kNeedData;  // CRLF split across reads?
      if (read_ + 1 < end_ && b[read_ + 1] == '\n') {
        ++read_;  // the '\n' ends the record next
      } else {
        b[write_++] = c;
        ++read_;
      }
    } else if (c == '"' && write_ - begin_ == field_start_ && !field_quoted_) {
      in_quotes_ = true;
      field_quoted_ = true;
      quote_line_ = line_;
      ++read_;
    } else {
      b[write_++] = c;
      ++read_;
    }
  }
  return Step::kNeedData;
}

Result<bool> CsvReader::Next() {
  begin_ = write_ = read_;
  spans_.clear();
  field_start_ = 0;
  in_quotes_ = field_quoted_ = false;
  record_line_ = line_;
  for (;;) {
    Step step = read_ < end_ ? ParseRecord() : Step::kNeedData;
    if (step == Step::kRecord) {
      terminated_ = true;
      break;
    }
    if (eof_) {
      if (in_quotes_) {
        return InvalidArgument(in_->path() + ": line " + std::to_string(quote_line_) +
                               ": unterminated quoted field");
      }
      if (read_ == begin_ && spans_.empty()) return false;  // nothing left
      spans_.emplace_back(field_start_, write_ - begin_);
      terminated_ = false;
      break;
    }
    TALLY_RETURN_IF_ERROR(Refill());
  }
  fields_.clear();
  const char* base = buf_.data() + begin_;
  for (const auto& [start, end] : spans_) fields_.emplace_back(base + start, end - start);
  repaired_utf8_ = !IsValidUtf8(std::string_view(base, write_ - begin_));
  if (repaired_utf8_) RepairUtf8();
  return true;
}

void CsvReader::RepairUtf8() {
  size_t size = 0;
  for (std::string_view f : fields_) size += f.size();
  repaired_.clear();
  repaired_.reserve(size * 3);  // each byte may become three: no reallocation below
  for (std::string_view& f : fields_) {
    const size_t at = repaired_.size();
    AppendValidUtf8(f, &repaired_);
    f = std::string_view(repaired_.data() + at, repaired_.size() - at);
  }
}

Status CsvReader::CheckNotCutOff(size_t header_width) const {
  if (terminated_ || fields_.size() >= header_width) return Status::Ok();
  return InvalidArgument(in_->path() + ": line " + std::to_string(record_line_) +
                         ": truncated file: the last row has " + std::to_string(fields_.size()) +
                         " of the header's " + std::to_string(header_width) +
                         " fields and no line break (was the file cut off?)");
}

Status ReadCsvFile(
    const std::string& path,
    const std::function<Status(std::span<const std::string_view> header)>& header,
    const std::function<Status(int64_t line, std::span<const std::string_view> row)>& row) {
  TALLY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, InputFile::Open(path));
  CsvReader csv(in.get());
  TALLY_ASSIGN_OR_RETURN(bool has_header, csv.Next());
  if (!has_header) return InvalidArgument(path + ": empty file");
  TALLY_RETURN_IF_ERROR(header(csv.fields()));
  const size_t width = csv.fields().size();
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool more, csv.Next());
    if (!more) return Status::Ok();
    if (csv.blank()) continue;
    TALLY_RETURN_IF_ERROR(csv.CheckNotCutOff(width));
    TALLY_RETURN_IF_ERROR(row(csv.line(), csv.fields()));
  }
}

}  // namespace tally
