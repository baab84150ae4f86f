// net-egress-internet-from-sensitive-namespace: a Kubernetes NetworkPolicy of a sensitive namespace
// whose egress rule admits every internet address (netpol::internetAddresses(), IPv4 or IPv6): a
// rule with no `to` (every destination), or ipBlock peers that together cover the internet of a
// family (0.0.0.0/0, also with the private ranges excepted). One finding per such rule, at
// spec.egress[i], with the ports it admits. Egress rules of a policy whose effective policyTypes
// lack Egress are ignored, as Kubernetes ignores them; policies the API server would reject are
// left out of the model and not judged. Rules that only admit port 53 (or the ports named dns and
// dns-tcp) are the usual way to allow DNS and are not reported.
//
// Sensitive namespaces run controllers with cluster-wide power (the control plane, GitOps,
// certificate, secret, mesh and admission controllers): from there, open egress lets a compromised
// controller send tokens and secrets anywhere. They are the names of the parameter
// `sensitive-namespaces` (by default kDefaultSensitive) plus every Namespace of the input labelled
// kspm.io/sensitive=true.
#include <string>

#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

constexpr std::string_view kParameter = "sensitive-namespaces";
constexpr std::string_view kSensitiveLabel = "kspm.io/sensitive";

constexpr std::string_view kDefaultSensitive[] = {
    "kube-system",       "argocd",           "flux-system",      "cert-manager",        "vault",
    "istio-system",      "gatekeeper-system", "kyverno",         "external-secrets",    "sealed-secrets",
    "linkerd",           "calico-system",    "tigera-operator",  "cilium",              "kube-prometheus-stack",
    "crossplane-system", "velero",           "keda",             "external-dns",        "ingress-nginx",
};

bool sensitive(const EvalContext& context, std::string_view ns) {
  if (ns.empty()) return false;
  if (context.params != nullptr && context.params->has(kParameter)) {
    for (const std::string& name : context.params->get(kParameter)) {
      if (name == ns) return true;
    }
  } else {
    for (std::string_view name : kDefaultSensitive) {
      if (name == ns) return true;
    }
  }
  const Object* namespace_object = context.scan->index.find("Namespace", "", ns);
  if (namespace_object == nullptr || !namespace_object->group().empty()) return false;
  const Node* value = field(namespace_object->metadata(), {"labels", kSensitiveLabel});
  return value != nullptr && value->is("true");
}

const netpol::IpSet& internetOf(netpol::IpFamily family) {
  static const netpol::IpSet kV4 = netpol::internetAddresses().intersect(netpol::IpSet::allOf(netpol::IpFamily::kV4));
  static const netpol::IpSet kV6 = netpol::internetAddresses().intersect(netpol::IpSet::allOf(netpol::IpFamily::kV6));
  return family == netpol::IpFamily::kV4 ? kV4 : kV6;
}

// A rule that only admits port 53: the usual "allow DNS anywhere" rule, not open egress.
bool onlyDns(const netpol::PolicyRule& rule) {
  if (rule.all_ports) return false;
  for (const netpol::PolicyPort& port : rule.ports) {
    bool dns = port.name.empty() ? !port.any_port && port.port == 53 && port.end_port == 53
                                 : port.name == "dns" || port.name == "dns-tcp";
    if (!dns) return false;
  }
  return true;
}

std::string portsOf(const netpol::PolicyRule& rule) {
  if (rule.all_ports) return "every port";
  std::string out;
  for (const netpol::PolicyPort& port : rule.ports) {
    if (!out.empty()) out += ", ";
    out += std::string(netpol::protocolName(port.protocol));
    if (port.any_port) continue;
    out += " ";
    if (!port.name.empty()) {
      out += quoted(port.name);
    } else {
      out += std::to_string(port.port);
      if (port.end_port != port.port) out += "-" + std::to_string(port.end_port);
    }
  }
  return out;
}

class EgressInternetFromSensitiveNamespaceCheck final : public BasicCheck {
 public:
  EgressInternetFromSensitiveNamespaceCheck()
      : BasicCheck({
            .id = "net-egress-internet-from-sensitive-namespace",
            .title = "NetworkPolicy allows egress to the internet from a sensitive namespace",
            .severity = Severity::kMedium,
            .description =
                "Controllers in namespaces such as kube-system, argocd, flux-system, cert-manager or vault "
                "hold credentials with cluster-wide power. An egress rule that admits every internet address "
                "(no `to`, or an ipBlock of 0.0.0.0/0 or ::/0) lets a compromised controller, or a malicious "
                "dependency in it, send those credentials anywhere.",
            .remediation =
                "Limit the rule to the destinations the controller needs: the API server, cluster DNS, and the "
                "address ranges of its external endpoints (registries, Git hosts, ACME servers, cloud APIs), "
                "or route its traffic through an egress proxy.",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"NetworkPolicy"},
            .parameters = {{kParameter,
                            "Namespaces whose NetworkPolicies must not allow egress to the whole internet. "
                            "When not given: kube-system, argocd, flux-system, cert-manager, vault, "
                            "istio-system, gatekeeper-system, kyverno, external-secrets, sealed-secrets, "
                            "linkerd, calico-system, tigera-operator, cilium, kube-prometheus-stack, "
                            "crossplane-system, velero, keda, external-dns and ingress-nginx. A Namespace "
                            "labelled kspm.io/sensitive=true is sensitive either way."}},
            .reads = {"NetworkPolicy", "Namespace"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isKubernetesNetworkPolicy(object)) return;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!sensitive(context, ns)) return;
    const netpol::Policy* policy = netpolPolicy(context, object);
    if (policy == nullptr || !policy->isolates_egress) return;
    const Node* rules = field(object.root, {"spec", "egress"});
    for (const netpol::PolicyRule& rule : policy->egress) {
      if (onlyDns(rule)) continue;
      std::string what;
      if (rule.all_peers) {
        what = "every destination";
      } else {
        netpol::IpSet blocks;
        for (const netpol::PolicyPeer& peer : rule.peers) {
          if (peer.kind == netpol::PolicyPeer::Kind::kIpBlock) blocks.unite(peer.block);
        }
        bool v4 = blocks.containsAll(internetOf(netpol::IpFamily::kV4));
        bool v6 = blocks.containsAll(internetOf(netpol::IpFamily::kV6));
        if (!v4 && !v6) continue;
        what = v4 && v6 ? "every internet address" : v4 ? "every IPv4 internet address" : "every IPv6 internet address";
      }
      const Node* at = rules != nullptr && rules->isArray() && rule.index < rules->size() ? &rules->items()[rule.index] : nullptr;
      if (at == nullptr) at = object.root;
      std::string path = "spec.egress[" + std::to_string(rule.index) + "]";
      std::string message = "egress rule of NetworkPolicy " + quoted(object.name) + " in sensitive namespace " +
                            quoted(ns) + " allows " + what + " on " + portsOf(rule);
      sink.add(*at, std::move(message), path, path);
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeEgressInternetFromSensitiveNamespaceCheck() {
  return std::make_unique<EgressInternetFromSensitiveNamespaceCheck>();
}

}  // namespace kspm::checks::net
