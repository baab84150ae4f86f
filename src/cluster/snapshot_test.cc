#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cluster/fake_api_test_util.h"
#include "kspm/cluster_read.h"
#include "kspm/ingest.h"

namespace kspm::cluster {
namespace {

using testing::FakeApi;
using testing::item;

void addCluster(FakeApi* api) {
  api->objects("/api/v1/namespaces", "NamespaceList", {item("", "a")});
  api->objects("/api/v1/pods", "PodList",
               {item("a", "p1", R"("spec":{"containers":[{"name":"c","image":"nginx:1.27","env":[{"name":"X","value":"1"}]}]})"),
                item("a", "p2"), item("a", "p3")});
  api->objects("/api/v1/secrets", "SecretList",
               {item("a", "db",
                     R"("type":"Opaque","data":{"password":"c3VwZXJzZWNyZXQ="},"stringData":{"token":"plain-token-value"})"),
                {"a", R"({"metadata":{"name":"web-tls","namespace":"a","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"tls.key\":\"TEFTVEFQUExJRUQ=\"},\"kind\":\"Secret\"}"}},"type":"kubernetes.io/tls","data":{"tls.key":"TEFTVEFQUExJRUQ="}})"}});
  api->fault({"/apis/rbac.authorization.k8s.io/v1/clusterroles", 403, -1, false, "clusterroles is forbidden"});
}

std::vector<std::string> names(const ObjectSet& set) {
  std::vector<std::string> out;
  for (const Object& o : set.objects()) {
    out.push_back(std::string(o.api_version) + " " + std::string(o.kind) + " " + std::string(o.namespace_) + "/" +
                  std::string(o.name));
  }
  return out;
}

ReadOptions options() {
  ReadOptions o;
  o.page_limit = 2;
  o.threads = 2;
  o.context = "kind-prod";
  o.server = "https://127.0.0.1:6443";
  o.taken_at = "2026-01-02T03:04:05Z";
  return o;
}

TEST(Snapshot, RoundTripKeepsObjectsAndCoverage) {
  FakeApi api;
  addCluster(&api);
  ClusterRead read = readCluster(api.get(), options());
  ASSERT_FALSE(read.fatal);
  ASSERT_EQ(read.unreadable.size(), 1u);
  std::string text;
  writeSnapshot(read, &text);

  // Through the file path the CLI takes: kspm scan cluster.json.
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("kspm-snapshot-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string file = (dir / "cluster.json").string();
  { std::ofstream(file, std::ios::binary) << text; }
  ObjectSet loaded = ingestPaths({file}, IngestOptions{});
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(loaded.errors().empty()) << describeInputError(loaded.errors()[0]);
  EXPECT_EQ(names(loaded), names(read.objects));
  EXPECT_EQ(loaded.objects().size(), 4u);  // namespace + 3 pods; secrets were not listed
  for (const Object& o : loaded.objects()) EXPECT_TRUE(o.document->keyDiagnostics().empty());
  EXPECT_EQ(loaded.objects()[1].root->find({"spec", "containers"})->items()[0].get("image")->str(), "nginx:1.27");

  std::optional<SnapshotCoverage> coverage = snapshotCoverage(loaded);
  ASSERT_TRUE(coverage);
  EXPECT_EQ(coverage->file, file);
  EXPECT_EQ(coverage->info.context, "kind-prod");
  EXPECT_EQ(coverage->info.server, "https://127.0.0.1:6443");
  EXPECT_EQ(coverage->info.server_version, "v1.30.2");
  EXPECT_EQ(coverage->info.taken_at, "2026-01-02T03:04:05Z");
  EXPECT_TRUE(coverage->info.aggregated_discovery);
  ASSERT_EQ(coverage->unreadable.size(), 1u);
  EXPECT_EQ(coverage->unreadable[0].kind, "ClusterRole");
  EXPECT_EQ(coverage->unreadable[0].group, "rbac.authorization.k8s.io");
  EXPECT_EQ(coverage->unreadable[0].resource, "clusterroles");
  EXPECT_EQ(coverage->unreadable[0].reason, "clusterroles is forbidden");
  ASSERT_EQ(coverage->not_listed.size(), 1u);
  EXPECT_EQ(coverage->not_listed[0].kind, "Secret");
}

TEST(Snapshot, NeverHoldsSecretValues) {
  FakeApi api;
  addCluster(&api);
  ReadOptions o = options();
  o.include_secrets = true;
  ClusterRead read = readCluster(api.get(), o);
  std::string text;
  writeSnapshot(read, &text);
  for (const char* value : {"c3VwZXJzZWNyZXQ=", "plain-token-value", "TEFTVEFQUExJRUQ=", "last-applied-configuration"}) {
    EXPECT_EQ(text.find(value), std::string::npos) << value;
  }
  ObjectSet loaded;
  auto file = std::make_unique<SourceFile>();
  file->path = "snap.json";
  file->content = text;
  loaded.addFile(std::move(file), LoadLimits{});
  EXPECT_TRUE(loaded.errors().empty());
  std::vector<std::string> n = names(loaded);
  EXPECT_NE(std::find(n.begin(), n.end(), "v1 Secret a/db"), n.end());
  EXPECT_NE(std::find(n.begin(), n.end(), "v1 Secret a/web-tls"), n.end());
  ASSERT_TRUE(snapshotCoverage(loaded));
  EXPECT_TRUE(snapshotCoverage(loaded)->not_listed.empty());
}

TEST(Snapshot, CoverageOfASnapshotWithNoObjects) {
  FakeApi api;
  for (const char* path : {"/api/v1/namespaces", "/api/v1/nodes", "/api/v1/pods"}) {
    api.fault({path, 403, -1, false, "forbidden"});
  }
  ClusterRead read = readCluster(api.get(), options());
  ASSERT_TRUE(read.objects.objects().empty());
  std::string text;
  writeSnapshot(read, &text);
  ObjectSet loaded;
  auto file = std::make_unique<SourceFile>();
  file->path = "empty.json";
  file->content = text;
  loaded.addFile(std::move(file), LoadLimits{});
  EXPECT_TRUE(loaded.errors().empty());
  std::optional<SnapshotCoverage> coverage = snapshotCoverage(loaded);
  ASSERT_TRUE(coverage);
  EXPECT_EQ(coverage->unreadable.size(), 3u);
  EXPECT_EQ(coverage->file, "empty.json");
}

TEST(Snapshot, NoCoverageForPlainManifests) {
  ObjectSet set;
  auto file = std::make_unique<SourceFile>();
  file->path = "list.json";
  file->content = R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}]})";
  set.addFile(std::move(file), LoadLimits{});
  EXPECT_FALSE(snapshotCoverage(set));
}

TEST(Snapshot, StreamedEqualsString) {
  FakeApi api;
  addCluster(&api);
  ClusterRead read = readCluster(api.get(), options());
  std::string text;
  writeSnapshot(read, &text);
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(writeSnapshot(read, f));
  std::rewind(f);
  std::string streamed;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) streamed.append(buf, n);
  std::fclose(f);
  EXPECT_EQ(streamed, text);
}

}  // namespace
}  // namespace kspm::cluster
