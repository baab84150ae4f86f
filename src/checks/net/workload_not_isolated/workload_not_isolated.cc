// net-workload-not-isolated: a workload that no Kubernetes NetworkPolicy of its namespace selects
// for ingress (a policy whose podSelector matches the pod labels and whose effective policyTypes
// include Ingress), so every pod in the cluster can connect to it.
//
// Judged only when the input could show the policies: the namespace is defined in the input (a
// Namespace object) or holds at least one NetworkPolicy in the input. Not judged when policies kspm
// does not model may apply (cluster-wide Calico/Cilium/AdminNetworkPolicy, namespaced Calico or
// Cilium policies), for hostNetwork pods (NetworkPolicy does not apply to them) and for PodTemplates
// (nothing runs them).
#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

class WorkloadNotIsolatedCheck final : public BasicCheck {
 public:
  WorkloadNotIsolatedCheck()
      : BasicCheck({
            .id = "net-workload-not-isolated",
            .title = "Workload not isolated by any NetworkPolicy",
            .severity = Severity::kLow,
            .description =
                "Pods that no NetworkPolicy selects for ingress accept connections from every pod in the "
                "cluster. One compromised pod anywhere can then reach this workload's ports directly, "
                "which is how attackers move laterally.",
            .remediation =
                "Add a NetworkPolicy that selects the workload's pods with policyTypes Ingress (for "
                "example a namespace default-deny plus explicit allow rules).",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kPodSpec,
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr || object.kind == "PodTemplate") return;
    if (isTrue(field(pod->spec, "hostNetwork"))) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    const std::vector<const Object*>& policies = index.ofKindIn("NetworkPolicy", ns);
    bool namespace_defined = !ns.empty() && index.find("Namespace", "", ns) != nullptr;
    if (!namespace_defined && policies.empty()) return;
    if (hasUnmodelledPolicies(index, ns)) return;
    const Node* labels = field(pod->metadata, "labels");
    for (const Object* policy : policies) {
      const Node* spec = field(policy->root, "spec");
      if (effectivePolicyTypes(spec).ingress && policySelects(spec, labels)) return;
    }
    const Node& at = labels != nullptr ? *labels : (pod->metadata != nullptr ? *pod->metadata : *object.root);
    std::string message = "no NetworkPolicy in namespace " + quoted(ns.empty() ? "(unspecified)" : ns) +
                          " selects these pods for ingress: every pod in the cluster can connect to them";
    sink.add(at, std::move(message), pod->metadata_path + ".labels", pod->metadata_path + ".labels");
  }
};

}  // namespace

std::unique_ptr<Check> makeWorkloadNotIsolatedCheck() { return std::make_unique<WorkloadNotIsolatedCheck>(); }

}  // namespace kspm::checks::net
