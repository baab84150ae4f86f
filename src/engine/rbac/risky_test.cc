// kspm rbac risky: the catalogue families, the --k8s-version switch and the escalation chains, each with
// exact answers on src/engine/rbac/testdata/risky/cluster.yaml.
#include "kspm/rbac_risky.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/ingest.h"
#include "test_util.h"

namespace kspm::rbac {
namespace {

std::string fixture() { return std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/risky/cluster.yaml"; }

class RiskyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects_ = ingestPaths({fixture()}, IngestOptions{});
    ASSERT_TRUE(objects_.errors().empty());
    model_ = Model::build(objects_);
  }

  RiskyReport analyze(uint32_t minor = 37) const {
    RiskyOptions options;
    options.k8s_minor = minor;
    return analyzeRisky(*model_, objects_, options);
  }

  // subject label -> sorted catalogue ids it holds.
  static std::map<std::string, std::set<std::string>> risks(const RiskyReport& report) {
    std::map<std::string, std::set<std::string>> out;
    for (const RiskySubject& s : report.subjects) {
      for (const RiskGrant& g : s.grants) out[s.subject.label()].insert(std::string(g.entry->id));
    }
    return out;
  }

  static const RiskySubject* find(const RiskyReport& report, const std::string& label) {
    for (const RiskySubject& s : report.subjects) {
      if (s.subject.label() == label) return &s;
    }
    return nullptr;
  }

