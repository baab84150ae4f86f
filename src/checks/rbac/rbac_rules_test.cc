// The RBAC rule matcher (against upstream's evaluation_helpers semantics), subject classification,
// who is bound to a role, and the per-finding severities of the rbac-* checks that follow from it.
#include "checks/rbac/rbac_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "test_util.h"

namespace kspm::checks::rbac {
namespace {

// One rule, loaded from YAML (flow style keeps the tests short).
class Rule {
 public:
  explicit Rule(const std::string& yaml)
      : set_(testing::loadText("apiVersion: v1\nkind: X\nmetadata: {name: r}\nrule: " + yaml + "\n")) {}
  const Node& node() const { return *set_.objects().at(0).root->get("rule"); }

 private:
  ObjectSet set_;
};

bool allows(const std::string& rule, std::string_view verb, std::string_view group, std::string_view resource,
            std::string_view subresource = {}, std::string_view name = {}) {
  Rule r(rule);
  return ruleAllows(r.node(), {verb, group, resource, subresource, name});
}

Grant grants(const std::string& rule, std::string_view verb, std::string_view group,
             std::string_view resource) {
  Rule r(rule);
  return ruleGrants(r.node(), verb, group, resource);
}

TEST(RbacRulesTest, VerbsMatchExactlyOrByStar) {
  EXPECT_TRUE(allows(R"({apiGroups: [""], resources: [pods], verbs: [get, list]})", "list", "", "pods"));
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods], verbs: [get, list]})", "watch", "", "pods"));
  EXPECT_TRUE(allows(R"({apiGroups: [""], resources: [pods], verbs: ["*"]})", "escalate", "", "pods"));
  EXPECT_FALSE(
      allows(R"({apiGroups: [""], resources: [pods], verbs: [Get]})", "get", "", "pods"));  // case matters
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods], verbs: []})", "get", "", "pods"));
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods]})", "get", "", "pods"));
}

TEST(RbacRulesTest, ApiGroupsCoreIsTheEmptyString) {
  const std::string core = R"({apiGroups: [""], resources: [deployments, pods], verbs: [get]})";
  const std::string apps = R"({apiGroups: [apps], resources: [deployments, pods], verbs: [get]})";
  EXPECT_TRUE(allows(core, "get", "", "pods"));
  EXPECT_FALSE(allows(core, "get", "apps", "deployments"));
  EXPECT_TRUE(allows(apps, "get", "apps", "deployments"));
  EXPECT_FALSE(allows(apps, "get", "", "pods"));
  EXPECT_TRUE(allows(R"({apiGroups: ["*"], resources: [pods], verbs: [get]})", "get", "", "pods"));
  EXPECT_TRUE(allows(R"({apiGroups: ["*"], resources: [pods], verbs: [get]})", "get", "example.com", "pods"));
  EXPECT_FALSE(allows(R"({resources: [pods], verbs: [get]})", "get", "", "pods"));  // no apiGroups: nothing
}

TEST(RbacRulesTest, ResourcesAndSubresources) {
  const std::string pods = R"({apiGroups: [""], resources: [pods], verbs: [create]})";
  EXPECT_TRUE(allows(pods, "create", "", "pods"));
  EXPECT_FALSE(allows(pods, "create", "", "pods", "exec"));  // pods does not cover pods/exec
  const std::string exec = R"({apiGroups: [""], resources: [pods/exec], verbs: [create]})";
  EXPECT_TRUE(allows(exec, "create", "", "pods", "exec"));
  EXPECT_FALSE(allows(exec, "create", "", "pods"));
  const std::string any_exec = R"({apiGroups: [""], resources: ["*/exec"], verbs: [create]})";
  EXPECT_TRUE(allows(any_exec, "create", "", "pods", "exec"));
  EXPECT_FALSE(allows(any_exec, "create", "", "pods"));
  EXPECT_FALSE(allows(any_exec, "create", "", "pods", "attach"));
  EXPECT_FALSE(allows(any_exec, "create", "", "pods", "xexec"));
  // `*` covers subresources; `pods/*` and `*/*` only the literal subresource "*".
  EXPECT_TRUE(
      allows(R"({apiGroups: [""], resources: ["*"], verbs: [create]})", "create", "", "pods", "exec"));
  EXPECT_FALSE(
      allows(R"({apiGroups: [""], resources: ["pods/*"], verbs: [create]})", "create", "", "pods", "exec"));
  EXPECT_FALSE(
      allows(R"({apiGroups: [""], resources: ["*/*"], verbs: [create]})", "create", "", "pods", "exec"));
  Rule rule(R"({apiGroups: [""], resources: ["*/status"], verbs: [update]})");
  EXPECT_TRUE(resourceMatches(rule.node(), "nodes/status", "status"));
  EXPECT_FALSE(resourceMatches(rule.node(), "nodes", ""));
}

