// The history store on a Connection: the same SQL for SQLite and PostgreSQL. recordScan loads the
// target's lifecycle state once, computes every transition in memory, and writes the scan, its
// findings, the changed state rows and the outbox events with bulk inserts in one transaction.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "kspm/store.h"
#include "store/schema.h"
#include "store/sql.h"
#include "store/store_internal.h"
#include "model/utc_time.h"

namespace kspm::store {
namespace {

std::function<void()>& pauseHook() {
  static std::function<void()> hook;
  return hook;
}

std::string nowText(int64_t plus_seconds = 0) { return utcRfc3339(std::time(nullptr) + plus_seconds); }

constexpr std::string_view kScanColumns =
    "id, target, cluster, started_at, finished_at, tool_version, objects, findings, info, low, medium, high, "
    "critical, suppressed, new_findings, resolved, reopened, input_errors, partial";

ScanInfo readScan(const SqlRow& row, int c = 0) {
  ScanInfo s;
  s.id = row.integer(c);
  s.target = row.text(c + 1);
  s.cluster = row.text(c + 2);
  s.started_at = row.text(c + 3);
  s.finished_at = row.text(c + 4);
  s.tool_version = row.text(c + 5);
  s.objects = static_cast<uint64_t>(row.integer(c + 6));
  s.findings = static_cast<uint64_t>(row.integer(c + 7));
  for (int i = 0; i < 5; ++i) s.by_severity[i] = static_cast<uint64_t>(row.integer(c + 8 + i));
  s.suppressed = static_cast<uint64_t>(row.integer(c + 13));
  s.new_findings = static_cast<uint64_t>(row.integer(c + 14));
  s.resolved = static_cast<uint64_t>(row.integer(c + 15));
  s.reopened = static_cast<uint64_t>(row.integer(c + 16));
  s.input_errors = static_cast<uint64_t>(row.integer(c + 17));
  s.partial = row.integer(c + 18) != 0;
  return s;
}

// The finding columns of scan_findings, in the order readFinding expects.
constexpr std::string_view kFindingColumns =
    "f.fingerprint, f.check_id, f.severity, f.state, f.message, f.api_group, f.kind, f.namespace, f.name, "
    "f.container, f.field, f.path, f.file, f.line, f.owner, f.risk, f.lifecycle";

FindingRecord readFinding(const SqlRow& row, int c, Lifecycle* lifecycle = nullptr) {
  FindingRecord r;
  r.fingerprint = row.text(c);
  r.check_id = row.text(c + 1);
  parseSeverity(row.text(c + 2), &r.severity);
  parseFindingState(row.text(c + 3), &r.state);
  r.message = row.text(c + 4);
  r.api_group = row.text(c + 5);
  r.kind = row.text(c + 6);
  r.namespace_ = row.text(c + 7);
  r.name = row.text(c + 8);
  r.container = row.text(c + 9);
  r.field = row.text(c + 10);
  r.path = row.text(c + 11);
  r.file = row.text(c + 12);
  r.line = static_cast<uint32_t>(row.integer(c + 13));
  r.owner = row.text(c + 14);
  r.risk = static_cast<int16_t>(row.integer(c + 15));
  if (lifecycle != nullptr) parseLifecycle(row.text(c + 16), lifecycle);
  return r;
}

/** One row of finding_state. */
struct StateRow {
  std::string status;  // open, resolved, suppressed
  bool ever_active = false;
  std::string check_id, file, owner, first_seen, last_seen;
  int64_t last_scan_id = 0;
  int64_t reopen_count = 0;
  bool seen = false;  // by the scan being recorded
};

/** A finding_state row as recordScan writes it (views into the loaded state and the ScanRecord). */
struct StateUpdate {
  std::string_view status;
  bool ever_active = false;
  std::string_view check_id, file, owner, first_seen, last_seen;
  int64_t last_scan_id = 0;
  int64_t reopen_count = 0;
};

/** What recordScan writes for one fingerprint. */
struct Transition {
  std::string_view fingerprint;
  const FindingRecord* finding = nullptr;  // null: not seen by this scan
  const StateRow* before = nullptr;
  StateUpdate after;
  Lifecycle lifecycle = Lifecycle::kNew;
  bool event = false;  // an outbox event (new, reopened, resolved)
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<Connection> db, std::string name) : db_(std::move(db)), name_(std::move(name)) {}

  std::string_view backend() const override { return db_->dialect(); }
  int schemaVersion() const override { return version_; }

