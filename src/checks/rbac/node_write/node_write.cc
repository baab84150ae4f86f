// rbac-node-write: a Role/ClusterRole rule that lets its subjects modify Node objects.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeNodeWriteCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-node-write",
          .title = "Role can modify Nodes",
          .severity = Severity::kMedium,
          .description =
              "update or patch on nodes or nodes/status changes a node's labels, taints and conditions: an "
              "attacker can remove taints from control-plane nodes or add the labels that sensitive "
              "workloads "
              "select, to attract them to a node under their control.",
          .remediation = "Remove update and patch on nodes and nodes/status from roles that do not manage "
                         "nodes; kubelets "
                         "get their own access through the Node authorizer.",
          .controls = {{"nsa", "rbac"}},
      },
      std::vector<std::string_view>{"update", "patch"},
      std::vector<GrantTarget>{{"", "nodes"}, {"", "nodes/status"}});
}

}  // namespace kspm::checks::rbac