TEST(RbacRulesTest, ResourceNames) {
  const std::string named =
      R"({apiGroups: [""], resources: [secrets], resourceNames: [tls, db], verbs: [get]})";
  EXPECT_TRUE(allows(named, "get", "", "secrets", "", "db"));
  EXPECT_FALSE(allows(named, "get", "", "secrets", "", "other"));
  EXPECT_FALSE(allows(named, "get", "", "secrets", "", ""));  // list without a name
  EXPECT_TRUE(allows(R"({apiGroups: [""], resources: [secrets], resourceNames: [], verbs: [get]})", "get", "",
                     "secrets", "", "anything"));

  EXPECT_EQ(grants(R"({apiGroups: [""], resources: [secrets], verbs: [get]})", "get", "", "secrets"),
            Grant::kAll);
  EXPECT_EQ(grants(named, "get", "", "secrets"), Grant::kNamed);
  EXPECT_EQ(grants(named, "list", "", "secrets"), Grant::kNone);  // verb not granted
  // create and deletecollection carry no name: resourceNames cannot allow them.
  EXPECT_EQ(grants(R"({apiGroups: [""], resources: [pods], resourceNames: [a], verbs: [create]})", "create",
                   "", "pods"),
            Grant::kNone);
  EXPECT_EQ(grants(R"({apiGroups: [""], resources: [pods], resourceNames: [a], verbs: ["*"]})",
                   "deletecollection", "", "pods"),
            Grant::kNone);
  // A subresource request names its object, so create on pods/exec can be limited by name.
  EXPECT_EQ(grants(R"({apiGroups: [""], resources: [pods/exec], resourceNames: [a], verbs: [create]})",
                   "create", "", "pods/exec"),
            Grant::kNamed);
  EXPECT_EQ(grants(R"({apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]})", "create", "",
                   "serviceaccounts/token"),
            Grant::kAll);
}

