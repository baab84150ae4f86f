// workload-single-replica-pdb: a PodDisruptionBudget whose integer or percentage minAvailable
// reaches the number of pods its selected workloads run, most often minAvailable: 1 over a single
// replica, so no eviction is ever allowed at that scale.
//
// Expected pods are summed over the selected workloads of the PDB's namespace: spec.replicas of a
// Deployment, ReplicaSet, StatefulSet, ReplicationController, Argo Rollout or OpenKruise CloneSet
// (unset: 1), or the minReplicas (unset: 1) of a HorizontalPodAutoscaler targeting it; 1 for a bare
// Pod. When a selected workload's pod count is unknown (DaemonSet, Job, ...) the PDB is not judged.
// maxUnavailable >= 1 (or a percentage above 0) always allows one eviction. Budgets that block at
// any scale are workload-pdb-blocks-eviction's business.
#include "checks/net/cross_object.h"
#include "checks/workload/pdb.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

bool hasScaleReplicas(const Object& object) {
  std::string_view kind = object.kind;
  return kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" ||
         kind == "ReplicationController" || (kind == "Rollout" && object.group() == "argoproj.io") ||
         (kind == "CloneSet" && object.group() == "apps.kruise.io");
}

// The minReplicas of an autoscaler in `ns` targeting the workload, or nullopt when none does.
std::optional<int64_t> autoscaledMinimum(const ObjectIndex& index, std::string_view ns,
                                         const Object& workload) {
  for (const Object* hpa : index.ofKindIn("HorizontalPodAutoscaler", ns)) {
    const Node* spec = field(hpa->root, "spec");
    const Node* target = field(spec, "scaleTargetRef");
    if (!field(target, "kind") || !field(target, "kind")->is(workload.kind)) continue;
    if (!field(target, "name") || !field(target, "name")->is(workload.name)) continue;
    const Node* min = field(spec, "minReplicas");
    return min != nullptr && min->isInt() ? min->integer() : 1;
  }
  return std::nullopt;
}

// Pods the workload runs (at its autoscaler's minimum when one targets it; *autoscaled is then
// set), or nullopt when unknown.
std::optional<int64_t> expectedPods(const ObjectIndex& index, std::string_view ns, const Object& workload,
                                    bool* autoscaled) {
  if (workload.kind == "Pod" && workload.group().empty()) return 1;
  if (!hasScaleReplicas(workload)) return std::nullopt;
  if (std::optional<int64_t> min = autoscaledMinimum(index, ns, workload)) {
    *autoscaled = true;
    return min;
  }
  const Node* replicas = field(workload.root, {"spec", "replicas"});
  if (replicas == nullptr) return 1;
  if (!replicas->isInt()) return std::nullopt;
  return replicas->integer();
}

class SingleReplicaPdbCheck final : public net::BasicCheck {
 public:
  SingleReplicaPdbCheck()
      : BasicCheck({
            .id = "workload-single-replica-pdb",
            .title = "PodDisruptionBudget minAvailable reaches the workload's replicas",
            .severity = Severity::kMedium,
            .description =
                "When minAvailable is as large as the number of pods the budget covers (typically "
                "minAvailable: 1 on a single replica), the disruption controller allows no eviction: node "
                "drains, autoscaler scale-downs and node upgrades hang until someone intervenes.",
            .remediation =
                "Run more replicas than minAvailable, or use maxUnavailable: 1 so one pod may always be "
                "evicted and rescheduled.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"PodDisruptionBudget"},
            .reads = {"PodDisruptionBudget", "HorizontalPodAutoscaler"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!net::isPodDisruptionBudget(object) || alwaysBlocks(object).at != nullptr) return;
    const Node* spec = field(object.root, "spec");
    if (spec == nullptr || field(spec, "maxUnavailable") != nullptr) return;
    const Node* min_node = field(spec, "minAvailable");
    IntOrPercent min = parseIntOrPercent(min_node);
    std::string min_text = min_node != nullptr ? min_node->scalarText() : std::string();
    if (min_node == nullptr) {  // policy/v1beta1 defaults minAvailable to 1 (policy/v1: alwaysBlocks above)
      min = {true, false, 1};
      min_text = "1 (the policy/v1beta1 default)";
    }
    if (!min.valid || min.value == 0) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    int64_t pods = 0;
    std::string names;
    size_t selected = 0;
    bool autoscaled = false;
    for (const Workload& w : index.selectorCandidates(ns, field(field(object.root, "spec"), "selector"))) {
      if (!pdbSelects(object, w.pod_labels)) continue;
      std::optional<int64_t> count = expectedPods(index, ns, *w.object, &autoscaled);
      if (!count) return;
      pods += *count;
      if (selected++ < 3) names += (names.empty() ? "" : ", ") + net::objectLabel(*w.object);
    }
    if (selected == 0 || pods <= 0) return;
    int64_t desired = min.percent ? (min.value * pods + 99) / 100 : min.value;
    if (desired < pods) return;
    if (selected > 3) names += ", ...";
    std::string message = "minAvailable " + min_text + " leaves no disruption for the " +
                          std::to_string(pods) + (pods == 1 ? " pod" : " pods") + " of " + names +
                          (autoscaled ? " (at the autoscaler's minReplicas)" : "") +
                          ": evictions and node drains block";
    sink.add(min_node != nullptr ? *min_node : *spec, std::move(message), "spec.minAvailable",
             "spec.minAvailable");
  }
};

}  // namespace

std::unique_ptr<Check> makeSingleReplicaPdbCheck() { return std::make_unique<SingleReplicaPdbCheck>(); }

}  // namespace kspm::checks::workload
