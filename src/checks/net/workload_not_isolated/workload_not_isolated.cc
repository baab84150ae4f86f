// net-workload-not-isolated: a workload that no Kubernetes NetworkPolicy of its namespace selects
// for ingress (a policy whose podSelector matches the pod labels and whose effective policyTypes
// include Ingress), so every pod in the cluster can connect to it.
//
// Judged only when the input could show the policies: the namespace is defined in the input (a
// Namespace object) or holds at least one NetworkPolicy in the input. Not judged when policies kspm
// does not model may apply (cluster-wide Calico/Cilium/AdminNetworkPolicy, namespaced Calico or
// Cilium policies), for hostNetwork pods (NetworkPolicy does not apply to them) and for PodTemplates
// (nothing runs them).
#include <unordered_set>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

// Which workloads the input's NetworkPolicies isolate for ingress, derived once per scan so that
// the check costs a lookup per workload (not a pass over every policy of its namespace).
struct Isolation {
  bool cluster_wide = false;                              // cluster-wide policies kspm does not model
  std::unordered_set<std::string_view> unmodelled;        // namespaces with Calico/Cilium policies
  std::unordered_set<std::string_view> all_selected;      // an ingress policy selects every pod
  std::unordered_set<const Object*> selected;             // workloads some ingress policy selects
};

// A LabelSelector with no requirement at all ({} or only empty/null members): selects every pod.
bool selectsEverything(const Node& selector) {
  if (!selector.isObject()) return false;
  for (const Member& m : selector.members()) {
    if (!m.value.isNull() && !((m.value.isObject() || m.value.isArray()) && m.value.size() == 0)) return false;
  }
  return true;
}

Isolation computeIsolation(const ObjectIndex& index, const ObjectSet& objects) {
  Isolation out;
  out.cluster_wide = hasClusterWidePolicies(index);
  for (const Object* policy : index.ofKind("CiliumNetworkPolicy")) out.unmodelled.insert(objects.namespaceOf(*policy));
  for (const Object* policy : index.ofKind("NetworkPolicy")) {
    std::string_view ns = objects.namespaceOf(*policy);
    if (!isKubernetesNetworkPolicy(*policy)) {
      out.unmodelled.insert(ns);
      continue;
    }
    const Node* spec = field(policy->root, "spec");
    if (!effectivePolicyTypes(spec).ingress) continue;
    const Node* selector = field(spec, "podSelector");
    if (selector == nullptr || selectsEverything(*selector)) {
      if (policySelects(spec, nullptr)) out.all_selected.insert(ns);
      continue;
    }
    for (const Workload& w : index.selectorCandidates(ns, selector)) {
      if (policySelects(spec, w.pod_labels)) out.selected.insert(w.object);
    }
  }
  return out;
}

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
            .reads = {"NetworkPolicy", "Namespace"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr || object.kind == "PodTemplate") return;
    if (isTrue(field(pod->spec, "hostNetwork"))) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    bool namespace_defined = !ns.empty() && index.find("Namespace", "", ns) != nullptr;
    if (!namespace_defined && index.ofKindIn("NetworkPolicy", ns).empty()) return;
    const Isolation& isolation = context.scan->derived<Isolation>(
        "net-workload-not-isolated", [&] { return computeIsolation(index, *context.objects); });
    if (isolation.cluster_wide || isolation.unmodelled.count(ns) != 0) return;
    if (isolation.all_selected.count(ns) != 0 || isolation.selected.count(&object) != 0) return;
    const Node* labels = field(pod->metadata, "labels");
    const Node& at = labels != nullptr ? *labels : (pod->metadata != nullptr ? *pod->metadata : *object.root);
    std::string message = "no NetworkPolicy in namespace " + quoted(ns.empty() ? "(unspecified)" : ns) +
                          " selects these pods for ingress: every pod in the cluster can connect to them";
    sink.add(at, std::move(message), pod->metadata_path + ".labels", pod->metadata_path + ".labels");
  }
};

}  // namespace

std::unique_ptr<Check> makeWorkloadNotIsolatedCheck() { return std::make_unique<WorkloadNotIsolatedCheck>(); }

}  // namespace kspm::checks::net
