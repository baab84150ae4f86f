// rbac-crd-write: a ClusterRole rule that lets its subjects create, modify or delete
// CustomResourceDefinitions. CustomResourceDefinitions are cluster-scoped: a Role's rules apply only
// to requests in its namespace, so a Role granting them grants nothing and is not reported.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class CrdWriteCheck final : public RoleGrantCheck {
 public:
  CrdWriteCheck()
      : RoleGrantCheck({
            .id = "rbac-crd-write",
            .title = "Role can modify CustomResourceDefinitions",
            .severity = Severity::kHigh,
            .description =
                "CustomResourceDefinitions are cluster-wide: whoever writes them can delete every object of a "
                "kind at once (security policies, certificates, backups), point conversion at a webhook of "
                "their own that sees and rewrites every object of the kind, or relax a schema that "
                "controllers trust.",
            .remediation = "Leave CustomResourceDefinition changes to the cluster's deployment pipeline; "
                           "remove create, update, patch and delete on customresourcedefinitions from other "
                           "roles.",
            .controls = {{"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (role.kind != "ClusterRole") return false;
    return matchGrants(rule, {"create", "update", "patch", "delete"},
                       {{"apiextensions.k8s.io", "customresourcedefinitions"}}, out);
  }
};

}  // namespace

std::unique_ptr<Check> makeCrdWriteCheck() { return std::make_unique<CrdWriteCheck>(); }

}  // namespace kspm::checks::rbac
