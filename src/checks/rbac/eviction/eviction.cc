// rbac-eviction: a Role/ClusterRole rule that lets its subjects evict pods. Low on its own (eviction
// respects PodDisruptionBudgets and the pod comes back elsewhere); medium when the same role can also
// cordon nodes (update or patch on nodes): cordon every node but one and evict, and the pods land
// on the node the attacker chose.
#include <memory>

#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"
#include "checks/common/fields.h"

namespace kspm::checks::rbac {
namespace {

CheckInfo evictionInfo(Severity severity) {
  return CheckInfo{
      .id = "rbac-eviction",
      .title = "Role can evict pods",
      .severity = severity,
      .description =
          "create on pods/eviction removes pods from their nodes. With update or patch on nodes in the same "
          "role, the holder can cordon nodes and evict pods until they are rescheduled onto a node of its "
          "choosing, where a compromised kubelet or hostPath workload can read their secrets (medium); "
          "eviction alone is a disruption risk (low).",
      .remediation = "Keep eviction to node-maintenance tooling; do not combine create on pods/eviction with "
                     "update or patch on nodes in roles held by workloads or people who do not drain nodes.",
      .controls = {{"nsa", "rbac"}},
  };
}

// True when some rule of `role` grants update or patch on nodes (what kubectl cordon needs). Nodes
// are cluster-scoped: only a ClusterRole can grant that.
bool canCordon(const Object& role) {
  if (role.kind != "ClusterRole") return false;
  const Node* rules = field(role.root, "rules");
  if (rules == nullptr || !rules->isArray()) return false;
  for (const Node& rule : rules->items()) {
    if (!rule.isObject()) continue;
    if (ruleGrants(rule, "patch", "", "nodes") != Grant::kNone ||
        ruleGrants(rule, "update", "", "nodes") != Grant::kNone)
      return true;
  }
  return false;
}

class EvictionGrant final : public RoleGrantCheck {
 public:
  explicit EvictionGrant(bool with_cordon)
      : RoleGrantCheck(evictionInfo(with_cordon ? Severity::kMedium : Severity::kLow)),
        with_cordon_(with_cordon) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (!matchGrants(rule, {"create"}, {{"", "pods/eviction"}}, out)) return false;
    if (with_cordon_) out->what += ", and the role can cordon nodes (update or patch on nodes)";
    return true;
  }

 private:
  bool with_cordon_;
};

class EvictionCheck final : public Check {
 public:
  EvictionCheck() : info_(roleCheckInfo(evictionInfo(Severity::kLow))), alone_(false), with_cordon_(true) {}
  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isRole(object)) return;
    // The sink stamps this check's ID; the delegate only sets the per-finding severity.
    (canCordon(object) ? with_cordon_ : alone_).evaluate(object, context, sink);
  }

 private:
  CheckInfo info_;
  EvictionGrant alone_;
  EvictionGrant with_cordon_;
};

}  // namespace

std::unique_ptr<Check> makeEvictionCheck() { return std::make_unique<EvictionCheck>(); }

}  // namespace kspm::checks::rbac
