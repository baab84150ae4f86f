// rbac-ephemeral-containers: a Role/ClusterRole rule that lets its subjects add ephemeral (debug)
// containers to running pods.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeEphemeralContainersCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-ephemeral-containers",
          .title = "Role can add ephemeral containers to pods",
          .severity = Severity::kHigh,
          .description =
              "update or patch on pods/ephemeralcontainers starts a new container, with an image and command "
              "of the caller's choice, inside a running pod: it shares the pod's service account token, "
              "volumes and network, like exec does.",
          .remediation =
              "Remove update and patch on pods/ephemeralcontainers except for break-glass debugging roles.",
          .controls = {{"nsa", "rbac"}},
      },
      std::vector<std::string_view>{"update", "patch"},
      std::vector<GrantTarget>{{"", "pods/ephemeralcontainers"}});
}

}  // namespace kspm::checks::rbac
