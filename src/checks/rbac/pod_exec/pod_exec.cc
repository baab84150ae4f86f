// rbac-pod-exec: a Role/ClusterRole rule that lets its subjects run commands in, or attach to,
// running containers.
//
// kubectl exec/attach over SPDY is a POST, authorized as create on pods/exec and pods/attach. The
// WebSocket upgrade is a GET, authorized as get; from Kubernetes 1.35 the API server also requires
// create for it (feature gate AuthorizePodWebsocketUpgradeCreatePermission, on by default), so get
// alone is reported only for earlier target versions.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

constexpr uint32_t kWebsocketNeedsCreateMinor = 35;

class PodExecCheck final : public RoleGrantCheck {
 public:
  PodExecCheck()
      : RoleGrantCheck({
            .id = "rbac-pod-exec",
            .title = "Role can exec into or attach to containers",
            .severity = Severity::kHigh,
            .description =
                "create on pods/exec or pods/attach runs commands inside running containers: the caller gets "
                "the container's service account token, mounted Secrets and network position. Before "
                "Kubernetes 1.35, get is enough for exec over WebSockets.",
            .remediation = "Remove pods/exec and pods/attach from roles that do not need an interactive "
                           "shell; use logs, "
                           "metrics and ephemeral debug roles granted on demand instead.",
            .controls = {{"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext& context,
             RuleMatch* out) const override {
    std::vector<std::string_view> verbs = {"create"};
    bool get_is_enough = context.k8s_minor < kWebsocketNeedsCreateMinor;
    if (get_is_enough) verbs.push_back("get");
    if (!matchGrants(rule, verbs, {{"", "pods/exec"}, {"", "pods/attach"}}, out)) return false;
    if (get_is_enough && !verbMatches(rule, "create")) {
      out->what += " (enough for exec over WebSockets before Kubernetes 1.35)";
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makePodExecCheck() { return std::make_unique<PodExecCheck>(); }

}  // namespace kspm::checks::rbac
