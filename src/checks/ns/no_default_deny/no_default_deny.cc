// ns-no-default-deny: a Namespace defined in the input, holding workloads or Kubernetes
// NetworkPolicies in the input, where no Kubernetes NetworkPolicy selects every pod (an empty
// podSelector) with Ingress in its effective policyTypes. A policy with a rule that admits every
// pod of the cluster on every port (an empty rule, or an empty namespaceSelector) does not count:
// it denies nothing inside the cluster. The message also says whether egress lacks a default deny
// (the same test with Egress).
//
// Not judged: namespaces the input only references (their policies may live elsewhere); namespaces
// with nothing in the input (nothing to protect, and ns-no-network-policy covers them) or only
// hostNetwork workloads (NetworkPolicy does not apply to them: a CNI's or node agent's namespace);
// kube-public and kube-node-lease, where no pods run; and namespaces where policies of other
// engines may apply (Calico, Cilium, Antrea, AdminNetworkPolicy, Istio AuthorizationPolicy:
// netpol::Model::foreignPoliciesFor), since such a policy may be the namespace's default deny.
// Policies the API server would reject are left out of the model and do not count.
#include <string>
#include <unordered_map>

#include "checks/net/cross_object.h"
#include "checks/ns/namespace_object.h"
#include "checks/ns/ns_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::ns {
namespace {

// Per namespace: whether the input shows something there, and which default denies it has.
struct NamespaceFacts {
  bool has_workloads = false;
  bool has_policies = false;
  const netpol::Policy* deny_ingress = nullptr;  // first policy isolating every pod for ingress
  const netpol::Policy* deny_egress = nullptr;   // ... for egress
};

// True when some rule admits every pod of the cluster on every port (no `from`/`to`, or a peer
// with an empty namespaceSelector and no or an empty podSelector): it denies nothing in the cluster.
bool admitsEverything(const std::vector<netpol::PolicyRule>& rules) {
  for (const netpol::PolicyRule& rule : rules) {
    if (!rule.all_ports) continue;
    if (rule.all_peers) return true;
    for (const netpol::PolicyPeer& peer : rule.peers) {
      if (peer.kind == netpol::PolicyPeer::Kind::kPods && peer.namespace_selector && peer.namespace_selector->matchesAll() &&
          (!peer.pod_selector || peer.pod_selector->matchesAll())) {
        return true;
      }
    }
  }
  return false;
}

std::unordered_map<std::string_view, NamespaceFacts> computeFacts(const netpol::Model& model) {
  std::unordered_map<std::string_view, NamespaceFacts> out;
  for (const netpol::WorkloadInfo& w : model.workloads()) {
    if (!w.host_network) out[w.ns].has_workloads = true;  // NetworkPolicy does not apply to hostNetwork pods
  }
  for (const netpol::Policy& policy : model.policies()) {
    NamespaceFacts& facts = out[policy.ns];
    facts.has_policies = true;
    if (!policy.pod_selector.matchesAll()) continue;
    if (policy.isolates_ingress && facts.deny_ingress == nullptr && !admitsEverything(policy.ingress)) {
      facts.deny_ingress = &policy;
    }
    if (policy.isolates_egress && facts.deny_egress == nullptr && !admitsEverything(policy.egress)) {
      facts.deny_egress = &policy;
    }
  }
  return out;
}

class NoDefaultDenyCheck final : public net::BasicCheck {
 public:
  NoDefaultDenyCheck()
      : BasicCheck({
            .id = "ns-no-default-deny",
            .title = "Namespace without a default-deny NetworkPolicy",
            .severity = Severity::kLow,
            .description =
                "Without a NetworkPolicy that selects every pod of the namespace (podSelector: {}) for "
                "ingress, every pod that no other policy happens to select accepts connections from every "
                "pod in the cluster, including pods added later. A default deny makes isolation the rule "
                "and each allowed connection an explicit exception.",
            .remediation =
                "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules to "
                "the namespace, then allow the connections its workloads need (and DNS egress) explicitly.",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Namespace"},
            .reads = {"NetworkPolicy"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    std::string_view name = namespaceName(object);
    if (name.empty() || net::isSystemNamespaceWithoutWorkloads(name)) return;
    const netpol::Model& model = net::netpolModel(context);
    if (!model.foreignPoliciesFor(name).empty()) return;
    const auto& all = context.scan->derived<std::unordered_map<std::string_view, NamespaceFacts>>(
        "ns-no-default-deny", [&] { return computeFacts(model); });
    auto it = all.find(name);
    if (it == all.end()) return;
    const NamespaceFacts& facts = it->second;
    if (!facts.has_workloads && !facts.has_policies) return;
    if (facts.deny_ingress != nullptr) return;
    std::string message = "namespace " + quoted(name) + " has no default-deny NetworkPolicy for ingress (podSelector: {}" +
                          " with policyTypes Ingress)";
    if (facts.deny_egress == nullptr) {
      message += " nor for egress";
    } else {
      message += "; egress is default-denied by " + quoted(facts.deny_egress->name);
    }
    message += facts.has_policies ? ": pods that no policy selects for ingress accept traffic from every pod in the cluster"
                                  : ": it has no NetworkPolicy, so its pods accept traffic from every pod in the cluster";
    sink.add(namespaceAnchor(object), std::move(message), "metadata.name", "metadata.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeNoDefaultDenyCheck() { return std::make_unique<NoDefaultDenyCheck>(); }

}  // namespace kspm::checks::ns
