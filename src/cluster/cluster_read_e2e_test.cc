// End to end: readCluster over KubeClient against the fixture API server (tests/fixture_apiserver)
// serving tests/testdata/cluster/small.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "fixture_apiserver/fixture.h"
#include "kspm/cluster_read.h"
#include "kspm/ingest.h"
#include "kspm/kube_client.h"
#include "kspm/kubeconfig.h"

namespace kspm::cluster {
namespace {

const std::string kContent = std::string(KSPM_SOURCE_DIR) + "/tests/testdata/cluster/small.json";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Connected {
  std::optional<FixtureServer> server;
  std::unique_ptr<KubeClient> client;
};

// Starts the fixture with `extra` arguments (a server costs seconds: tests without faults share one).
void startServer(std::vector<std::string> extra, std::optional<FixtureServer>* out) {
  std::vector<std::string> args = {"--content", kContent, "--token", "kspm-token=kspm"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string error;
  *out = FixtureServer::start(args, &error);
  ASSERT_TRUE(*out) << error;
}

// A client for the server's kubeconfig (context "token").
void makeClient(const FixtureServer& server, std::unique_ptr<KubeClient>* out) {
  KubeconfigOptions ko;
  ko.explicit_path = server.kubeconfig();
  Result<ResolvedConfig> config = loadKubeconfig(ko);
  ASSERT_TRUE(config.ok()) << config.error().message;
  ClientOptions co;
  co.max_retries = 1;
  co.backoff_base = std::chrono::milliseconds(1);
  Result<std::unique_ptr<KubeClient>> client = KubeClient::create(config.value(), co);
  ASSERT_TRUE(client.ok()) << client.error().message;
  *out = std::move(client).value();
}

void connect(std::vector<std::string> extra, Connected* out) {
  ASSERT_NO_FATAL_FAILURE(startServer(std::move(extra), &out->server));
  ASSERT_NO_FATAL_FAILURE(makeClient(*out->server, &out->client));
}

// The fixture without faults, shared by the tests that only read.
class ClusterReadE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { startServer({}, &shared_); }
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(shared_) << "the fixture API server did not start";
    ASSERT_NO_FATAL_FAILURE(makeClient(*shared_, &client_));
  }
  static std::optional<FixtureServer> shared_;
  std::unique_ptr<KubeClient> client_;
};
std::optional<FixtureServer> ClusterReadE2E::shared_;

ApiGet apiGet(KubeClient* client) {
  return [client](std::string_view path, std::string_view accept) { return client->get(path, accept); };
}

// "Kind namespace/name" of the content's objects that kspm lists, sorted.
std::vector<std::string> expectedObjects(const ReadOptions& options) {
  ObjectSet content = ingestPaths({kContent}, IngestOptions{});
  std::set<std::pair<std::string, std::string>> wanted;
  for (const WantedKind& k : kindsToList(options)) wanted.emplace(k.group, k.kind);
  std::vector<std::string> out;
  for (const Object& o : content.objects()) {
    if (!wanted.count({std::string(o.group()), std::string(o.kind)})) continue;
    if (!options.namespaces.empty() && !o.namespace_.empty() &&
        std::find(options.namespaces.begin(), options.namespaces.end(), o.namespace_) == options.namespaces.end()) {
      continue;
    }
    out.push_back(std::string(o.kind) + " " + std::string(o.namespace_) + "/" + std::string(o.name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> readObjects(const ObjectSet& set) {
  std::vector<std::string> out;
  for (const Object& o : set.objects()) {
    out.push_back(std::string(o.kind) + " " + std::string(o.namespace_) + "/" + std::string(o.name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

ReadOptions options() {
  ReadOptions o;
  o.page_limit = 4;  // several pages for pods, config maps, service accounts
  o.threads = 2;
  o.context = "token";
  return o;
}

TEST_F(ClusterReadE2E, ReadsEveryObject) {
  ReadOptions o = options();
  ClusterRead read = readCluster(apiGet(client_.get()), o);
  ASSERT_FALSE(read.fatal) << read.fatal->message;
  EXPECT_TRUE(read.unreadable.empty()) << read.unreadable[0].kind << ": " << read.unreadable[0].reason;
  EXPECT_TRUE(read.objects.errors().empty()) << describeInputError(read.objects.errors()[0]);
  std::vector<std::string> expected = expectedObjects(o);
  EXPECT_GT(expected.size(), 60u);
  EXPECT_EQ(readObjects(read.objects), expected);
  EXPECT_TRUE(read.info.aggregated_discovery);
  EXPECT_FALSE(read.info.server_version.empty());
  EXPECT_EQ(read.not_listed.size(), 1u);
}

TEST(ClusterReadE2ELegacy, LegacyDiscoveryReadsTheSame) {
  Connected c;
  ASSERT_NO_FATAL_FAILURE(connect({"--no-aggregated-discovery"}, &c));
  ReadOptions o = options();
  ClusterRead read = readCluster(apiGet(c.client.get()), o);
  ASSERT_FALSE(read.fatal) << read.fatal->message;
  EXPECT_FALSE(read.info.aggregated_discovery);
  EXPECT_EQ(readObjects(read.objects), expectedObjects(o));
}

TEST(ClusterReadE2EFaults, ForbiddenIsUnreadableAnd410Restarts) {
  Connected c;
  ASSERT_NO_FATAL_FAILURE(connect({"--fault", "/apis/rbac.authorization.k8s.io/v1/clusterroles=403",
                                   "--fault", "/api/v1/pods=410x1"}, &c));
  ReadOptions o = options();
  ClusterRead read = readCluster(apiGet(c.client.get()), o);
  ASSERT_FALSE(read.fatal);
  ASSERT_EQ(read.unreadable.size(), 1u);
  EXPECT_EQ(read.unreadable[0].kind, "ClusterRole");
  EXPECT_EQ(read.unreadable[0].resource, "clusterroles");
  EXPECT_NE(read.unreadable[0].reason.find("forbidden"), std::string::npos) << read.unreadable[0].reason;
  // The 410 on the second page of pods restarted that list once; each pod is read once.
  EXPECT_EQ(read.stats.restarts, 1u);
  std::vector<std::string> expected;
  for (const std::string& e : expectedObjects(o)) {
    if (e.rfind("ClusterRole ", 0) != 0) expected.push_back(e);
  }
  EXPECT_EQ(readObjects(read.objects), expected);
  EXPECT_TRUE(std::any_of(read.objects.objects().begin(), read.objects.objects().end(),
                          [](const Object& ob) { return ob.kind == "ClusterRoleBinding"; }));
}

TEST_F(ClusterReadE2E, NamespacesOption) {
  ReadOptions o = options();
  o.namespaces = {"kube-system"};
  ClusterRead read = readCluster(apiGet(client_.get()), o);
  ASSERT_FALSE(read.fatal);
  EXPECT_TRUE(read.unreadable.empty());
  std::vector<std::string> got = readObjects(read.objects);
  EXPECT_EQ(got, expectedObjects(o));
  for (const Object& obj : read.objects.objects()) {
    EXPECT_TRUE(obj.namespace_.empty() || obj.namespace_ == "kube-system") << obj.namespace_;
  }
}

TEST_F(ClusterReadE2E, SnapshotHoldsNoSecretValues) {
  ReadOptions o = options();
  o.include_secrets = true;
  ClusterRead read = readCluster(apiGet(client_.get()), o);
  ASSERT_FALSE(read.fatal);
  EXPECT_EQ(readObjects(read.objects), expectedObjects(o));
  std::string text;
  writeSnapshot(read, &text);
  // Every data/stringData value of the content's Secrets, and their annotations, are gone.
  ObjectSet content = ingestPaths({kContent}, IngestOptions{});
  int values = 0;
  for (const Object& obj : content.objects()) {
    if (obj.kind != "Secret") continue;
    for (const char* field : {"data", "stringData"}) {
      const Node* map = obj.root->get(field);
      if (map == nullptr || !map->isObject()) continue;
      for (const Member& m : map->members()) {
        if (m.value.str().size() < 4) continue;
        ++values;
        EXPECT_EQ(text.find(std::string(m.value.str())), std::string::npos) << obj.name << " " << m.key.str();
      }
    }
  }
  EXPECT_GT(values, 0);
  int secrets = 0;
  for (const Object& obj : read.objects.objects()) {
    if (obj.kind != "Secret") continue;
    ++secrets;
    // Only the service account a legacy token belongs to may remain (a name, not a value).
    if (const Node* annotations = obj.root->find({"metadata", "annotations"})) {
      for (const Member& m : annotations->members()) {
        EXPECT_TRUE(m.key.str().starts_with("kubernetes.io/service-account.")) << obj.name << " " << m.key.str();
      }
    }
  }
  EXPECT_GT(secrets, 0);
}

}  // namespace
}  // namespace kspm::cluster
