// rbac-aws-auth-write: a Role/ClusterRole rule that lets its subjects update or patch the EKS
// kube-system/aws-auth ConfigMap, which maps IAM roles and users to Kubernetes users and groups
// (system:masters included).
//
// A rule counts when it grants update or patch on configmaps named aws-auth, or on every configmap,
// and it applies in kube-system: a Role of kube-system; a ClusterRole whose rule names aws-auth; a
// ClusterRole bound by a ClusterRoleBinding or a RoleBinding of kube-system (directly or through a
// ClusterRole of the input aggregating it); a ClusterRole whose rule names aws-auth and that the
// input does not bind at all. A ClusterRole the input binds only in other namespaces is not
// reported, nor one granting every configmap that the input does not bind: it cannot be told to
// reach kube-system.
#include <algorithm>

#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"
#include "kspm/engine.h"
#include "kspm/object_index.h"

namespace kspm::checks::rbac {
namespace {

constexpr std::string_view kAwsAuthName = "aws-auth";
constexpr std::string_view kKubeSystem = "kube-system";

// True when a ClusterRoleBinding, or a RoleBinding of kube-system, names ClusterRole `name`.
bool boundInKubeSystem(const ObjectIndex& index, std::string_view name, const EvalContext& context) {
  for (const Object* binding : index.bindingsTo("ClusterRole", {}, name)) {
    if (binding->kind == "ClusterRoleBinding" || namespaceFor(*binding, context) == kKubeSystem) return true;
  }
  return false;
}

class AwsAuthWriteCheck final : public RoleGrantCheck {
 public:
  AwsAuthWriteCheck()
      : RoleGrantCheck({
            .id = "rbac-aws-auth-write",
            .title = "Role can modify the EKS aws-auth ConfigMap",
            .severity = Severity::kCritical,
            .description =
                "On EKS, kube-system/aws-auth maps IAM roles and users to Kubernetes identities: whoever can "
                "update or patch it can map an IAM identity they control into system:masters and become "
                "cluster administrator, outside of RBAC.",
            .remediation = "Remove update and patch on configmaps in kube-system from roles that do not "
                           "manage cluster access; on EKS, move to access entries and manage them through "
                           "IAM.",
            .controls = {{"nsa", "rbac"}},
            .reads = {"ClusterRoleBinding", "RoleBinding"},
        }) {}

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext& context,
             RuleMatch* out) const override {
    if (!matchGrants(rule, {"update", "patch"}, {{"", "configmaps"}}, out)) return false;
    bool names_aws_auth = ruleListHas(rule, "resourceNames", kAwsAuthName);
    if (out->named_only && !names_aws_auth) return false;
    if (role.kind == "Role") {
      if (namespaceFor(role, context) != kKubeSystem) return false;
    } else if (!reachesKubeSystem(role, context) &&
               (!names_aws_auth || context.scan == nullptr || roleSubjects(role, context).bound)) {
      return false;
    }
    // Named aws-auth is the target itself, not a narrowing of it.
    out->named_only = false;
    if (!names_aws_auth) out->what += ", aws-auth of kube-system included";
    return true;
  }

 private:
  static bool reachesKubeSystem(const Object& role, const EvalContext& context) {
    if (context.scan == nullptr) return false;
    const ObjectIndex& index = context.scan->index;
    if (boundInKubeSystem(index, role.name, context)) return true;
    RoleSubjects subjects = roleSubjects(role, context);
    return std::any_of(subjects.aggregators.begin(), subjects.aggregators.end(),
                       [&](std::string_view name) { return boundInKubeSystem(index, name, context); });
  }
};

}  // namespace

std::unique_ptr<Check> makeAwsAuthWriteCheck() { return std::make_unique<AwsAuthWriteCheck>(); }

}  // namespace kspm::checks::rbac
