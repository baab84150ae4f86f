// rbac-status-write: a Role/ClusterRole rule that lets its subjects update the status of pods or
// services. nodes/status is reported by rbac-node-write.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeStatusWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-status-write",
          .title = "Role can modify pod or service status",
          .severity = Severity::kMedium,
          .description =
              "update or patch on pods/status rewrites a pod's IPs and readiness, which Services and "
              "EndpointSlices follow: traffic meant for other pods can be steered to an address of the "
              "attacker's choosing. On services/status, setting a LoadBalancer ingress IP makes kube-proxy "
              "capture traffic to that IP on every node (CVE-2020-8554).",
          .remediation = "Remove update and patch on pods/status and services/status from roles that are not "
                         "controllers or load-balancer implementations.",
          .controls = {{"nsa", "rbac"}},
      },
      std::vector<std::string_view>{"update", "patch"},
      std::vector<GrantTarget>{{"", "pods/status"}, {"", "services/status"}});
}

}  // namespace kspm::checks::rbac
