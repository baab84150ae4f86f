// The bootstrap policy (BuildOptions::bootstrap) and cluster-scoped resources under RoleBindings.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/loader.h"
#include "kspm/rbac.h"
#include "test_util.h"

namespace kspm::rbac {
namespace {

ObjectSet load(const std::string& yaml) {
  ObjectSet set;
  set.addFile(std::make_unique<SourceFile>(SourceFile{"input.yaml", yaml}), LoadLimits{});
  return set;
}

// "subject via binding->role" per access; "subject masters" for the bypass; "@ns" for namespaced grants.
std::vector<std::string> describe(const Model& model, const std::vector<Access>& accesses) {
  std::vector<std::string> out;
  for (const Access& a : accesses) {
    std::string s = a.subject->label();
    if (a.masters) {
      s += " masters";
    } else {
      s += " via " + std::string(model.bindings()[a.binding].name) + "->" + std::string(model.roles()[a.role].name);
      if (!a.cluster_wide) s += "@" + std::string(a.ns);
    }
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> who(const Model& model, Request request) { return describe(model, model.whoCan(request)); }

const Role* findRole(const Model& model, std::string_view name) {
  for (const Role& r : model.roles()) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST(BootstrapPolicyTest, LoadsWithoutErrors) {
  ObjectSet set = load(std::string(bootstrapPolicyYaml()));
  EXPECT_TRUE(set.errors().empty());
  EXPECT_GT(set.objects().size(), 50u);
  ObjectSet empty;
  auto model = Model::build(empty, BuildOptions{true});
  EXPECT_TRUE(model->dangling().empty());
  const Role* admin = findRole(*model, "admin");
  ASSERT_NE(admin, nullptr);
  // admin aggregates edit (which aggregates view) and system:aggregate-to-admin.
  EXPECT_EQ(admin->aggregated, (std::vector<std::string_view>{"edit", "system:aggregate-to-admin"}));
}

TEST(BootstrapPolicyTest, PublicInfoViewerReachesUnauthenticated) {
  ObjectSet empty;
  auto without = Model::build(empty);
  Request healthz{"get", "", "/healthz", "", "", ""};
  EXPECT_EQ(who(*without, healthz), (std::vector<std::string>{"Group system:masters masters"}));
  auto model = Model::build(empty, BuildOptions{true});
  EXPECT_EQ(who(*model, healthz), (std::vector<std::string>{
                                       "Group system:masters masters",
                                       "Group system:masters via cluster-admin->cluster-admin",
                                       "Group system:authenticated via system:discovery->system:discovery",
                                       "Group system:authenticated via system:public-info-viewer->system:public-info-viewer",
                                       "Group system:unauthenticated via system:public-info-viewer->system:public-info-viewer",
                                       "Group system:monitoring via system:monitoring->system:monitoring",
                                   }));
  EXPECT_EQ(model->pathOf(*model->bindings()[0].object), kBootstrapSource);
}

TEST(BootstrapPolicyTest, BindingToViewIsNoLongerDanglingAndEditAggregatesInput) {
  ObjectSet input = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: readers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [create]}
)");
  ASSERT_TRUE(input.errors().empty());
  auto plain = Model::build(input);
  EXPECT_EQ(plain->dangling().size(), 2u);
  auto model = Model::build(input, BuildOptions{true});
  EXPECT_TRUE(model->dangling().empty());
  EXPECT_EQ(who(*model, {"list", "", "pods", "", "web", ""}),
            (std::vector<std::string>{"Group system:masters masters",
                                      "Group system:masters via cluster-admin->cluster-admin",
                                      "User system:kube-controller-manager via "
                                      "system:kube-controller-manager->system:kube-controller-manager",
                                      "User system:kube-scheduler via system:kube-scheduler->system:kube-scheduler",
                                      "ServiceAccount kube-system/generic-garbage-collector via "
                                      "system:controller:generic-garbage-collector->system:controller:generic-garbage-collector",
                                      "ServiceAccount kube-system/namespace-controller via "
                                      "system:controller:namespace-controller->system:controller:namespace-controller",
                                      "ServiceAccount kube-system/resourcequota-controller via "
                                      "system:controller:resourcequota-controller->system:controller:resourcequota-controller",
                                      "ServiceAccount kube-system/replicaset-controller via "
                                      "system:controller:replicaset-controller->system:controller:replicaset-controller",
                                      "ServiceAccount kube-system/daemon-set-controller via "
                                      "system:controller:daemon-set-controller->system:controller:daemon-set-controller",
                                      "ServiceAccount kube-system/job-controller via "
                                      "system:controller:job-controller->system:controller:job-controller",
                                      "ServiceAccount kube-system/statefulset-controller via "
                                      "system:controller:statefulset-controller->system:controller:statefulset-controller",
                                      "ServiceAccount kube-system/deployment-controller via "
                                      "system:controller:deployment-controller->system:controller:deployment-controller",
                                      "ServiceAccount kube-system/persistent-volume-binder via "
                                      "system:controller:persistent-volume-binder->system:controller:persistent-volume-binder",
                                      "ServiceAccount kube-system/attachdetach-controller via "
                                      "system:controller:attachdetach-controller->system:controller:attachdetach-controller",
                                      "ServiceAccount kube-system/cronjob-controller via "
                                      "system:controller:cronjob-controller->system:controller:cronjob-controller",
                                      "ServiceAccount kube-system/device-taint-eviction-controller via "
                                      "system:controller:device-taint-eviction-controller->system:controller:device-taint-eviction-controller",
                                      "ServiceAccount kube-system/endpoint-controller via "
                                      "system:controller:endpoint-controller->system:controller:endpoint-controller",
                                      "ServiceAccount kube-system/endpointslice-controller via "
                                      "system:controller:endpointslice-controller->system:controller:endpointslice-controller",
                                      "ServiceAccount kube-system/ephemeral-volume-controller via "
                                      "system:controller:ephemeral-volume-controller->system:controller:ephemeral-volume-controller",
                                      "ServiceAccount kube-system/horizontal-pod-autoscaler via "
                                      "system:controller:horizontal-pod-autoscaler->system:controller:horizontal-pod-autoscaler",
                                      "ServiceAccount kube-system/node-controller via "
                                      "system:controller:node-controller->system:controller:node-controller",
                                      "ServiceAccount kube-system/pod-garbage-collector via "
                                      "system:controller:pod-garbage-collector->system:controller:pod-garbage-collector",
                                      "ServiceAccount kube-system/pvc-protection-controller via "
                                      "system:controller:pvc-protection-controller->system:controller:pvc-protection-controller",
                                      "ServiceAccount kube-system/replication-controller via "
                                      "system:controller:replication-controller->system:controller:replication-controller",
                                      "ServiceAccount kube-system/resource-claim-controller via "
                                      "system:controller:resource-claim-controller->system:controller:resource-claim-controller",
                                      "ServiceAccount kube-system/selinux-warning-controller via "
                                      "system:controller:selinux-warning-controller->system:controller:selinux-warning-controller",
                                      "Group readers via readers->view@web", "User alice via editors->edit@web"}));
  // edit (and admin through it) aggregate the input's labelled role.
  std::vector<std::string> widgets = who(*model, {"create", "example.com", "widgets", "", "web", ""});
  EXPECT_EQ(widgets, (std::vector<std::string>{"Group system:masters masters",
                                               "Group system:masters via cluster-admin->cluster-admin",
                                               "User alice via editors->edit@web"}));
  const Role* admin = findRole(*model, "admin");
  ASSERT_NE(admin, nullptr);
  bool admin_has_widgets = false;
  for (const EffectiveRule& r : admin->rules) admin_has_widgets |= r.source_name == "widgets-edit";
  EXPECT_TRUE(admin_has_widgets);
}

TEST(BootstrapPolicyTest, EveryControllerRoleIsBoundToItsServiceAccount) {
  ObjectSet empty;
  auto model = Model::build(empty, BuildOptions{true});
  constexpr std::string_view kPrefix = "system:controller:";
  size_t controller_roles = 0;
  for (const Role& role : model->roles()) {
    if (!role.name.starts_with(kPrefix)) continue;
    ++controller_roles;
    EXPECT_FALSE(role.rules.empty()) << role.name;
    const Binding* binding = nullptr;
    for (const Binding& b : model->bindings()) {
      if (b.kind == "ClusterRoleBinding" && b.name == role.name) binding = &b;
    }
    ASSERT_NE(binding, nullptr) << role.name;
    EXPECT_EQ(binding->role_name, role.name);
    std::string controller(role.name.substr(kPrefix.size()));
    EXPECT_EQ(binding->subjects, (std::vector<Subject>{{"ServiceAccount", controller, "kube-system"}})) << role.name;
  }
  EXPECT_EQ(controller_roles, 38u);  // upstream controller-roles.yaml at commit 008b3652
}

TEST(BootstrapPolicyTest, ControllersThatDeletePodsOrTouchSecrets) {
  ObjectSet empty;
  auto model = Model::build(empty, BuildOptions{true});
  auto service_accounts = [&](Request request) {
    std::vector<std::string> out;
    for (const Access& a : model->whoCan(request)) {
      if (a.subject->kind == "ServiceAccount") out.push_back(a.subject->name);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(service_accounts({"delete", "", "pods", "", "web", ""}),
            (std::vector<std::string>{"cronjob-controller", "daemon-set-controller", "device-taint-eviction-controller",
                                      "generic-garbage-collector", "job-controller", "namespace-controller",
                                      "node-controller", "persistent-volume-binder", "pod-garbage-collector",
                                      "replicaset-controller", "replication-controller", "statefulset-controller"}));
  // Patching secrets: the generic garbage collector and the legacy service account token cleaner.
  EXPECT_EQ(service_accounts({"patch", "", "secrets", "", "kube-system", ""}),
            (std::vector<std::string>{"generic-garbage-collector", "legacy-service-account-token-cleaner"}));
  // The HPA updates every scale subresource (*/scale); the deployment controller's rule names deployments
  // only, which does not cover the subresource.
  EXPECT_EQ(service_accounts({"update", "apps", "deployments", "scale", "web", ""}),
            (std::vector<std::string>{"generic-garbage-collector", "horizontal-pod-autoscaler"}));
}

TEST(BootstrapPolicyTest, InputObjectReplacesBootstrapOne) {
  ObjectSet input = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:public-info-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:public-info-viewer}
subjects: [{kind: Group, name: system:authenticated}]
)");
  auto model = Model::build(input, BuildOptions{true});
  std::vector<std::string> answer = who(*model, {"get", "", "/version", "", "", ""});
  EXPECT_EQ(answer, (std::vector<std::string>{
                        "Group system:masters masters", "Group system:masters via cluster-admin->cluster-admin",
                        "Group system:authenticated via system:discovery->system:discovery",
                        "Group system:authenticated via system:public-info-viewer->system:public-info-viewer"}));
  int count = 0;
  for (const Binding& b : model->bindings()) {
    if (b.name == "system:public-info-viewer") {
      ++count;
      EXPECT_FALSE(model->isBootstrap(*b.object));
      EXPECT_EQ(model->pathOf(*b.object), "input.yaml");
    }
  }
  EXPECT_EQ(count, 1);
}

TEST(ClusterScopedResourceTest, KnownResources) {
  EXPECT_TRUE(isClusterScopedResource("", "nodes"));
  EXPECT_TRUE(isClusterScopedResource("", "nodes/proxy"));
  EXPECT_TRUE(isClusterScopedResource("", "persistentvolumes"));
  EXPECT_TRUE(isClusterScopedResource("rbac.authorization.k8s.io", "clusterroles"));
  EXPECT_TRUE(isClusterScopedResource("storage.k8s.io", "storageclasses"));
  EXPECT_FALSE(isClusterScopedResource("", "pods"));
  EXPECT_FALSE(isClusterScopedResource("rbac.authorization.k8s.io", "roles"));
  EXPECT_FALSE(isClusterScopedResource("example.com", "nodes"));
}

TEST(ClusterScopedResourceTest, RoleBindingDoesNotGrantClusterScopedResources) {
  ObjectSet input = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local-admin, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: global-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: User, name: root}]
)");
  auto model = Model::build(input);
  const std::vector<std::string> only_root = {"Group system:masters masters", "User root via global-admin->everything"};
  EXPECT_EQ(who(*model, {"get", "", "nodes", "", "", ""}), only_root);
  EXPECT_EQ(who(*model, {"get", "", "nodes", "proxy", "web", ""}), only_root);
  EXPECT_EQ(who(*model, {"create", "", "persistentvolumes", "", "web", ""}), only_root);
  EXPECT_EQ(who(*model, {"bind", "rbac.authorization.k8s.io", "clusterroles", "", "", ""}), only_root);
  EXPECT_EQ(who(*model, {"list", "", "namespaces", "", "", ""}), only_root);
  // Namespaced resources: both.
  const std::vector<std::string> both = {"Group system:masters masters", "User alice via local-admin->everything@web",
                                         "User root via global-admin->everything"};
  std::vector<std::string> pods = who(*model, {"get", "", "pods", "", "web", ""});
  std::sort(pods.begin() + 1, pods.end());
  EXPECT_EQ(pods, both);
  // A RoleBinding lets get/update/delete its own Namespace object (namespaces/web is a request in web).
  std::vector<std::string> own = who(*model, {"delete", "", "namespaces", "", "", "web"});
  std::sort(own.begin() + 1, own.end());
  EXPECT_EQ(own, both);
  EXPECT_EQ(who(*model, {"delete", "", "namespaces", "", "", "other"}), only_root);
}

TEST(BootstrapPolicyCliTest, FlagAddsThePolicy) {
  std::string input = "'" + std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/node_pods.yaml'";
  auto plain = testing::run(testing::kspm() + " rbac who-can get /healthz " + input);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out.find("system:unauthenticated"), std::string::npos) << plain.out;
  auto with = testing::run(testing::kspm() + " rbac who-can get /healthz --bootstrap-rbac -o json " + input);
  EXPECT_EQ(with.exit_code, 0);
  EXPECT_NE(with.out.find(R"({"subject":{"kind":"Group","name":"system:unauthenticated"},"evidence":[{"via":"rbac",)"
                          R"("scope":"cluster","binding":{"kind":"ClusterRoleBinding","name":"system:public-info-viewer"},)"
                          R"("binding_file":"<kubernetes bootstrap policy>")"),
            std::string::npos)
      << with.out;
  auto can = testing::run(testing::kspm() + " rbac can user:system:kube-scheduler --bootstrap-rbac " + input);
  EXPECT_EQ(can.exit_code, 0);
  EXPECT_NE(can.out.find("system:volume-scheduler"), std::string::npos) << can.out;
}

}  // namespace
}  // namespace kspm::rbac
