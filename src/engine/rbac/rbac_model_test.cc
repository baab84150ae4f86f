// The RBAC model: each semantic rule of include/kspm/rbac.h with exact expected answers.
#include "kspm/rbac.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/rbac/rbac_rules.h"
#include "kspm/ingest.h"
#include "test_util.h"

namespace kspm::rbac {
namespace {

std::string fixture() { return std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/cluster.yaml"; }

class RbacModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects_ = ingestPaths({fixture()}, IngestOptions{});
    ASSERT_TRUE(objects_.errors().empty());
    model_ = Model::build(objects_);
  }

  // "subject@scope via binding->role[rule]" per access, with "(named)" for named-only grants.
  std::vector<std::string> who(const std::string& verb, const std::string& group, const std::string& resource,
                               const std::string& subresource = "", const std::string& ns = "",
                               const std::string& name = "") const {
    Request r{verb, group, resource, subresource, ns, name};
    return describe(*model_, model_->whoCan(r));
  }

  static std::vector<std::string> describe(const Model& model, const std::vector<Access>& accesses) {
    std::vector<std::string> out;
    for (const Access& a : accesses) {
      std::string s = a.subject->label() + "@" + (a.cluster_wide ? "cluster" : std::string(a.ns));
      if (a.masters) {
        s += " masters";
      } else {
        s += " " + std::string(model.bindings()[a.binding].name) + "->" + std::string(model.roles()[a.role].name) +
             "[" + std::to_string(a.rule) + "]";
      }
      if (a.named_only) s += " (named)";
      out.push_back(s);
    }
    return out;
  }

  std::vector<std::string> can(const Subject& subject, const std::vector<std::string>& groups = {}) const {
    Permissions p = model_->permissionsOf(subject, groups);
    return describe(*model_, p.grants);
  }

  ObjectSet objects_;
  std::unique_ptr<Model> model_;
};

const std::string kMasters = "Group system:masters@cluster masters";
const std::string kRoot = "User root@cluster admins->everything[0]";
const std::string kMastersBound = "Group system:masters@cluster admins->everything[0]";

TEST_F(RbacModelTest, AggregationToAFixpointReplacesWrittenRules) {
  const Role* ops = nullptr;
  const Role* monitoring = nullptr;
  for (const Role& r : model_->roles()) {
    if (r.name == "ops") ops = &r;
    if (r.name == "monitoring") monitoring = &r;
  }
  ASSERT_NE(ops, nullptr);
  ASSERT_NE(monitoring, nullptr);
  // monitoring: only secret-reader's rule (its own configmaps/delete rule is replaced).
  ASSERT_EQ(monitoring->rules.size(), 1u);
  EXPECT_EQ(monitoring->rules[0].source_name, "secret-reader");
  // ops aggregates exec-anything and monitoring (itself aggregated): 2 + 1 rules, roles sorted by name
  // as the controller lists them.
  ASSERT_EQ(ops->rules.size(), 3u);
  EXPECT_EQ(ops->rules[0].source_name, "exec-anything");
  EXPECT_EQ(ops->rules[1].source_name, "exec-anything");
  EXPECT_EQ(ops->rules[1].source_index, 1u);
  EXPECT_EQ(ops->rules[2].source_name, "secret-reader");
  EXPECT_EQ(ops->aggregated, (std::vector<std::string_view>{"exec-anything", "monitoring"}));
  // The replaced rule grants nothing.
  EXPECT_EQ(who("delete", "", "configmaps"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, AggregationCycleAndSelfAreHandled) {
  ObjectSet objects = testing::loadText(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {agg: "yes"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {agg: "yes"}}
aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: agg, operator: Exists}]}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c, labels: {agg: "yes"}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
)");
  auto model = Model::build(objects);
  ASSERT_EQ(model->roles().size(), 3u);
  EXPECT_EQ(model->roles()[0].rules.size(), 1u);  // a: c's rule once (b holds the same rule)
  EXPECT_EQ(model->roles()[1].rules.size(), 1u);
  EXPECT_EQ(model->roles()[0].aggregated, (std::vector<std::string_view>{"b", "c"}));
}

