// rbac-port-forward: a Role/ClusterRole rule that lets its subjects open port forwards to pods.
//
// kubectl port-forward over SPDY is a POST, authorized as create on pods/portforward. The WebSocket
// upgrade is a GET, authorized as get; from Kubernetes 1.35 the API server also requires create for
// it (feature gate AuthorizePodWebsocketUpgradeCreatePermission, on by default), so get alone is
// reported only for earlier target versions.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

constexpr uint32_t kWebsocketNeedsCreateMinor = 35;

class PortForwardCheck final : public RoleGrantCheck {
 public:
  PortForwardCheck()
      : RoleGrantCheck({
            .id = "rbac-port-forward",
            .title = "Role can port-forward to pods",
            .severity = Severity::kHigh,
            .description =
                "create on pods/portforward opens a tunnel from the caller to any port of a pod, around "
                "NetworkPolicies, Services and ingress authentication: databases, admin and debug ports "
                "listening only inside the pod become reachable. Before Kubernetes 1.35, get is enough over "
                "WebSockets.",
            .remediation = "Remove pods/portforward from roles that do not need it; grant it on demand, "
                           "in a namespace-scoped Role, to the people debugging that namespace.",
            .controls = {{"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext& context,
             RuleMatch* out) const override {
    std::vector<std::string_view> verbs = {"create"};
    bool get_is_enough = context.k8s_minor < kWebsocketNeedsCreateMinor;
    if (get_is_enough) verbs.push_back("get");
    if (!matchGrants(rule, verbs, {{"", "pods/portforward"}}, out)) return false;
    if (get_is_enough && !verbMatches(rule, "create")) {
      out->what += " (enough for port-forward over WebSockets before Kubernetes 1.35)";
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makePortForwardCheck() { return std::make_unique<PortForwardCheck>(); }

}  // namespace kspm::checks::rbac
