// rbac-pv-create: a Role/ClusterRole rule that lets its subjects create PersistentVolumes (CIS 5.1.9).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makePvCreateCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-pv-create",
          .title = "Role can create PersistentVolumes",
          .severity = Severity::kMedium,
          .description =
              "A PersistentVolume can be a hostPath volume: whoever creates one and binds a claim to it "
              "mounts "
              "any directory of the node into a pod, bypassing Pod Security's hostPath restrictions.",
          .remediation = "Let a storage provisioner create PersistentVolumes and give users "
                         "PersistentVolumeClaims; remove "
                         "create on persistentvolumes from other roles.",
          .controls = {{"cis", "5.1.9"}},
      },
      std::vector<std::string_view>{"create"}, std::vector<GrantTarget>{{"", "persistentvolumes"}});
}

}  // namespace kspm::checks::rbac
