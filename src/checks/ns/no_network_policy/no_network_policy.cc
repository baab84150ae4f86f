// ns-no-network-policy: a Namespace defined in the input with no NetworkPolicy of that namespace
// in the input (Kubernetes, Calico or Cilium namespaced policies all count). Only namespaces the
// input defines are judged, since a namespace the input merely references may have its policies
// elsewhere. Not judged when the input holds cluster-wide policies (Calico GlobalNetworkPolicy,
// CiliumClusterwideNetworkPolicy, AdminNetworkPolicy), which may cover the namespace, nor for
// kube-public and kube-node-lease, where no pods run.
#include "checks/net/cross_object.h"
#include "checks/ns/namespace_object.h"
#include "checks/ns/ns_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::ns {
namespace {

class NoNetworkPolicyCheck final : public net::BasicCheck {
 public:
  NoNetworkPolicyCheck()
      : BasicCheck({
            .id = "ns-no-network-policy",
            .title = "Namespace without a NetworkPolicy",
            .severity = Severity::kMedium,
            .description =
                "Without any NetworkPolicy, every pod of the namespace accepts connections from every pod "
                "in the cluster and can connect anywhere: one compromised pod elsewhere reaches all of them.",
            .remediation =
                "Add NetworkPolicies to the namespace, starting with a default deny (podSelector: {} with "
                "policyTypes Ingress and Egress) and explicit allow rules.",
            .controls = {{"cis", "5.3.2"}, {"nsa", "network-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Namespace"},
            .reads = {"NetworkPolicy"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    std::string_view name = namespaceName(object);
    if (name.empty() || net::isSystemNamespaceWithoutWorkloads(name)) return;
    const ObjectIndex& index = context.scan->index;
    if (net::hasClusterWidePolicies(index)) return;
    if (!index.ofKindIn("NetworkPolicy", name).empty() ||
        !index.ofKindIn("CiliumNetworkPolicy", name).empty()) {
      return;
    }
    sink.add(namespaceAnchor(object),
             "namespace " + quoted(name) +
                 " has no NetworkPolicy in the input: its pods accept traffic from "
                 "every pod in the cluster",
             "metadata.name", "metadata.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeNoNetworkPolicyCheck() { return std::make_unique<NoNetworkPolicyCheck>(); }

}  // namespace kspm::checks::ns
