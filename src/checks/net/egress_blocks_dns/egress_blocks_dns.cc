// net-egress-blocks-dns: a workload that NetworkPolicies isolate for egress and whose DNS queries
// to the cluster DNS (kube-dns or CoreDNS: kube-system pods labelled k8s-app=kube-dns) are
// definitely denied on UDP 53 or TCP 53 (netpol verdict "denied"): name resolution fails, the
// classic outage after rolling out a default-deny egress policy. The DNS pods are the input's own
// (ports taken from their containers: the UDP port named dns, the TCP port named dns-tcp, else 53,
// since NetworkPolicy judges the pod port behind the Service)
// and, when the input holds none, a hypothetical kube-system pod with the labels and named ports of
// the upstream kube-dns/CoreDNS manifests. With several DNS workloads, a protocol counts as
// denied only when it is denied to every one of them.
//
// Only "denied" is a finding. "depends" (an ipBlock rule that may hold the DNS pods' or the
// Service's addresses, hostNetwork DNS pods) and "unknown" (namespace labels the input does not
// show, policies of other engines) mean the input cannot show that DNS is blocked, and a check
// reports only what the input proves.
//
// Not judged: hostNetwork pods (NetworkPolicy does not apply to them), pods with dnsPolicy Default
// or None (they do not query the cluster DNS), the DNS pods themselves, and inputs running
// NodeLocal DNSCache (workloads labelled k8s-app=node-local-dns), where queries go to a node-local
// address instead of the kube-dns pods. In the unspecified namespace, only NetworkPolicies from the
// workload's directory count as isolating it (cross_object.h: sameProject).
#include <algorithm>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

using netpol::Protocol;

constexpr std::string_view kDnsNamespace = "kube-system";
constexpr std::string_view kAppLabel = "k8s-app";

bool hasLabel(const netpol::WorkloadInfo& w, std::string_view key, std::string_view value) {
  for (const auto& [k, v] : w.labels) {
    if (k == key && v == value) return true;
  }
  return false;
}

bool isDnsWorkload(const netpol::WorkloadInfo& w) { return w.ns == kDnsNamespace && hasLabel(w, kAppLabel, "kube-dns"); }

// A DNS server to test against: the endpoint and its DNS port for UDP and TCP.
struct DnsTarget {
  netpol::Endpoint endpoint;
  std::string name;
  uint16_t udp = 53;
  uint16_t tcp = 53;
};

struct DnsTargets {
  bool node_local_cache = false;
  std::vector<DnsTarget> targets;
};

uint16_t dnsPort(const std::vector<netpol::ContainerPort>& ports, Protocol protocol, std::string_view name) {
  for (const netpol::ContainerPort& p : ports) {
    if (p.protocol == protocol && p.name == name) return p.port;
  }
  for (const netpol::ContainerPort& p : ports) {
    if (p.protocol == protocol && p.port == 53) return 53;
  }
  return 53;
}

DnsTargets computeTargets(const netpol::Model& model) {
  DnsTargets out;
  for (uint32_t w = 0; w < model.workloads().size(); ++w) {
    const netpol::WorkloadInfo& info = model.workloads()[w];
    if (hasLabel(info, kAppLabel, "node-local-dns")) out.node_local_cache = true;
    if (!isDnsWorkload(info)) continue;
    DnsTarget target{netpol::Endpoint::ofWorkload(w), info.label()};
    target.udp = dnsPort(info.ports, Protocol::kUDP, "dns");
    target.tcp = dnsPort(info.ports, Protocol::kTCP, "dns-tcp");
    out.targets.push_back(std::move(target));
  }
  if (out.targets.empty()) {
    DnsTarget target{netpol::Endpoint::ofPod(kDnsNamespace, {{kAppLabel, "kube-dns"}},
                                             {{"dns", 53, Protocol::kUDP}, {"dns-tcp", 53, Protocol::kTCP}}, "kube-dns"),
                     "kube-system pods labelled k8s-app=kube-dns"};
    out.targets.push_back(std::move(target));
  }
  return out;
}

std::string policyNames(const netpol::Model& model, const std::vector<uint32_t>& policies) {
  std::string out;
  for (size_t i = 0; i < policies.size(); ++i) {
    if (i == 3) {
      out += " and " + std::to_string(policies.size() - 3) + " more";
      break;
    }
    if (i > 0) out += i + 1 == policies.size() ? " and " : ", ";
    out += quoted(model.policies()[policies[i]].label());
  }
  return out;
}