TEST(RbacRulesTest, NonResourceUrls) {
  Rule rule(R"({nonResourceURLs: [/healthz, "/api/*", "/openapi*"], verbs: [get]})");
  EXPECT_TRUE(ruleAllowsNonResource(rule.node(), "get", "/healthz"));
  EXPECT_FALSE(ruleAllowsNonResource(rule.node(), "get", "/healthz/etcd"));
  EXPECT_TRUE(ruleAllowsNonResource(rule.node(), "get", "/api/v1"));
  EXPECT_TRUE(ruleAllowsNonResource(rule.node(), "get", "/api/"));
  EXPECT_FALSE(ruleAllowsNonResource(rule.node(), "get", "/api"));
  EXPECT_TRUE(ruleAllowsNonResource(rule.node(), "get", "/openapi/v3"));
  EXPECT_FALSE(ruleAllowsNonResource(rule.node(), "post", "/healthz"));
  Rule all(R"({nonResourceURLs: ["*"], verbs: ["*"]})");
  EXPECT_TRUE(ruleAllowsNonResource(all.node(), "get", "/debug/pprof/profile"));
  // A resource rule says nothing about URLs and the other way round.
  Rule resources(R"({apiGroups: ["*"], resources: ["*"], verbs: ["*"]})");
  EXPECT_FALSE(ruleAllowsNonResource(resources.node(), "get", "/metrics"));
  EXPECT_FALSE(ruleAllows(all.node(), {"get", "", "pods", "", ""}));
}

TEST(RbacRulesTest, MalformedRulesGrantNothing) {
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods], verbs: get})", "get", "", "pods"));
  EXPECT_FALSE(allows(R"({apiGroups: "", resources: [pods], verbs: [get]})", "get", "", "pods"));
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods], verbs: [get, 3]})", "get", "", "pods"));
  EXPECT_FALSE(allows(R"({apiGroups: [""], resources: [pods], resourceNames: a, verbs: [get]})", "get", "",
                      "pods", "", "a"));
  EXPECT_EQ(grants(R"([get, pods])", "get", "", "pods"), Grant::kNone);
  EXPECT_TRUE(allows(R"({apiGroups: [""], resources: [pods], resourceNames: null, verbs: [get]})", "get", "",
                     "pods"));
}

TEST(RbacRulesTest, SubjectClasses) {
  EXPECT_EQ(classifySubject("Group", "system:authenticated", ""), SubjectClass::kBroad);
  EXPECT_EQ(classifySubject("Group", "system:unauthenticated", ""), SubjectClass::kBroad);
  EXPECT_EQ(classifySubject("Group", "system:serviceaccounts", ""), SubjectClass::kBroad);
  EXPECT_EQ(classifySubject("Group", "system:serviceaccounts:web", ""), SubjectClass::kBroad);
  EXPECT_EQ(classifySubject("User", "system:anonymous", ""), SubjectClass::kBroad);
  EXPECT_EQ(classifySubject("Group", "system:anonymous", ""),
            SubjectClass::kSystem);  // the user, not a group
  EXPECT_EQ(classifySubject("User", "system:authenticated", ""), SubjectClass::kSystem);

  EXPECT_EQ(classifySubject("User", "system:kube-controller-manager", ""), SubjectClass::kSystem);
  EXPECT_EQ(classifySubject("Group", "system:nodes", ""), SubjectClass::kSystem);
  EXPECT_EQ(classifySubject("Group", "system:masters", ""), SubjectClass::kSystem);
  EXPECT_EQ(classifySubject("ServiceAccount", "coredns", "kube-system"), SubjectClass::kSystem);
  EXPECT_EQ(classifySubject("User", "system:serviceaccount:kube-system:kube-proxy", ""),
            SubjectClass::kSystem);

  EXPECT_EQ(classifySubject("ServiceAccount", "prometheus-k8s", "monitoring"), SubjectClass::kOrdinary);
  EXPECT_EQ(classifySubject("User", "system:serviceaccount:web:deployer", ""), SubjectClass::kOrdinary);
  EXPECT_EQ(classifySubject("User", "jane@example.com", ""), SubjectClass::kOrdinary);
  EXPECT_EQ(classifySubject("Group", "kubeadm:cluster-admins", ""), SubjectClass::kSystem);
  EXPECT_EQ(classifySubject("User", "kubeadm:cluster-admins", ""), SubjectClass::kOrdinary);
  EXPECT_EQ(classifySubject("ServiceAccount", "kube-proxy", ""),
            SubjectClass::kOrdinary);  // namespace unknown

  EXPECT_TRUE(isUnauthenticatedSubject("Group", "system:unauthenticated"));
  EXPECT_TRUE(isUnauthenticatedSubject("User", "system:anonymous"));
  EXPECT_FALSE(isUnauthenticatedSubject("Group", "system:authenticated"));
}

TEST(RbacRulesTest, JoinNames) {
  EXPECT_EQ(joinNames({}), "");
  EXPECT_EQ(joinNames({"a"}), "a");
  EXPECT_EQ(joinNames({"a", "b"}), "a and b");
  EXPECT_EQ(joinNames({"a", "b", "c"}), "a, b and c");
  EXPECT_EQ(joinNames({"a", "b", "c", "d", "e"}), "a, b, c, and 2 more");
}

// Who is bound to which role, over a small input.
class RoleSubjectsTest : public ::testing::Test {
 protected:
  void load(const std::string& yaml) {
    set_ = testing::loadText(yaml);
    ASSERT_TRUE(set_.errors().empty());
    context_ = buildScanContext(Catalog::builtin(), set_);
    eval_.objects = &set_;
    eval_.scan = &context_;
  }
  const Object& object(std::string_view kind, std::string_view name) const {
    for (const Object& o : set_.objects()) {
      if (o.kind == kind && o.name == name) return o;
    }
    ADD_FAILURE() << "no " << kind << " " << name;
    return set_.objects().front();
  }
  std::vector<std::string> labels(const RoleSubjects& s) const {
    std::vector<std::string> out;
    for (const SubjectRef& r : s.subjects) out.push_back(r.label());
    return out;
  }
  GrantVerdict verdict(std::string_view kind, std::string_view name, bool named_only = false) const {
    const Object& role = object(kind, name);
    return grantVerdict(role, roleSubjects(role, eval_), Severity::kHigh, named_only);
  }

  ObjectSet set_;
  ScanContext context_;
  EvalContext eval_;
};

constexpr const char* kBindings = R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader-global}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: agent, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-web, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: app}
- {kind: ServiceAccount, name: agent, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: local, namespace: web}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local, namespace: other}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wrong-kind}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
subjects: [{kind: User, name: mallory}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: controller-only}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller-only}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller-only}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:kube-controller-manager}
- {kind: ServiceAccount, name: nowhere}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: public}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: public}
subjects:
- {kind: ServiceAccount, name: agent, namespace: kube-system}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:authenticated}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:controller:thing"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: lonely}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: edit
  labels: {kubernetes.io/bootstrapping: rbac-defaults, rbac.authorization.k8s.io/aggregate-to-admin: "true"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}]
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
)";

TEST_F(RoleSubjectsTest, BindingsByRoleRef) {
  load(kBindings);
  RoleSubjects reader = roleSubjects(object("ClusterRole", "reader"), eval_);
  EXPECT_TRUE(reader.bound);
  // The RoleBinding's service account without a namespace is in the binding's; duplicates merge.
  EXPECT_EQ(labels(reader),
            (std::vector<std::string>{"ServiceAccount kube-system/agent", "ServiceAccount web/app"}));

  // A Role is named only by RoleBindings of its own namespace, never by a ClusterRoleBinding.
  RoleSubjects local = roleSubjects(object("Role", "local"), eval_);
  EXPECT_FALSE(local.bound);
  EXPECT_TRUE(local.subjects.empty());

  // A ClusterRoleBinding's service account without a namespace matches no one.
  EXPECT_EQ(labels(roleSubjects(object("ClusterRole", "controller-only"), eval_)),
            (std::vector<std::string>{"User system:kube-controller-manager"}));
}

TEST_F(RoleSubjectsTest, SeverityFollowsTheSubjects) {
  load(kBindings);
  GrantVerdict reader = verdict("ClusterRole", "reader");
  EXPECT_EQ(reader.severity, Severity::kHigh);
  EXPECT_EQ(reader.to_whom, "; bound to ServiceAccount web/app");

  GrantVerdict controller = verdict("ClusterRole", "controller-only");
  EXPECT_EQ(controller.severity, Severity::kLow);
  EXPECT_EQ(controller.to_whom,
            "; bound only to User system:kube-controller-manager (reported apart: needed by Kubernetes)");

  GrantVerdict pub = verdict("ClusterRole", "public");
  EXPECT_EQ(pub.severity, Severity::kCritical);
  EXPECT_EQ(pub.to_whom, "; bound to Group system:authenticated (every authenticated user)");

  GrantVerdict system_role = verdict("ClusterRole", "system:controller:thing");
  EXPECT_EQ(system_role.severity, Severity::kLow);
  EXPECT_EQ(system_role.to_whom, "; a system: role (reported apart: needed by Kubernetes)");

  // The default roles of a cluster dump (aggregated, rules filled in) are Kubernetes' own too.
  GrantVerdict edit = verdict("ClusterRole", "edit");
  EXPECT_EQ(edit.severity, Severity::kLow);
  EXPECT_EQ(edit.to_whom, "; a Kubernetes default role (reported apart: needed by Kubernetes)");

  GrantVerdict lonely = verdict("ClusterRole", "lonely");
  EXPECT_EQ(lonely.severity, Severity::kHigh);
  EXPECT_EQ(lonely.to_whom, "; not bound in the input");
  EXPECT_EQ(verdict("ClusterRole", "lonely", /*named_only=*/true).severity, Severity::kMedium);
  EXPECT_EQ(verdict("ClusterRole", "public", /*named_only=*/true).severity, Severity::kCritical);
}