  ObjectSet objects_;
  std::unique_ptr<Model> model_;
};

using Ids = std::set<std::string>;

const Ids kEverything = {"cluster-admin", "escalate", "bind", "impersonate", "create-pods",
                         "create-pod-controllers", "pods-exec", "pods-attach", "pods-portforward",
                         "pods-ephemeralcontainers", "nodes-proxy", "secrets-read", "secrets-write",
                         "serviceaccount-token", "csr-approval", "admission-webhook-write", "crd-write",
                         "node-status-write", "pod-status-write", "service-status-write", "eviction-cordon",
                         "persistentvolume-write", "storageclass-write", "networkpolicy-write", "aws-auth-write"};

TEST_F(RiskyTest, CatalogueHasUniqueIdsAndEveryFamily) {
  std::set<std::string> ids;
  for (const RiskEntry& e : riskCatalogue()) {
    EXPECT_TRUE(ids.insert(std::string(e.id)).second) << e.id;
    EXPECT_FALSE(e.requests.empty()) << e.id;
    EXPECT_FALSE(e.attack.empty()) << e.id;
  }
  Ids expected = kEverything;
  expected.insert("pods-exec-get-websocket");
  EXPECT_EQ(ids, expected);
}

TEST_F(RiskyTest, ExactRisksPerSubject) {
  RiskyReport report = analyze();
  std::map<std::string, std::set<std::string>> expected = {
      // ClusterRoleBinding to a `*` on `*` ClusterRole: every entry, aws-auth included (cluster-wide).
      {"ServiceAccount shop/deployer", kEverything},
      // The same role through a RoleBinding: in namespace web only, so nothing on cluster-scoped resources.
      {"ServiceAccount web/builder",
       {"cluster-admin", "escalate", "bind", "impersonate", "create-pods", "create-pod-controllers", "pods-exec",
        "pods-attach", "pods-portforward", "pods-ephemeralcontainers", "secrets-read", "secrets-write",
        "serviceaccount-token", "pod-status-write", "service-status-write", "networkpolicy-write"}},
      {"User alice", {"create-pods"}},
      {"User bob", {"secrets-read"}},
      {"User carol", {"impersonate"}},
      {"Group dev", {"bind"}},
      // Both halves of CSR approval (signers approve limited by resourceNames still counts).
      {"User dave", {"csr-approval"}},
      // resourceNames [aws-auth] on update configmaps in kube-system.
      {"User frank", {"aws-auth-write"}},
      {"ServiceAccount kube-system/kube-proxy", {"nodes-proxy"}},
      {"Group system:authenticated", {"secrets-read"}},
      // many-risks through a ClusterRoleBinding: every family of the role.
      {"User jack",
       {"escalate", "create-pod-controllers", "pods-exec", "pods-attach", "pods-portforward",
        "pods-ephemeralcontainers", "secrets-write", "serviceaccount-token", "admission-webhook-write", "crd-write",
        "node-status-write", "pod-status-write", "service-status-write", "eviction-cordon", "persistentvolume-write",
        "storageclass-write", "networkpolicy-write"}},
      // The same role through a RoleBinding in web: the namespaced families only (eviction-cordon needs patch
      // nodes, cluster-scoped).
      {"User harry",
       {"escalate", "create-pod-controllers", "pods-exec", "pods-attach", "pods-portforward",
        "pods-ephemeralcontainers", "secrets-write", "serviceaccount-token", "pod-status-write",
        "service-status-write", "networkpolicy-write"}},
      {"User ivan", {"serviceaccount-token"}},
      {"User lee", {"escalate"}},
  };
  // Not there: kim (update configmaps through a RoleBinding whose namespace the input leaves unspecified: not
  // credited for kube-system/aws-auth), erin (approval without signers), gina (configmap other-config), shop/ci (get pods/exec at 1.37).
  EXPECT_EQ(risks(report), expected);
}

TEST_F(RiskyTest, EvidenceAndClasses) {
  RiskyReport report = analyze();
  const RiskySubject* frank = find(report, "User frank");
  ASSERT_NE(frank, nullptr);
  ASSERT_EQ(frank->grants.size(), 1u);
  const RiskGrant& g = frank->grants[0];
  EXPECT_EQ(model_->bindings()[g.access.binding].name, "frank-aws-auth");
  EXPECT_EQ(model_->roles()[g.access.role].name, "aws-auth-editor");
  EXPECT_EQ(g.access.rule, 0u);
  EXPECT_FALSE(g.access.cluster_wide);
  EXPECT_EQ(g.access.ns, "kube-system");
  EXPECT_EQ(g.entry->severity, Severity::kCritical);
  EXPECT_EQ(requestText(g.entry->requests[g.request]), "update configmaps (kube-system/aws-auth)");

  EXPECT_EQ(find(report, "ServiceAccount kube-system/kube-proxy")->cls, SubjectKind::kSystem);
  EXPECT_EQ(find(report, "Group system:authenticated")->cls, SubjectKind::kBroad);
  EXPECT_EQ(find(report, "User alice")->cls, SubjectKind::kOrdinary);

  // harry's grants hold only in web (RoleBinding to a ClusterRole).
  const RiskySubject* harry = find(report, "User harry");
  for (const RiskGrant& x : harry->grants) {
    EXPECT_FALSE(x.access.cluster_wide) << x.entry->id;
    EXPECT_EQ(x.access.ns, "web") << x.entry->id;
  }
  // Both parts of an all-of entry are evidence.
  const RiskySubject* jack = find(report, "User jack");
  std::vector<std::string> parts;
  for (const RiskGrant& x : jack->grants) {
    if (x.entry->id == "eviction-cordon") parts.push_back(requestText(x.entry->requests[x.request]));
  }
  EXPECT_EQ(parts, std::vector<std::string>({"create pods/eviction", "patch nodes"}));
}

TEST_F(RiskyTest, WebSocketGetBeforeKubernetes135) {
  EXPECT_EQ(find(analyze(37), "ServiceAccount shop/ci"), nullptr);
  EXPECT_EQ(find(analyze(35), "ServiceAccount shop/ci"), nullptr);
  RiskyReport old = analyze(34);
  const RiskySubject* ci = find(old, "ServiceAccount shop/ci");
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ(risks(old)["ServiceAccount shop/ci"], Ids({"pods-exec-get-websocket"}));
  EXPECT_EQ(requestText(ci->grants[0].entry->requests[ci->grants[0].request]), "get pods/exec");
  EXPECT_TRUE(ci->grants[0].access.cluster_wide);
  // Everyone holding create pods/exec or `*` also holds the get variant before 1.35.
  EXPECT_TRUE(risks(old)["ServiceAccount shop/deployer"].count("pods-exec-get-websocket"));
  EXPECT_FALSE(risks(old)["User harry"].count("pods-exec-get-websocket"));  // create only, no get
}

TEST_F(RiskyTest, Chains) {
  RiskyReport report = analyze();
  auto chains = [&](const std::string& label) {
    std::vector<std::string> out;
    const RiskySubject* s = find(report, label);
    if (s == nullptr) return out;
    for (const Chain& c : s->chains) out.push_back(std::string(c.kind) + ": " + c.text);
    return out;
  };
  const std::string deployer =
      "ServiceAccount shop/deployer which holds cluster-admin, escalate, bind and 22 more (critical)";
  EXPECT_EQ(chains("User alice"),
            std::vector<std::string>({"create-pods: can create pods in ns shop -> runs as " + deployer}));
  EXPECT_EQ(chains("User bob"), std::vector<std::string>({"read-secrets: can get secrets in ns shop -> reads the "
                                                          "service-account token of " + deployer}));
  EXPECT_EQ(chains("User carol"),
            std::vector<std::string>({"impersonate: can impersonate groups cluster-wide -> acts as Group "
                                      "system:masters (bypasses authorization)"}));
  EXPECT_EQ(chains("Group dev"), std::vector<std::string>({"bind-escalate: can bind clusterroles and create "
                                                           "clusterrolebindings cluster-wide -> any permission (can "
                                                           "bind itself to cluster-admin)"}));
  const std::string builder = "ServiceAccount web/builder which holds cluster-admin, escalate, bind and 13 more (critical)";
  EXPECT_EQ(chains("User ivan"),
            std::vector<std::string>({"token-request: can create serviceaccounts/token in ns web -> gets a token of " +
                                      builder}));
  // harry: escalate, create cronjobs and token requests in web -> web/builder.
  EXPECT_EQ(chains("User harry"),
            std::vector<std::string>(
                {"bind-escalate: can escalate and update roles in ns web -> any permission within that namespace "
                 "(can rewrite the role bound to it)",
                 "create-pods: can create cronjobs.batch in ns web -> runs as " + builder,
                 "token-request: can create serviceaccounts/token in ns web -> gets a token of " + builder}));
  // jack: the same cluster-wide -> the most privileged service account of any namespace.
  EXPECT_EQ(chains("User jack"),
            std::vector<std::string>(
                {"bind-escalate: can escalate and update roles cluster-wide -> any permission in the namespaces where a "
                 "Role is bound to it",
                 "create-pods: can create cronjobs.batch cluster-wide -> runs as " + deployer,
                 "token-request: can create serviceaccounts/token cluster-wide -> gets a token of " + deployer}));
  // builder itself: bind/escalate in web; no other service account of web holds anything.
  EXPECT_EQ(chains("ServiceAccount web/builder"),
            std::vector<std::string>({"bind-escalate: can escalate and update roles in ns web -> any permission "
                                      "within that namespace (can rewrite the role bound to it)"}));
  // escalate without update (lee): no chain.
  EXPECT_EQ(chains("User lee"), std::vector<std::string>());
  // Cluster-wide cluster-admin: nothing further to reach.
  EXPECT_EQ(chains("ServiceAccount shop/deployer"), std::vector<std::string>());
  // system:authenticated lists secrets everywhere: the token secret of shop/deployer.
  EXPECT_EQ(chains("Group system:authenticated"),
            std::vector<std::string>({"read-secrets: can list secrets cluster-wide -> reads the service-account "
                                      "token of " + deployer}));
  // A chain raises the subject's severity to what it reaches.
  EXPECT_EQ(find(report, "User alice")->max_severity, Severity::kCritical);
  const RiskySubject* ivan = find(report, "User ivan");
  ASSERT_EQ(ivan->chains.size(), 1u);
  EXPECT_EQ(ivan->chains[0].target.label(), "ServiceAccount web/builder");
  EXPECT_EQ(ivan->chains[0].severity, Severity::kCritical);
}

TEST_F(RiskyTest, OrderMostSevereFirst) {
  RiskyReport report = analyze();
  for (size_t i = 1; i < report.subjects.size(); ++i) {
    const RiskySubject& a = report.subjects[i - 1];
    const RiskySubject& b = report.subjects[i];
    EXPECT_TRUE(a.max_severity > b.max_severity ||
                (a.max_severity == b.max_severity && a.subject.label() < b.subject.label()))
        << a.subject.label() << " before " << b.subject.label();
  }
  EXPECT_EQ(report.subjects.size(), 14u);
}

TEST(RiskyEmptyTest, NoRbacObjectsNoSubjects) {
  ObjectSet objects;
  std::unique_ptr<Model> model = Model::build(objects);
  EXPECT_TRUE(analyzeRisky(*model, objects, RiskyOptions{}).subjects.empty());
}

}  // namespace
}  // namespace kspm::rbac
