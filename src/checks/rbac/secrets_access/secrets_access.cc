// rbac-secrets-access: a Role/ClusterRole rule that lets its subjects read Secrets (CIS 5.1.2).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeSecretsAccessCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-secrets-access",
          .title = "Role can read Secrets",
          .severity = Severity::kHigh,
          .description =
              "get, list or watch on secrets hands out every credential the Secrets hold: service account "
              "tokens, registry and cloud credentials, TLS keys. list and watch return the values too, not "
              "just the names. Severity follows who is bound to the role: critical for broad groups, low for "
              "subjects Kubernetes itself needs.",
          .remediation =
              "Grant get on the specific Secrets the workload needs with resourceNames, in a Role scoped to "
              "its namespace, and drop list and watch on secrets.",
          .controls = {{"cis", "5.1.2"}, {"nsa", "rbac"}, {"nsa", "secrets"}},
      },
      std::vector<std::string_view>{"get", "list", "watch"}, std::vector<GrantTarget>{{"", "secrets"}});
}

}  // namespace kspm::checks::rbac