TEST_F(RoleSubjectsTest, Aggregation) {
  load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels: {rbac.example.com/aggregate-to-platform: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: platform
  labels: {rbac.example.com/aggregate-to-top: "true"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-platform: "true"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-top: "true"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: top}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: platform-team}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
)");
  RoleSubjects edit = roleSubjects(object("ClusterRole", "widgets-edit"), eval_);
  EXPECT_EQ(edit.aggregators, (std::vector<std::string_view>{"platform", "top"}));
  EXPECT_EQ(labels(edit), (std::vector<std::string>{"Group platform-team"}));
  GrantVerdict v = verdict("ClusterRole", "widgets-edit");
  EXPECT_EQ(v.severity, Severity::kHigh);
  EXPECT_EQ(v.to_whom, "; bound to Group platform-team through aggregation into platform and top");

  RoleSubjects view = roleSubjects(object("ClusterRole", "widgets-view"), eval_);
  EXPECT_EQ(view.builtin_aggregators, (std::vector<std::string_view>{"edit", "view"}));
  GrantVerdict builtin = verdict("ClusterRole", "widgets-view");
  EXPECT_EQ(builtin.severity, Severity::kHigh);
  EXPECT_EQ(builtin.to_whom,
            "; aggregated into the built-in edit and view ClusterRoles, held by whoever is bound to those");
}

