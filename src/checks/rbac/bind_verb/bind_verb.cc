// rbac-bind-verb: a Role/ClusterRole rule with the bind verb on roles (CIS 5.1.8).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class BindVerbCheck final : public RoleGrantCheck {
 public:
  BindVerbCheck()
      : RoleGrantCheck({
            .id = "rbac-bind-verb",
            .title = "Role can bind any role",
            .severity = Severity::kHigh,
            .description =
                "The bind verb on roles or clusterroles lets a subject create RoleBindings to roles with "
                "permissions it does not hold itself, which RBAC otherwise forbids: it can grant itself or "
                "anyone those roles, up to cluster-admin.",
            .remediation =
                "Remove bind on roles and clusterroles, or limit it with resourceNames to the roles the "
                "subject may hand out.",
            .controls = {{"cis", "5.1.8"}, {"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (!matchGrants(rule, {"bind"}, {{kRbacGroup, "roles"}, {kRbacGroup, "clusterroles"}}, out)) {
      return false;
    }
    out->anchor = "verbs";
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makeBindVerbCheck() { return std::make_unique<BindVerbCheck>(); }

}  // namespace kspm::checks::rbac
