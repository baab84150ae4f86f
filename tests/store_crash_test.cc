// Crash safety on both backends: a process killed with SIGKILL inside recordScan's transaction
// (after every row is written, before COMMIT) leaves the store as the last complete scan left it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "kspm/store.h"
#include "store/store_internal.h"
#include "store_test_backend.h"

namespace kspm::store {
namespace {

using testing::StoreLocation;

FindingRecord finding(const std::string& fingerprint) {
  FindingRecord f;
  f.fingerprint = fingerprint;
  f.check_id = "check-a";
  f.severity = Severity::kHigh;
  f.message = "message of " + fingerprint;
  f.kind = "Deployment";
  f.name = fingerprint;
  f.file = "app.yaml";
  f.owner = "unowned";
  return f;
}

ScanRecord scanOf(std::vector<FindingRecord> findings) {
  ScanRecord s;
  s.target = "prod";
  s.started_at = "2026-11-27T06:00:00Z";
  s.findings = std::move(findings);
  return s;
}

class StoreCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StoreCrashTest, KilledInsideRecordScanLosesNoEarlierScan) {
  StoreLocation location(GetParam());
  KSPM_REQUIRE_STORE(location);
  int64_t last_complete = 0;
  {
    auto store = Store::open(location.location());
    ASSERT_TRUE(store.ok()) << describeInputError(store.error());
    ASSERT_TRUE(store.value()->registerRoute("slack").ok());
    ASSERT_TRUE(store.value()->recordScan(scanOf({finding("a1"), finding("b2")})).ok());
    auto second = store.value()->recordScan(scanOf({finding("a1")}));
    ASSERT_TRUE(second.ok());
    last_complete = second.value().scan.id;
  }  // closed before fork: a connection is never shared across processes

  // The killed scan: 20,000 new findings, a1 and b2 gone, all written when the child pauses.
  std::string marker = location.dir().path("paused");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setRecordPauseHookForTesting([&marker] {
      std::ofstream(marker) << "inside the transaction\n";
      for (;;) pause();
    });
    auto store = Store::open(location.location());
    if (!store.ok()) _exit(3);
    std::vector<FindingRecord> many;
    for (int i = 0; i < 20000; ++i) many.push_back(finding("k" + std::to_string(100000 + i)));
    store.value()->recordScan(scanOf(std::move(many)));
    _exit(4);  // not reached: killed while paused
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (!std::filesystem::exists(marker) && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  ASSERT_FALSE(exited) << "the child ended before pausing: exit " << WEXITSTATUS(status);
  ASSERT_TRUE(std::filesystem::exists(marker)) << "the child never reached the pause";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  if (GetParam() == "sqlite") {
    auto raw = openSqlite(location.location(), "crash test");
    ASSERT_TRUE(raw.ok());
    std::string check;
    ASSERT_TRUE(raw.value()->exec("PRAGMA integrity_check", {}, [&](const SqlRow& row) { check = row.text(0); }).ok());
    EXPECT_EQ(check, "ok");
  }
  auto store = Store::open(location.location());
  ASSERT_TRUE(store.ok()) << describeInputError(store.error());
  auto scans = store.value()->listScans("prod", 0);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans.value().size(), 2u);  // the killed scan is absent, the earlier ones intact
  EXPECT_EQ(scans.value()[0].id, last_complete);
  auto kept = store.value()->scanFindings(last_complete);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept.value().size(), 1u);
  EXPECT_EQ(kept.value()[0].finding.fingerprint, "a1");
  auto events = store.value()->pendingDeliveries("slack", {}, 0);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events.value().size(), 3u);  // new a1, new b2, resolved b2: none from the killed scan

  // The lifecycle is that of the last complete scan: a1 open, b2 resolved.
  auto next = store.value()->recordScan(scanOf({finding("a1"), finding("b2")}));
  ASSERT_TRUE(next.ok()) << describeInputError(next.error());
  EXPECT_TRUE(next.value().new_findings.empty());
  ASSERT_EQ(next.value().reopened.size(), 1u);
  EXPECT_EQ(next.value().reopened[0].finding.fingerprint, "b2");
  EXPECT_TRUE(next.value().resolved.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCrashTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace kspm::store
