// The history store contract (include/kspm/store.h) on both backends: lifecycle, suppressed and
// partial scans, duplicates, targets, diff, the outbox, migrations.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "kspm/store.h"
#include "store/store_internal.h"
#include "store_test_backend.h"

namespace kspm::store {
namespace {

using testing::StoreLocation;

FindingRecord finding(const std::string& fingerprint, const std::string& check = "check-a",
                      Severity severity = Severity::kHigh, FindingState state = FindingState::kActive,
                      const std::string& file = "app.yaml", const std::string& owner = "unowned") {
  FindingRecord f;
  f.fingerprint = fingerprint;
  f.check_id = check;
  f.severity = severity;
  f.state = state;
  f.message = "message of " + fingerprint;
  f.kind = "Deployment";
  f.namespace_ = "default";
  f.name = "web-" + fingerprint;
  f.container = "app";
  f.field = "spec.containers[app].securityContext";
  f.path = "spec.containers[0].securityContext";
  f.file = file;
  f.line = 7;
  f.owner = owner;
  f.risk = 40;
  return f;
}

ScanRecord scanOf(std::vector<FindingRecord> findings, const std::string& target = "prod",
                  const std::string& started_at = "2026-11-27T06:00:00Z") {
  ScanRecord s;
  s.target = target;
  s.cluster = "";
  s.started_at = started_at;
  s.finished_at = started_at;
  s.tool_version = "0.1.0";
  s.objects = 3;
  s.findings = std::move(findings);
  return s;
}

std::set<std::string> fingerprints(const std::vector<RecordedFinding>& findings) {
  std::set<std::string> out;
  for (const RecordedFinding& f : findings) out.insert(f.finding.fingerprint);
  return out;
}
std::set<std::string> fingerprints(const std::vector<FindingRecord>& findings) {
  std::set<std::string> out;
  for (const FindingRecord& f : findings) out.insert(f.fingerprint);
  return out;
}

class StoreBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    location_ = std::make_unique<StoreLocation>(GetParam());
    KSPM_REQUIRE_STORE(*location_);
    auto opened = Store::open(location_->location());
    ASSERT_TRUE(opened.ok()) << describeInputError(opened.error());
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    location_.reset();
  }

  RecordOutcome record(const ScanRecord& scan) {
    auto r = store_->recordScan(scan);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describeInputError(r.error()));
    return r.ok() ? std::move(r).value() : RecordOutcome();
  }
  std::map<std::string, RecordedFinding> findingsOf(int64_t scan) {
    auto r = store_->scanFindings(scan);
    EXPECT_TRUE(r.ok());
    std::map<std::string, RecordedFinding> out;
    if (r.ok()) {
      for (RecordedFinding& f : r.value()) out.emplace(f.finding.fingerprint, std::move(f));
    }
    return out;
  }
  std::vector<PendingDelivery> pending(const std::string& route, const std::vector<std::string>& owners = {}) {
    auto r = store_->pendingDeliveries(route, owners, 0);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describeInputError(r.error()));
    return r.ok() ? std::move(r).value() : std::vector<PendingDelivery>();
  }

  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreBackendTest, OpensWithTheLatestSchema) {
  EXPECT_EQ(store_->backend(), GetParam());
  EXPECT_EQ(store_->schemaVersion(), latestSchemaVersion());
  auto scans = store_->listScans("", 0);
  ASSERT_TRUE(scans.ok());
  EXPECT_TRUE(scans.value().empty());
}

