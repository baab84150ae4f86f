// The history store: recorded scans, the lifecycle of every finding, and the outbox of lifecycle
// events that routes deliver (Slack, Jira, GitHub, webhooks).
//
// Two backends with one schema and one set of versioned migrations: SQLite (a file; the default)
// and PostgreSQL (a URL postgresql://...). Every write is one transaction: a scan killed mid-write
// leaves the store as it was before that scan. Errors are values (InputError with kStore* codes).
// Thread safety: a Store is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/finding_record.h"
#include "kspm/status.h"

namespace kspm::store {

/** A recorded scan. */
struct ScanInfo {
  int64_t id = 0;
  std::string target;
  std::string cluster;
  std::string started_at, finished_at;  // RFC 3339 UTC
  std::string tool_version;
  uint64_t objects = 0;
  uint64_t findings = 0;                     // active findings
  uint64_t by_severity[5] = {0, 0, 0, 0, 0};  // active, indexed by Severity
  uint64_t suppressed = 0;                   // suppressed or excepted
  uint64_t new_findings = 0, resolved = 0, reopened = 0;
  uint64_t input_errors = 0;
  bool partial = false;  // some checks were not assessed or some files not read
};

/** A finding as one scan saw it, with where it stands in its lifecycle. */
struct RecordedFinding {
  FindingRecord finding;
  Lifecycle lifecycle = Lifecycle::kNew;  // relative to the previous scan of the target
  std::string first_seen, last_seen;      // RFC 3339 UTC, over the whole history of the target
};

/** What recordScan did. */
struct RecordOutcome {
  ScanInfo scan;
  std::vector<RecordedFinding> new_findings;       // active, first seen now
  std::vector<RecordedFinding> reopened;           // active again after having been resolved
  std::vector<RecordedFinding> resolved;           // active in the previous scan, absent now (and assessed)
};

/** Differences between two scans, by fingerprint. */
struct ScanDiff {
  ScanInfo a, b;
  std::vector<FindingRecord> added;     // active in b, not active in a
  std::vector<FindingRecord> removed;   // active in a, not active in b
  struct Change {
    FindingRecord before, after;        // same fingerprint; severity, state, message or owner differ
  };
  std::vector<Change> changed;
};

/** A lifecycle event waiting for (or retrying) delivery on one route. */
struct PendingDelivery {
  int64_t event_id = 0;
  int64_t scan_id = 0;
  std::string target;
  Lifecycle event = Lifecycle::kNew;  // kNew, kResolved or kReopened
  FindingRecord finding;
  std::string created_at;
  uint32_t attempts = 0;              // failed attempts so far
  std::string last_error;
};

/** Delivery state per route, for reports and /metrics. */
struct RouteStatus {
  std::string route;
  uint64_t delivered = 0, pending = 0, failing = 0;  // failing: pending with attempts > 0
  std::string oldest_pending;  // created_at of the oldest pending event, "" if none
  std::string last_error;
};

class Store {
 public:
  virtual ~Store() = default;

  /**
   * Opens (creating and migrating when needed) a store: "postgresql://..." or "postgres://..."
   * for PostgreSQL, anything else a SQLite file path. Refuses a store whose schema is newer than
   * this build knows.
   */
  static Result<std::unique_ptr<Store>> open(std::string_view location);
  /** The default SQLite file: $XDG_DATA_HOME/kspm/history.db, else ~/.local/share/kspm/history.db. */
  static std::string defaultLocation();

  /** "sqlite" or "postgresql". */
  virtual std::string_view backend() const = 0;
  virtual int schemaVersion() const = 0;

  /**
   * Records one scan in one transaction: the scan, its findings, the lifecycle of every
   * fingerprint of the target, and an outbox event for each new, reopened and resolved active
   * finding. Findings of ScanRecord::not_assessed_checks or in its error_files that this scan did
   * not see stay open (not resolved).
   */
  virtual Result<RecordOutcome> recordScan(const ScanRecord& scan) = 0;

  /** Scans, newest first; `target` "" = every target; at most `limit` (0 = all). */
  virtual Result<std::vector<ScanInfo>> listScans(std::string_view target, size_t limit) = 0;
  virtual Result<ScanInfo> scan(int64_t id) = 0;
  /** The newest scan of a target, if any. */
  virtual Result<std::optional<ScanInfo>> latestScan(std::string_view target) = 0;
  /** Every finding of one scan (suppressed and excepted too), in fingerprint order. */
  virtual Result<std::vector<RecordedFinding>> scanFindings(int64_t id) = 0;
  virtual Result<ScanDiff> diff(int64_t a, int64_t b) = 0;

  /**
   * Outbox. A route sees the events recorded after it was first registered (registerRoute is
   * idempotent). Pending: not yet delivered on `route`, owned by one of `owners` (empty = any
   * owner), and due (no failed attempt, or its retry time has come), oldest first.
   */
  virtual Result<bool> registerRoute(std::string_view route) = 0;
  virtual Result<std::vector<PendingDelivery>> pendingDeliveries(std::string_view route,
                                                                 const std::vector<std::string>& owners,
                                                                 size_t limit) = 0;
  /** Marks events delivered; `external_ref` (e.g. a Jira issue key) is kept per route and fingerprint. */
  virtual Result<bool> markDelivered(std::string_view route, const std::vector<int64_t>& event_ids,
                                     std::string_view external_ref) = 0;
  /** Records a failed attempt; the events stay pending and are due again after `retry_after_seconds`. */
  virtual Result<bool> markFailed(std::string_view route, const std::vector<int64_t>& event_ids,
                                  std::string_view error, int64_t retry_after_seconds) = 0;
  /** The external reference last stored for a fingerprint of a target on a route, or "". */
  virtual Result<std::string> externalRef(std::string_view route, std::string_view target,
                                          std::string_view fingerprint) = 0;
  virtual Result<std::vector<RouteStatus>> routeStatus() = 0;
};

}  // namespace kspm::store