TEST_F(RbacModelTest, AnEmptyAggregationRuleStillReplacesTheRules) {
  ObjectSet objects = testing::loadText(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: empty-aggregation}
aggregationRule: {}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: plain}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
)");
  auto model = Model::build(objects);
  ASSERT_EQ(model->roles().size(), 2u);
  EXPECT_TRUE(model->roles()[0].aggregating);
  EXPECT_TRUE(model->roles()[0].rules.empty());
  EXPECT_FALSE(model->roles()[1].aggregating);
  EXPECT_EQ(model->roles()[1].rules.size(), 1u);
}

TEST_F(RbacModelTest, TheLaterOfDuplicateObjectsWinsAndAnonymousIsUnauthenticated) {
  ObjectSet objects = testing::loadText(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: alice}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: Group, name: system:unauthenticated}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
)");
  auto model = Model::build(objects);
  ASSERT_EQ(model->roles().size(), 1u);
  ASSERT_EQ(model->bindings().size(), 1u);
  EXPECT_EQ(describe(*model, model->whoCan({"get", "", "pods", "", "", ""})), (std::vector<std::string>{kMasters}));
  EXPECT_EQ(describe(*model, model->whoCan({"get", "", "secrets", "", "", ""})),
            (std::vector<std::string>{kMasters, "Group system:unauthenticated@cluster b->r[0]"}));
  Permissions anonymous = model->permissionsOf({"User", "system:anonymous", ""}, {});
  EXPECT_EQ(anonymous.groups, (std::vector<std::string>{"system:unauthenticated"}));
  EXPECT_EQ(anonymous.grants.size(), 1u);
  EXPECT_EQ(model->permissionsOf({"User", "alice", ""}, {}).grants.size(), 0u);
}

