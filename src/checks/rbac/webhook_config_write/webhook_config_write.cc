// rbac-webhook-config-write: a Role/ClusterRole rule that lets its subjects create, change or delete
// admission webhook configurations (CIS 5.1.12).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeWebhookConfigWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-webhook-config-write",
          .title = "Role can modify admission webhook configurations",
          .severity = Severity::kHigh,
          .description =
              "A mutating webhook sees and may rewrite every object sent to the API server, Secrets "
              "included; "
              "a validating webhook sees them all too. Whoever can write these configurations can register "
              "their own webhook, or delete the ones that enforce policy.",
          .remediation =
              "Keep create, update, patch and delete on validatingwebhookconfigurations and "
              "mutatingwebhookconfigurations to cluster administrators; limit controllers that only inject a "
              "CA bundle with resourceNames.",
          .controls = {{"cis", "5.1.12"}},
      },
      std::vector<std::string_view>{"create", "update", "patch", "delete", "deletecollection"},
      std::vector<GrantTarget>{{"admissionregistration.k8s.io", "validatingwebhookconfigurations"},
                               {"admissionregistration.k8s.io", "mutatingwebhookconfigurations"}});
}

}  // namespace kspm::checks::rbac
