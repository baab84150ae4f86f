// rbac-binding-missing-service-account: a ServiceAccount subject of a RoleBinding or
// ClusterRoleBinding that is not in the input, judged only for namespaces where the input defines
// ServiceAccounts. A subject without a namespace is in the RoleBinding's. Every namespace's default
// service account exists without being in any manifest, so it is never missing.
#include <string>

#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/engine.h"
#include "kspm/object_index.h"

namespace kspm::checks::rbac {
namespace {

class BindingMissingServiceAccountCheck final : public Check {
 public:
  BindingMissingServiceAccountCheck()
      : info_({
            .id = "rbac-binding-missing-service-account",
            .title = "Binding refers to a service account not in the input",
            .severity = Severity::kLow,
            .description =
                "A binding to a service account that does not exist grants its role to whoever creates a "
                "service account of that name in that namespace later: anyone allowed to create service "
                "accounts there, or a workload that is renamed. Only judged in namespaces where the input "
                "defines service accounts; the default service account always exists.",
            .remediation = "Add the service account to the manifests, fix the subject's name or namespace, "
                           "or remove the subject from the binding.",
            .controls = {{"nsa", "rbac"}},
            .scope = Scope::kKinds,
            .kinds = {"ClusterRoleBinding", "RoleBinding"},
            .reads = {"ServiceAccount"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.scan == nullptr || !isBinding(object)) return;
    const ObjectIndex& index = context.scan->index;
    for (const SubjectRef& s : subjectsOf(object, namespaceFor(object, context))) {
      if (s.kind != "ServiceAccount" || s.sa_namespace.empty() || s.name == "default") continue;
      if (index.ofKindIn("ServiceAccount", s.sa_namespace).empty()) continue;
      if (index.find("ServiceAccount", s.sa_namespace, s.name) != nullptr) continue;
      std::string path = itemPath("subjects", s.index);
      const Node* name = field(s.node, "name");
      sink.add(name != nullptr ? *name : *s.node,
               "binds ServiceAccount " + std::string(s.sa_namespace) + "/" + std::string(s.name) +
                   ", which is not in the input though namespace " + std::string(s.sa_namespace) +
                   " defines service accounts",
               path + ".name", "subjects[" + s.label() + "].name");
    }
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeBindingMissingServiceAccountCheck() {
  return std::make_unique<BindingMissingServiceAccountCheck>();
}

}  // namespace kspm::checks::rbac
