// kspm scan --record, kspm history and kspm diff end to end (docs/history.md).
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;
using testing::TempDir;

constexpr const char* kPrivilegedPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: app
    image: nginx:1.25
    securityContext:
      privileged: true
)";

// The same pod fixed (not privileged) but now on the host network.
constexpr const char* kHostNetworkPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx:1.25
)";

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 500);
  return d;
}

bool hasCheck(const rapidjson::Value& findings, const std::string& check) {
  for (const auto& f : findings.GetArray()) {
    if (f["check"].GetString() == check) return true;
  }
  return false;
}

std::string q(const std::string& s) { return "'" + s + "'"; }

TEST(HistoryCliTest, RecordTwiceThenHistoryAndDiff) {
  TempDir dir;
  std::string db = dir.path("history.db");
  std::string manifest = dir.write("app/pod.yaml", kPrivilegedPod);
  std::string scan = kspm() + " scan --record --db " + q(db) + " --target shop --fail-on none -o json --output-file " +
                     q(dir.path("report.json")) + " " + q(dir.path("app"));
  auto first = run(scan + " 2>&1");
  EXPECT_EQ(first.exit_code, 0) << first.out;
  EXPECT_NE(first.out.find("recorded scan 1 (target shop): "), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(" 0 resolved, 0 reopened"), std::string::npos) << first.out;
  EXPECT_FALSE(parseJson(dir.read("report.json")).HasParseError());  // the report is written too

  dir.write("app/pod.yaml", kHostNetworkPod);
  auto second = run(scan + " 2>&1");
  EXPECT_EQ(second.exit_code, 0) << second.out;
  EXPECT_NE(second.out.find("recorded scan 2 (target shop): "), std::string::npos) << second.out;

  auto history = run(kspm() + " history --db " + q(db) + " -o json");
  ASSERT_EQ(history.exit_code, 0) << history.out;
  rapidjson::Document h = parseJson(history.out);
  ASSERT_TRUE(h.HasMember("scans"));
  const auto& scans = h["scans"];
  ASSERT_EQ(scans.Size(), 2u);
  EXPECT_EQ(scans[0]["id"].GetInt64(), 2);  // newest first
  EXPECT_EQ(std::string(scans[0]["target"].GetString()), "shop");
  EXPECT_GE(scans[0]["resolved"].GetUint64(), 1u);
  EXPECT_GE(scans[0]["new"].GetUint64(), 1u);
  EXPECT_EQ(scans[1]["resolved"].GetUint64(), 0u);
  EXPECT_EQ(scans[1]["new"].GetUint64(), scans[1]["findings"].GetUint64());
  EXPECT_FALSE(scans[0]["partial"].GetBool());

  auto diff = run(kspm() + " diff 1 2 --db " + q(db) + " -o json");
  ASSERT_EQ(diff.exit_code, 0) << diff.out;
  rapidjson::Document d = parseJson(diff.out);
  EXPECT_TRUE(hasCheck(d["removed"], "pss-privileged")) << diff.out;
  EXPECT_TRUE(hasCheck(d["added"], "pss-host-namespaces")) << diff.out;
  EXPECT_FALSE(hasCheck(d["added"], "pss-privileged"));
  EXPECT_EQ(d["summary"]["added"].GetUint64(), scans[0]["new"].GetUint64());
  EXPECT_EQ(d["summary"]["removed"].GetUint64(), scans[0]["resolved"].GetUint64());
  EXPECT_EQ(d["a"]["id"].GetInt64(), 1);

  // latest~1 / latest name the same scans; --fail-on-new fails on the host-network finding.
  auto gate = run(kspm() + " diff latest~1 latest --target shop --db " + q(db) + " --fail-on-new low");
  EXPECT_EQ(gate.exit_code, 1) << gate.out;
  EXPECT_NE(gate.out.find("Added"), std::string::npos) << gate.out;
  EXPECT_NE(gate.out.find("pss-host-namespaces"), std::string::npos) << gate.out;
  auto same = run(kspm() + " diff 2 latest --db " + q(db) + " --fail-on-new info -o json");
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_EQ(parseJson(same.out)["summary"]["added"].GetUint64(), 0u);

  auto findings = run(kspm() + " history --findings 2 --db " + q(db) + " -o json");
  ASSERT_EQ(findings.exit_code, 0) << findings.out;
  rapidjson::Document f = parseJson(findings.out);
  ASSERT_GT(f["findings"].Size(), 0u);
  bool saw_new = false, saw_open = false;
  for (const auto& x : f["findings"].GetArray()) {
    std::string lifecycle = x["lifecycle"].GetString();
    saw_new = saw_new || lifecycle == "new";
    saw_open = saw_open || lifecycle == "open";
    EXPECT_FALSE(std::string(x["firstSeen"].GetString()).empty());
    EXPECT_EQ(std::string(x["owner"].GetString()), "unowned");
    EXPECT_EQ(std::string(x["fingerprint"].GetString()).size(), 16u);
  }
  EXPECT_TRUE(saw_new);
  EXPECT_TRUE(saw_open);  // what the fix did not touch (e.g. no resource limits) stays open

  auto table = run(kspm() + " history --db " + q(db));
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("RESOLVED"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("shop"), std::string::npos) << table.out;
}

