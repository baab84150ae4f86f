// rbac-pod-create: a Role/ClusterRole rule that lets its subjects create Pods (CIS 5.1.4).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makePodCreateCheck() {
  return std::make_unique<VerbsOnResourcesCheck>(
      CheckInfo{
          .id = "rbac-pod-create",
          .title = "Role can create Pods",
          .severity = Severity::kHigh,
          .description =
              "Whoever can create a Pod can run it as any service account of the namespace and mount any "
              "Secret, ConfigMap or volume there, so the grant is worth every permission and Secret of that "
              "namespace (and the node itself where Pod Security admits privileged pods).",
          .remediation =
              "Remove create on pods from roles that do not launch pods themselves; let controllers "
              "(Deployments, Jobs) create pods and grant people access to those instead, under Pod Security "
              "admission.",
          .controls = {{"cis", "5.1.4"}},
      },
      std::vector<std::string_view>{"create"}, std::vector<GrantTarget>{{"", "pods"}});
}

}  // namespace kspm::checks::rbac
