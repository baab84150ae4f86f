// rbac-binding-missing-role: a RoleBinding or ClusterRoleBinding whose roleRef names a Role or
// ClusterRole that is not in the input.
//
// Judged only when the input defines roles of that kind where the role would be (a ClusterRole
// anywhere; a Role in the binding's namespace): otherwise the input is not where roles are kept. The
// roles every cluster has (Kubernetes' bootstrap roles) are never missing.
#include <string>

#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/engine.h"
#include "kspm/object_index.h"

namespace kspm::checks::rbac {
namespace {

// Roles the API server creates at startup (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): the
// ClusterRoles cluster-admin, admin, edit, view and system:*; the Roles of kube-system and
// kube-public, all system:* except extension-apiserver-authentication-reader.
bool isBootstrapRole(std::string_view kind, std::string_view name, std::string_view ns) {
  if (name.starts_with("system:")) return true;
  if (kind == "ClusterRole") {
    return name == "cluster-admin" || name == "admin" || name == "edit" || name == "view";
  }
  return ns == "kube-system" && name == "extension-apiserver-authentication-reader";
}

// True when `roles` holds a Role/ClusterRole of the RBAC API group.
bool anyRole(const std::vector<const Object*>& roles) {
  for (const Object* role : roles) {
    if (isRole(*role)) return true;
  }
  return false;
}

class BindingMissingRoleCheck final : public Check {
 public:
  BindingMissingRoleCheck()
      : info_({
            .id = "rbac-binding-missing-role",
            .title = "Binding refers to a role not in the input",
            .severity = Severity::kLow,
            .description =
                "A binding to a missing role grants nothing today, but grants whatever a role of that name "
                "grants once someone creates it: a typo or a leftover that turns into a grant later. Only "
                "judged when the input defines roles of that kind (in that namespace for a Role); "
                "Kubernetes' bootstrap roles are taken to exist.",
            .remediation = "Add the missing role to the manifests, fix the name in roleRef, or delete the "
                           "binding if the role was removed on purpose.",
            .controls = {{"nsa", "rbac"}},
            .scope = Scope::kKinds,
            .kinds = {"ClusterRoleBinding", "RoleBinding"},
            .reads = {"ClusterRole", "Role"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.scan == nullptr || !isBinding(object)) return;
    RoleRef ref;
    if (!roleRefOf(object, &ref) || ref.name.empty()) return;
    std::string_view role_namespace = ref.kind == "Role" ? namespaceFor(object, context) : std::string_view();
    if (isBootstrapRole(ref.kind, ref.name, role_namespace)) return;
    const ObjectIndex& index = context.scan->index;
    const std::vector<const Object*>& candidates =
        ref.kind == "Role" ? index.ofKindIn("Role", role_namespace) : index.ofKind("ClusterRole");
    if (!anyRole(candidates)) return;  // the input does not hold roles of this kind here
    const Object* role = index.find(ref.kind, role_namespace, ref.name);
    if (role != nullptr && isRole(*role)) return;
    const Node* name = field(ref.node, "name");
    std::string where = ref.kind == "Role" ? " in namespace " + std::string(role_namespace) : std::string();
    sink.add(name != nullptr ? *name : *ref.node,
             "refers to " + std::string(ref.kind) + " " + std::string(ref.name) + where +
                 ", which is not in the input",
             "roleRef.name", "roleRef.name");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeBindingMissingRoleCheck() { return std::make_unique<BindingMissingRoleCheck>(); }

}  // namespace kspm::checks::rbac
