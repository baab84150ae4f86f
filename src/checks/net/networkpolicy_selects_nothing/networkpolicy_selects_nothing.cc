// net-networkpolicy-selects-nothing: a Kubernetes NetworkPolicy whose spec.podSelector matches no
// workload of its namespace, so it isolates and allows nothing. An empty or missing podSelector
// selects every pod and is never reported. Judged only when the input shows the namespace's pods
// (podsAssessable).
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

bool isEmptySelector(const Node& selector) {
  if (!selector.isObject()) return false;
  const Node* labels = field(&selector, "matchLabels");
  const Node* expressions = field(&selector, "matchExpressions");
  return (labels == nullptr || labels->size() == 0) && (expressions == nullptr || expressions->size() == 0);
}

class NetworkPolicySelectsNothingCheck final : public BasicCheck {
 public:
  NetworkPolicySelectsNothingCheck()
      : BasicCheck({
            .id = "net-networkpolicy-selects-nothing",
            .title = "NetworkPolicy selects no workload",
            .severity = Severity::kLow,
            .description =
                "The policy's podSelector matches the pod labels of no workload in its namespace, so it "
                "protects nothing: the pods it was written for are not isolated, usually because of a "
                "label typo or a renamed app.",
            .remediation =
                "Make spec.podSelector match the labels of the pods the policy is meant to protect.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"NetworkPolicy"},
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isKubernetesNetworkPolicy(object)) return;
    const Node* selector = field(field(object.root, "spec"), "podSelector");
    if (selector == nullptr || isEmptySelector(*selector)) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!podsAssessable(context, ns, object)) return;
    for (const Workload& w : index.selectorCandidates(ns, selector)) {
      if (labelsMatchSelector(selector, w.pod_labels)) return;
    }
    sink.add(*selector,
             "podSelector matches no workload in namespace " + quoted(ns.empty() ? "(unspecified)" : ns) +
                 ": the policy applies to no pod",
             "spec.podSelector", "spec.podSelector");
  }
};

}  // namespace

std::unique_ptr<Check> makeNetworkPolicySelectsNothingCheck() {
  return std::make_unique<NetworkPolicySelectsNothingCheck>();
}

}  // namespace kspm::checks::net
