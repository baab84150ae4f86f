// ns-no-resource-quota: a Namespace defined in the input with no ResourceQuota of that namespace
// in the input. Only namespaces the input defines are judged. kube-system, kube-public and
// kube-node-lease are skipped: Kubernetes creates them, and a quota in kube-system can keep
// cluster components from starting.
#include "checks/net/cross_object.h"
#include "checks/ns/namespace_object.h"
#include "checks/ns/ns_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::ns {
namespace {

class NoResourceQuotaCheck final : public net::BasicCheck {
 public:
  NoResourceQuotaCheck()
      : BasicCheck({
            .id = "ns-no-resource-quota",
            .title = "Namespace without a ResourceQuota",
            .severity = Severity::kLow,
            .description =
                "Without a ResourceQuota nothing caps what the namespace may consume: a compromised or "
                "runaway workload can create pods, Services or storage until the cluster is exhausted, "
                "denying service to every other namespace.",
            .remediation =
                "Add a ResourceQuota to the namespace limiting CPU, memory, storage and object counts "
                "(pods, services.loadbalancers, ...).",
            .controls = {{"nsa", "resource-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Namespace"},
            .reads = {"ResourceQuota"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    std::string_view name = namespaceName(object);
    if (name.empty() || name == "kube-system" || net::isSystemNamespaceWithoutWorkloads(name)) return;
    if (!context.scan->index.ofKindIn("ResourceQuota", name).empty()) return;
    sink.add(namespaceAnchor(object), "namespace " + quoted(name) + " has no ResourceQuota in the input",
             "metadata.name", "metadata.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeNoResourceQuotaCheck() { return std::make_unique<NoResourceQuotaCheck>(); }

}  // namespace kspm::checks::ns
