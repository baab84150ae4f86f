// workload-pdb-selects-nothing: a PodDisruptionBudget that protects no pod. A missing or null
// selector selects nothing (and in policy/v1beta1 so does {}), whatever the input holds; a
// selector matching no workload of the namespace is judged only when the input shows the
// namespace's pods (podsAssessable).
#include "checks/net/cross_object.h"
#include "checks/workload/pdb.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

class PdbSelectsNothingCheck final : public net::BasicCheck {
 public:
  PdbSelectsNothingCheck()
      : BasicCheck({
            .id = "workload-pdb-selects-nothing",
            .title = "PodDisruptionBudget selects no pod",
            .severity = Severity::kLow,
            .description =
                "A budget whose selector matches no pod protects nothing: the workload it was written for "
                "can lose all its pods at once during a node drain or upgrade.",
            .remediation = "Make spec.selector match the pod template labels of the workload to protect.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"PodDisruptionBudget"},
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!net::isPodDisruptionBudget(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* selector = field(spec, "selector");
    if (selector == nullptr) {
      sink.add(spec != nullptr ? *spec : *object.root,
               "the budget has no spec.selector, so it selects no pod", "spec.selector", "spec.selector");
      return;
    }
    if (!selector->isObject()) return;
    const Node* labels = field(selector, "matchLabels");
    const Node* expressions = field(selector, "matchExpressions");
    bool empty =
        (labels == nullptr || labels->size() == 0) && (expressions == nullptr || expressions->size() == 0);
    if (empty) {
      if (object.api_version == "policy/v1") return;  // selects every pod of the namespace
      sink.add(*selector, "an empty selector selects no pod in " + std::string(object.api_version),
               "spec.selector", "spec.selector");
      return;
    }
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!net::podsAssessable(index, *context.objects, ns, object)) return;
    for (const Workload& w : index.selectorCandidates(ns, field(field(object.root, "spec"), "selector"))) {
      if (pdbSelects(object, w.pod_labels)) return;
    }
    sink.add(*selector,
             "spec.selector matches no workload in namespace " + quoted(ns.empty() ? "(unspecified)" : ns),
             "spec.selector", "spec.selector");
  }
};

}  // namespace

std::unique_ptr<Check> makePdbSelectsNothingCheck() { return std::make_unique<PdbSelectsNothingCheck>(); }

}  // namespace kspm::checks::workload
