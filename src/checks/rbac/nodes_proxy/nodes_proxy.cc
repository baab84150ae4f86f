// rbac-nodes-proxy: a Role/ClusterRole rule granting any verb on nodes/proxy (CIS 5.1.10).
#include <algorithm>

#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class NodesProxyCheck final : public RoleGrantCheck {
 public:
  NodesProxyCheck()
      : RoleGrantCheck({
            .id = "rbac-nodes-proxy",
            .title = "Role can proxy to the kubelet API",
            .severity = Severity::kHigh,
            .description = "nodes/proxy reaches the kubelet API through the API server. The kubelet "
                           "authorizes its exec, "
                           "run and attach endpoints by the HTTP method, so even get lets a subject run "
                           "commands in every "
                           "pod of the node, and those requests bypass admission and audit of pods/exec.",
            .remediation =
                "Remove nodes/proxy from the role; monitoring agents can read kubelet metrics through "
                "nodes/metrics and nodes/stats instead.",
            .controls = {{"cis", "5.1.10"}},
        }) {}

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (role.kind == "Role") return false;  // nodes are cluster-scoped: a Role grants nothing on them
    // Any verb: the rule's own verbs, as written.
    std::vector<std::string_view> verbs;
    for (std::string_view verb : ruleList(rule, "verbs")) {
      if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) verbs.push_back(verb);
    }
    return matchGrants(rule, verbs, {{"", "nodes/proxy"}}, out);
  }
};

}  // namespace

std::unique_ptr<Check> makeNodesProxyCheck() { return std::make_unique<NodesProxyCheck>(); }

}  // namespace kspm::checks::rbac
