#include <gtest/gtest.h>

#include <algorithm>

#include "cluster/fake_api_test_util.h"
#include "kspm/cluster_read.h"

namespace kspm::cluster {
namespace {

using testing::FakeApi;
using testing::item;

// A small cluster: 2 namespaces, 5 pods, a deployment, 2 cluster roles, 2 nodes, a secret, a rollout.
void addCluster(FakeApi* api) {
  api->objects("/api/v1/namespaces", "NamespaceList", {item("", "a"), item("", "b")});
  api->objects("/api/v1/nodes", "NodeList", {item("", "node-1"), item("", "node-2")});
  api->objects("/api/v1/pods", "PodList",
               {item("a", "p1", R"("spec":{"containers":[{"name":"c","image":"nginx"}]})"), item("a", "p2"),
                item("b", "p3"), item("b", "p4"), item("b", "p5")});
  api->objects("/apis/apps/v1/deployments", "DeploymentList", {item("a", "web")});
  api->objects("/apis/rbac.authorization.k8s.io/v1/clusterroles", "ClusterRoleList",
               {item("", "admin"), item("", "view")});
  api->objects("/api/v1/secrets", "SecretList",
               {item("a", "db", R"("type":"Opaque","data":{"password":"c3VwZXJzZWNyZXQ="})")});
  api->objects("/apis/argoproj.io/v1alpha1/rollouts", "RolloutList", {item("b", "canary")});
}

// "kind ns/name" of every object, in order.
std::vector<std::string> names(const ObjectSet& set) {
  std::vector<std::string> out;
  for (const Object& o : set.objects()) {
    out.push_back(std::string(o.kind) + " " + std::string(o.namespace_) + "/" + std::string(o.name));
  }
  return out;
}

size_t countKind(const ObjectSet& set, std::string_view kind) {
  return std::count_if(set.objects().begin(), set.objects().end(), [&](const Object& o) { return o.kind == kind; });
}

ReadOptions options(uint32_t limit = 2) {
  ReadOptions o;
  o.page_limit = limit;
  o.threads = 1;
  o.taken_at = "2026-01-02T03:04:05Z";
  return o;
}

TEST(ClusterList, KindsToListCoversTheEnginesKinds) {
  std::vector<WantedKind> kinds = kindsToList(ReadOptions{});
  auto has = [&](const char* group, const char* kind) {
    return std::any_of(kinds.begin(), kinds.end(), [&](const WantedKind& k) { return k.group == group && k.kind == kind; });
  };
  for (auto [g, k] : std::vector<std::pair<const char*, const char*>>{
           {"", "Pod"}, {"", "Namespace"}, {"", "Node"}, {"", "ServiceAccount"}, {"", "ConfigMap"},
           {"apps", "Deployment"}, {"batch", "CronJob"}, {"networking.k8s.io", "NetworkPolicy"},
           {"rbac.authorization.k8s.io", "ClusterRoleBinding"}, {"policy", "PodDisruptionBudget"},
           {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy"}, {"cilium.io", "CiliumNetworkPolicy"},
           {"security.istio.io", "AuthorizationPolicy"}, {"argoproj.io", "Rollout"}, {"keda.sh", "ScaledJob"},
           {"gateway.networking.k8s.io", "HTTPRoute"}, {"apiextensions.k8s.io", "CustomResourceDefinition"}}) {
    EXPECT_TRUE(has(g, k)) << g << " " << k;
  }
  EXPECT_FALSE(has("", "Secret"));
  ReadOptions with;
  with.include_secrets = true;
  with.workload_kinds = {{"example.com", "Widget"}, {"argoproj.io", "Rollout"}};
  std::vector<WantedKind> more = kindsToList(with);
  EXPECT_EQ(more.size(), kinds.size() + 2);  // Secret and Widget; Rollout not twice
  EXPECT_TRUE(std::any_of(more.begin(), more.end(), [](const WantedKind& k) { return k.kind == "Secret"; }));
}

TEST(ClusterList, PaginatesAcrossPages) {
  FakeApi api;
  addCluster(&api);
  std::vector<std::string> progress;
  ReadOptions o = options(2);
  o.progress = [&](std::string_view resource, uint64_t objects, uint64_t pages) {
    if (resource == "pods") progress.push_back(std::to_string(objects) + "/" + std::to_string(pages));
  };
  ClusterRead read = readCluster(api.get(), o);
  ASSERT_FALSE(read.fatal);
  EXPECT_EQ(names(read.objects), (std::vector<std::string>{
                                     "Namespace /a", "Namespace /b", "Node /node-1", "Node /node-2", "Pod a/p1",
                                     "Pod a/p2", "Pod b/p3", "Pod b/p4", "Pod b/p5", "Deployment a/web",
                                     "ClusterRole /admin", "ClusterRole /view", "Rollout b/canary"}));
  EXPECT_TRUE(read.objects.errors().empty());
  EXPECT_TRUE(read.unreadable.empty()) << read.unreadable[0].kind << ": " << read.unreadable[0].reason;
  EXPECT_EQ(progress, (std::vector<std::string>{"2/1", "4/2", "5/3"}));
  std::vector<std::string> log = api.log();
  EXPECT_NE(std::find(log.begin(), log.end(), "/api/v1/pods?limit=2"), log.end());
  EXPECT_NE(std::find(log.begin(), log.end(), "/api/v1/pods?limit=2&continue=tok-2"), log.end());
  EXPECT_NE(std::find(log.begin(), log.end(), "/api/v1/pods?limit=2&continue=tok-4"), log.end());
  EXPECT_EQ(api.count("/api/v1/pods"), 3);
  EXPECT_EQ(read.stats.objects, 13u);
  EXPECT_EQ(read.stats.requests, log.size());
  EXPECT_GT(read.stats.bytes, 0u);
  EXPECT_EQ(read.info.server_version, "v1.30.2");
  EXPECT_TRUE(read.info.aggregated_discovery);
  EXPECT_EQ(read.info.taken_at, "2026-01-02T03:04:05Z");
  // A kind nothing serves (Calico) is absent, not unreadable; the default page size is 500.
  EXPECT_EQ(api.count("/apis/crd.projectcalico.org/v1/networkpolicies"), 0);
  EXPECT_EQ(ReadOptions{}.page_limit, 500u);
}

TEST(ClusterList, ManagedFieldsGoneAndKindsInjected) {
  FakeApi api;
  addCluster(&api);
  ClusterRead read = readCluster(api.get(), options(500));
  for (const auto& f : read.objects.files()) EXPECT_EQ(f->content.find("managedFields"), std::string::npos) << f->path;
  for (const Object& o : read.objects.objects()) {
    EXPECT_TRUE(o.document->keyDiagnostics().empty());
    EXPECT_EQ(o.root->find({"metadata", "managedFields"}), nullptr);
  }
  EXPECT_EQ(read.objects.objects()[9].api_version, "apps/v1");
  EXPECT_EQ(read.objects.objects().back().api_version, "argoproj.io/v1alpha1");
}

TEST(ClusterList, RestartsAfter410AndKeepsEachObjectOnce) {
  FakeApi api;
  addCluster(&api);
  api.fault({"/api/v1/pods", 410, 1, true, "The provided continue parameter is too old"});
  ClusterRead read = readCluster(api.get(), options(2));
  EXPECT_TRUE(read.unreadable.empty());
  EXPECT_EQ(countKind(read.objects, "Pod"), 5u);
  EXPECT_EQ(read.stats.restarts, 1u);
  EXPECT_EQ(api.count("/api/v1/pods"), 5);  // page 1, 410, then pages 1-3 again
  std::vector<std::string> n = names(read.objects);
  EXPECT_EQ(std::count(n.begin(), n.end(), "Pod a/p1"), 1);
}

TEST(ClusterList, GivesUpAfterRepeated410) {
  FakeApi api;
  addCluster(&api);
  api.fault({"/api/v1/pods", 410, -1, true, "The provided continue parameter is too old"});
  ClusterRead read = readCluster(api.get(), options(2));
  ASSERT_EQ(read.unreadable.size(), 1u);
  EXPECT_EQ(read.unreadable[0].kind, "Pod");
  EXPECT_EQ(read.unreadable[0].resource, "pods");
  EXPECT_NE(read.unreadable[0].reason.find("410"), std::string::npos) << read.unreadable[0].reason;
  EXPECT_EQ(countKind(read.objects, "Pod"), 0u);  // partial pages are not kept
  EXPECT_EQ(read.stats.restarts, 4u);
  EXPECT_EQ(countKind(read.objects, "Deployment"), 1u);  // the read went on
}

TEST(ClusterList, ForbiddenIsUnreadableWithTheMessage) {
  FakeApi api;
  addCluster(&api);
  const std::string message = R"(clusterroles.rbac.authorization.k8s.io is forbidden: User \"kspm\" cannot list resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope)";
  api.fault({"/apis/rbac.authorization.k8s.io/v1/clusterroles", 403, -1, false, message});
  ClusterRead read = readCluster(api.get(), options());
  ASSERT_FALSE(read.fatal);
  ASSERT_EQ(read.unreadable.size(), 1u);
  const UnreadableResource& u = read.unreadable[0];
  EXPECT_EQ(u.group, "rbac.authorization.k8s.io");
  EXPECT_EQ(u.resource, "clusterroles");
  EXPECT_EQ(u.kind, "ClusterRole");
  EXPECT_EQ(u.namespace_, "");
  EXPECT_EQ(u.reason, R"(clusterroles.rbac.authorization.k8s.io is forbidden: User "kspm" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope)");
  EXPECT_EQ(countKind(read.objects, "ClusterRole"), 0u);
  EXPECT_EQ(countKind(read.objects, "Pod"), 5u);
}

TEST(ClusterList, NotFoundServerErrorAndConnectionErrorAreUnreadable) {
  FakeApi api;
  addCluster(&api);
  api.fault({"/apis/apps/v1/deployments", 404, -1, false, "the server could not find the requested resource"});
  api.fault({"/api/v1/nodes", 500, -1, false, "etcdserver: request timed out"});
  api.fault({"/api/v1/pods", 0, 1, true});  // the connection drops on page 2
  ClusterRead read = readCluster(api.get(), options());
  ASSERT_FALSE(read.fatal);
  ASSERT_EQ(read.unreadable.size(), 3u);
  EXPECT_EQ(read.unreadable[0].kind, "Node");
  EXPECT_NE(read.unreadable[0].reason.find("500"), std::string::npos);
  EXPECT_NE(read.unreadable[0].reason.find("etcdserver: request timed out"), std::string::npos);
  EXPECT_EQ(read.unreadable[1].kind, "Pod");
  EXPECT_EQ(read.unreadable[1].reason, "connection refused");
  EXPECT_EQ(read.unreadable[2].kind, "Deployment");
  EXPECT_NE(read.unreadable[2].reason.find("not found although discovery listed it"), std::string::npos);
  EXPECT_EQ(countKind(read.objects, "Pod"), 0u);
  EXPECT_EQ(countKind(read.objects, "Namespace"), 2u);
}

TEST(ClusterList, FatalOnlyWhenTheFirstRequestFails) {
  FakeApi api;
  addCluster(&api);
  api.fault({"/version", 0});
  ClusterRead read = readCluster(api.get(), options());
  ASSERT_TRUE(read.fatal);
  EXPECT_EQ(read.fatal->code, ErrorCode::kClusterConnection);
  EXPECT_TRUE(read.objects.objects().empty());
  EXPECT_EQ(api.log().size(), 1u);
}

TEST(ClusterList, NamespacesOption) {
  FakeApi api;
  addCluster(&api);
  ReadOptions o = options();
  o.namespaces = {"a"};
  ClusterRead read = readCluster(api.get(), o);
  EXPECT_EQ(names(read.objects),
            (std::vector<std::string>{"Namespace /a", "Namespace /b", "Node /node-1", "Node /node-2", "Pod a/p1",
                                      "Pod a/p2", "Deployment a/web", "ClusterRole /admin", "ClusterRole /view"}));
  EXPECT_EQ(api.count("/api/v1/pods"), 0);
  EXPECT_EQ(api.count("/api/v1/namespaces/a/pods"), 1);
  EXPECT_EQ(api.count("/apis/argoproj.io/v1alpha1/namespaces/a/rollouts"), 1);
  EXPECT_EQ(api.count("/apis/rbac.authorization.k8s.io/v1/clusterroles"), 1);  // cluster-scoped: cluster-wide
  EXPECT_EQ(read.info.namespaces, std::vector<std::string>{"a"});

  // A namespace the identity cannot read is unreadable in that namespace only.
  FakeApi api2;
  addCluster(&api2);
  api2.fault({"/api/v1/namespaces/b/pods", 403, -1, false, "pods is forbidden"});
  o.namespaces = {"a", "b"};
  ClusterRead read2 = readCluster(api2.get(), o);
  ASSERT_EQ(read2.unreadable.size(), 1u);
  EXPECT_EQ(read2.unreadable[0].namespace_, "b");
  EXPECT_EQ(countKind(read2.objects, "Pod"), 2u);
}

TEST(ClusterList, SecretsNotListedByDefault) {
  FakeApi api;
  addCluster(&api);
  ClusterRead read = readCluster(api.get(), options());
  EXPECT_EQ(countKind(read.objects, "Secret"), 0u);
  EXPECT_EQ(api.count("/api/v1/secrets"), 0);
  ASSERT_EQ(read.not_listed.size(), 1u);
  EXPECT_EQ(read.not_listed[0].kind, "Secret");
  EXPECT_EQ(read.not_listed[0].resource, "secrets");
  EXPECT_EQ(read.not_listed[0].reason, "secret values: listed only with --include-secrets");
  EXPECT_TRUE(read.unreadable.empty());
}

TEST(ClusterList, SecretsReducedWhenIncluded) {
  FakeApi api;
  addCluster(&api);
  ReadOptions o = options();
  o.include_secrets = true;
  ClusterRead read = readCluster(api.get(), o);
  EXPECT_TRUE(read.not_listed.empty());
  ASSERT_EQ(countKind(read.objects, "Secret"), 1u);
  for (const auto& f : read.objects.files()) {
    EXPECT_EQ(f->content.find("c3VwZXJzZWNyZXQ="), std::string::npos) << f->path;
  }
  auto secret = std::find_if(read.objects.objects().begin(), read.objects.objects().end(),
                             [](const Object& ob) { return ob.kind == "Secret"; });
  EXPECT_EQ(secret->root->find({"data", "password"})->str(), "");
}

TEST(ClusterList, StaleGroupMakesItsKindsUnreadable) {
  FakeApi api;
  addCluster(&api);
  ReadOptions o = options();
  o.workload_kinds = {{"metrics.k8s.io", "PodMetrics"}};
  ClusterRead read = readCluster(api.get(), o);
  ASSERT_EQ(read.unreadable.size(), 1u);
  EXPECT_EQ(read.unreadable[0].group, "metrics.k8s.io");
  EXPECT_EQ(read.unreadable[0].kind, "PodMetrics");
  EXPECT_NE(read.unreadable[0].reason.find("stale"), std::string::npos);
}

TEST(ClusterList, SourcePathsNameContextAndList) {
  FakeApi api;
  addCluster(&api);
  ReadOptions o = options(500);
  o.context = "kind-prod";
  ClusterRead read = readCluster(api.get(), o);
  ASSERT_FALSE(read.objects.objects().empty());
  EXPECT_EQ(read.objects.pathOf(read.objects.objects()[0]), "kind-prod:/api/v1/namespaces");
  EXPECT_EQ(read.objects.pathOf(read.objects.objects()[9]), "kind-prod:/apis/apps/v1/deployments");
  ClusterRead plain = readCluster(api.get(), options(500));
  EXPECT_EQ(plain.objects.pathOf(plain.objects.objects()[0]), "/api/v1/namespaces");
}

TEST(ClusterList, SameObjectSetWhateverTheThreadCount) {
  FakeApi api;
  std::vector<std::pair<std::string, std::string>> pods;
  for (int i = 0; i < 300; ++i) pods.push_back(item("ns" + std::to_string(i % 7), "pod-" + std::to_string(i)));
  api.objects("/api/v1/pods", "PodList", pods);
  addCluster(&api);  // replaces pods with the small set: put the big set back
  api.objects("/api/v1/pods", "PodList", pods);
  api.fault({"/api/v1/pods", 410, 1, true, "expired"});
  auto snapshot = [&](unsigned threads) {
    ReadOptions o = options(7);
    o.threads = threads;
    ClusterRead read = readCluster(api.get(), o);
    std::vector<std::string> out;
    for (const auto& f : read.objects.files()) out.push_back(f->path + "\n" + f->content);
    for (const std::string& n : names(read.objects)) out.push_back(n);
    return out;
  };
  std::vector<std::string> one = snapshot(1);
  EXPECT_GT(one.size(), 300u);
  EXPECT_EQ(snapshot(2), one);
  EXPECT_EQ(snapshot(8), one);
}

TEST(ClusterList, KubeletConfigzOptIn) {
  FakeApi api;
  addCluster(&api);
  api.doc("/api/v1/nodes/node-1/proxy/configz",
          R"({"kubeletconfig":{"enableServer":true,"authentication":{"anonymous":{"enabled":true}},"readOnlyPort":10255}})");
  api.fault({"/api/v1/nodes/node-2/proxy/configz", 403, -1, false,
             R"(nodes \"node-2\" is forbidden: User \"kspm\" cannot get resource \"nodes/proxy\")"});
  ClusterRead without = readCluster(api.get(), options());
  EXPECT_EQ(countKind(without.objects, "KubeletConfiguration"), 0u);
  EXPECT_EQ(api.count("/api/v1/nodes/node-1/proxy/configz"), 0);

  ReadOptions o = options();
  o.kubelet_configz = true;
  ClusterRead read = readCluster(api.get(), o);
  ASSERT_EQ(countKind(read.objects, "KubeletConfiguration"), 1u);
  const Object& kc = read.objects.objects().back();
  EXPECT_EQ(kc.kind, "KubeletConfiguration");
  EXPECT_EQ(kc.name, "node-1");
  EXPECT_TRUE(kc.root->find({"authentication", "anonymous", "enabled"})->boolean());
  EXPECT_EQ(kc.root->get("readOnlyPort")->integer(), 10255);
  ASSERT_EQ(read.unreadable.size(), 1u);
  EXPECT_EQ(read.unreadable[0].resource, "nodes/proxy");
  EXPECT_EQ(read.unreadable[0].kind, "KubeletConfiguration");
  EXPECT_NE(read.unreadable[0].reason.find("node-2"), std::string::npos);
  EXPECT_NE(read.unreadable[0].reason.find("forbidden"), std::string::npos);
}

TEST(ClusterList, LegacyDiscoveryReadsTheSame) {
  FakeApi aggregated(true);
  FakeApi legacy(false);
  addCluster(&aggregated);
  addCluster(&legacy);
  ClusterRead a = readCluster(aggregated.get(), options());
  ClusterRead l = readCluster(legacy.get(), options());
  EXPECT_EQ(names(a.objects), names(l.objects));
  EXPECT_FALSE(l.info.aggregated_discovery);
}

}  // namespace
}  // namespace kspm::cluster
