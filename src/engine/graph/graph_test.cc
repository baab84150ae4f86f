// End-to-end attack path scenarios of issue 6: the path from the internet to cluster-admin through
// a vulnerable exposed pod, and the same scenario made safe four ways, where the path must vanish.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "kspm/graph.h"
#include "kspm/vulns.h"
#include "test_util.h"

namespace kspm::graph {
namespace {

constexpr const char* kNamespace = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
)";

constexpr const char* kNamespaceRestricted = R"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
)";

constexpr const char* kApp = R"(---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: registry.example.com/shop/web:1.0
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ops-agent, namespace: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ops-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: ops-agent}}
  template:
    metadata: {labels: {app: ops-agent}}
    spec:
      serviceAccountName: ops-agent
      containers: [{name: agent, image: registry.example.com/ops/agent:2.0}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-agent-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ops-agent, namespace: kube-system}]
)";

constexpr const char* kBinding = R"(---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: shop}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-creates-pods, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
)";

constexpr const char* kDenyIngress = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
)";

std::string trivyReport(const std::string& image, bool vulnerable) {
  std::string vulns = vulnerable ? R"json([{"VulnerabilityID": "CVE-2024-6387", "PkgName": "openssh-server",
      "InstalledVersion": "1:9.2p1-2", "FixedVersion": "1:9.2p1-2+deb12u3", "Severity": "HIGH"}])json"
                                 : "[]";
  return R"json({"SchemaVersion": 2, "ArtifactName": ")json" + image + R"json(", "ArtifactType": "container_image",
    "Metadata": {"RepoTags": [")json" + image + R"json("], "RepoDigests": []},
    "Results": [{"Target": ")json" + image + R"json( (debian 12.5)", "Class": "os-pkgs", "Type": "debian",
      "Vulnerabilities": )json" + vulns + "}]}";
}

struct Scenario {
  std::string manifests;
  bool vulnerable = true;
};

/** The technique IDs of the shortest internet -> cluster-admin path, or "" when there is none. */
std::string shortestToClusterAdmin(const Scenario& s, std::string* steps = nullptr) {
  testing::TempDir dir;
  std::string report = dir.path() + "/trivy.json";
  std::ofstream(report) << trivyReport("registry.example.com/shop/web:1.0", s.vulnerable);
  vulns::Database db;
  auto loaded = db.loadReport(report);
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
  ObjectSet set = testing::loadText(s.manifests);
  EXPECT_TRUE(set.errors().empty());
  BuildOptions options;
  options.vulns = &db;
  std::unique_ptr<Graph> g = Graph::build(set, options);
  std::optional<uint32_t> admin = g->find("cluster-admin");
  EXPECT_TRUE(admin.has_value());
  PathQuery q;
  q.sources = {g->internet()};
  q.targets = {*admin};
  q.k = 1;
  PathAnswer answer = findPaths(*g, q);
  if (answer.results.empty() || answer.results[0].shortest.empty()) return "";
  std::string ids;
  for (uint32_t e : answer.results[0].shortest[0].edges) {
    const Edge& edge = g->edges()[e];
    ids += (ids.empty() ? "" : " ") + std::string(techniqueId(edge.technique));
    if (steps != nullptr) *steps += g->vertices()[edge.from].name + " -> " + g->vertices()[edge.to].name + "\n";
  }
  return ids;
}

TEST(GraphScenario, InternetToClusterAdminThroughVulnerablePodAndPodCreate) {
  std::string steps;
  std::string ids = shortestToClusterAdmin({std::string(kNamespace) + kApp + kBinding}, &steps);
  EXPECT_EQ(ids,
            "NETWORK_REACH VULN_EXPLOIT IDENTITY_ASSUME PERMISSION_DISCOVER POD_CREATE VOLUME_ACCESS TOKEN_STEAL "
            "PERMISSION_DISCOVER CLUSTER_ADMIN")
      << steps;
  EXPECT_NE(steps.find("internet -> shop/Deployment/web endpoints"), std::string::npos) << steps;
  EXPECT_NE(steps.find("ServiceAccount shop/web -> RoleBinding shop/web-creates-pods -> Role pod-creator"), std::string::npos) << steps;
  EXPECT_NE(steps.find("-> ServiceAccount kube-system/ops-agent"), std::string::npos) << steps;
}

TEST(GraphScenario, NetworkPolicyClosesTheEntry) {
  EXPECT_EQ(shortestToClusterAdmin({std::string(kNamespace) + kApp + kBinding + kDenyIngress}), "");
}

TEST(GraphScenario, RemovingTheBindingClosesThePath) {
  EXPECT_EQ(shortestToClusterAdmin({std::string(kNamespace) + kApp}), "");
}

TEST(GraphScenario, PatchedImageClosesThePath) {
  EXPECT_EQ(shortestToClusterAdmin({std::string(kNamespace) + kApp + kBinding, false}), "");
}

TEST(GraphScenario, RestrictedNamespaceKeepsPodCreateOffTheNode) {
  EXPECT_EQ(shortestToClusterAdmin({std::string(kNamespaceRestricted) + kApp + kBinding}), "");
}

TEST(GraphScenario, PathEvidenceNamesObjectsAndLikelihoods) {
  ObjectSet set = testing::loadText(std::string(kNamespace) + kApp + kBinding);
  std::unique_ptr<Graph> g = Graph::build(set);
  // Without vulnerability data nothing is exploitable: the internet reaches the endpoint only.
  std::optional<uint32_t> web = g->find("shop/Deployment/web");
  ASSERT_TRUE(web.has_value());
  PathQuery q;
  q.sources = {*web};
  q.k = 2;
  PathAnswer answer = findPaths(*g, q);
  bool to_admin = false, to_node = false;
  for (const PathResult& r : answer.results) {
    const std::string& target = g->vertices()[r.target].name;
    ASSERT_FALSE(r.shortest.empty());
    if (target == "cluster-admin") {
      to_admin = true;
      // POD_CREATE lands on the node with certainty (no Pod Security label: privileged admitted), the
      // DaemonSet's token is there for sure: the path is certain.
      EXPECT_DOUBLE_EQ(r.shortest[0].likelihood, 1.0);
    }
    if (target == "node") to_node = true;
    for (const Path& p : r.shortest) {
      for (uint32_t e : p.edges) EXPECT_FALSE(g->edges()[e].evidence.empty()) << techniqueId(g->edges()[e].technique);
    }
  }
  EXPECT_TRUE(to_admin);
  EXPECT_TRUE(to_node);
  PathQuery from_internet;
  from_internet.sources = {g->internet()};
  EXPECT_TRUE(findPaths(*g, from_internet).results.empty());
}


// Regression: a namespaced grant in manifests without a namespace is about that (unspecified)
// namespace's secrets, not every secret of the cluster (seen on the Argo CD manifests).
TEST(GraphScenario, RoleBindingWithoutNamespaceReadsOnlyItsNamespacesSecrets) {
  ObjectSet set = testing::loadText(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
)");
  std::unique_ptr<Graph> g = Graph::build(set);
  std::optional<uint32_t> ps = g->find("RoleBinding reader -> Role reader");
  ASSERT_TRUE(ps.has_value());
  std::vector<std::string> targets;
  for (uint32_t e : g->out(*ps)) {
    if (g->edges()[e].technique == Technique::kSecretRead) targets.push_back(g->vertices()[g->edges()[e].to].name);
  }
  EXPECT_EQ(targets, std::vector<std::string>{"secrets in the unspecified namespace"});
}

}  // namespace
}  // namespace kspm::graph