TEST_P(StoreBackendTest, LifecycleNewOpenResolvedReopened) {
  RecordOutcome first = record(scanOf({finding("a1"), finding("b2", "check-b", Severity::kLow)}, "prod",
                                      "2026-11-27T01:00:00Z"));
  EXPECT_EQ(fingerprints(first.new_findings), (std::set<std::string>{"a1", "b2"}));
  EXPECT_TRUE(first.resolved.empty());
  EXPECT_EQ(first.scan.findings, 2u);
  EXPECT_EQ(first.scan.by_severity[static_cast<size_t>(Severity::kHigh)], 1u);
  EXPECT_EQ(first.scan.by_severity[static_cast<size_t>(Severity::kLow)], 1u);
  EXPECT_EQ(first.scan.new_findings, 2u);

  RecordOutcome second = record(scanOf({finding("a1")}, "prod", "2026-11-27T02:00:00Z"));
  EXPECT_TRUE(second.new_findings.empty());
  ASSERT_EQ(second.resolved.size(), 1u);
  EXPECT_EQ(second.resolved[0].finding.fingerprint, "b2");
  EXPECT_EQ(second.resolved[0].finding.check_id, "check-b");  // the fields of the last scan that saw it
  EXPECT_EQ(second.resolved[0].finding.message, "message of b2");
  EXPECT_EQ(second.scan.resolved, 1u);
  auto seen = findingsOf(second.scan.id);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen["a1"].lifecycle, Lifecycle::kOpen);
  EXPECT_EQ(seen["a1"].first_seen, "2026-11-27T01:00:00Z");

  RecordOutcome third = record(scanOf({finding("a1"), finding("b2", "check-b", Severity::kLow)}, "prod",
                                      "2026-11-27T03:00:00Z"));
  EXPECT_TRUE(third.new_findings.empty());
  ASSERT_EQ(third.reopened.size(), 1u);
  EXPECT_EQ(third.reopened[0].finding.fingerprint, "b2");
  EXPECT_EQ(third.reopened[0].first_seen, "2026-11-27T01:00:00Z");
  EXPECT_EQ(third.reopened[0].last_seen, "2026-11-27T03:00:00Z");
  EXPECT_EQ(third.scan.reopened, 1u);
  auto now = findingsOf(third.scan.id);
  EXPECT_EQ(now["a1"].lifecycle, Lifecycle::kOpen);
  EXPECT_EQ(now["b2"].lifecycle, Lifecycle::kReopened);

  // The first scan keeps what it saw.
  auto old = findingsOf(first.scan.id);
  EXPECT_EQ(old.size(), 2u);
  EXPECT_EQ(old["b2"].lifecycle, Lifecycle::kNew);
  EXPECT_EQ(old["b2"].finding.severity, Severity::kLow);
  EXPECT_EQ(old["b2"].finding.line, 7u);
  EXPECT_EQ(old["b2"].finding.risk, 40);
  EXPECT_EQ(old["b2"].finding.field, "spec.containers[app].securityContext");
}

TEST_P(StoreBackendTest, SuppressedAndExceptedAreKeptApart) {
  ASSERT_TRUE(store_->registerRoute("audit").ok());
  RecordOutcome first =
      record(scanOf({finding("a1"), finding("s1", "check-a", Severity::kHigh, FindingState::kSuppressed),
                     finding("e1", "check-a", Severity::kCritical, FindingState::kExcepted)}));
  EXPECT_EQ(first.scan.findings, 1u);
  EXPECT_EQ(first.scan.suppressed, 2u);
  EXPECT_EQ(first.scan.by_severity[static_cast<size_t>(Severity::kCritical)], 0u);
  EXPECT_EQ(fingerprints(first.new_findings), (std::set<std::string>{"a1"}));
  auto events = pending("audit");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].finding.fingerprint, "a1");
  auto recorded = findingsOf(first.scan.id);
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded["s1"].finding.state, FindingState::kSuppressed);
  EXPECT_EQ(recorded["e1"].finding.state, FindingState::kExcepted);

  // An open finding that becomes suppressed is no longer part of the posture: resolved.
  RecordOutcome second = record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kSuppressed),
                                        finding("s1", "check-a", Severity::kHigh, FindingState::kSuppressed)}));
  EXPECT_EQ(fingerprints(second.resolved), (std::set<std::string>{"a1"}));
  EXPECT_EQ(second.scan.findings, 0u);
  EXPECT_EQ(second.scan.suppressed, 2u);
  // A suppressed finding that becomes active for the first time is new.
  RecordOutcome third = record(scanOf({finding("s1")}));
  EXPECT_EQ(fingerprints(third.new_findings), (std::set<std::string>{"s1"}));
  EXPECT_TRUE(third.resolved.empty());  // e1 and a1 were not open
}

TEST_P(StoreBackendTest, NotAssessedChecksAndUnreadableFilesDoNotResolve) {
  record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml"),
                 finding("b2", "check-b", Severity::kHigh, FindingState::kActive, "b.yaml"),
                 finding("c3", "check-c", Severity::kHigh, FindingState::kActive, "c.yaml"),
                 finding("d4", "check-d", Severity::kHigh, FindingState::kActive, "c.yaml")}));
  ScanRecord partial = scanOf({});
  partial.not_assessed_checks = {"check-a"};
  partial.error_files = {"b.yaml"};
  partial.checks_not_run = {"check-d"};
  RecordOutcome second = record(partial);
  EXPECT_TRUE(second.scan.partial);
  EXPECT_EQ(fingerprints(second.resolved), (std::set<std::string>{"c3"}));
  // Still open: a complete scan that does not see them resolves them (not "new" when they return).
  ScanRecord complete = scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml")});
  complete.checks_not_run = {"check-d"};  // a check left out by the flags: not partial, not resolved
  RecordOutcome third = record(complete);
  EXPECT_FALSE(third.scan.partial);
  EXPECT_TRUE(third.new_findings.empty());
  EXPECT_TRUE(third.reopened.empty());
  EXPECT_EQ(fingerprints(third.resolved), (std::set<std::string>{"b2"}));
  EXPECT_EQ(findingsOf(third.scan.id)["a1"].lifecycle, Lifecycle::kOpen);
  RecordOutcome fourth = record(scanOf({}));
  EXPECT_EQ(fingerprints(fourth.resolved), (std::set<std::string>{"a1", "d4"}));
}

