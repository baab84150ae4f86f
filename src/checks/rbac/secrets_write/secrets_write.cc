// rbac-secrets-write: a Role/ClusterRole rule that lets its subjects create or modify Secrets
// (CIS 5.1.2).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeSecretsWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-secrets-write",
          .title = "Role can create or modify Secrets",
          .severity = Severity::kMedium,
          .description =
              "create on secrets mints a token for any service account of the namespace (a Secret of type "
              "kubernetes.io/service-account-token annotated with its name is filled in by the token "
              "controller); update and patch replace the credentials, certificates and configuration "
              "workloads read from Secrets.",
          .remediation = "Remove create, update and patch on secrets from roles that do not manage them; "
                         "limit update and patch to the Secrets concerned with resourceNames.",
          .controls = {{"cis", "5.1.2"}, {"nsa", "rbac"}, {"nsa", "secrets"}},
      },
      std::vector<std::string_view>{"create", "update", "patch"}, std::vector<GrantTarget>{{"", "secrets"}});
}

}  // namespace kspm::checks::rbac
