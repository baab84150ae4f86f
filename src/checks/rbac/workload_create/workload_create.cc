// rbac-workload-create: a Role/ClusterRole rule that lets its subjects create or change the
// controllers that create pods (CIS 5.1.4, indirectly).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

// extensions/v1beta1 served Deployments, DaemonSets and ReplicaSets until Kubernetes 1.16.
constexpr uint32_t kExtensionsWorkloadsRemovedMinor = 16;

class WorkloadCreateCheck final : public RoleGrantCheck {
 public:
  WorkloadCreateCheck()
      : RoleGrantCheck({
            .id = "rbac-workload-create",
            .title = "Role can create or change pod controllers",
            .severity = Severity::kMedium,
            .description =
                "Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs and "
                "ReplicationControllers "
                "create pods from their template: whoever can create or change them can run any pod the "
                "controller may create, with any service account and Secret of the namespace.",
            .remediation =
                "Keep create, update and patch on workload controllers to deployment pipelines and namespace "
                "owners, and enforce Pod Security admission on the namespaces they deploy to.",
            .controls = {{"cis", "5.1.4"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext& context,
             RuleMatch* out) const override {
    std::vector<GrantTarget> targets = {
        {"apps", "deployments"},       {"apps", "daemonsets"}, {"apps", "statefulsets"},
        {"apps", "replicasets"},       {"batch", "jobs"},      {"batch", "cronjobs"},
        {"", "replicationcontrollers"}};
    if (context.k8s_minor < kExtensionsWorkloadsRemovedMinor) {
      targets.push_back({"extensions", "deployments"});
      targets.push_back({"extensions", "daemonsets"});
      targets.push_back({"extensions", "replicasets"});
    }
    return matchGrants(rule, {"create", "update", "patch"}, targets, out);
  }
};

}  // namespace

std::unique_ptr<Check> makeWorkloadCreateCheck() { return std::make_unique<WorkloadCreateCheck>(); }

}  // namespace kspm::checks::rbac