// Per-finding severities of the checks, from the subjects.
std::vector<Finding> run(std::string_view id, const std::string& yaml) {
  const Check* check = Catalog::builtin().find(id);
  EXPECT_NE(check, nullptr) << id;
  if (check == nullptr) return {};
  ObjectSet set = testing::loadText(yaml);
  EXPECT_TRUE(set.errors().empty());
  return testing::evaluateCheck(*check, set);
}

TEST(RbacCheckSeverityTest, RoleGrantFindingsNameTheSubjects) {
  std::vector<Finding> f = run("rbac-secrets-access", std::string(kBindings));
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].message, "grants get on secrets; bound to ServiceAccount web/app");
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  EXPECT_EQ(f[0].path, "rules[0].resources");
  EXPECT_EQ(f[1].message, "grants get on secrets; not bound in the input");  // Role local
  EXPECT_EQ(f[2].severity, Severity::kLow);                                  // controller-only
  EXPECT_EQ(f[3].severity, Severity::kLow);                                  // system:controller:thing
  EXPECT_EQ(f[4].severity, Severity::kHigh);                                 // lonely
  EXPECT_EQ(f[5].severity, Severity::kLow);                                  // edit

  std::vector<Finding> wildcard = run("rbac-pod-exec", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
)");
  ASSERT_EQ(wildcard.size(), 1u);
  EXPECT_EQ(wildcard[0].message,
            "grants create on pods/exec, pods/attach (through *); not bound in the input");

  std::vector<Finding> named = run("rbac-secrets-access", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: own-secret, namespace: web}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [web-tls], verbs: [get, list]}]
)");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].message, "grants get, list on secrets named web-tls; not bound in the input");
  EXPECT_EQ(named[0].severity, Severity::kMedium);
}

TEST(RbacCheckSeverityTest, ClusterAdminBindings) {
  std::vector<Finding> f = run("rbac-cluster-admin-binding", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "kubeadm:cluster-admins"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "kubeadm:cluster-admins"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: oops, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:web"}]
)");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].severity, Severity::kLow);
  EXPECT_EQ(f[0].message,
            "binds cluster-admin to Group system:masters (reported apart: needed by Kubernetes)");
  EXPECT_EQ(f[0].path, "roleRef.name");
  EXPECT_EQ(f[1].severity, Severity::kLow);
  EXPECT_EQ(f[2].severity, Severity::kCritical);
  EXPECT_EQ(
      f[2].message,
      "binds cluster-admin in namespace web to Group system:serviceaccounts:web (every service account of "
      "namespace web)");
}

TEST(RbacCheckSeverityTest, BroadGroupBindings) {
  std::vector<Finding> f = run("rbac-broad-group-binding", R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:discovery"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:discovery"}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "kubeadm:bootstrap-signer-clusterinfo"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
rules: [{apiGroups: [""], resources: [configmaps], resourceNames: [cluster-info], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sa-edit}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts"}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
)");
  ASSERT_EQ(f.size(), 4u);
  // system:discovery to system:authenticated is Kubernetes' own; to system:unauthenticated it is not
  // (removed in 1.14), but the role grants only discovery.
  EXPECT_EQ(f[0].severity, Severity::kLow);
  EXPECT_EQ(f[0].path, "subjects[1]");
  EXPECT_EQ(f[1].severity, Severity::kLow);  // kubeadm's cluster-info
  EXPECT_EQ(f[2].severity, Severity::kHigh);
  EXPECT_EQ(f[2].message,
            "binds ClusterRole edit to Group system:serviceaccounts (every service account); the role is not "
            "in the "
            "input");
  EXPECT_EQ(f[3].severity, Severity::kCritical);
}

TEST(RbacCheckSeverityTest, TokenAutomountPrecedence) {
  std::vector<Finding> f = run("sa-token-automount", R"(
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: web}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: web}
spec:
  serviceAccountName: web
  automountServiceAccountToken: true
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: web}
spec:
  serviceAccountName: web
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: other}
spec:
  serviceAccountName: web
  containers: [{name: c, image: nginx}]
)");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].message,
            "automountServiceAccountToken: true mounts the token of service account web although its "
            "ServiceAccount "
            "sets false (the pod's value takes precedence)");
  EXPECT_EQ(f[0].path, "spec.automountServiceAccountToken");
  EXPECT_EQ(f[1].message,
            "the token of service account web is mounted unless its ServiceAccount, which is not in the "
            "input, sets "
            "automountServiceAccountToken: false (the pod's own value would take precedence)");
}

}  // namespace
}  // namespace kspm::checks::rbac