  Connection& connection() { return *db_; }

  Result<bool> migrate(int max_version) {
    Result<bool> created = db_->execScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
    if (!created.ok()) return created;
    const std::vector<Migration>& all = migrations();
    for (;;) {
      Result<int> current = currentVersion();
      if (!current.ok()) return current.error();
      if (current.value() > latestSchemaVersion()) {
        return storeError(name_, "the store has schema version " + std::to_string(current.value()) +
                                     ", newer than this kspm knows (" + std::to_string(latestSchemaVersion()) +
                                     "): use a newer kspm");
      }
      version_ = current.value();
      if (version_ >= max_version || version_ >= latestSchemaVersion()) return true;
      // One migration per transaction; re-read the version under the write lock (another
      // process may have migrated meanwhile).
      if (Result<bool> begun = beginWrite(); !begun.ok()) return begun;
      Result<int> locked = currentVersion();
      if (!locked.ok()) return rollback(locked.error());
      if (locked.value() != version_) {
        db_->execScript("ROLLBACK");
        continue;
      }
      const Migration& next = all[static_cast<size_t>(version_)];
      if (Result<bool> applied = db_->execScript(migrationSql(next, db_->dialect())); !applied.ok()) {
        return rollback(applied.error(), "migration " + std::to_string(next.version) + " failed: ");
      }
      std::string applied_at = nowText();
      Result<int64_t> noted =
          db_->exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
                    {SqlValue::of(int64_t{next.version}), SqlValue::of(next.description), SqlValue::of(applied_at)});
      if (!noted.ok()) return rollback(noted.error());
      if (Result<bool> done = db_->execScript("COMMIT"); !done.ok()) return rollback(done.error());
    }
  }

