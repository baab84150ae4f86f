// The risky-permission and dangling-object rbac-* checks of kspm scan: exact messages, paths and
// severities on small inputs (the fixtures only say whether a check fires).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "test_util.h"

namespace kspm {
namespace {

std::vector<Finding> run(std::string_view id, const std::string& yaml,
                         uint32_t k8s_minor = kDefaultK8sMinor) {
  const Check* check = Catalog::builtin().find(id);
  EXPECT_NE(check, nullptr) << id;
  if (check == nullptr) return {};
  ObjectSet set = testing::loadText(yaml);
  EXPECT_TRUE(set.errors().empty());
  ScanPolicy policy;
  policy.k8s_minor = k8s_minor;
  return testing::evaluateCheck(*check, set, policy);
}

constexpr std::string_view kSaBinding = R"(
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: ServiceAccount, name: app, namespace: web}]
)";

TEST(RbacRiskyChecksTest, PortForwardGetCountsBefore135Only) {
  std::string role = R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: db}
rules: [{apiGroups: [""], resources: [pods/portforward], verbs: [get]}]
)";
  EXPECT_TRUE(run("rbac-port-forward", role).empty());
  std::vector<Finding> old = run("rbac-port-forward", role, 34);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].message,
            "grants get on pods/portforward (enough for port-forward over WebSockets before Kubernetes "
            "1.35); not bound in the input");
  EXPECT_EQ(old[0].severity, Severity::kHigh);
}

TEST(RbacRiskyChecksTest, SecretsWriteNamedIsOneStepLower) {
  std::vector<Finding> f = run("rbac-secrets-write", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: web}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [create, patch]}
- {apiGroups: [""], resources: [secrets], resourceNames: [tls], verbs: [create, update]}
)");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].message, "grants create, patch on secrets; not bound in the input");
  EXPECT_EQ(f[0].severity, Severity::kMedium);
  EXPECT_EQ(f[0].path, "rules[0].resources");
  // create carries no name, so the named rule grants only update.
  EXPECT_EQ(f[1].message, "grants update on secrets named tls; not bound in the input");
  EXPECT_EQ(f[1].severity, Severity::kLow);
}

TEST(RbacRiskyChecksTest, EvictionIsMediumWithCordon) {
  std::string evict = R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
- {apiGroups: [""], resources: [pods/eviction], verbs: [create]}
)";
  std::vector<Finding> alone = run("rbac-eviction", evict + std::string(kSaBinding));
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].check->id, "rbac-eviction");
  EXPECT_EQ(alone[0].message, "grants create on pods/eviction; bound to ServiceAccount web/app");
  EXPECT_EQ(alone[0].severity, Severity::kLow);

  std::vector<Finding> cordon =
      run("rbac-eviction", evict + "- {apiGroups: [\"\"], resources: [nodes], verbs: [patch]}\n" +
                               std::string(kSaBinding));
  ASSERT_EQ(cordon.size(), 1u);
  EXPECT_EQ(cordon[0].message,
            "grants create on pods/eviction, and the role can cordon nodes (update or patch on nodes); "
            "bound to ServiceAccount web/app");
  EXPECT_EQ(cordon[0].severity, Severity::kMedium);

  // A Role cannot grant anything on nodes (cluster-scoped), so it cannot cordon.
  std::vector<Finding> in_role = run("rbac-eviction", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: web}
rules:
- {apiGroups: [""], resources: [pods/eviction, nodes], verbs: [create, patch]}
)");
  ASSERT_EQ(in_role.size(), 1u);
  EXPECT_EQ(in_role[0].message, "grants create on pods/eviction; not bound in the input");
  EXPECT_EQ(in_role[0].severity, Severity::kLow);
}

TEST(RbacRiskyChecksTest, StorageWriteLeavesPvCreateToItsCheck) {
  std::vector<Finding> f = run("rbac-storage-write", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
- {apiGroups: [""], resources: [persistentvolumes], verbs: [create]}
- {apiGroups: ["*"], resources: ["*"], verbs: [delete]}
)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].path, "rules[1].resources");
  EXPECT_EQ(f[0].message,
            "grants delete on persistentvolumes (through *) and delete on storageclasses (through *); "
            "not bound in the input");
}

TEST(RbacRiskyChecksTest, StatusWriteLeavesNodesToNodeWrite) {
  std::vector<Finding> f = run("rbac-status-write", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [nodes/status, pods/status, services/status], verbs: [update]}]
)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "grants update on pods/status, services/status; not bound in the input");
}

TEST(RbacRiskyChecksTest, AwsAuthWriteOnlyWhereItReachesKubeSystem) {
  std::string cluster_role = R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [patch]}]
)";
  // Unbound, or bound by a RoleBinding of another namespace: cannot be told to reach kube-system.
  EXPECT_TRUE(run("rbac-aws-auth-write", cluster_role).empty());
  std::string elsewhere = cluster_role + R"(---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: ServiceAccount, name: app}]
)";
  EXPECT_TRUE(run("rbac-aws-auth-write", elsewhere).empty());

  std::vector<Finding> f = run("rbac-aws-auth-write", cluster_role + std::string(kSaBinding));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "grants patch on configmaps, aws-auth of kube-system included; bound to ServiceAccount web/app");
  EXPECT_EQ(f[0].severity, Severity::kCritical);

  // Through a ClusterRole that aggregates it and is bound in kube-system.
  std::vector<Finding> aggregated = run("rbac-aws-auth-write", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r, labels: {team: ops}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {team: ops}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
subjects: [{kind: User, name: jane}]
)");
  ASSERT_EQ(aggregated.size(), 1u);
  EXPECT_EQ(aggregated[0].severity, Severity::kCritical);

  // Named aws-auth: the target itself, full severity; a name list without it is not reported.
  std::vector<Finding> named = run("rbac-aws-auth-write", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: kube-system}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [aws-auth], verbs: [update]}
- {apiGroups: [""], resources: [configmaps], resourceNames: [coredns], verbs: [update]}
)");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].message, "grants update on configmaps named aws-auth; not bound in the input");
  EXPECT_EQ(named[0].severity, Severity::kCritical);
}

TEST(RbacRiskyChecksTest, BindingMissingRole) {
  std::vector<Finding> f = run("rbac-binding-missing-role", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: web}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ok, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: typo, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: readers}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: elsewhere, namespace: db}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: readers}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cluster-role, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: custom}
subjects: [{kind: User, name: jane}]
)");
  // The Role in db is not judged (no Role of db in the input), nor the ClusterRole (none in the input).
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "refers to Role readers in namespace web, which is not in the input");
  EXPECT_EQ(f[0].path, "roleRef.name");
  EXPECT_EQ(f[0].line, 16u);
  EXPECT_EQ(f[0].severity, Severity::kLow);
}

TEST(RbacRiskyChecksTest, BindingMissingServiceAccount) {
  std::vector<Finding> f = run("rbac-binding-missing-service-account", R"(
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: app}
- {kind: ServiceAccount, name: ap}
- {kind: ServiceAccount, name: default}
- {kind: ServiceAccount, name: other, namespace: db}
)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "binds ServiceAccount web/ap, which is not in the input though namespace web defines service "
            "accounts");
  EXPECT_EQ(f[0].path, "subjects[1].name");
  EXPECT_EQ(f[0].field, "subjects[ServiceAccount web/ap].name");
}

}  // namespace
}  // namespace kspm
