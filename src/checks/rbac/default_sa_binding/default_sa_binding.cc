// rbac-default-sa-binding: a RoleBinding or ClusterRoleBinding whose subject is a namespace's
// default service account (CIS 5.1.5). Every pod that names no service account runs as it, so
// whatever it is granted, every such pod of the namespace holds.
#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/rbac_rules.h"

namespace kspm::checks::rbac {
namespace {

constexpr std::string_view kServiceAccountUserPrefix = "system:serviceaccount:";

// The namespace of the default service account a subject names, or "" for other subjects.
std::string_view defaultAccountNamespace(const SubjectRef& s) {
  if (s.kind == "ServiceAccount") return s.name == "default" ? s.sa_namespace : std::string_view();
  if (s.kind != "User" || !s.name.starts_with(kServiceAccountUserPrefix)) return {};
  std::string_view rest = s.name.substr(kServiceAccountUserPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || rest.substr(colon + 1) != "default") return {};
  return rest.substr(0, colon);
}

class DefaultSaBindingCheck final : public Check {
 public:
  DefaultSaBindingCheck()
      : info_({
            .id = "rbac-default-sa-binding",
            .title = "Role bound to a default service account",
            .severity = Severity::kMedium,
            .description =
                "Pods that set no serviceAccountName run as their namespace's default service account, so a "
                "role bound to it is held by every such pod, including ones deployed later for other "
                "purposes.",
            .remediation = "Create a dedicated service account for the workload that needs the role, bind "
                           "the role to it "
                           "and set serviceAccountName in that workload.",
            .controls = {{"cis", "5.1.5"}},
            .scope = Scope::kKinds,
            .kinds = {"ClusterRoleBinding", "RoleBinding"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isBinding(object)) return;
    RoleRef ref;
    if (!roleRefOf(object, &ref)) return;
    for (const SubjectRef& s : subjectsOf(object, namespaceFor(object, context))) {
      std::string_view ns = defaultAccountNamespace(s);
      if (ns.empty()) continue;
      std::string path = itemPath("subjects", s.index);
      sink.add(*s.node,
               "binds " + std::string(ref.kind) + " " + std::string(ref.name) +
                   " to the default service account of namespace " + std::string(ns),
               path, "subjects[" + s.label() + "]");
    }
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeDefaultSaBindingCheck() { return std::make_unique<DefaultSaBindingCheck>(); }

}  // namespace kspm::checks::rbac