TEST_P(StoreBackendTest, DuplicateFingerprintsAreRecordedOnce) {
  RecordOutcome first = record(scanOf({finding("d1", "check-a", Severity::kHigh, FindingState::kSuppressed),
                                       finding("d1"), finding("d1"), finding("x2")}));
  EXPECT_EQ(first.scan.findings, 2u);
  EXPECT_EQ(first.scan.suppressed, 0u);
  EXPECT_EQ(first.new_findings.size(), 2u);
  auto recorded = findingsOf(first.scan.id);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded["d1"].finding.state, FindingState::kActive);
}

TEST_P(StoreBackendTest, TargetsAreIndependent) {
  record(scanOf({finding("a1")}, "cluster-x"));
  RecordOutcome y = record(scanOf({finding("b2")}, "cluster-y"));
  EXPECT_TRUE(y.resolved.empty());
  EXPECT_EQ(fingerprints(y.new_findings), (std::set<std::string>{"b2"}));
  RecordOutcome x2 = record(scanOf({finding("a1"), finding("b2")}, "cluster-x"));
  EXPECT_EQ(fingerprints(x2.new_findings), (std::set<std::string>{"b2"}));  // new for this target
  auto xs = store_->listScans("cluster-x", 0);
  ASSERT_TRUE(xs.ok());
  ASSERT_EQ(xs.value().size(), 2u);
  EXPECT_EQ(xs.value()[0].id, x2.scan.id);  // newest first
  auto all = store_->listScans("", 2);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value().size(), 2u);
  auto latest = store_->latestScan("cluster-y");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest.value().has_value());
  EXPECT_EQ(latest.value()->id, y.scan.id);
  auto none = store_->latestScan("nowhere");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
  auto missing = store_->scan(99999);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kStore);
}

TEST_P(StoreBackendTest, DiffFindsAddedRemovedAndChanged) {
  FindingRecord changed_before = finding("c3", "check-c", Severity::kMedium);
  FindingRecord changed_after = changed_before;
  changed_after.severity = Severity::kCritical;
  changed_after.message = "worse now";
  RecordOutcome a = record(scanOf({finding("a1"), finding("k2"), changed_before,
                                   finding("s4", "check-a", Severity::kHigh, FindingState::kSuppressed)}));
  RecordOutcome b = record(scanOf({finding("k2"), changed_after, finding("n5"), finding("s4")}));
  auto d = store_->diff(a.scan.id, b.scan.id);
  ASSERT_TRUE(d.ok()) << describeInputError(d.error());
  EXPECT_EQ(d.value().a.id, a.scan.id);
  EXPECT_EQ(d.value().b.id, b.scan.id);
  EXPECT_EQ(fingerprints(d.value().added), (std::set<std::string>{"n5", "s4"}));  // s4 suppressed before
  EXPECT_EQ(fingerprints(d.value().removed), (std::set<std::string>{"a1"}));
  ASSERT_EQ(d.value().changed.size(), 1u);
  EXPECT_EQ(d.value().changed[0].before.severity, Severity::kMedium);
  EXPECT_EQ(d.value().changed[0].after.severity, Severity::kCritical);
  EXPECT_EQ(d.value().changed[0].after.message, "worse now");
  auto reverse = store_->diff(b.scan.id, a.scan.id);
  ASSERT_TRUE(reverse.ok());
  EXPECT_EQ(fingerprints(reverse.value().added), (std::set<std::string>{"a1"}));
  EXPECT_FALSE(store_->diff(a.scan.id, 424242).ok());
}

