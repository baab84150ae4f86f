// net-networkpolicy-allow-all: a Kubernetes NetworkPolicy rule that allows every peer on every
// port, in a direction the policy governs (effective policyTypes). A rule allows every port when
// `ports` is missing or empty. Its peers are unrestricted when `from`/`to` is missing or empty
// (every source, inside and outside the cluster); a peer with an empty namespaceSelector and no
// or an empty podSelector allows every pod of every namespace; an ipBlock of 0.0.0.0/0 or ::/0
// without `except` allows every address of that family. Such a rule cancels the isolation the
// policy's podSelector creates. Egress findings are low: allowing all egress is a common, explicit
// choice.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"

namespace kspm::checks::net {
namespace {

bool isEmptySelector(const Node* selector) {
  if (selector == nullptr || !selector->isObject()) return false;
  const Node* labels = field(selector, "matchLabels");
  const Node* expressions = field(selector, "matchExpressions");
  return (labels == nullptr || labels->size() == 0) && (expressions == nullptr || expressions->size() == 0);
}

// What an unrestricted peer allows, or "" when the peer is restricted.
std::string_view peerBreadth(const Node& peer) {
  const Node* namespaces = field(&peer, "namespaceSelector");
  const Node* pods = field(&peer, "podSelector");
  if (namespaces != nullptr && isEmptySelector(namespaces) && (pods == nullptr || isEmptySelector(pods))) {
    return "every pod in every namespace";
  }
  const Node* block = field(&peer, "ipBlock");
  const Node* cidr = field(block, "cidr");
  const Node* except = field(block, "except");
  if (cidr != nullptr && (cidr->is("0.0.0.0/0") || cidr->is("::/0")) &&
      (except == nullptr || except->size() == 0)) {
    return cidr->is("::/0") ? std::string_view("every IPv6 address") : std::string_view("every IPv4 address");
  }
  return {};
}

class NetworkPolicyAllowAllCheck final : public BasicCheck {
 public:
  NetworkPolicyAllowAllCheck()
      : BasicCheck({
            .id = "net-networkpolicy-allow-all",
            .title = "NetworkPolicy rule allows all traffic",
            .severity = Severity::kMedium,
            .description =
                "A rule with no peer and port restriction (an empty rule `{}`, an empty namespaceSelector, "
                "or 0.0.0.0/0) allows every connection in its direction. Policies are additive, so it also "
                "overrides every stricter policy that selects the same pods.",
            .remediation =
                "Restrict the rule with from/to peers (podSelector, namespaceSelector, ipBlock) and ports, "
                "allowing only the clients and destinations the workload needs.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"NetworkPolicy"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isKubernetesNetworkPolicy(object)) return;
    const Node* spec = field(object.root, "spec");
    PolicyTypes types = effectivePolicyTypes(spec);
    if (types.ingress) check(spec, "ingress", "from", sink);
    if (types.egress) check(spec, "egress", "to", sink);
  }

 private:
  static void check(const Node* spec, std::string_view direction, std::string_view peers_key,
                    FindingSink& sink) {
    const Node* rules = field(spec, direction);
    if (rules == nullptr || !rules->isArray()) return;
    bool ingress = direction == "ingress";
    uint32_t index = 0;
    for (const Node& rule : rules->items()) {
      std::string path = "spec." + std::string(direction) + "[" + std::to_string(index++) + "]";
      if (!rule.isObject() && !rule.isNull()) continue;
      const Node* ports = field(&rule, "ports");
      if (ports != nullptr && ports->size() > 0) continue;
      const Node* peers = field(&rule, peers_key);
      std::string_view breadth;
      if (peers == nullptr || peers->size() == 0) {
        breadth = ingress ? "every source" : "every destination";
      } else {
        for (const Node& peer : peers->items()) {
          breadth = peerBreadth(peer);
          if (!breadth.empty()) break;
        }
      }
      if (breadth.empty()) continue;
      std::string message = std::string(direction) + " rule allows " +
                            (ingress ? "traffic from " : "traffic to ") + std::string(breadth) +
                            " on every port";
      Finding& finding = sink.add(rule, std::move(message), path, path);
      if (!ingress) finding.severity = Severity::kLow;
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeNetworkPolicyAllowAllCheck() {
  return std::make_unique<NetworkPolicyAllowAllCheck>();
}

}  // namespace kspm::checks::net
