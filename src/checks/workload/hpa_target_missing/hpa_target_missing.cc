// workload-hpa-target-missing: a HorizontalPodAutoscaler (or a KEDA ScaledObject, which creates
// one) whose scaleTargetRef names an object the input does not define in its namespace. Judged
// only when the input defines objects of the target's kind in that namespace, or the target is a
// built-in workload kind and the input holds workloads there, and nothing there creates objects
// the input does not show. A ScaledObject's target kind defaults to Deployment.
#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

class HpaTargetMissingCheck final : public net::BasicCheck {
 public:
  HpaTargetMissingCheck()
      : BasicCheck({
            .id = "workload-hpa-target-missing",
            .title = "Autoscaler target not defined",
            .severity = Severity::kLow,
            .description =
                "The autoscaler's scaleTargetRef names a workload the namespace's manifests do not define: "
                "the intended workload is not scaled (usually a typo or a renamed workload), and any "
                "workload created later under that name is.",
            .remediation =
                "Point spec.scaleTargetRef at the workload's kind and name, or remove the autoscaler.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"HorizontalPodAutoscaler", "ScaledObject"},
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    bool keda = object.kind == "ScaledObject";
    if (keda ? object.group() != "keda.sh" : object.group() != "autoscaling") return;
    const Node* target = field(object.root, {"spec", "scaleTargetRef"});
    const Node* name = field(target, "name");
    if (name == nullptr || !name->isString() || name->str().empty()) return;
    const Node* kind_node = field(target, "kind");
    std::string_view kind = kind_node != nullptr ? kind_node->str() : (keda ? "Deployment" : "");
    if (kind.empty()) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (index.find(kind, ns, name->str()) != nullptr) return;
    bool assessable = net::definesKindNear(index, *context.objects, kind, ns, object) ||
                      (isPodBearingKind(kind) && net::podsAssessable(index, *context.objects, ns, object));
    if (!assessable || net::mayCreateUnseenObjects(index, ns)) return;
    sink.add(*name,
             "scaleTargetRef " + std::string(kind) + "/" + std::string(name->str()) +
                 " is not defined in namespace " + quoted(ns.empty() ? "(unspecified)" : ns),
             "spec.scaleTargetRef.name", "spec.scaleTargetRef.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeHpaTargetMissingCheck() { return std::make_unique<HpaTargetMissingCheck>(); }

}  // namespace kspm::checks::workload
