// workload-selector-mismatch: a controller whose selector does not select its own pod template.
// The API server rejects such objects ("selector does not match template labels"), so in a
// manifest it is a bug that fails the deployment.
//
// Deployment, ReplicaSet, StatefulSet, DaemonSet (apps, extensions): spec.selector must be
// non-empty and match spec.template.metadata.labels; apps/v1 also requires it to be present (older
// versions defaulted a missing selector to the template labels). Job (and a CronJob's job
// template): a given selector must match the template labels; the selector and labels the Job
// controller generates (controller-uid, job-name) are added on creation, so selectors naming them
// are not judged. ReplicationController: a non-empty spec.selector map must match the template
// labels (an empty one defaults to them).
#include "checks/net/cross_object.h"
#include "checks/workload/workload_checks.h"

namespace kspm::checks::workload {
namespace {

bool isEmptySelector(const Node& selector) {
  const Node* labels = field(&selector, "matchLabels");
  const Node* expressions = field(&selector, "matchExpressions");
  return (labels == nullptr || labels->size() == 0) && (expressions == nullptr || expressions->size() == 0);
}

bool namesGeneratedJobLabel(const Node& selector) {
  static constexpr std::string_view kGenerated[] = {
      "controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"};
  const Node* labels = field(&selector, "matchLabels");
  const Node* expressions = field(&selector, "matchExpressions");
  for (std::string_view key : kGenerated) {
    if (labels != nullptr && labels->get(key) != nullptr) return true;
    if (expressions == nullptr) continue;
    for (const Node& e : expressions->items()) {
      if (const Node* k = field(&e, "key"); k != nullptr && k->is(key)) return true;
    }
  }
  return false;
}

class SelectorMismatchCheck final : public net::BasicCheck {
 public:
  SelectorMismatchCheck()
      : BasicCheck({
            .id = "workload-selector-mismatch",
            .title = "Workload selector does not match its pod template",
            .severity = Severity::kHigh,
            .description =
                "A controller's selector must select the pods its template creates. The API server "
                "rejects a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or ReplicationController "
                "whose selector is missing, empty or does not match spec.template.metadata.labels, so the "
                "rollout fails.",
            .remediation =
                "Make spec.selector match labels that spec.template.metadata.labels carries (selectors are "
                "immutable after creation, so fix them before the first apply).",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
                      "ReplicationController"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    std::string_view group = object.group();
    const Node* spec = field(object.root, "spec");
    if (object.kind == "ReplicationController") {
      if (group.empty()) checkReplicationController(spec, sink);
      return;
    }
    if (object.kind == "Job" || object.kind == "CronJob") {
      if (group != "batch") return;
      bool cron = object.kind == "CronJob";
      checkJob(cron ? field(spec, {"jobTemplate", "spec"}) : spec, cron ? "spec.jobTemplate.spec" : "spec",
               sink);
      return;
    }
    if (group != "apps" && group != "extensions") return;
    const Node* labels = field(spec, {"template", "metadata", "labels"});
    const Node* selector = field(spec, "selector");
    if (selector == nullptr) {
      if (object.api_version != "apps/v1" || spec == nullptr) return;
      sink.add(*spec, std::string(object.kind) + " has no spec.selector, which apps/v1 requires",
               "spec.selector", "spec.selector");
      return;
    }
    if (!selector->isObject()) return;
    if (isEmptySelector(*selector)) {
      sink.add(*selector, "spec.selector is empty: the API server rejects a selector that selects every pod",
               "spec.selector", "spec.selector");
      return;
    }
    if (labelsMatchSelector(selector, labels)) return;
    sink.add(*selector,
             "spec.selector does not match spec.template.metadata.labels: the API server rejects the object",
             "spec.selector", "spec.selector");
  }

 private:
  static void checkJob(const Node* spec, const std::string& prefix, FindingSink& sink) {
    const Node* selector = field(spec, "selector");
    if (selector == nullptr || !selector->isObject() || isEmptySelector(*selector)) return;
    if (namesGeneratedJobLabel(*selector)) return;
    if (labelsMatchSelector(selector, field(spec, {"template", "metadata", "labels"}))) return;
    sink.add(*selector,
             prefix + ".selector does not match " + prefix +
                 ".template.metadata.labels: the API server rejects the job",
             prefix + ".selector", prefix + ".selector");
  }

  static void checkReplicationController(const Node* spec, FindingSink& sink) {
    const Node* selector = field(spec, "selector");
    if (selector == nullptr || !selector->isObject() || selector->size() == 0) return;
    if (labelsMatchMap(selector, field(spec, {"template", "metadata", "labels"}))) return;
    sink.add(*selector,
             "spec.selector does not match spec.template.metadata.labels: the API server rejects the object",
             "spec.selector", "spec.selector");
  }
};

}  // namespace

std::unique_ptr<Check> makeSelectorMismatchCheck() { return std::make_unique<SelectorMismatchCheck>(); }

}  // namespace kspm::checks::workload
