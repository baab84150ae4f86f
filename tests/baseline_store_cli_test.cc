// kspm scan --baseline SCAN_ID | latest: the baseline read from the history store (SQLite file).
#include <rapidjson/document.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kspm/finding_record.h"
#include "kspm/store.h"
#include "test_util.h"

namespace kspm {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun runCli(const std::string& args, const testing::TempDir& dir) {
  static int counter = 0;
  std::string err_file = dir.path() + "/stderr-" + std::to_string(++counter);
  testing::CommandResult r = testing::run("KSPM_DB= " + testing::kspm() + " " + args + " 2>'" + err_file + "'");
  return CliRun{r.exit_code, std::move(r.out), testing::readFile(err_file)};
}

constexpr const char* kPod = R"(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop, labels: {team: web}}
spec:
  containers:
  - {name: a, image: nginx, securityContext: {privileged: true}}
)";

/** Records a scan of `yaml` (as the file `path`) under `target`, as `kspm scan --record` would. */
int64_t record(store::Store& store, const std::string& yaml, const std::string& path, const std::string& target) {
  ObjectSet set = testing::loadText(yaml, path);
  Engine engine(Catalog::builtin(), ScanPolicy{});
  ScanRecord scan;
  scan.target = target;
  scan.started_at = scan.finished_at = "2026-11-27T07:00:00Z";
  scan.tool_version = "test";
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               appendFindingRecords(batch, set, "", nullptr, &scan.findings);
             });
  auto outcome = store.recordScan(scan);
  EXPECT_TRUE(outcome.ok()) << describeInputError(outcome.error());
  return outcome.ok() ? outcome.value().scan.id : 0;
}

TEST(BaselineStoreCli, ScanIdAndLatestReadTheRecordedFindings) {
  testing::TempDir dir;
  std::string db = dir.path("history.db");
  std::string manifest = dir.write("pod.yaml", kPod);
  int64_t first = 0;
  {
    auto store = store::Store::open(db);
    ASSERT_TRUE(store.ok()) << describeInputError(store.error());
    first = record(*store.value(), kPod, manifest, manifest);
    // A later scan of another target must not be `latest` for this one.
    record(*store.value(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "other.yaml", "other.yaml");
  }
  ASSERT_GT(first, 0);
  const std::string scan = "scan --no-config -o json --db '" + db + "' '" + manifest + "'";
  for (const std::string& spec : {std::to_string(first), std::string("latest")}) {
    CliRun r = runCli(scan + " --baseline " + spec, dir);
    EXPECT_EQ(r.exit_code, 0) << spec << ": " << r.err;  // a critical finding, but not a new one
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_TRUE(d.IsObject()) << spec << ": " << r.err;
    EXPECT_EQ(std::string(d["summary"]["baseline"]["source"].GetString()), "scan " + std::to_string(first));
    EXPECT_EQ(d["summary"]["baseline"]["new"].GetUint64(), 0u);
    EXPECT_GT(d["summary"]["baseline"]["existing"].GetUint64(), 0u);
  }
  // The same manifest with a new high finding fails against the recorded scan.
  std::string changed = std::string(kPod) + "  hostNetwork: true\n";
  dir.write("pod.yaml", changed);
  EXPECT_EQ(runCli(scan + " --baseline " + std::to_string(first) + " --fail-on-new high", dir).exit_code, 1);
  EXPECT_EQ(runCli(scan + " --baseline latest --fail-on-new critical", dir).exit_code, 0);

  // Errors are usage errors: an unknown scan, no recorded scan of the target, no store at all.
  CliRun unknown = runCli(scan + " --baseline 999", dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("999"), std::string::npos) << unknown.err;
  std::string elsewhere = dir.write("sub/pod.yaml", kPod);
  CliRun none = runCli("scan --no-config --db '" + db + "' --baseline latest '" + elsewhere + "'", dir);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no recorded scan of target \"" + elsewhere + "\""), std::string::npos) << none.err;
  CliRun missing = runCli("scan --no-config --db '" + dir.path("none.db") + "' --baseline 1 '" + manifest + "'", dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("there is no history store at"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path("none.db")));  // reading a baseline creates no store
}


TEST(BaselineStoreCli, RecordedScansCarryOwnersAndServeAsLatestBaseline) {
  testing::TempDir dir;
  std::string db = dir.path("history.db");
  std::string manifest = dir.write("pod.yaml", kPod);
  CliRun recorded = runCli("scan --no-config -o json --fail-on none --record --db '" + db + "' '" + manifest + "'", dir);
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  rapidjson::Document report;
  report.Parse(recorded.out.c_str());
  ASSERT_TRUE(report.IsObject());
  std::set<std::string> json_prints;
  for (const auto& f : report["findings"].GetArray()) json_prints.insert(f["fingerprint"].GetString());
  {
    auto store = store::Store::open(db);
    ASSERT_TRUE(store.ok());
    auto scans = store.value()->listScans("", 0);
    ASSERT_TRUE(scans.ok());
    ASSERT_EQ(scans.value().size(), 1u);
    auto findings = store.value()->scanFindings(scans.value()[0].id);
    ASSERT_TRUE(findings.ok());
    ASSERT_EQ(findings.value().size(), json_prints.size());
    for (const store::RecordedFinding& f : findings.value()) {
      EXPECT_EQ(f.finding.owner, "web");  // the owner of the JSON report, recorded
      EXPECT_EQ(json_prints.count(f.finding.fingerprint), 1u);
    }
  }
  // `latest` finds the scan --record made (same target: the scanned paths).
  dir.write("pod.yaml", std::string(kPod) + "  hostPID: true\n");
  CliRun r = runCli("scan --no-config -o json --db '" + db + "' --baseline latest --fail-on-new high '" + manifest + "'", dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject()) << r.err;
  EXPECT_EQ(d["summary"]["baseline"]["newBySeverity"]["high"].GetUint64(), 1u);
  EXPECT_EQ(d["summary"]["baseline"]["existing"].GetUint64(), json_prints.size());
}

}  // namespace
}  // namespace kspm