  Result<RecordOutcome> recordScan(const ScanRecord& record) override {
    // Duplicate fingerprints are recorded once (the active one when there is one).
    std::vector<const FindingRecord*> findings;
    findings.reserve(record.findings.size());
    for (const FindingRecord& f : record.findings) findings.push_back(&f);
    std::stable_sort(findings.begin(), findings.end(), [](const FindingRecord* a, const FindingRecord* b) {
      if (a->fingerprint != b->fingerprint) return a->fingerprint < b->fingerprint;
      return (a->state == FindingState::kActive) > (b->state == FindingState::kActive);
    });
    findings.erase(std::unique(findings.begin(), findings.end(),
                               [](const FindingRecord* a, const FindingRecord* b) {
                                 return a->fingerprint == b->fingerprint;
                               }),
                   findings.end());

    if (Result<bool> begun = beginWrite(); !begun.ok()) return begun.error();
    Result<RecordOutcome> outcome = recordInTransaction(record, findings);
    if (!outcome.ok()) return rollback(outcome.error());
    if (std::function<void()>& hook = pauseHook()) hook();
    if (const char* marker = std::getenv("KSPM_STORE_TEST_PAUSE_IN_RECORD"); marker != nullptr && *marker) {
      std::ofstream(marker) << getpid() << "\n";
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (Result<bool> done = db_->execScript("COMMIT"); !done.ok()) return rollback(done.error());
    return outcome;
  }

  Result<std::vector<ScanInfo>> listScans(std::string_view target, size_t limit) override {
    std::vector<ScanInfo> scans;
    int64_t max_rows = limit == 0 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(limit);
    std::string sql = "SELECT " + std::string(kScanColumns) + " FROM scans";
    std::vector<SqlValue> params;
    if (!target.empty()) {
      sql += " WHERE target = $1 ORDER BY id DESC LIMIT $2";
      params = {SqlValue::of(target), SqlValue::of(max_rows)};
    } else {
      sql += " ORDER BY id DESC LIMIT $1";
      params = {SqlValue::of(max_rows)};
    }
    Result<int64_t> r = db_->exec(sql, params, [&](const SqlRow& row) { scans.push_back(readScan(row)); });
    if (!r.ok()) return r.error();
    return scans;
  }

  Result<ScanInfo> scan(int64_t id) override {
    std::optional<ScanInfo> found;
    Result<int64_t> r = db_->exec("SELECT " + std::string(kScanColumns) + " FROM scans WHERE id = $1",
                                  {SqlValue::of(id)}, [&](const SqlRow& row) { found = readScan(row); });
    if (!r.ok()) return r.error();
    if (!found) return storeError(name_, "no scan " + std::to_string(id) + " in the store");
    return *found;
  }

  Result<std::optional<ScanInfo>> latestScan(std::string_view target) override {
    Result<std::vector<ScanInfo>> scans = listScans(target, 1);
    if (!scans.ok()) return scans.error();
    if (scans.value().empty()) return std::optional<ScanInfo>();
    return std::optional<ScanInfo>(scans.value().front());
  }

  Result<std::vector<RecordedFinding>> scanFindings(int64_t id) override {
    Result<ScanInfo> info = scan(id);
    if (!info.ok()) return info.error();
    std::vector<RecordedFinding> out;
    std::string sql = "SELECT " + std::string(kFindingColumns) +
                      ", COALESCE(st.first_seen, ''), COALESCE(st.last_seen, '') FROM scan_findings f "
                      "LEFT JOIN finding_state st ON st.target = $2 AND st.fingerprint = f.fingerprint "
                      "WHERE f.scan_id = $1 ORDER BY f.fingerprint";
    Result<int64_t> r = db_->exec(sql, {SqlValue::of(id), SqlValue::of(info.value().target)}, [&](const SqlRow& row) {
      RecordedFinding rf;
      rf.finding = readFinding(row, 0, &rf.lifecycle);
      rf.first_seen = row.text(17);
      rf.last_seen = row.text(18);
      if (rf.first_seen.empty()) rf.first_seen = rf.last_seen = info.value().started_at;
      out.push_back(std::move(rf));
    });
    if (!r.ok()) return r.error();
    return out;
  }

  Result<ScanDiff> diff(int64_t a, int64_t b) override {
    ScanDiff d;
    Result<ScanInfo> info_a = scan(a);
    if (!info_a.ok()) return info_a.error();
    Result<ScanInfo> info_b = scan(b);
    if (!info_b.ok()) return info_b.error();
    d.a = std::move(info_a).value();
    d.b = std::move(info_b).value();
    Result<std::vector<FindingRecord>> fa = findingsOf(a);
    if (!fa.ok()) return fa.error();
    Result<std::vector<FindingRecord>> fb = findingsOf(b);
    if (!fb.ok()) return fb.error();
    std::vector<FindingRecord>& before = fa.value();
    std::vector<FindingRecord>& after = fb.value();
    // Both are in fingerprint order: one merge walk.
    size_t i = 0, j = 0;
    auto active = [](const FindingRecord& f) { return f.state == FindingState::kActive; };
    while (i < before.size() || j < after.size()) {
      int order = i == before.size()  ? 1
                  : j == after.size() ? -1
                                      : before[i].fingerprint.compare(after[j].fingerprint);
      if (order < 0) {
        if (active(before[i])) d.removed.push_back(std::move(before[i]));
        ++i;
      } else if (order > 0) {
        if (active(after[j])) d.added.push_back(std::move(after[j]));
        ++j;
      } else {
        FindingRecord& x = before[i];
        FindingRecord& y = after[j];
        if (active(x) && !active(y)) {
          d.removed.push_back(std::move(x));
        } else if (!active(x) && active(y)) {
          d.added.push_back(std::move(y));
        } else if (x.severity != y.severity || x.state != y.state || x.message != y.message || x.owner != y.owner) {
          d.changed.push_back({std::move(x), std::move(y)});
        }
        ++i;
        ++j;
      }
    }
    return d;
  }

  Result<bool> registerRoute(std::string_view route) override {
    std::string now = nowText();
    Result<int64_t> r = db_->exec(
        "INSERT INTO routes (name, registered_at, first_event_id) "
        "SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), COALESCE(MAX(id), 0) + 1 FROM events WHERE true "
        "ON CONFLICT (name) DO NOTHING",
        {SqlValue::of(route), SqlValue::of(now)});
    if (!r.ok()) return r.error();
    return r.value() > 0;
  }

  Result<std::vector<PendingDelivery>> pendingDeliveries(std::string_view route, const std::vector<std::string>& owners,
                                                         size_t limit) override {
    std::string now = nowText();
    int64_t max_rows = limit == 0 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(limit);
    std::string sql =
        "SELECT e.id, e.scan_id, e.target, e.event, e.created_at, COALESCE(d.attempts, 0), "
        "COALESCE(d.last_error, ''), " +
        std::string(kFindingColumns) +
        " FROM events e JOIN routes r ON r.name = $1 "
        "JOIN scan_findings f ON f.scan_id = e.finding_scan_id AND f.fingerprint = e.fingerprint "
        "LEFT JOIN deliveries d ON d.route = $1 AND d.event_id = e.id "
        "WHERE e.id >= r.first_event_id AND (d.event_id IS NULL OR (d.status <> 'delivered' AND "
        "d.next_attempt_at <= $2))";
    std::vector<SqlValue> params = {SqlValue::of(route), SqlValue::of(now), SqlValue::of(max_rows)};
    if (!owners.empty()) {
      sql += " AND e.owner IN (";
      for (size_t i = 0; i < owners.size(); ++i) {
        sql += (i ? ", $" : "$") + std::to_string(params.size() + 1);
        params.push_back(SqlValue::of(owners[i]));
      }
      sql += ")";
    }
    sql += " ORDER BY e.id LIMIT $3";
    std::vector<PendingDelivery> out;
    Result<int64_t> r = db_->exec(sql, params, [&](const SqlRow& row) {
      PendingDelivery p;
      p.event_id = row.integer(0);
      p.scan_id = row.integer(1);
      p.target = row.text(2);
      parseLifecycle(row.text(3), &p.event);
      p.created_at = row.text(4);
      p.attempts = static_cast<uint32_t>(row.integer(5));
      p.last_error = row.text(6);
      p.finding = readFinding(row, 7);
      out.push_back(std::move(p));
    });
    if (!r.ok()) return r.error();
    return out;
  }

  Result<bool> markDelivered(std::string_view route, const std::vector<int64_t>& event_ids,
                             std::string_view external_ref) override {
    std::string now = nowText();
    return inTransaction([&]() -> Result<bool> {
      for (int64_t id : event_ids) {
        Result<int64_t> r = db_->exec(
            "INSERT INTO deliveries (route, event_id, status, attempts, next_attempt_at, last_error, external_ref, "
            "updated_at) VALUES ($1, $2, 'delivered', 0, '', '', $3, $4) ON CONFLICT (route, event_id) DO UPDATE "
            "SET status = 'delivered', external_ref = excluded.external_ref, updated_at = excluded.updated_at",
            {SqlValue::of(route), SqlValue::of(id), SqlValue::of(external_ref), SqlValue::of(now)});
        if (!r.ok()) return r.error();
        if (external_ref.empty()) continue;
        r = db_->exec(
            "INSERT INTO external_refs (route, target, fingerprint, ref) SELECT CAST($1 AS TEXT), target, "
            "fingerprint, CAST($2 AS TEXT) FROM events WHERE id = $3 ON CONFLICT (route, target, fingerprint) "
            "DO UPDATE SET ref = excluded.ref",
            {SqlValue::of(route), SqlValue::of(external_ref), SqlValue::of(id)});
        if (!r.ok()) return r.error();
      }
      return true;
    });
  }

  Result<bool> markFailed(std::string_view route, const std::vector<int64_t>& event_ids, std::string_view error,
                          int64_t retry_after_seconds) override {
    std::string now = nowText();
    std::string retry_at = nowText(std::max<int64_t>(0, retry_after_seconds));
    return inTransaction([&]() -> Result<bool> {
      for (int64_t id : event_ids) {
        Result<int64_t> r = db_->exec(
            "INSERT INTO deliveries (route, event_id, status, attempts, next_attempt_at, last_error, external_ref, "
            "updated_at) VALUES ($1, $2, 'failed', 1, $3, $4, '', $5) ON CONFLICT (route, event_id) DO UPDATE "
            "SET status = 'failed', attempts = deliveries.attempts + 1, next_attempt_at = excluded.next_attempt_at, "
            "last_error = excluded.last_error, updated_at = excluded.updated_at WHERE deliveries.status <> "
            "'delivered'",
            {SqlValue::of(route), SqlValue::of(id), SqlValue::of(retry_at), SqlValue::of(error), SqlValue::of(now)});
        if (!r.ok()) return r.error();
      }
      return true;
    });
  }

  Result<std::string> externalRef(std::string_view route, std::string_view target,
                                  std::string_view fingerprint) override {
    std::string ref;
    Result<int64_t> r =
        db_->exec("SELECT ref FROM external_refs WHERE route = $1 AND target = $2 AND fingerprint = $3",
                  {SqlValue::of(route), SqlValue::of(target), SqlValue::of(fingerprint)},
                  [&](const SqlRow& row) { ref = row.text(0); });
    if (!r.ok()) return r.error();
    return ref;
  }

  Result<std::vector<RouteStatus>> routeStatus() override {
    constexpr std::string_view kPending =
        "FROM events e LEFT JOIN deliveries d ON d.route = r.name AND d.event_id = e.id "
        "WHERE e.id >= r.first_event_id AND (d.status IS NULL OR d.status <> 'delivered')";
    std::string sql =
        "SELECT r.name, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.route = r.name AND d.status = 'delivered'), "
        "(SELECT COUNT(*) " + std::string(kPending) + "), "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.route = r.name AND d.status = 'failed'), "
        "(SELECT COALESCE(MIN(e.created_at), '') " + std::string(kPending) + "), "
        "COALESCE((SELECT d.last_error FROM deliveries d WHERE d.route = r.name AND d.status = 'failed' "
        "ORDER BY d.updated_at DESC, d.event_id DESC LIMIT 1), '') "
        "FROM routes r ORDER BY r.name";
    std::vector<RouteStatus> out;
    Result<int64_t> r = db_->exec(sql, {}, [&](const SqlRow& row) {
      RouteStatus s;
      s.route = row.text(0);
      s.delivered = static_cast<uint64_t>(row.integer(1));
      s.pending = static_cast<uint64_t>(row.integer(2));
      s.failing = static_cast<uint64_t>(row.integer(3));
      s.oldest_pending = row.text(4);
      s.last_error = row.text(5);
      out.push_back(std::move(s));
    });
    if (!r.ok()) return r.error();
    return out;
  }

