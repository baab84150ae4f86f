// The PostgreSQL connection (libpq): parameters as text, bulk inserts with COPY FROM STDIN (one
// round trip for any number of rows), upserts through a temporary table.
#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>

#include "store/sql.h"

namespace kspm::store {
namespace {

class PgRow final : public SqlRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}
  bool isNull(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  int64_t integer(int column) const override {
    return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
  }
  std::string_view text(int column) const override {
    return {PQgetvalue(result_, row_, column), static_cast<size_t>(PQgetlength(result_, row_, column))};
  }

 private:
  const PGresult* result_;
  int row_;
};

/** COPY text format: one value, escaped. */
void appendCopyValue(const SqlValue& value, std::string* out) {
  switch (value.kind) {
    case SqlValue::Kind::kNull: out->append("\\N"); return;
    case SqlValue::Kind::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.integer);
      out->append(buf, end);
      return;
    }
    case SqlValue::Kind::kText:
      for (char c : value.text) {
        switch (c) {
          case '\\': out->append("\\\\"); break;
          case '\n': out->append("\\n"); break;
          case '\r': out->append("\\r"); break;
          case '\t': out->append("\\t"); break;
          case '\0': break;  // PostgreSQL text cannot hold NUL
          default: out->push_back(c);
        }
      }
      return;
  }
}

class PgConnection final : public Connection {
 public:
  PgConnection(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PgConnection() override { PQfinish(conn_); }

  std::string_view dialect() const override { return "postgresql"; }

  Result<bool> execScript(std::string_view sql) override {
    std::string text(sql);
    PGresult* result = PQexec(conn_, text.c_str());
    std::optional<InputError> bad = check(result);
    PQclear(result);
    if (bad) return *bad;
    return true;
  }

  Result<int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params,
                       const std::function<void(const SqlRow&)>& row) override {
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      switch (params[i].kind) {
        case SqlValue::Kind::kNull: values[i] = nullptr; continue;
        case SqlValue::Kind::kInt: storage[i] = std::to_string(params[i].integer); break;
        case SqlValue::Kind::kText: storage[i].assign(params[i].text); break;
      }
      values[i] = storage[i].c_str();
    }
    std::string text(sql);
    PGresult* result = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                    nullptr, nullptr, 0);
    if (std::optional<InputError> bad = check(result)) {
      PQclear(result);
      return *bad;
    }
    if (row) {
      int rows = PQntuples(result);
      for (int r = 0; r < rows; ++r) row(PgRow(result, r));
    }
    const char* changed = PQcmdTuples(result);
    int64_t count = changed != nullptr && *changed ? std::strtoll(changed, nullptr, 10) : 0;
    PQclear(result);
    return count;
  }

  Result<bool> bulkInsert(std::string_view table, const std::vector<std::string_view>& columns,
                          std::string_view on_conflict, size_t count, const RowSource& rows) override {
    if (count == 0) return true;
    std::string column_list;
    for (size_t i = 0; i < columns.size(); ++i) column_list += (i ? ", " : "") + std::string(columns[i]);
    std::string into(table);
    if (!on_conflict.empty()) {
      into = "kspm_bulk_" + std::string(table);
      Result<bool> made = execScript("CREATE TEMP TABLE " + into + " (LIKE " + std::string(table) +
                                     " INCLUDING DEFAULTS) ON COMMIT DROP");
      if (!made.ok()) return made;
    }
    Result<bool> copied = copyIn(into, column_list, count, rows);
    if (!copied.ok()) return copied;
    if (!on_conflict.empty()) {
      Result<bool> merged = execScript("INSERT INTO " + std::string(table) + " (" + column_list + ") SELECT " +
                                       column_list + " FROM " + into + " " + std::string(on_conflict) +
                                       "; DROP TABLE " + into);
      if (!merged.ok()) return merged;
    }
    return true;
  }

 private:
  Result<bool> copyIn(const std::string& table, const std::string& column_list, size_t count, const RowSource& rows) {
    std::string sql = "COPY " + table + " (" + column_list + ") FROM STDIN";
    PGresult* start = PQexec(conn_, sql.c_str());
    if (PQresultStatus(start) != PGRES_COPY_IN) {
      std::optional<InputError> bad = check(start);
      PQclear(start);
      return bad ? *bad : storeError(name_, "COPY did not start");
    }
    PQclear(start);
    std::string buffer;
    buffer.reserve(1 << 20);
    std::vector<SqlValue> values;
    bool sent = true;
    for (size_t r = 0; r < count && sent; ++r) {
      values.clear();
      rows(r, &values);
      for (size_t i = 0; i < values.size(); ++i) {
        if (i) buffer.push_back('\t');
        appendCopyValue(values[i], &buffer);
      }
      buffer.push_back('\n');
      if (buffer.size() >= (1 << 20)) {
        sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
        buffer.clear();
      }
    }
    if (sent && !buffer.empty()) sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
    if (PQputCopyEnd(conn_, sent ? nullptr : "client failed to send rows") != 1 || !sent) {
      return storeError(name_, std::string("COPY failed: ") + PQerrorMessage(conn_));
    }
    std::optional<InputError> bad;
    while (PGresult* result = PQgetResult(conn_)) {
      if (!bad) bad = check(result);
      PQclear(result);
    }
    if (bad) return *bad;
    return true;
  }

  std::optional<InputError> check(const PGresult* result) {
    ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) return std::nullopt;
    std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (message.empty()) message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (PQstatus(conn_) == CONNECTION_BAD) message = "connection lost: " + message;
    return storeError(name_, message);
  }

  PGconn* conn_;
  std::string name_;
};

void ignoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<Connection>> openPostgres(const std::string& url, const std::string& display_name) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return storeError(display_name, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQfinish(conn);
    return storeError(display_name, "cannot connect to PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(conn, ignoreNotice, nullptr);
  return std::unique_ptr<Connection>(std::make_unique<PgConnection>(conn, display_name));
}

}  // namespace kspm::store