class EgressBlocksDnsCheck final : public BasicCheck {
 public:
  EgressBlocksDnsCheck()
      : BasicCheck({
            .id = "net-egress-blocks-dns",
            .title = "NetworkPolicy blocks DNS for an egress-isolated workload",
            .severity = Severity::kMedium,
            .description =
                "The NetworkPolicies that isolate the workload for egress admit no connection to the cluster "
                "DNS (kube-dns or CoreDNS in kube-system) on UDP or TCP port 53, or the DNS pods' own policies "
                "refuse it. Name resolution then fails, and with it nearly every connection the workload "
                "makes: the most common outage after a default-deny egress policy is rolled out.",
            .remediation =
                "Allow egress to the DNS pods on UDP and TCP 53, for example a rule with to: namespaceSelector "
                "{kubernetes.io/metadata.name: kube-system} and podSelector {k8s-app: kube-dns}, ports 53/UDP "
                "and 53/TCP.",
            .controls = {},
            .scope = Scope::kPodSpec,
            .reads = {"NetworkPolicy", "Namespace"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr) return;
    std::string dns_policy = text(field(pod->spec, "dnsPolicy"));
    if (dns_policy == "Default" || dns_policy == "None") return;
    NetpolWorkloadRef ref = netpolWorkloadRef(context, object);
    std::optional<uint32_t> w = ref.workload;
    if (!w) return;
    const netpol::Model& model = *ref.model;
    const netpol::WorkloadInfo& info = model.workloads()[*w];
    if (info.host_network || isDnsWorkload(info)) return;
    // In the unspecified namespace, only policies of the same directory isolate it (another
    // project's policies in "" would be applied to another namespace). Policies of other
    // directories can only add allowed connections, so a denial stays a denial without them.
    std::vector<uint32_t> egress;
    for (uint32_t p : model.egressPolicies(*w)) {
      if (sameProject(*context.objects, info.ns, object, *model.policies()[p].object)) egress.push_back(p);
    }
    if (egress.empty()) return;
    const DnsTargets& dns =
        context.scan->derived<DnsTargets>("net-egress-blocks-dns", [&] { return computeTargets(model); });
    if (dns.node_local_cache) return;

    bool denied[2] = {true, true};  // UDP, TCP: denied to every DNS target
    bool egress_side = false;       // some denial comes from the workload's own egress policies
    std::vector<uint32_t> dns_side;  // DNS pods' ingress policies that deny
    netpol::Endpoint self = netpol::Endpoint::ofWorkload(*w);
    for (const DnsTarget& target : dns.targets) {
      netpol::Reach reach = model.reach(self, target.endpoint);
      const std::pair<Protocol, uint16_t> probes[2] = {{Protocol::kUDP, target.udp}, {Protocol::kTCP, target.tcp}};
      for (int i = 0; i < 2; ++i) {
        if (!denied[i]) continue;
        if (reach.verdictFor(probes[i].first, probes[i].second) != netpol::Verdict::kDenied) {
          denied[i] = false;
          continue;
        }
        const netpol::ConnSet probe = netpol::ConnSet::ports(probes[i].first, probes[i].second, probes[i].second);
        if (!reach.egress.allowed.containsAll(probe)) egress_side = true;
        if (reach.ingress.isolated && !reach.ingress.allowed.containsAll(probe)) {
          for (uint32_t p : reach.ingress.selecting) {
            if (std::find(dns_side.begin(), dns_side.end(), p) == dns_side.end()) dns_side.push_back(p);
          }
        }
      }
    }
    if (!denied[0] && !denied[1]) return;
    const DnsTarget& first = dns.targets.front();
    std::string which = denied[0] && denied[1] && first.udp == first.tcp
                            ? "UDP and TCP port " + std::to_string(first.udp)
                            : denied[0] && denied[1]
                                  ? "UDP port " + std::to_string(first.udp) + " and TCP port " + std::to_string(first.tcp)
                                  : denied[0] ? "UDP port " + std::to_string(first.udp) : "TCP port " + std::to_string(first.tcp);
    std::string message = "DNS to the cluster DNS (" + dns.targets.front().name +
                          (dns.targets.size() > 1 ? " and " + std::to_string(dns.targets.size() - 1) + " more" : "") +
                          ") is denied on " + which;
    std::vector<std::string> why;
    if (egress_side || dns_side.empty()) {
      bool one = egress.size() == 1;
      why.push_back("NetworkPolicy " + policyNames(model, egress) + (one ? " isolates" : " isolate") +
                    " these pods for egress" + (egress_side ? (one ? " and admits" : " and admit") + std::string(" no such connection") : ""));
    }
    if (!dns_side.empty()) {
      why.push_back("the DNS pods' NetworkPolicy " + policyNames(model, dns_side) + " admit" +
                    (dns_side.size() == 1 ? "s" : "") + " no connection from them");
    }
    for (size_t i = 0; i < why.size(); ++i) message += (i == 0 ? ": " : "; ") + why[i];
    const Node* labels = field(pod->metadata, "labels");
    const Node& at = labels != nullptr ? *labels : (pod->metadata != nullptr ? *pod->metadata : *object.root);
    sink.add(at, std::move(message), pod->metadata_path + ".labels", pod->metadata_path + ".labels");
  }
};

}  // namespace

std::unique_ptr<Check> makeEgressBlocksDnsCheck() { return std::make_unique<EgressBlocksDnsCheck>(); }

}  // namespace kspm::checks::net
