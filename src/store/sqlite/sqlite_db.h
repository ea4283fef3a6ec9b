// Thin RAII wrappers over the SQLite C API: a connection and prepared statements, with errors
// as Status. They hide nothing else: callers write SQL.
//
// A SqliteDb is used by one thread at a time; a Statement belongs to its SqliteDb.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tally/result.h"

namespace tally::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameter indexes are 1-based, as in SQLite.
  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  // Binds parameter `i` to column `col` of `row`'s current row, as it is (an integer, text,
  // blob or null; the value must outlive this statement's next step).
  void BindColumnOf(int i, const Statement& row, int col);
  // The text must stay alive until the statement is stepped.
  void BindText(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindBlob(int i, const void* data, int size) {
    sqlite3_bind_blob(stmt_, i, data, size, SQLITE_STATIC);
  }

  // Steps once: true when a row is ready, false when done. Errors: kIoError with SQLite's text;
  // kUnavailable when the connection's deadline passed.
  Result<bool> Step();
  // Steps to the end, then resets for the next use (bindings stay).
  Status Run();
  void Reset() { sqlite3_reset(stmt_); }

  // Column indexes are 0-based, as in SQLite.
  bool IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int Type(int i) const { return sqlite3_column_type(stmt_, i); }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_, i); }
  std::string_view Text(int i) const;
  std::string_view Blob(int i) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  // Opens or creates the database file, with WAL journaling and a busy timeout long enough for
  // one writer to wait for another (docs/store.md: who writes when).
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb() { sqlite3_close_v2(db_); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t TotalChanges() const { return sqlite3_total_changes64(db_); }
  const std::string& path() const { return path_; }
  // Statements still running past `deadline`, or waiting for another writer then, stop with
  // kUnavailable; nullopt lifts it. Any thread may call it (to stop work in flight).
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline);
  // kUnavailable when the deadline passed: for work done in C++ between statements (decoding
  // blocks), which SQLite's progress handler does not see.
  Status CheckDeadline() const;
  // Reads pages through a memory map (up to 256 MiB) from now on: reports that read many blocks
  // save a system call per page. Not for writers: an ingest pays page faults for nothing.
  Status ReadMapped();

 private:
  SqliteDb() = default;
  bool PastDeadline() const;
  static int Progress(void* self);
  static int Busy(void* self, int count);
  sqlite3* db_ = nullptr;
  std::string path_;
  // steady_clock nanoseconds; 0: none. Atomic: another thread may set it.
  std::atomic<int64_t> deadline_ns_{0};
  bool mapped_ = false;
  std::chrono::steady_clock::time_point busy_since_;
};

// A transaction that rolls back unless committed.
class Transaction {
 public:
  // BEGIN IMMEDIATE: takes the write lock now, so a concurrent writer waits or fails up front.
  static Result<std::unique_ptr<Transaction>> Begin(SqliteDb* db);
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
  bool open_ = true;
};

}  // namespace tally::sqlite
