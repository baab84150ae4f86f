// rbac-escalate-verb: a Role/ClusterRole rule with the escalate verb on roles (CIS 5.1.8).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class EscalateVerbCheck final : public RoleGrantCheck {
 public:
  EscalateVerbCheck()
      : RoleGrantCheck({
            .id = "rbac-escalate-verb",
            .title = "Role can escalate roles",
            .severity = Severity::kHigh,
            .description = "The escalate verb on roles or clusterroles lets a subject write rules it does "
                           "not hold itself "
                           "into a role, which RBAC otherwise forbids: it can add any permission to a role "
                           "bound to itself.",
            .remediation =
                "Remove escalate on roles and clusterroles; only the aggregation controller and cluster "
                "administrators need it.",
            .controls = {{"cis", "5.1.8"}, {"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (!matchGrants(rule, {"escalate"}, {{kRbacGroup, "roles"}, {kRbacGroup, "clusterroles"}}, out)) {
      return false;
    }
    out->anchor = "verbs";
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makeEscalateVerbCheck() { return std::make_unique<EscalateVerbCheck>(); }

}  // namespace kspm::checks::rbac
