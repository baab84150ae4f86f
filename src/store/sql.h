// A small SQL connection interface the history store is written against, with a SQLite and a
// PostgreSQL implementation. SQL text uses PostgreSQL's $1, $2 ... placeholders; the SQLite
// connection maps them to ?1, ?2. Errors are values; nothing throws.
// Thread safety: a Connection is used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/status.h"

namespace kspm::store {

/** A bound parameter or inserted value: NULL, an integer or text (viewed, not owned). */
struct SqlValue {
  enum class Kind : uint8_t { kNull, kInt, kText };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  std::string_view text;

  static SqlValue null() { return {}; }
  static SqlValue of(int64_t v) { return {Kind::kInt, v, {}}; }
  static SqlValue of(std::string_view v) { return {Kind::kText, 0, v}; }
};

/** One result row, valid only during the callback that receives it. */
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual bool isNull(int column) const = 0;
  virtual int64_t integer(int column) const = 0;   // 0 for NULL
  virtual std::string_view text(int column) const = 0;  // "" for NULL
};

/** Rows for a bulk insert: fills `out` (one value per column) for row `index`. */
using RowSource = std::function<void(size_t index, std::vector<SqlValue>* out)>;

class Connection {
 public:
  virtual ~Connection() = default;
  /** "sqlite" or "postgresql". */
  virtual std::string_view dialect() const = 0;
  /** Runs one or more statements without parameters (DDL, BEGIN, COMMIT). */
  virtual Result<bool> execScript(std::string_view sql) = 0;
  /** Runs one statement; calls `row` for each result row (may be null). Returns rows changed. */
  virtual Result<int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params,
                               const std::function<void(const SqlRow&)>& row = nullptr) = 0;
  /**
   * Inserts `count` rows into `table` (`columns`), as fast as the backend allows (prepared
   * statement on SQLite; COPY FROM STDIN on PostgreSQL). `on_conflict` ("" or "ON CONFLICT ...")
   * applies to the insert; rows must not conflict with each other.
   */
  virtual Result<bool> bulkInsert(std::string_view table, const std::vector<std::string_view>& columns,
                                  std::string_view on_conflict, size_t count, const RowSource& rows) = 0;
};

/** Opens a SQLite file (WAL journal), creating it when missing. */
Result<std::unique_ptr<Connection>> openSqlite(const std::string& path, const std::string& display_name);
/** Connects to PostgreSQL with a libpq URL. */
Result<std::unique_ptr<Connection>> openPostgres(const std::string& url, const std::string& display_name);

/** A store location fit for messages: the password of a URL (user:PASSWORD@, password=...) is hidden. */
std::string redactLocation(std::string_view location);

/** An InputError with code kStore about `store`. */
InputError storeError(std::string_view store, std::string message);

}  // namespace kspm::store
