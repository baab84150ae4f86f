// The SQLite connection: one file, WAL journal (a process killed mid-transaction leaves the last
// committed state), prepared statements cached by SQL text.
#include <sqlite3.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/sql.h"

namespace kspm::store {
namespace {

/** "$12" placeholders (PostgreSQL) to "?12" (SQLite numbered parameters). */
std::string toSqlitePlaceholders(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool isNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
  }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  std::string_view dialect() const override { return "sqlite"; }

  Result<bool> execScript(std::string_view sql) override {
    char* message = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string what = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return storeError(name_, what);
    }
    return true;
  }

  Result<int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params,
                       const std::function<void(const SqlRow&)>& row) override {
    Result<sqlite3_stmt*> prepared = prepare(sql);
    if (!prepared.ok()) return prepared.error();
    sqlite3_stmt* stmt = prepared.value();
    if (std::optional<InputError> bad = bind(stmt, params)) return *bad;
    SqliteRow view(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (row) row(view);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != SQLITE_DONE) return storeError(name_, sqlite3_errmsg(db_));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Result<bool> bulkInsert(std::string_view table, const std::vector<std::string_view>& columns,
                          std::string_view on_conflict, size_t count, const RowSource& rows) override {
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + std::string(columns[i]);
    sql += ") VALUES (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", $" : "$") + std::to_string(i + 1);
    sql += ") ";
    sql += on_conflict;
    Result<sqlite3_stmt*> prepared = prepare(sql);
    if (!prepared.ok()) return prepared.error();
    sqlite3_stmt* stmt = prepared.value();
    std::vector<SqlValue> values;
    for (size_t r = 0; r < count; ++r) {
      values.clear();
      rows(r, &values);
      if (std::optional<InputError> bad = bind(stmt, values)) return *bad;
      int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) return storeError(name_, sqlite3_errmsg(db_));
    }
    sqlite3_clear_bindings(stmt);
    return true;
  }

 private:
  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    auto it = statements_.find(key);
    if (it != statements_.end()) return it->second;
    std::string text = toSqlitePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK) {
      return storeError(name_, sqlite3_errmsg(db_));
    }
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  std::optional<InputError> bind(sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      switch (params[i].kind) {
        case SqlValue::Kind::kNull: rc = sqlite3_bind_null(stmt, index); break;
        case SqlValue::Kind::kInt: rc = sqlite3_bind_int64(stmt, index, params[i].integer); break;
        case SqlValue::Kind::kText:
          rc = sqlite3_bind_text64(stmt, index, params[i].text.data(), params[i].text.size(), SQLITE_STATIC,
                                   SQLITE_UTF8);
          break;
      }
      if (rc != SQLITE_OK) return storeError(name_, sqlite3_errmsg(db_));
    }
    return std::nullopt;
  }

  sqlite3* db_;
  std::string name_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Result<std::unique_ptr<Connection>> openSqlite(const std::string& path, const std::string& display_name) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string what = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return storeError(display_name, "cannot open the SQLite store: " + what);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  auto connection = std::make_unique<SqliteConnection>(db, display_name);
  // WAL: readers do not block the writer, and a writer killed mid-transaction leaves the last
  // commit intact (the uncommitted tail of the log is ignored on the next open). NORMAL
  // synchronisation keeps every commit across process crashes (not across power loss).
  Result<bool> setup = connection->execScript(
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;"
      "PRAGMA temp_store=MEMORY;");
  if (!setup.ok()) {
    InputError error = setup.error();
    error.message = "cannot open the SQLite store: " + error.message;
    return error;
  }
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace kspm::store