TEST(HistoryCliTest, RecordFailureStillWritesTheReportAndExits3) {
  TempDir dir;
  dir.write("app/pod.yaml", kPrivilegedPod);
  // A directory is not a store.
  auto r = run(kspm() + " scan --record --db " + q(dir.path()) + " --fail-on none -o json --output-file " +
               q(dir.path("report.json")) + " " + q(dir.path("app")) + " 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("not recorded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("store"), std::string::npos) << r.out;
  rapidjson::Document report = parseJson(dir.read("report.json"));
  ASSERT_TRUE(report.IsObject());
  EXPECT_TRUE(report.HasMember("findings") || report.HasMember("objects")) << dir.read("report.json").substr(0, 300);

  auto history = run(kspm() + " history --db " + q(dir.path()) + " 2>&1");
  EXPECT_EQ(history.exit_code, 3) << history.out;
}

TEST(HistoryCliTest, KspmDbSetsTheDefaultStoreAndTargetDefaultsToThePaths) {
  TempDir dir;
  dir.write("app/pod.yaml", kPrivilegedPod);
  std::string env = "KSPM_DB=" + q(dir.path("env.db")) + " ";
  auto r = run(env + kspm() + " scan --record --fail-on none " + q(dir.path("app")) + " >/dev/null 2>&1");
  EXPECT_EQ(r.exit_code, 0);
  auto history = run(env + kspm() + " history -o json");
  ASSERT_EQ(history.exit_code, 0) << history.out;
  rapidjson::Document h = parseJson(history.out);
  ASSERT_EQ(h["scans"].Size(), 1u);
  EXPECT_EQ(std::string(h["scans"][0]["target"].GetString()), dir.path("app"));
  EXPECT_EQ(std::string(h["backend"].GetString()), "sqlite");
}

TEST(HistoryCliTest, KspmKilledWhileRecordingLeavesTheEarlierScans) {
  TempDir dir;
  std::string db = dir.path("history.db");
  std::string marker = dir.path("paused");
  dir.write("app/pod.yaml", kPrivilegedPod);
  std::string scan = kspm() + " scan --record --db " + q(db) + " --target shop --fail-on none " + q(dir.path("app"));
  ASSERT_EQ(run(scan + " >/dev/null 2>&1").exit_code, 0);
  // The second recording pauses inside its transaction (test hook) and is killed there.
  dir.write("app/pod.yaml", kHostNetworkPod);
  auto started = run("(KSPM_STORE_TEST_PAUSE_IN_RECORD=" + q(marker) + " " + scan + " >/dev/null 2>&1 & echo $!)");
  int pid = std::atoi(started.out.c_str());
  ASSERT_GT(pid, 0) << started.out;
  for (int i = 0; i < 6000 && !std::filesystem::exists(marker); ++i) usleep(20000);
  bool paused = std::filesystem::exists(marker);
  kill(pid, SIGKILL);
  ASSERT_TRUE(paused) << "kspm never reached the pause inside recordScan";
  for (int i = 0; i < 500 && kill(pid, 0) == 0; ++i) usleep(10000);  // gone (reaped by the shell's init)

  auto history = run(kspm() + " history --db " + q(db) + " -o json");
  ASSERT_EQ(history.exit_code, 0) << history.out;
  rapidjson::Document h = parseJson(history.out);
  ASSERT_EQ(h["scans"].Size(), 1u);  // the killed scan is not there; the first one is whole
  EXPECT_EQ(h["scans"][0]["id"].GetInt64(), 1);
  // The next scan continues from the first: the privileged finding is resolved now, not before.
  auto next = run(scan + " 2>&1 >/dev/null");
  EXPECT_EQ(next.exit_code, 0) << next.out;
  EXPECT_NE(next.out.find("recorded scan 2 (target shop)"), std::string::npos) << next.out;
  EXPECT_EQ(next.out.find(" 0 resolved"), std::string::npos) << next.out;
}

TEST(HistoryCliTest, UsageErrorsAndHelp) {
  for (std::string verb : {"history", "diff"}) {
    auto help = run(kspm() + " " + verb + " --help");
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_NE(help.out.find("Usage: kspm " + verb), std::string::npos) << verb;
  }
  auto scan_help = run(kspm() + " scan --help");
  EXPECT_NE(scan_help.out.find("--record"), std::string::npos);
  auto top = run(kspm() + " --help");
  EXPECT_NE(top.out.find("history"), std::string::npos);
  TempDir dir;
  std::string db = " --db " + q(dir.path("h.db"));
  EXPECT_EQ(run(kspm() + " history --limit many" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " history -o xml" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " history extra" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " diff 1" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " diff 1 yesterday" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " diff 1 2 --fail-on-new severe" + db + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan --record --db" + " 2>/dev/null").exit_code, 2);
  // Scans that are not in the store: exit 3 with a message.
  auto missing = run(kspm() + " diff 1 latest" + db + " 2>&1");
  EXPECT_EQ(missing.exit_code, 3) << missing.out;
  EXPECT_NE(missing.out.find("no scan"), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace kspm
