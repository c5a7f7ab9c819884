// A thin RAII layer over the SQLite C API for the telemetry store: one connection, prepared
// statements, and errors as values that keep SQLite's extended code so callers can tell a full disk
// from a read-only file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "zones/result.hpp"

namespace atmo::telemetry {

/// A prepared statement. Move-only; finalized on destruction.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_.get(), index, value); }
  void bind(int index, double value) { sqlite3_bind_double(stmt_.get(), index, value); }
  void bind(int index, std::string_view text);
  void bind_blob(int index, std::string_view bytes);
  void bind_null(int index) { sqlite3_bind_null(stmt_.get(), index); }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }
  /// Ready for the next execution; bindings are cleared too.
  void reset();

  std::int64_t column_int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  double column_double(int column) const { return sqlite3_column_double(stmt_.get(), column); }
  bool column_is_null(int column) const {
    return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
  }
  std::string column_text(int column) const;
  std::string column_blob(int column) const;

  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

/// An error from SQLite with its extended result code.
struct SqliteError {
  int code = SQLITE_OK;
  std::string message;
};

class Connection {
 public:
  enum class Mode { read_write, read_only };

  /// Opens (and for read_write creates) the database file. The connection gets a busy timeout so a
  /// reader never fails because the writer is checkpointing.
  static Result<Connection> open(const std::string& path, Mode mode);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  /// Runs one or more statements that return no rows we need.
  Result<bool> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);

  /// Runs a statement that returns a single integer, e.g. a PRAGMA.
  Result<std::int64_t> query_int(std::string_view sql);

  /// The last error of this connection: extended code and SQLite's message.
  SqliteError last_error() const;
  /// "<what>: <SQLite message> (<code name>)", for Error values a person can act on.
  Error error(std::string_view what) const;

  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Connection(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, Close> db_;
};

/// Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back when it or the commit fails.
template <class Body>
Result<bool> in_transaction(Connection& db, Body&& body) {
  if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) return begun;
  Result<bool> outcome = body();
  if (outcome) outcome = db.exec("COMMIT");
  if (!outcome) {
    // A failed COMMIT may leave the transaction open (e.g. SQLITE_BUSY); roll it back so the next
    // attempt starts clean. The rollback's own error is irrelevant next to the first one.
    if (sqlite3_get_autocommit(db.handle()) == 0) (void)db.exec("ROLLBACK");
  }
  return outcome;
}

}  // namespace atmo::telemetry