TEST_F(RbacModelTest, WildcardsEverywhere) {
  EXPECT_EQ(who("get", "", "secrets"),
            (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[2]", kMastersBound, kRoot}));
  // `*` on verbs, groups and resources: any verb on any resource of any group.
  EXPECT_EQ(who("escalate", "rbac.authorization.k8s.io", "clusterroles"),
            (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("get", "", "nodes", "proxy"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, AVerbOfStarAsksForRulesThatSayStar) {
  // `kubectl auth can-i '*' '*'`: only rules granting every verb on every resource answer.
  EXPECT_EQ(who("*", "*", "*"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("*", "", "secrets"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, StarSlashSubresourceMatchesOnlyThatSubresource) {
  EXPECT_EQ(who("create", "", "pods", "exec"),
            (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[0]",
                                      "User alice@web exec-in-web->exec-anything[0]",
                                      "ServiceAccount web/ci@web deployer->deployer[3] (named)",
                                      "ServiceAccount tools/builder@web deployer->deployer[3] (named)", kMastersBound,
                                      kRoot}));
  // */exec is not pods/attach nor pods itself.
  EXPECT_EQ(who("create", "", "pods", "attach"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("create", "", "pods"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, ResourceDotGroupTellsSameNamedResourcesApart) {
  const std::vector<std::string> deployer_ci = {kMasters, "ServiceAccount web/ci@web deployer->deployer[0]",
                                                "ServiceAccount tools/builder@web deployer->deployer[0]",
                                                kMastersBound, kRoot};
  EXPECT_EQ(who("patch", "apps", "deployments"), deployer_ci);
  EXPECT_EQ(who("patch", "extensions", "deployments"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("update", "apps", "deployments", "scale"), deployer_ci);
  EXPECT_EQ(who("get", "networking.k8s.io", "ingresses"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, ResourceNamesNeverGrantCreateOrDeletecollection) {
  const std::string named = "ServiceAccount web/ci@web deployer->deployer[2]";
  const std::string named_sa = "ServiceAccount tools/builder@web deployer->deployer[2]";
  // Without a name: get/update are named-only; create/deletecollection are not granted at all.
  EXPECT_EQ(who("get", "", "configmaps", "", "web"),
            (std::vector<std::string>{kMasters, named + " (named)", named_sa + " (named)", kMastersBound, kRoot}));
  EXPECT_EQ(who("create", "", "configmaps", "", "web"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("deletecollection", "", "configmaps", "", "web"),
            (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  // With the listed name: get, update and list (metadata.name field selector) hold; create still not.
  for (const char* verb : {"get", "update", "list"}) {
    EXPECT_EQ(who(verb, "", "configmaps", "", "web", "app-config"),
              (std::vector<std::string>{kMasters, named, named_sa, kMastersBound, kRoot}))
        << verb;
  }
  EXPECT_EQ(who("create", "", "configmaps", "", "web", "app-config"),
            (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  EXPECT_EQ(who("get", "", "configmaps", "", "web", "other"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  // A create on a subresource carries the parent's name and is limited by it.
  EXPECT_EQ(who("create", "", "pods", "exec", "web", "api-0"),
            (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[0]",
                                      "User alice@web exec-in-web->exec-anything[0]",
                                      "ServiceAccount web/ci@web deployer->deployer[3]",
                                      "ServiceAccount tools/builder@web deployer->deployer[3]", kMastersBound, kRoot}));
  EXPECT_EQ(who("create", "", "pods", "exec", "web", "api-1"),
            (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[0]",
                                      "User alice@web exec-in-web->exec-anything[0]", kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, RoleBindingToClusterRoleHoldsOnlyInItsNamespace) {
  const std::vector<std::string> elsewhere = {kMasters, "Group ops@cluster ops-team->ops[0]", kMastersBound, kRoot};
  EXPECT_EQ(who("create", "", "pods", "exec", "db"), elsewhere);
  EXPECT_EQ(can({"User", "alice", ""}),
            (std::vector<std::string>{"Group system:authenticated@cluster metrics-for-all->metrics-reader[0]",
                                      "User alice@web exec-in-web->exec-anything[0]"}));
  // exec-anything's nonResourceURLs rule does not hold through the RoleBinding (alice), only through
  // ops-team's ClusterRoleBinding; resources: ["*"] (everything) grants no non-resource URL.
  EXPECT_EQ(who("get", "", "/metrics"),
            (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[1]",
                                      "Group system:authenticated@cluster metrics-for-all->metrics-reader[0]"}));
  EXPECT_EQ(who("get", "", "/debug/pprof"), (std::vector<std::string>{kMasters, "Group ops@cluster ops-team->ops[1]"}));
}

TEST_F(RbacModelTest, ServiceAccountDefaultsToTheBindingNamespaceAndIsInItsGroups) {
  Permissions p = model_->permissionsOf({"ServiceAccount", "ci", "web"}, {});
  EXPECT_EQ(p.groups, (std::vector<std::string>{"system:authenticated", "system:serviceaccounts",
                                                "system:serviceaccounts:web"}));
  EXPECT_FALSE(p.masters);
  EXPECT_EQ(describe(*model_, p.grants),
            (std::vector<std::string>{
                "Group system:authenticated@cluster metrics-for-all->metrics-reader[0]",
                "ServiceAccount web/ci@web deployer->deployer[0]", "ServiceAccount web/ci@web deployer->deployer[1]",
                "ServiceAccount web/ci@web deployer->deployer[2]", "ServiceAccount web/ci@web deployer->deployer[3]",
                "Group system:serviceaccounts:web@web every-sa-in-web->view-services[0]"}));
  // The same name in another namespace is someone else.
  EXPECT_EQ(can({"ServiceAccount", "ci", "tools"}),
            (std::vector<std::string>{"Group system:authenticated@cluster metrics-for-all->metrics-reader[0]"}));
  // A User system:serviceaccount:NS:NAME subject is that service account.
  EXPECT_EQ(can({"ServiceAccount", "builder", "tools"}).size(), 5u);
  // who-can sees the group binding.
  EXPECT_EQ(who("get", "", "services", "", "web"),
            (std::vector<std::string>{kMasters, "Group system:serviceaccounts:web@web every-sa-in-web->view-services[0]",
                                      kMastersBound, kRoot}));
}

TEST_F(RbacModelTest, DanglingBindingGrantsNothing) {
  std::vector<uint32_t> dangling = model_->dangling();
  ASSERT_EQ(dangling.size(), 1u);
  EXPECT_EQ(model_->bindings()[dangling[0]].name, "ghost");
  EXPECT_EQ(model_->bindings()[dangling[0]].role_name, "does-not-exist");
  EXPECT_TRUE(can({"User", "bob", ""}).size() == 1u);  // only system:authenticated's /metrics
}

TEST_F(RbacModelTest, SystemMastersCanDoEverything) {
  Permissions p = model_->permissionsOf({"User", "carol", ""}, {"system:masters"});
  EXPECT_TRUE(p.masters);
  EXPECT_FALSE(model_->permissionsOf({"User", "carol", ""}, {"dev"}).masters);
  EXPECT_TRUE(model_->permissionsOf({"Group", "system:masters", ""}, {}).masters);
  // Always first in who-can, even for a request no rule grants.
  EXPECT_EQ(who("frobnicate", "example.com", "widgets"), (std::vector<std::string>{kMasters, kMastersBound, kRoot}));
  ObjectSet empty = testing::loadText("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
  auto model = Model::build(empty);
  EXPECT_EQ(describe(*model, model->whoCan({"get", "", "pods", "", "", ""})), (std::vector<std::string>{kMasters}));
}

TEST(RbacSubjectTest, Parse) {
  Subject s;
  std::string error;
  ASSERT_TRUE(parseSubject("serviceaccount:web:ci", &s, &error));
  EXPECT_EQ(s, (Subject{"ServiceAccount", "ci", "web"}));
  ASSERT_TRUE(parseSubject("user:system:serviceaccount:web:ci", &s, &error));
  EXPECT_EQ(s, (Subject{"ServiceAccount", "ci", "web"}));
  ASSERT_TRUE(parseSubject("group:system:masters", &s, &error));
  EXPECT_EQ(s, (Subject{"Group", "system:masters", ""}));
  ASSERT_TRUE(parseSubject("user:alice", &s, &error));
  EXPECT_EQ(s.label(), "User alice");
  EXPECT_FALSE(parseSubject("serviceaccount:ci", &s, &error));
  EXPECT_FALSE(parseSubject("robot:x", &s, &error));
  EXPECT_FALSE(parseSubject("user:", &s, &error));
}

}  // namespace
}  // namespace kspm::rbac

namespace kspm::rbac {
namespace {

// whoCan through the index equals a scan of every binding and rule with the rule matcher.
TEST(RbacIndexTest, IndexedWhoCanEqualsAFullScan) {
  const char* verbs[] = {"get", "list", "create", "delete", "*"};
  const char* resources[] = {"pods", "pods/exec", "*/exec", "secrets", "*", "deployments", "deployments/scale"};
  const char* groups[] = {"", "apps", "*"};
  uint32_t seed = 7;
  auto next = [&](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  std::string yaml;
  for (int r = 0; r < 40; ++r) {
    bool cluster = r % 2 == 0;
    yaml += "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + std::string(cluster ? "ClusterRole" : "Role") +
            "\nmetadata: {name: r" + std::to_string(r) + (cluster ? "" : ", namespace: ns" + std::to_string(r % 3)) +
            "}\nrules:\n";
    for (uint32_t i = 0, n = 1 + next(3); i < n; ++i) {
      yaml += "- apiGroups: [\"" + std::string(groups[next(3)]) + "\"]\n  resources: [\"" + resources[next(7)] +
              "\", \"" + resources[next(7)] + "\"]\n  verbs: [\"" + verbs[next(5)] + "\", \"" + verbs[next(5)] + "\"]\n";
      if (next(4) == 0) yaml += "  resourceNames: [x]\n";
      if (next(8) == 0) yaml += "- nonResourceURLs: [\"/metrics\"]\n  verbs: [get]\n";
    }
  }
  for (int b = 0; b < 120; ++b) {
    bool cluster_binding = next(3) == 0;
    bool to_cluster_role = cluster_binding || next(2) == 0;
    uint32_t role = next(20) * 2 + (to_cluster_role ? 0 : 1);
    std::string ns = "ns" + std::to_string(cluster_binding ? 0 : (to_cluster_role ? next(3) : role % 3));
    yaml += "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " +
            std::string(cluster_binding ? "ClusterRoleBinding" : "RoleBinding") + "\nmetadata: {name: b" +
            std::to_string(b) + (cluster_binding ? "" : ", namespace: " + ns) + "}\nsubjects:\n" +
            "- {kind: ServiceAccount, name: sa" + std::to_string(next(10)) + ", namespace: ns0}\n" +
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: " + (to_cluster_role ? "ClusterRole" : "Role") +
            ", name: r" + std::to_string(role) + "}\n";
  }
  ObjectSet objects = testing::loadText(yaml);
  ASSERT_TRUE(objects.errors().empty());
  auto model = Model::build(objects);

  auto key = [](const Access& a) {
    return std::to_string(a.binding) + "/" + a.subject->label() + "/" + std::to_string(a.rule) +
           (a.named_only ? "n" : "");
  };
  int compared = 0, granted = 0;
  for (const char* verb : {"get", "list", "create", "delete", "deletecollection", "patch"}) {
    for (const char* group : {"", "apps"}) {
      for (const char* resource : {"pods", "secrets", "deployments"}) {
        for (const char* sub : {"", "exec", "scale"}) {
          for (const char* ns : {"", "ns1"}) {
            for (const char* name : {"", "x"}) {
              Request request{verb, group, resource, sub, ns, name};
              std::vector<std::string> indexed, scanned;
              for (const Access& a : model->whoCan(request)) {
                if (!a.masters) indexed.push_back(key(a));
              }
              std::string combined = std::string(resource) + (*sub ? "/" + std::string(sub) : "");
              bool carries_name = *sub || (std::string_view(verb) != "create" && std::string_view(verb) != "deletecollection");
              for (uint32_t b = 0; b < model->bindings().size(); ++b) {
                const Binding& binding = model->bindings()[b];
                if (binding.role < 0) continue;
                if (*ns && binding.kind == "RoleBinding" && binding.ns != ns) continue;
                const Role& role = model->roles()[binding.role];
                for (uint32_t i = 0; i < role.rules.size(); ++i) {
                  const Node& rule = *role.rules[i].rule;
                  bool named_only = false;
                  if (*name) {
                    checks::rbac::ResourceRequest r{verb, group, resource, sub, carries_name ? name : ""};
                    if (!checks::rbac::ruleAllows(rule, r)) continue;
                  } else {
                    auto grant = checks::rbac::ruleGrants(rule, verb, group, combined);
                    if (grant == checks::rbac::Grant::kNone) continue;
                    named_only = grant == checks::rbac::Grant::kNamed;
                  }
                  for (const Subject& s : binding.subjects) {
                    Access a;
                    a.subject = &s;
                    a.binding = static_cast<int32_t>(b);
                    a.rule = i;
                    a.named_only = named_only;
                    scanned.push_back(key(a));
                  }
                }
              }
              std::sort(indexed.begin(), indexed.end());
              std::sort(scanned.begin(), scanned.end());
              EXPECT_EQ(indexed, scanned) << verb << " " << combined << "." << group << " -n " << ns << " " << name;
              ++compared;
              granted += indexed.empty() ? 0 : 1;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 6 * 2 * 3 * 3 * 2 * 2);
  EXPECT_GT(granted, compared / 4);  // the generated input grants a fair share of the requests
}

}  // namespace
}  // namespace kspm::rbac

namespace kspm::rbac {
namespace {

TEST(RbacCanTest, RoleBindingRulesOnClusterScopedResourcesAreNotPermissions) {
  ObjectSet objects = testing::loadText(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mixed}
rules:
- {apiGroups: [""], resources: [nodes, persistentvolumes], verbs: [get]}
- {apiGroups: [""], resources: [pods, nodes], verbs: [list]}
- {apiGroups: [""], resources: [namespaces], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mixed}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mixed}
subjects: [{kind: User, name: bob}]
)");
  std::unique_ptr<Model> model = Model::build(objects);
  std::vector<uint32_t> alice, bob;
  for (const Access& a : model->permissionsOf({"User", "alice", ""}, {}).grants) alice.push_back(a.rule);
  for (const Access& a : model->permissionsOf({"User", "bob", ""}, {}).grants) bob.push_back(a.rule);
  // Rule 0 names only cluster-scoped resources: nothing through a RoleBinding. Rule 1 is mixed (pods
  // hold in shop) and rule 2 covers the binding's own Namespace: both stay.
  EXPECT_EQ(alice, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(bob, (std::vector<uint32_t>{0, 1, 2}));
}

}  // namespace
}  // namespace kspm::rbac