 private:
  Result<int> currentVersion() {
    int version = 0;
    Result<int64_t> r = db_->exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                                  [&](const SqlRow& row) { version = static_cast<int>(row.integer(0)); });
    if (!r.ok()) return r.error();
    return version;
  }

  /** A write transaction that excludes other writers (and migrations) until it ends. */
  Result<bool> beginWrite() {
    if (db_->dialect() == "sqlite") return db_->execScript("BEGIN IMMEDIATE");
    return db_->execScript("BEGIN; SELECT pg_advisory_xact_lock(7283901445)");
  }

  InputError rollback(InputError error, std::string_view prefix = "") {
    db_->execScript("ROLLBACK");
    if (!prefix.empty()) error.message = std::string(prefix) + error.message;
    return error;
  }

  Result<bool> inTransaction(const std::function<Result<bool>()>& body) {
    if (Result<bool> begun = beginWrite(); !begun.ok()) return begun;
    Result<bool> r = body();
    if (!r.ok()) return rollback(r.error());
    if (Result<bool> done = db_->execScript("COMMIT"); !done.ok()) return rollback(done.error());
    return true;
  }

  Result<std::vector<FindingRecord>> findingsOf(int64_t scan_id) {
    std::vector<FindingRecord> out;
    Result<int64_t> r = db_->exec("SELECT " + std::string(kFindingColumns) +
                                      " FROM scan_findings f WHERE f.scan_id = $1 ORDER BY f.fingerprint",
                                  {SqlValue::of(scan_id)}, [&](const SqlRow& row) { out.push_back(readFinding(row, 0)); });
    if (!r.ok()) return r.error();
    return out;
  }

  Result<RecordOutcome> recordInTransaction(const ScanRecord& record, const std::vector<const FindingRecord*>& findings) {
    std::string started_at = record.started_at.empty() ? nowText() : record.started_at;
    std::string finished_at = record.finished_at.empty() ? started_at : record.finished_at;

    // The target's lifecycle state, loaded once.
    std::unordered_map<std::string, StateRow> state;
    state.reserve(findings.size());
    Result<int64_t> loaded = db_->exec(
        "SELECT fingerprint, status, ever_active, check_id, file, first_seen, last_seen, last_scan_id, reopen_count, "
        "owner "
        "FROM finding_state WHERE target = $1",
        {SqlValue::of(record.target)}, [&](const SqlRow& row) {
          StateRow s;
          s.status = row.text(1);
          s.ever_active = row.integer(2) != 0;
          s.check_id = row.text(3);
          s.file = row.text(4);
          s.first_seen = row.text(5);
          s.last_seen = row.text(6);
          s.last_scan_id = row.integer(7);
          s.reopen_count = row.integer(8);
          s.owner = row.text(9);
          state.emplace(std::string(row.text(0)), std::move(s));
        });
    if (!loaded.ok()) return loaded.error();

    ScanInfo info;
    info.target = record.target;
    info.cluster = record.cluster;
    info.started_at = started_at;
    info.finished_at = finished_at;
    info.tool_version = record.tool_version;
    info.objects = record.objects;
    info.input_errors = record.input_errors;
    info.partial = !record.not_assessed_checks.empty() || !record.error_files.empty();

    std::vector<Transition> transitions;
    transitions.reserve(findings.size());
    std::vector<Lifecycle> lifecycles(findings.size());
    for (size_t i = 0; i < findings.size(); ++i) {
      const FindingRecord& f = *findings[i];
      auto it = state.find(f.fingerprint);
      StateRow* before = it == state.end() ? nullptr : &it->second;
      if (before != nullptr) before->seen = true;
      Transition t;
      t.fingerprint = f.fingerprint;
      t.finding = &f;
      t.before = before;
      t.after.check_id = f.check_id;
      t.after.file = f.file;
      t.after.owner = f.owner;
      t.after.first_seen = before ? std::string_view(before->first_seen) : std::string_view(started_at);
      t.after.last_seen = started_at;
      t.after.reopen_count = before ? before->reopen_count : 0;
      t.after.ever_active = before && before->ever_active;
      bool active = f.state == FindingState::kActive;
      if (active) {
        ++info.findings;
        ++info.by_severity[static_cast<size_t>(f.severity)];
        t.after.status = "open";
        t.after.ever_active = true;
        if (before == nullptr || !before->ever_active) {
          t.lifecycle = Lifecycle::kNew;
        } else if (before->status == "open") {
          t.lifecycle = Lifecycle::kOpen;
        } else {
          t.lifecycle = Lifecycle::kReopened;
          ++t.after.reopen_count;
        }
        t.event = t.lifecycle != Lifecycle::kOpen;
      } else {
        // Suppressed or excepted: kept apart; an open finding that is now suppressed is resolved.
        ++info.suppressed;
        t.after.status = "suppressed";
        t.lifecycle = before == nullptr ? Lifecycle::kNew : Lifecycle::kOpen;
        if (before != nullptr && before->status == "open") {
          t.lifecycle = Lifecycle::kResolved;
          t.event = true;
        }
      }
      lifecycles[i] = t.lifecycle;
      transitions.push_back(std::move(t));
    }
    // Open findings this scan did not see: resolved, unless their check was not assessed or
    // their file could not be read.
    std::unordered_set<std::string_view> not_assessed(record.not_assessed_checks.begin(),
                                                      record.not_assessed_checks.end());
    not_assessed.insert(record.checks_not_run.begin(), record.checks_not_run.end());
    std::unordered_set<std::string_view> error_files(record.error_files.begin(), record.error_files.end());
    for (const auto& [fingerprint, before] : state) {
      if (before.status != "open" || before.seen) continue;
      if (not_assessed.count(before.check_id) != 0 || error_files.count(before.file) != 0) continue;
      Transition t;
      t.fingerprint = fingerprint;
      t.before = &before;
      t.after = {"resolved", before.ever_active, before.check_id, before.file, before.owner, before.first_seen,
                 before.last_seen, before.last_scan_id, before.reopen_count};
      t.lifecycle = Lifecycle::kResolved;
      t.event = true;
      transitions.push_back(std::move(t));
    }
    for (const Transition& t : transitions) {
      if (!t.event) continue;
      if (t.lifecycle == Lifecycle::kNew) ++info.new_findings;
      if (t.lifecycle == Lifecycle::kReopened) ++info.reopened;
      if (t.lifecycle == Lifecycle::kResolved) ++info.resolved;
    }

    // The scan row.
    int64_t scan_id = 0;
    std::vector<SqlValue> scan_values = {
        SqlValue::of(info.target), SqlValue::of(info.cluster), SqlValue::of(info.started_at),
        SqlValue::of(info.finished_at), SqlValue::of(info.tool_version), SqlValue::of(int64_t(info.objects)),
        SqlValue::of(int64_t(info.findings))};
    for (uint64_t n : info.by_severity) scan_values.push_back(SqlValue::of(int64_t(n)));
    for (uint64_t n : {info.suppressed, info.new_findings, info.resolved, info.reopened, info.input_errors}) {
      scan_values.push_back(SqlValue::of(int64_t(n)));
    }
    scan_values.push_back(SqlValue::of(int64_t{info.partial ? 1 : 0}));
    Result<int64_t> inserted = db_->exec(
        "INSERT INTO scans (target, cluster, started_at, finished_at, tool_version, objects, findings, info, low, "
        "medium, high, critical, suppressed, new_findings, resolved, reopened, input_errors, partial) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        scan_values, [&](const SqlRow& row) { scan_id = row.integer(0); });
    if (!inserted.ok()) return inserted.error();
    info.id = scan_id;

    // The findings of this scan.
    Result<bool> wrote = db_->bulkInsert(
        "scan_findings",
        {"scan_id", "fingerprint", "check_id", "severity", "state", "lifecycle", "message", "api_group", "kind",
         "namespace", "name", "container", "field", "path", "file", "line", "owner", "risk"},
        "", findings.size(), [&](size_t i, std::vector<SqlValue>* out) {
          const FindingRecord& f = *findings[i];
          *out = {SqlValue::of(scan_id), SqlValue::of(f.fingerprint), SqlValue::of(f.check_id),
                  SqlValue::of(severityName(f.severity)), SqlValue::of(findingStateName(f.state)),
                  SqlValue::of(lifecycleName(lifecycles[i])), SqlValue::of(f.message), SqlValue::of(f.api_group),
                  SqlValue::of(f.kind), SqlValue::of(f.namespace_), SqlValue::of(f.name), SqlValue::of(f.container),
                  SqlValue::of(f.field), SqlValue::of(f.path), SqlValue::of(f.file), SqlValue::of(int64_t{f.line}),
                  SqlValue::of(f.owner), SqlValue::of(int64_t{f.risk})};
        });
    if (!wrote.ok()) return wrote.error();

    // Lifecycle state: every fingerprint seen, and the ones resolved now.
    for (Transition& t : transitions) {
      if (t.finding != nullptr) t.after.last_scan_id = scan_id;
    }
    wrote = db_->bulkInsert(
        "finding_state",
        {"target", "fingerprint", "status", "ever_active", "check_id", "file", "owner", "first_seen", "last_seen",
         "last_scan_id", "reopen_count"},
        "ON CONFLICT (target, fingerprint) DO UPDATE SET status = excluded.status, ever_active = "
        "excluded.ever_active, check_id = excluded.check_id, file = excluded.file, owner = excluded.owner, first_seen = excluded.first_seen, "
        "last_seen = excluded.last_seen, last_scan_id = excluded.last_scan_id, reopen_count = excluded.reopen_count",
        transitions.size(), [&](size_t i, std::vector<SqlValue>* out) {
          const Transition& t = transitions[i];
          *out = {SqlValue::of(record.target), SqlValue::of(t.fingerprint), SqlValue::of(t.after.status),
                  SqlValue::of(int64_t{t.after.ever_active ? 1 : 0}), SqlValue::of(t.after.check_id),
                  SqlValue::of(t.after.file), SqlValue::of(t.after.owner), SqlValue::of(t.after.first_seen), SqlValue::of(t.after.last_seen),
                  SqlValue::of(t.after.last_scan_id), SqlValue::of(t.after.reopen_count)};
        });
    if (!wrote.ok()) return wrote.error();

    // The outbox: one event per transition of an active finding.
    std::vector<const Transition*> events;
    for (const Transition& t : transitions) {
      if (t.event) events.push_back(&t);
    }
    std::string created_at = nowText();
    wrote = db_->bulkInsert(
        "events", {"scan_id", "target", "fingerprint", "event", "owner", "finding_scan_id", "created_at"}, "",
        events.size(), [&](size_t i, std::vector<SqlValue>* out) {
          const Transition& t = *events[i];
          bool resolved = t.lifecycle == Lifecycle::kResolved;
          // A resolved finding's fields are those of the last scan that saw it active.
          int64_t finding_scan = resolved ? t.before->last_scan_id : scan_id;
          std::string_view owner = t.finding != nullptr ? t.finding->owner : t.before->owner;
          *out = {SqlValue::of(scan_id), SqlValue::of(record.target), SqlValue::of(t.fingerprint),
                  SqlValue::of(lifecycleName(t.lifecycle)), SqlValue::of(owner), SqlValue::of(finding_scan),
                  SqlValue::of(created_at)};
        });
    if (!wrote.ok()) return wrote.error();

    RecordOutcome outcome;
    outcome.scan = info;
    std::unordered_map<int64_t, std::vector<const Transition*>> resolved_by_scan;
    for (const Transition& t : transitions) {
      if (!t.event) continue;
      if (t.lifecycle == Lifecycle::kResolved) {
        resolved_by_scan[t.before->last_scan_id].push_back(&t);
        continue;
      }
      RecordedFinding rf{*t.finding, t.lifecycle, std::string(t.after.first_seen), std::string(t.after.last_seen)};
      (t.lifecycle == Lifecycle::kNew ? outcome.new_findings : outcome.reopened).push_back(std::move(rf));
    }
    Result<bool> filled = loadResolved(resolved_by_scan, &outcome.resolved);
    if (!filled.ok()) return filled.error();
    return outcome;
  }

  /** The fields of resolved findings, from the last scan that saw each. */
  Result<bool> loadResolved(const std::unordered_map<int64_t, std::vector<const Transition*>>& by_scan,
                            std::vector<RecordedFinding>* out) {
    for (const auto& [scan_id, transitions] : by_scan) {
      std::unordered_map<std::string_view, const Transition*> wanted;
      for (const Transition* t : transitions) wanted.emplace(t->fingerprint, t);
      auto take = [&](const SqlRow& row) {
        auto it = wanted.find(row.text(0));
        if (it == wanted.end()) return;
        RecordedFinding rf{readFinding(row, 0), Lifecycle::kResolved, std::string(it->second->after.first_seen),
                           std::string(it->second->after.last_seen)};
        out->push_back(std::move(rf));
      };
      std::string select = "SELECT " + std::string(kFindingColumns) + " FROM scan_findings f WHERE f.scan_id = $1";
      if (transitions.size() < 64) {
        for (const Transition* t : transitions) {
          Result<int64_t> r =
              db_->exec(select + " AND f.fingerprint = $2", {SqlValue::of(scan_id), SqlValue::of(t->fingerprint)}, take);
          if (!r.ok()) return r.error();
        }
      } else {
        Result<int64_t> r = db_->exec(select, {SqlValue::of(scan_id)}, take);
        if (!r.ok()) return r.error();
      }
    }
    std::sort(out->begin(), out->end(), [](const RecordedFinding& a, const RecordedFinding& b) {
      return a.finding.fingerprint < b.finding.fingerprint;
    });
    return true;
  }

  std::unique_ptr<Connection> db_;
  std::string name_;
  int version_ = 0;
};

