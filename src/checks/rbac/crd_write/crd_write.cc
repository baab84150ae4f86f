// rbac-crd-write: a Role/ClusterRole rule that lets its subjects create, modify or delete
// CustomResourceDefinitions.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeCrdWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
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
      },
      std::vector<std::string_view>{"create", "update", "patch", "delete"},
      std::vector<GrantTarget>{{"apiextensions.k8s.io", "customresourcedefinitions"}});
}

}  // namespace kspm::checks::rbac
