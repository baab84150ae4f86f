// rbac-networkpolicy-write: a Role/ClusterRole rule that lets its subjects create, modify or delete
// NetworkPolicies.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeNetworkpolicyWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-networkpolicy-write",
          .title = "Role can modify NetworkPolicies",
          .severity = Severity::kMedium,
          .description =
              "NetworkPolicies are the namespace's firewall: whoever can create, change or delete them can "
              "open the namespace's pods to any source, including ones it already controls, or cut them off.",
          .remediation = "Keep NetworkPolicy changes to the platform team or its pipeline; remove create, "
                         "update, patch and delete on networkpolicies from application roles.",
          .controls = {{"nsa", "network-policies"}, {"nsa", "rbac"}},
      },
      std::vector<std::string_view>{"create", "update", "patch", "delete"},
      std::vector<GrantTarget>{{"networking.k8s.io", "networkpolicies"}});
}

}  // namespace kspm::checks::rbac