bool isPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace

InputError storeError(std::string_view store, std::string message) {
  return InputError{ErrorCode::kStore, std::string(store), 0, std::move(message)};
}

std::string redactLocation(std::string_view location) {
  std::string out(location);
  if (!isPostgresUrl(location)) return out;
  // postgresql://user:PASSWORD@host
  size_t scheme = out.find("://") + 3;
  size_t at = out.find('@', scheme);
  size_t slash = out.find('/', scheme);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    size_t colon = out.find(':', scheme);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // ?password=PASSWORD&...
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    size_t value = p + 9;
    size_t end = out.find('&', value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

int latestSchemaVersion() { return migrations().back().version; }

Result<std::unique_ptr<Store>> openAtVersion(std::string_view location, int max_version) {
  std::string name = redactLocation(location);
  if (location.empty()) return storeError("", "no store location given");
  Result<std::unique_ptr<Connection>> connection =
      isPostgresUrl(location) ? openPostgres(std::string(location), name) : openSqlite(std::string(location), name);
  if (!connection.ok()) return connection.error();
  auto store = std::make_unique<SqlStore>(std::move(connection).value(), name);
  Result<bool> migrated = store->migrate(max_version);
  if (!migrated.ok()) return migrated.error();
  return std::unique_ptr<Store>(std::move(store));
}

Result<bool> executeForTesting(Store& store, std::string_view sql) {
  return static_cast<SqlStore&>(store).connection().execScript(sql);
}

void setRecordPauseHookForTesting(std::function<void()> hook) { pauseHook() = std::move(hook); }

Result<std::unique_ptr<Store>> Store::open(std::string_view location) {
  if (location == defaultLocation()) {
    // The default file's directory is created on first use; an explicit path's is not.
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(location).parent_path(), ignored);
  }
  return openAtVersion(location, latestSchemaVersion());
}

std::string Store::defaultLocation() {
  const char* data_home = std::getenv("XDG_DATA_HOME");
  if (data_home != nullptr && data_home[0] == '/') return std::string(data_home) + "/kspm/history.db";
  const char* home = std::getenv("HOME");
  std::string base;
  if (home != nullptr && *home) {
    base = home;
  } else if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    base = pw->pw_dir;
  } else {
    return "kspm-history.db";
  }
  return base + "/.local/share/kspm/history.db";
}

}  // namespace kspm::store
