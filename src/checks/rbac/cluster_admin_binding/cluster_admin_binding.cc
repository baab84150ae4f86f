// rbac-cluster-admin-binding: a RoleBinding or ClusterRoleBinding to the ClusterRole cluster-admin
// (CIS 5.1.1). Kubernetes' own binding (cluster-admin -> Group system:masters) and kubeadm's
// (kubeadm:cluster-admins -> Group kubeadm:cluster-admins, the group of its admin.conf) are
// reported apart at low severity; bindings to broad groups are critical.
#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/rbac_rules.h"

namespace kspm::checks::rbac {
namespace {

class ClusterAdminBindingCheck final : public Check {
 public:
  ClusterAdminBindingCheck()
      : info_({
            .id = "rbac-cluster-admin-binding",
            .title = "Binding to cluster-admin",
            .severity = Severity::kHigh,
            .description =
                "cluster-admin allows every verb on every resource: a ClusterRoleBinding to it makes the "
                "subjects superusers, a RoleBinding gives them full control of the namespace, its Secrets "
                "and "
                "RBAC included. A stolen token of such a subject is the whole cluster (or namespace).",
            .remediation =
                "Bind a role with only the permissions the subject needs; keep cluster-admin for break-glass "
                "administrators.",
            .controls = {{"cis", "5.1.1"}, {"nsa", "rbac"}},
            .scope = Scope::kKinds,
            .kinds = {"ClusterRoleBinding", "RoleBinding"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isBinding(object)) return;
    RoleRef ref;
    if (!roleRefOf(object, &ref) || ref.kind != "ClusterRole" || ref.name != "cluster-admin") return;
    std::string_view ns = namespaceFor(object, context);
    std::vector<SubjectRef> subjects = subjectsOf(object, ns);
    if (subjects.empty()) return;
    std::vector<std::string> broad, ordinary, system;
    for (const SubjectRef& s : subjects) {
      if (s.cls == SubjectClass::kBroad)
        broad.push_back(s.label() + " (" + broadSubjectMeaning(s.kind, s.name) + ")");
      else if (s.cls == SubjectClass::kSystem)
        system.push_back(s.label());
      else
        ordinary.push_back(s.label());
    }
    std::string scope =
        object.kind == "RoleBinding" ? " in namespace " + std::string(ns.empty() ? "(unspecified)" : ns) : "";
    std::string message = "binds cluster-admin" + scope + " to ";
    Severity severity = info_.severity;
    if (!broad.empty()) {
      severity = Severity::kCritical;
      message += joinNames(broad);
    } else if (!ordinary.empty()) {
      message += joinNames(ordinary);
    } else {
      severity = Severity::kLow;
      message += joinNames(system) + " (reported apart: needed by Kubernetes)";
    }
    const Node* at = field(ref.node, "name");
    Finding& finding = sink.add(at != nullptr ? *at : *ref.node, message, "roleRef.name", "roleRef.name");
    finding.severity = severity;
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeClusterAdminBindingCheck() { return std::make_unique<ClusterAdminBindingCheck>(); }

}  // namespace kspm::checks::rbac
