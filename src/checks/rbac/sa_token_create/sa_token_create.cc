// rbac-sa-token-create: a Role/ClusterRole rule that lets its subjects mint service account tokens
// (TokenRequest, CIS 5.1.13).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeSaTokenCreateCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-sa-token-create",
          .title = "Role can create service account tokens",
          .severity = Severity::kHigh,
          .description =
              "create on serviceaccounts/token mints a token for a service account and so acts with all of "
              "its "
              "permissions; on every service account of a namespace (no resourceNames) it is worth the most "
              "privileged of them.",
          .remediation = "Remove create on serviceaccounts/token, or limit it with resourceNames to the "
                         "service accounts "
                         "the subject must act as.",
          .controls = {{"cis", "5.1.13"}},
      },
      std::vector<std::string_view>{"create"}, std::vector<GrantTarget>{{"", "serviceaccounts/token"}});
}

}  // namespace kspm::checks::rbac