TEST_P(StoreBackendTest, OutboxHasEventsOnlyForTransitions) {
  auto registered = store_->registerRoute("slack");
  ASSERT_TRUE(registered.ok());
  EXPECT_TRUE(registered.value());
  auto again = store_->registerRoute("slack");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());  // idempotent

  record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml", "team-a"),
                 finding("b2", "check-b", Severity::kLow, FindingState::kActive, "b.yaml", "team-b")}));
  auto first = pending("slack");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].event, Lifecycle::kNew);
  EXPECT_LT(first[0].event_id, first[1].event_id);  // oldest first
  EXPECT_EQ(first[0].target, "prod");
  EXPECT_FALSE(first[0].created_at.empty());
  auto team_a = pending("slack", {"team-a"});
  ASSERT_EQ(team_a.size(), 1u);
  EXPECT_EQ(team_a[0].finding.owner, "team-a");
  EXPECT_EQ(pending("slack", {"team-a", "team-b"}).size(), 2u);
  EXPECT_TRUE(pending("slack", {"nobody"}).empty());
  auto limited = store_->pendingDeliveries("slack", {}, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited.value().size(), 1u);

  std::vector<int64_t> ids = {first[0].event_id, first[1].event_id};
  ASSERT_TRUE(store_->markDelivered("slack", ids, "").ok());
  EXPECT_TRUE(pending("slack").empty());

  // Still open: no event. Resolved: one, with the finding as last seen and its owner.
  record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml", "team-a"),
                 finding("b2", "check-b", Severity::kLow, FindingState::kActive, "b.yaml", "team-b")}));
  EXPECT_TRUE(pending("slack").empty());
  record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml", "team-a")}));
  auto resolved = pending("slack", {"team-b"});
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].event, Lifecycle::kResolved);
  EXPECT_EQ(resolved[0].finding.fingerprint, "b2");
  EXPECT_EQ(resolved[0].finding.check_id, "check-b");

  // A route registered now sees only what comes next.
  ASSERT_TRUE(store_->registerRoute("jira").ok());
  EXPECT_TRUE(pending("jira").empty());
  record(scanOf({finding("a1", "check-a", Severity::kHigh, FindingState::kActive, "a.yaml", "team-a"),
                 finding("b2", "check-b", Severity::kLow, FindingState::kActive, "b.yaml", "team-b")}));
  auto reopened = pending("jira");
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].event, Lifecycle::kReopened);
  EXPECT_EQ(pending("slack").size(), 2u);  // the resolved and the reopened
  EXPECT_TRUE(pending("unregistered").empty());
}

TEST_P(StoreBackendTest, FailedDeliveriesRetryAndReferencesAreKept) {
  ASSERT_TRUE(store_->registerRoute("jira").ok());
  record(scanOf({finding("a1"), finding("b2"), finding("c3")}));
  auto events = pending("jira");
  ASSERT_EQ(events.size(), 3u);
  // Retry later: not due now. Retry at once: due, with the attempt counted.
  ASSERT_TRUE(store_->markFailed("jira", {events[0].event_id}, "HTTP 500 from Jira", 3600).ok());
  ASSERT_TRUE(store_->markFailed("jira", {events[1].event_id}, "HTTP 429 from Jira", 0).ok());
  ASSERT_TRUE(store_->markFailed("jira", {events[1].event_id}, "HTTP 429 again", 0).ok());
  auto due = pending("jira");
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].event_id, events[1].event_id);
  EXPECT_EQ(due[0].attempts, 2u);
  EXPECT_EQ(due[0].last_error, "HTTP 429 again");
  EXPECT_EQ(due[1].event_id, events[2].event_id);
  EXPECT_EQ(due[1].attempts, 0u);

  ASSERT_TRUE(store_->markDelivered("jira", {events[2].event_id}, "KSPM-12").ok());
  auto ref = store_->externalRef("jira", "prod", "c3");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref.value(), "KSPM-12");
  auto none = store_->externalRef("jira", "prod", "a1");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), "");
  // A late failure report does not undo a delivery.
  ASSERT_TRUE(store_->markFailed("jira", {events[2].event_id}, "late", 0).ok());

  auto status = store_->routeStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status.value().size(), 1u);
  const RouteStatus& s = status.value()[0];
  EXPECT_EQ(s.route, "jira");
  EXPECT_EQ(s.delivered, 1u);
  EXPECT_EQ(s.pending, 2u);
  EXPECT_EQ(s.failing, 2u);
  EXPECT_FALSE(s.oldest_pending.empty());
  EXPECT_FALSE(s.last_error.empty());
  EXPECT_TRUE(pending("jira").size() == 1u);
}

