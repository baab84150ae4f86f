// ns-no-limit-range: a Namespace defined in the input with no LimitRange of that namespace in the
// input. Only namespaces the input defines are judged; kube-system, kube-public and kube-node-lease
// are skipped (created by Kubernetes; defaults in kube-system can starve cluster components).
#include "checks/net/cross_object.h"
#include "checks/ns/namespace_object.h"
#include "checks/ns/ns_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::ns {
namespace {

class NoLimitRangeCheck final : public net::BasicCheck {
 public:
  NoLimitRangeCheck()
      : BasicCheck({
            .id = "ns-no-limit-range",
            .title = "Namespace without a LimitRange",
            .severity = Severity::kLow,
            .description =
                "Without a LimitRange, containers that set no requests or limits get none: one of them "
                "can use a node's whole CPU and memory and starve its neighbours, and a ResourceQuota on "
                "CPU or memory rejects such pods outright.",
            .remediation =
                "Add a LimitRange to the namespace with default requests and limits (and maxima) for "
                "containers.",
            .controls = {{"nsa", "resource-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Namespace"},
            .reads = {"LimitRange"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    std::string_view name = namespaceName(object);
    if (name.empty() || name == "kube-system" || net::isSystemNamespaceWithoutWorkloads(name)) return;
    if (!context.scan->index.ofKindIn("LimitRange", name).empty()) return;
    sink.add(namespaceAnchor(object), "namespace " + quoted(name) + " has no LimitRange in the input",
             "metadata.name", "metadata.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeNoLimitRangeCheck() { return std::make_unique<NoLimitRangeCheck>(); }

}  // namespace kspm::checks::ns
