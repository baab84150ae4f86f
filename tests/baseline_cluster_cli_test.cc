// The cluster ID of live scans and snapshots (--cluster-id, the kubeconfig cluster name), how it
// enters fingerprints, and baselines across live scans and snapshots, against the fixture API server.
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "fixture_apiserver/fixture.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun runCli(const std::string& args, const testing::TempDir& dir) {
  static int counter = 0;
  std::string err_file = dir.path() + "/stderr-" + std::to_string(++counter);
  testing::CommandResult r = testing::run(testing::kspm() + " " + args + " 2>'" + err_file + "'");
  return CliRun{r.exit_code, std::move(r.out), testing::readFile(err_file)};
}

std::optional<FixtureServer> startServer() {
  std::vector<std::string> args = {"--content", testing::sourceDir() + "/tests/testdata/cluster/small.json", "--token",
                                   "t0ken-for-tests=alice"};
  std::string error;
  auto server = FixtureServer::start(args, &error);
  EXPECT_TRUE(server.has_value()) << error;
  return server;
}

std::multiset<std::string> fingerprints(const std::string& json, std::string* cluster_id) {
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  std::multiset<std::string> out;
  if (d.HasParseError() || !d.IsObject()) {
    ADD_FAILURE() << json.substr(0, 300);
    return out;
  }
  if (cluster_id != nullptr) *cluster_id = d.HasMember("cluster") ? d["cluster"]["id"].GetString() : "<none>";
  for (const auto& f : d["findings"].GetArray()) out.insert(f["fingerprint"].GetString());
  return out;
}

TEST(BaselineClusterCli, ClusterIdFromKubeconfigFlagAndSnapshots) {
  auto server = startServer();
  ASSERT_TRUE(server);
  testing::TempDir dir;
  const std::string live = "scan --no-config --no-progress --cluster --kubeconfig '" + server->kubeconfig() + "' -o json --fail-on none";

  // Default: the kubeconfig cluster entry the context names ("fixture"), whichever context.
  CliRun by_token = runCli(live, dir);
  ASSERT_EQ(by_token.exit_code, 0) << by_token.err;
  std::string id;
  std::multiset<std::string> default_prints = fingerprints(by_token.out, &id);
  EXPECT_EQ(id, "fixture");
  ASSERT_GT(default_prints.size(), 20u);

  // --cluster-id: another ID, other fingerprints.
  CliRun named = runCli(live + " --cluster-id prod-eu", dir);
  ASSERT_EQ(named.exit_code, 0) << named.err;
  std::multiset<std::string> named_prints = fingerprints(named.out, &id);
  EXPECT_EQ(id, "prod-eu");
  EXPECT_EQ(named_prints.size(), default_prints.size());
  for (const std::string& fp : named_prints) EXPECT_EQ(default_prints.count(fp), 0u) << fp;

  // A snapshot keeps the ID: scanned offline it fingerprints like the live scan.
  std::string snapshot = dir.path() + "/cluster.json";
  CliRun snap = runCli("snapshot --no-progress --kubeconfig '" + server->kubeconfig() + "' --cluster-id prod-eu -o '" +
                           snapshot + "'",
                       dir);
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  EXPECT_NE(testing::readFile(snapshot).find("clusterId\\\":\\\"prod-eu"), std::string::npos);
  CliRun offline = runCli("scan --no-config -o json --fail-on none '" + snapshot + "'", dir);
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(fingerprints(offline.out, &id), named_prints);
  EXPECT_EQ(id, "prod-eu");

  // A snapshot written before IDs were kept is still read: its context stands in for the ID.
  std::string text = testing::readFile(snapshot);
  size_t at = text.find("\\\"clusterId\\\":\\\"prod-eu\\\",");
  ASSERT_NE(at, std::string::npos);
  std::string old_snapshot = dir.write("old.json", text.erase(at, std::string("\\\"clusterId\\\":\\\"prod-eu\\\",").size()));
  CliRun old = runCli("scan --no-config -o json --fail-on none '" + old_snapshot + "'", dir);
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(fingerprints(old.out, &id).size(), named_prints.size());
  EXPECT_EQ(id, "token");
  // ... or --cluster-id names it.
  CliRun old_named = runCli("scan --no-config -o json --fail-on none --cluster-id prod-eu '" + old_snapshot + "'", dir);
  ASSERT_EQ(old_named.exit_code, 0) << old_named.err;
  EXPECT_EQ(fingerprints(old_named.out, &id), named_prints);

  // Baselines: the live report is the baseline of the snapshot scan (nothing new); a baseline of
  // another cluster ID warns that everything is new.
  std::string baseline = dir.write("live.json", named.out);
  CliRun same = runCli("scan --no-config -o json --baseline '" + baseline + "' '" + snapshot + "'", dir);
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.err.find("warning"), std::string::npos) << same.err;
  std::string other = dir.write("other.json", by_token.out);
  CliRun foreign = runCli("scan --no-config -o json --fail-on-new none --baseline '" + other + "' '" + snapshot + "'", dir);
  EXPECT_EQ(foreign.exit_code, 0) << foreign.err;
  EXPECT_NE(foreign.err.find("warning: the baseline " + other + " is from cluster \"fixture\", this scan is of cluster \"prod-eu\""),
            std::string::npos)
      << foreign.err;

  // --cluster-id names one cluster; manifests have none.
  EXPECT_EQ(runCli(live + " --contexts token,cert --cluster-id x", dir).exit_code, 2);
  std::string manifest = dir.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
  EXPECT_EQ(runCli("scan --no-config --cluster-id x '" + manifest + "'", dir).exit_code, 2);
}

}  // namespace
}  // namespace kspm