TEST_P(StoreBackendTest, OldSchemaIsMigratedAndNewerIsRefused) {
  store_.reset();
  location_ = std::make_unique<StoreLocation>(GetParam());  // a fresh store
  auto old = openAtVersion(location_->location(), 1);
  ASSERT_TRUE(old.ok()) << describeInputError(old.error());
  EXPECT_EQ(old.value()->schemaVersion(), 1);
  // A scan recorded by a build that knew only version 1 (no outbox yet).
  ASSERT_TRUE(executeForTesting(*old.value(),
                                "INSERT INTO scans (target, cluster, started_at, finished_at, tool_version, objects, "
                                "findings, info, low, medium, high, critical, suppressed, new_findings, resolved, "
                                "reopened, input_errors, partial) VALUES ('prod', '', '2026-01-01T00:00:00Z', "
                                "'2026-01-01T00:00:00Z', '0.0.9', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)")
                  .ok());
  old.value().reset();
  auto migrated = Store::open(location_->location());
  ASSERT_TRUE(migrated.ok()) << describeInputError(migrated.error());
  EXPECT_EQ(migrated.value()->schemaVersion(), latestSchemaVersion());
  auto scans = migrated.value()->listScans("", 0);
  ASSERT_TRUE(scans.ok());
  EXPECT_EQ(scans.value().size(), 1u);
  EXPECT_TRUE(migrated.value()->registerRoute("slack").ok());
  auto recorded = migrated.value()->recordScan(scanOf({finding("a1")}));
  ASSERT_TRUE(recorded.ok()) << describeInputError(recorded.error());
  EXPECT_EQ(recorded.value().new_findings.size(), 1u);

  ASSERT_TRUE(executeForTesting(*migrated.value(),
                                "INSERT INTO schema_migrations (version, description, applied_at) VALUES "
                                "(999, 'from the future', '2030-01-01T00:00:00Z')")
                  .ok());
  migrated.value().reset();
  auto refused = Store::open(location_->location());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kStore);
  EXPECT_NE(refused.error().message.find("newer"), std::string::npos) << refused.error().message;
}

TEST_P(StoreBackendTest, LostConnectionIsAStoreErrorWithoutThePassword) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "a SQLite file has no connection to lose";
  record(scanOf({finding("a1")}));
  ASSERT_TRUE(location_->terminateConnections());
  auto r = store_->listScans("", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStore);
  std::string text = describeInputError(r.error());
  EXPECT_NE(text.find("postgres"), std::string::npos) << text;  // names the store
  EXPECT_EQ(text.find(":kspm@"), std::string::npos) << text;    // the test URL's password is hidden
  auto w = store_->recordScan(scanOf({finding("a1")}));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kStore);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBackendTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(StoreLocationTest, BadSqliteLocationsAreStoreErrors) {
  testing::TempDir dir;
  auto directory = Store::open(dir.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code, ErrorCode::kStore);
  EXPECT_EQ(directory.error().file, dir.path());
  auto no_parent = Store::open(dir.path("missing/dir/history.db"));
  ASSERT_FALSE(no_parent.ok());
  EXPECT_EQ(no_parent.error().code, ErrorCode::kStore);
  std::string junk = dir.write("junk.db", std::string(4096, 'x'));
  auto not_a_db = Store::open(junk);
  ASSERT_FALSE(not_a_db.ok());
  EXPECT_EQ(not_a_db.error().code, ErrorCode::kStore);
  EXPECT_FALSE(Store::open("").ok());
}

TEST(StoreLocationTest, PostgresPasswordsAreNeverInMessages) {
  // Port 1 on loopback: nothing listens; the error must name the store without its password.
  auto r = Store::open("postgresql://kspm:s3cr3t-pw@127.0.0.1:1/kspm?connect_timeout=2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStore);
  std::string text = describeInputError(r.error());
  EXPECT_EQ(text.find("s3cr3t-pw"), std::string::npos) << text;
  EXPECT_NE(text.find("postgresql://kspm:***@127.0.0.1:1/kspm"), std::string::npos) << text;
  EXPECT_EQ(redactLocation("postgres://h/db?user=u&password=pw1&sslmode=disable"),
            "postgres://h/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(redactLocation("/var/lib/kspm/history.db"), "/var/lib/kspm/history.db");
}

TEST(StoreLocationTest, DefaultLocationFollowsXdgDataHome) {
  const char* saved = std::getenv("XDG_DATA_HOME");
  std::string keep = saved ? saved : "";
  setenv("XDG_DATA_HOME", "/srv/data", 1);
  EXPECT_EQ(Store::defaultLocation(), "/srv/data/kspm/history.db");
  setenv("XDG_DATA_HOME", "relative", 1);  // not absolute: ignored, as the XDG spec says
  EXPECT_NE(Store::defaultLocation().find("/.local/share/kspm/history.db"), std::string::npos);
  if (saved) setenv("XDG_DATA_HOME", keep.c_str(), 1); else unsetenv("XDG_DATA_HOME");
}

}  // namespace
}  // namespace kspm::store
