// kspm scan --cluster and kspm snapshot against the fixture API server (tests/fixture_apiserver),
// through the real binary: what a user runs.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fixture_apiserver/fixture.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

/** Runs a command line capturing stdout and stderr. */
CliRun run(const std::string& command) {
  static int counter = 0;
  fs::path err_file = fs::temp_directory_path() / ("kspm-cluster-cli-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
  testing::CommandResult r = testing::run(command + " 2>'" + err_file.string() + "'");
  CliRun out{r.exit_code, std::move(r.out), testing::readFile(err_file.string())};
  fs::remove(err_file);
  return out;
}

std::string smallCluster() { return testing::sourceDir() + "/tests/testdata/cluster/small.json"; }

std::optional<FixtureServer> startServer(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--content", smallCluster(), "--token", "t0ken-for-tests=alice"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  auto server = FixtureServer::start(args, &error);
  EXPECT_TRUE(server.has_value()) << error;
  return server;
}

struct Json {
  rapidjson::Document doc;
  bool ok = false;
};

Json parse(const std::string& text) {
  Json j;
  j.doc.Parse(text.c_str());
  j.ok = !j.doc.HasParseError() && j.doc.IsObject();
  return j;
}

// Objects of the content file by kind, secrets excluded unless asked.
std::map<std::string, int> contentKinds(bool with_secrets) {
  rapidjson::Document d;
  std::string text = testing::readFile(smallCluster());
  d.Parse(text.c_str());
  std::map<std::string, int> out;
  for (const auto& item : d["items"].GetArray()) {
    std::string kind = item["kind"].GetString();
    if (kind == "Secret" && !with_secrets) continue;
    ++out[kind];
  }
  return out;
}

std::string scanCluster(const FixtureServer& server, const std::string& flags) {
  return testing::kspm() + " scan --no-config --no-progress --cluster --kubeconfig '" + server.kubeconfig() + "' " + flags;
}

TEST(ClusterCli, ScanReadsTheClusterAndSaysWhatItDidNotRead) {
  auto server = startServer();
  ASSERT_TRUE(server);
  CliRun r = run(scanCluster(*server, "-o json --fail-on none"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok) << r.out.substr(0, 500);
  const auto& cluster = j.doc["cluster"];
  EXPECT_STREQ(cluster["context"].GetString(), "token");
  EXPECT_EQ(std::string(cluster["server"].GetString()), "https://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_STREQ(cluster["serverVersion"].GetString(), "v1.30.0");
  // Secrets are not listed by default: reported, and the checks needing them are not assessable.
  const auto& coverage = j.doc["coverage"];
  EXPECT_FALSE(coverage["complete"].GetBool());
  ASSERT_EQ(coverage["unreadable"].Size(), 1u);
  EXPECT_STREQ(coverage["unreadable"][0]["resource"].GetString(), "secrets");
  std::set<std::string> not_assessable;
  for (const auto& c : coverage["notAssessable"].GetArray()) not_assessable.insert(c["check"].GetString());
  EXPECT_TRUE(not_assessable.count("workload-missing-secret"));
  // Every object kspm reads was read: compare objects per kind with the served content.
  std::map<std::string, int> expected = contentKinds(false);
  EXPECT_EQ(j.doc["summary"]["objects"].GetUint64(),
            [&] {
              uint64_t n = 0;
              // Kinds kspm does not read (Endpoints, EndpointSlice, StorageClass, PriorityClass) are not listed.
              for (const auto& [kind, count] : expected) {
                if (kind != "Endpoints" && kind != "EndpointSlice" && kind != "StorageClass" && kind != "PriorityClass") n += count;
              }
              return n;
            }());
  // Findings name cluster objects: file is context:list path.
  bool cluster_admin = false;
  for (const auto& f : j.doc["findings"].GetArray()) {
    std::string file = f["source"]["file"].GetString();
    EXPECT_EQ(file.rfind("token:/ap", 0), 0u) << file;
    if (std::string(f["check"].GetString()) == "rbac-cluster-admin-binding") cluster_admin = true;
  }
  EXPECT_TRUE(cluster_admin);
}

TEST(ClusterCli, ForbiddenResourcesAreNotAssessableNotPassed) {
  auto server = startServer({"--fault", "/apis/networking.k8s.io/v1/networkpolicies=403"});
  ASSERT_TRUE(server);
  CliRun r = run(scanCluster(*server, "-o json --fail-on none --framework cis"));
  ASSERT_EQ(r.exit_code, 0) << r.err;  // a permission gap is reported, not an input error
  EXPECT_NE(r.err.find("could not be read"), std::string::npos) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok);
  bool found = false;
  for (const auto& u : j.doc["coverage"]["unreadable"].GetArray()) {
    if (std::string(u["resource"].GetString()) == "networkpolicies") {
      found = true;
      EXPECT_NE(std::string(u["reason"].GetString()).find("forbidden"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
  for (const auto& c : j.doc["compliance"][0]["controls"].GetArray()) {
    if (std::string(c["id"].GetString()) == "5.3.2") {
      EXPECT_STREQ(c["status"].GetString(), "not-assessable");
      EXPECT_NE(std::string(c["reason"].GetString()).find("networkpolicies"), std::string::npos);
    }
  }
  for (const auto& f : j.doc["findings"].GetArray()) {
    EXPECT_STRNE(f["check"].GetString(), "ns-no-network-policy");  // would be a false finding
  }
}

TEST(ClusterCli, IncludeSecretsNeverPrintsSecretValues) {
  auto server = startServer();
  ASSERT_TRUE(server);
  for (const char* format : {"json", "table", "sarif"}) {
    CliRun r = run(scanCluster(*server, std::string("--include-secrets --fail-on none -o ") + format));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("czNjcjN0LXBhc3N3MHJk"), std::string::npos) << format;  // shop/db-credentials password
    EXPECT_EQ(r.out.find("SDRzSUFBQUFBQUFDLzZx"), std::string::npos) << format;  // the Helm release
    if (std::string(format) == "json") {
      Json j = parse(r.out);
      ASSERT_TRUE(j.ok);
      EXPECT_TRUE(j.doc["coverage"]["complete"].GetBool());
    }
  }
}

TEST(ClusterCli, SnapshotScansOfflineAsTheLiveCluster) {
  auto server = startServer({"--fault", "/apis/rbac.authorization.k8s.io/v1/clusterroles=403"});
  ASSERT_TRUE(server);
  fs::path snapshot = fs::path(server->dir()) / "cluster.json";
  CliRun s = run(testing::kspm() + " snapshot --no-progress --include-secrets --kubeconfig '" +
                                          server->kubeconfig() + "' -o '" + snapshot.string() + "'");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.err.find("could not read clusterroles.rbac.authorization.k8s.io"), std::string::npos) << s.err;
  std::string text = testing::readFile(snapshot.string());
  EXPECT_EQ(text.find("czNjcjN0LXBhc3N3MHJk"), std::string::npos);
  EXPECT_EQ(text.find("last-applied-configuration\":\"{\\\"apiVersion\\\":\\\"v1\\\",\\\"data"), std::string::npos);
  EXPECT_EQ(text.find("managedFields"), std::string::npos);

  CliRun live = run(scanCluster(*server, "--include-secrets -o json --fail-on none"));
  CliRun offline =
      run(testing::kspm() + " scan --no-config -o json --fail-on none '" + snapshot.string() + "'");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  Json a = parse(live.out), b = parse(offline.out);
  ASSERT_TRUE(a.ok && b.ok);
  // Same findings (by fingerprint), same coverage; the offline one names its snapshot.
  auto prints = [](const rapidjson::Document& d) {
    std::multiset<std::string> out;
    for (const auto& f : d["findings"].GetArray()) out.insert(f["fingerprint"].GetString());
    return out;
  };
  EXPECT_EQ(prints(a.doc), prints(b.doc));
  EXPECT_GT(prints(a.doc).size(), 50u);
  EXPECT_EQ(a.doc["coverage"]["unreadable"].Size(), b.doc["coverage"]["unreadable"].Size());
  EXPECT_EQ(a.doc["coverage"]["notAssessable"].Size(), b.doc["coverage"]["notAssessable"].Size());
  EXPECT_EQ(std::string(b.doc["cluster"]["snapshot"].GetString()), snapshot.string());
  EXPECT_STREQ(b.doc["cluster"]["context"].GetString(), "token");
}

TEST(ClusterCli, NamespaceFlagReadsOnlyThatNamespace) {
  auto server = startServer();
  ASSERT_TRUE(server);
  CliRun r = run(scanCluster(*server, "-n shop -o json --fail-on none"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse(r.out);
  ASSERT_TRUE(j.ok);
  std::set<std::string> namespaces;
  for (const auto& f : j.doc["findings"].GetArray()) {
    const auto& object = f["object"];
    if (object.HasMember("namespace") && object["namespace"].IsString()) namespaces.insert(object["namespace"].GetString());
  }
  EXPECT_TRUE(namespaces.count("shop"));
  for (const std::string& ns : namespaces) EXPECT_TRUE(ns == "shop" || ns.empty()) << ns;
}

TEST(ClusterCli, SeveralContextsAreReportedApart) {
  auto server = startServer();
  ASSERT_TRUE(server);
  CliRun r = run(scanCluster(*server, "--contexts token,cert -o json --fail-on none"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A JSON stream: one document per cluster.
  rapidjson::Document d;
  std::vector<std::string> contexts;
  size_t pos = 0;
  while (pos < r.out.size()) {
    rapidjson::Reader reader;
    rapidjson::StringStream ss(r.out.c_str() + pos);
    d.ParseStream<rapidjson::kParseStopWhenDoneFlag>(ss);
    if (d.HasParseError()) break;
    contexts.push_back(d["cluster"]["context"].GetString());
    pos += ss.Tell();
    while (pos < r.out.size() && std::isspace(static_cast<unsigned char>(r.out[pos]))) ++pos;
  }
  EXPECT_EQ(contexts, (std::vector<std::string>{"token", "cert"}));
}

TEST(ClusterCli, KubeletConfigzIsOptInAndFeedsTheCisKubeletChecks) {
  auto server = startServer({"--configz", "worker1=" + testing::sourceDir() + "/tests/testdata/cluster/configz-worker1.json"});
  ASSERT_TRUE(server);
  auto kubeletFindings = [&](const std::string& flags, std::set<std::string>* checks, std::string* control_4_2_1) {
    CliRun r = run(scanCluster(*server, "-o json --fail-on none --framework cis " + flags));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json j = parse(r.out);
    ASSERT_TRUE(j.ok);
    for (const auto& f : j.doc["findings"].GetArray()) {
      std::string id = f["check"].GetString();
      if (id.rfind("cis-kubelet-", 0) == 0) {
        checks->insert(id);
        EXPECT_STREQ(f["object"]["name"].GetString(), "worker1");
      }
    }
    for (const auto& c : j.doc["compliance"][0]["controls"].GetArray()) {
      if (std::string(c["id"].GetString()) == "4.2.1") *control_4_2_1 = c["status"].GetString();
    }
  };
  std::set<std::string> without, with;
  std::string status_without, status_with;
  kubeletFindings("", &without, &status_without);
  EXPECT_TRUE(without.empty());                    // nodes/proxy is not read unless asked
  EXPECT_EQ(status_without, "not-assessable");     // and 4.2 is then not assessable, not passed
  kubeletFindings("--kubelet-configz", &with, &status_with);
  EXPECT_EQ(status_with, "failed");
  EXPECT_TRUE(with.count("cis-kubelet-anonymous-auth"));
  EXPECT_TRUE(with.count("cis-kubelet-authorization-mode"));
  EXPECT_TRUE(with.count("cis-kubelet-read-only-port"));
  EXPECT_FALSE(with.count("cis-kubelet-client-ca-file"));  // set in the served config
}

TEST(ClusterCli, UnreachableOrRefusedClustersExitWithInputErrors) {
  auto server = startServer();
  ASSERT_TRUE(server);
  // Wrong token: the server answers 401.
  fs::path bad = fs::path(server->dir()) / "bad-kubeconfig";
  std::string config = testing::readFile(server->kubeconfig());
  size_t at = config.find("t0ken-for-tests");
  ASSERT_NE(at, std::string::npos);
  config.replace(at, std::string("t0ken-for-tests").size(), "wrong-token");
  std::ofstream(bad) << config;
  CliRun r = run(testing::kspm() + " scan --no-config --cluster --kubeconfig '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cluster-auth"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-token"), std::string::npos) << r.err;  // never print credentials

  // Nothing listening.
  fs::path gone = fs::path(server->dir()) / "gone-kubeconfig";
  config = testing::readFile(server->kubeconfig());
  at = config.find("127.0.0.1:");
  config.replace(at, std::string("127.0.0.1:").size() + std::to_string(server->port()).size(), "127.0.0.1:1");
  std::ofstream(gone) << config;
  r = run(testing::kspm() + " scan --no-config --cluster --request-timeout 5s --kubeconfig '" + gone.string() + "'");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cluster-connection"), std::string::npos) << r.err;

  // Usage errors.
  EXPECT_EQ(run(testing::kspm() + " scan --cluster examples/").exit_code, 2);
  EXPECT_EQ(run(testing::kspm() + " scan --kubeconfig x examples/").exit_code, 2);
  EXPECT_EQ(run(testing::kspm() + " scan --cluster -n a -A").exit_code, 2);
  EXPECT_EQ(run(testing::kspm() + " snapshot --kubeconfig x").exit_code, 2);  // no -o
}

}  // namespace
}  // namespace kspm
