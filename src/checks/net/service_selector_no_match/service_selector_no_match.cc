// net-service-selector-no-match: a core Service whose spec.selector matches the pod labels of no
// workload in its namespace, so it has no endpoints. Judged only when the input holds workloads in
// that namespace and nothing that creates pods the input does not show (podsAssessable): a chart
// that ships only Services, or a namespace run by an operator, is not assessable. Services without
// a selector (manually managed endpoints) and ExternalName Services are not judged.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

class ServiceSelectorNoMatchCheck final : public BasicCheck {
 public:
  ServiceSelectorNoMatchCheck()
      : BasicCheck({
            .id = "net-service-selector-no-match",
            .title = "Service selector matches no workload",
            .severity = Severity::kMedium,
            .description =
                "The Service's selector matches the pod labels of no workload in its namespace, so the "
                "Service has no endpoints. Clients get connection errors, and any pod that later carries "
                "those labels, whoever deploys it, receives the Service's traffic.",
            .remediation = "Make spec.selector equal to labels of the intended workload's pod template.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Service"},
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isCoreService(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* type = field(spec, "type");
    if (type != nullptr && type->is("ExternalName")) return;
    const Node* selector = field(spec, "selector");
    if (selector == nullptr || !selector->isObject() || selector->size() == 0) return;
    for (const Member& m : selector->members()) {
      if (!m.value.isString()) return;  // the API server rejects the object; not this check's business
    }
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!podsAssessable(context, ns, object)) return;
    if (!index.workloadsMatchingMap(ns, selector).empty()) return;
    std::string shown;
    for (const Member& m : selector->members()) {
      if (!shown.empty()) shown += ", ";
      shown.append(m.key.str()).append("=").append(m.value.str());
    }
    sink.add(*selector,
             "selector " + shown + " matches no workload in namespace " +
                 quoted(ns.empty() ? "(unspecified)" : ns),
             "spec.selector", "spec.selector");
  }
};

}  // namespace

std::unique_ptr<Check> makeServiceSelectorNoMatchCheck() {
  return std::make_unique<ServiceSelectorNoMatchCheck>();
}

}  // namespace kspm::checks::net
