// CsvReader: a streaming RFC 4180 reader. It holds one buffer (it grows only for a record longer
// than the buffer), so memory does not grow with the file. Quoted fields may hold delimiters,
// doubled quotes and line breaks; CRLF and LF both end a record; a UTF-8 byte-order mark at the
// start is skipped. A stray quote inside an unquoted field is kept as a character.
//
// Hand-written: Debian packages no C++ CSV parser that streams with this memory bound and speed
// (see src/common/README.md). Not thread-safe; fields are views valid until the next Next().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_file.h"
#include "tally/result.h"

namespace tally {

class CsvReader {
 public:
  // `in` must outlive the reader.
  explicit CsvReader(InputFile* in, char delimiter = ',');

  // Reads the next record. Returns false at the end of the input.
  // Errors: kIoError from the input; kInvalidArgument for binary (NUL) data, an unterminated
  // quoted field, or a record over 64 MiB. Each names the file and line.
  Result<bool> Next();

  std::span<const std::string_view> fields() const { return fields_; }
  // 1-based physical line where the current record starts.
  int64_t line() const { return record_line_; }
  // Whether the current record is an empty line.
  bool blank() const { return fields_.size() == 1 && fields_[0].empty(); }
  // Whether the current record held bytes that are not UTF-8: its fields then have each such
  // byte replaced by U+FFFD (text stored or printed later must be valid).
  bool repaired_utf8() const { return repaired_utf8_; }
  // Whether the current record ended with a line break (the last one of a file may not).
  bool terminated() const { return terminated_; }
  // A record with fewer fields than the header and no line break is the end of a file that was
  // cut off mid-row (a copy stopped early, `head -c`): its last field may be cut too, so no value
  // of it can be trusted. Errors: kInvalidArgument naming the file and line.
  Status CheckNotCutOff(size_t header_width) const;

 private:
  enum class Step { kRecord, kNeedData, kError };
  Step ParseRecord();
  Status Refill();
  void RepairUtf8();

  InputFile* in_;
  char delimiter_;
  std::array<bool, 256> special_;  // bytes that end an unquoted run
  std::vector<char> buf_;
  size_t begin_ = 0;  // start of the current record in buf_
  size_t read_ = 0;   // next byte to read
  size_t write_ = 0;  // where the next field byte goes (unescaping compacts in place)
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool terminated_ = true;
  bool repaired_utf8_ = false;
  std::string repaired_;  // the fields of a repaired record
  bool started_ = false;
  bool in_quotes_ = false;
  bool field_quoted_ = false;
  size_t field_start_ = 0;                        // relative to begin_
  std::vector<std::pair<size_t, size_t>> spans_;  // field [start, end) relative to begin_
  std::vector<std::string_view> fields_;
  int64_t line_ = 1;  // line of read_
  int64_t record_line_ = 0;
  int64_t quote_line_ = 0;  // where the open quote started, for the error message
  Status error_;
};

// Reads a whole CSV file (plain, gzip or zstd) that has a header: `header` sees the header's
// fields, `row` each record after it with its line number (blank lines skipped). A last record
// cut off is an error. Errors: the file's, "<path>: empty file", and the callbacks'.
Status ReadCsvFile(
    const std::string& path,
    const std::function<Status(std::span<const std::string_view> header)>& header,
    const std::function<Status(int64_t line, std::span<const std::string_view> row)>& row);

}  // namespace tally
