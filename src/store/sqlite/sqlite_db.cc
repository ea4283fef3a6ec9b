#include "store/sqlite/sqlite_db.h"

#include <algorithm>
#include <thread>

namespace tally::sqlite {
namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  return IoError(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

void Statement::BindColumnOf(int i, const Statement& row, int col) {
  switch (row.Type(col)) {
    case SQLITE_NULL:
      return BindNull(i);
    case SQLITE_INTEGER:
      return BindInt(i, row.Int(col));
    case SQLITE_TEXT:
      return BindText(i, row.Text(col));
    default: {
      const std::string_view blob = row.Blob(col);
      return BindBlob(i, blob.data(), static_cast<int>(blob.size()));
    }
  }
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = rc == SQLITE_INTERRUPT
                     ? Unavailable("sqlite: the query ran past its time budget and was stopped")
                     : SqliteError(db_, "sqlite");
  if (rc == SQLITE_BUSY) error = Unavailable(error.message() + " (another writer held it)");
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::Run() {
  for (;;) {
    TALLY_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  Reset();
  return Status::Ok();
}

std::string_view Statement::Text(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p), n);
}

std::string_view Statement::Blob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  std::unique_ptr<SqliteDb> db(new SqliteDb());
  db->path_ = path;
  int rc =
      sqlite3_open_v2(path.c_str(), &db->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db->db_ != nullptr ? sqlite3_errmsg(db->db_) : "out of memory";
    return IoError("sqlite:" + path + ": cannot open: " + message);
  }
  // Writers take turns: an ingest holds the write lock for its whole run (it is atomic), so a
  // second writer waits for it, up to 10 minutes or its deadline, instead of failing. Readers
  // never wait (WAL).
  sqlite3_busy_handler(db->db_, &SqliteDb::Busy, db.get());
  // Checked every 10,000 virtual machine steps (microseconds apart): stops work past a deadline.
  sqlite3_progress_handler(db->db_, 10000, &SqliteDb::Progress, db.get());
  // WAL: readers never block the writer, and a crash mid-ingest leaves the last commit intact.
  // synchronous=NORMAL is crash-safe in WAL mode (a power loss may drop the last commit only).
  Status status = db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
  if (!status.ok()) return status.WithContext("sqlite:" + path);
  return db;
}

bool SqliteDb::PastDeadline() const {
  const int64_t deadline = deadline_ns_.load(std::memory_order_relaxed);
  return deadline != 0 &&
         std::chrono::steady_clock::now().time_since_epoch().count() > deadline;
}

Status SqliteDb::ReadMapped() {
  if (mapped_) return Status::Ok();
  mapped_ = true;
  return Exec("PRAGMA mmap_size=268435456");
}

Status SqliteDb::CheckDeadline() const {
  if (!PastDeadline()) return Status::Ok();
  return Unavailable("sqlite: the query ran past its time budget and was stopped");
}

int SqliteDb::Progress(void* self) { return static_cast<SqliteDb*>(self)->PastDeadline() ? 1 : 0; }

int SqliteDb::Busy(void* self, int count) {
  auto* db = static_cast<SqliteDb*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) db->busy_since_ = now;
  if (db->PastDeadline() || now - db->busy_since_ > std::chrono::minutes(10)) return 0;
  // 1, 2, 4, ... up to 100 ms between tries: quick when the other writer is quick.
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100, 1 << std::min(count, 7))));
  return 1;
}

void SqliteDb::SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  deadline_ns_.store(deadline ? std::max<int64_t>(1, deadline->time_since_epoch().count()) : 0,
                     std::memory_order_relaxed);
}

Status SqliteDb::Exec(std::string_view sql) {
  char* error = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return IoError("sqlite: " + message);
  }
  return Status::Ok();
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "sqlite: prepare");
  }
  return Statement(db_, stmt);
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(SqliteDb* db) {
  TALLY_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Transaction::~Transaction() {
  if (open_) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  TALLY_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace tally::sqlite
