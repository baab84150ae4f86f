// net-internet-exposed-no-policy: a workload that the internet reaches, or may reach, through a
// Service (LoadBalancer, NodePort, externalIPs), an Ingress, a Gateway API route or a hostPort
// (netpol::computeExposure: level internet, confidence exposed or potentially exposed), and that no
// Kubernetes NetworkPolicy selects for ingress. One finding per workload, naming each such path.
//
// Not judged: hostNetwork pods, since NetworkPolicy does not apply to them (pss-host-namespaces
// reports them); workloads in namespaces where policies of other engines may apply (Calico,
// Cilium, Antrea, AdminNetworkPolicy, Istio AuthorizationPolicy), which may well narrow the path;
// paths whose exposure is only "unknown" (a LoadBalancer whose loadBalancerSourceRanges admit only
// private addresses is not an internet path at all); and in the unspecified namespace, Services
// and routes from another directory (another project's objects; cross_object.h: sameProject).
#include <algorithm>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

class InternetExposedNoPolicyCheck final : public BasicCheck {
 public:
  InternetExposedNoPolicyCheck()
      : BasicCheck({
            .id = "net-internet-exposed-no-policy",
            .title = "Internet-exposed workload without a NetworkPolicy",
            .severity = Severity::kHigh,
            .description =
                "The workload is reachable from outside the cluster (a LoadBalancer, NodePort or externalIPs "
                "Service, an Ingress or Gateway API route, or a hostPort) and no NetworkPolicy selects it for "
                "ingress. Nothing limits who connects to it or on which port, and once it is compromised every "
                "pod in the cluster can reach it too. NetworkPolicy does not apply to hostNetwork pods, which "
                "this check leaves to pss-host-namespaces.",
            .remediation =
                "Add a NetworkPolicy that selects the workload's pods for ingress and admits only the ports it "
                "serves and the sources that need them (the ingress controller's namespace, the load "
                "balancer's ranges), or stop exposing it.",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kPodSpec,
            .reads = {"NetworkPolicy", "Namespace", "Service", "Ingress"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr) return;
    NetpolWorkloadRef ref = netpolWorkloadRef(context, object);
    std::optional<uint32_t> w = ref.workload;
    if (!w) return;
    const netpol::Model& model = *ref.model;
    const netpol::WorkloadInfo& info = model.workloads()[*w];
    if (info.host_network || !model.ingressPolicies(*w).empty() || !model.foreignPoliciesFor(info.ns).empty()) return;
    const netpol::Exposure& exposure = netpolExposure(context, model)[*w];
    std::vector<const netpol::ExposurePath*> internet;
    bool certain = false;
    for (const netpol::ExposurePath& path : exposure.paths) {
      if (path.level != netpol::ExposureLevel::kInternet || path.confidence == netpol::Confidence::kUnknown) continue;
      if (path.channel == "hostNetwork" || path.channel == "pod network") continue;
      // In the unspecified namespace, a Service or route of another directory belongs elsewhere.
      if (path.via != nullptr && !sameProject(*context.objects, info.ns, object, *path.via)) continue;
      certain = certain || path.confidence == netpol::Confidence::kExposed;
      internet.push_back(&path);
    }
    if (internet.empty()) return;
    std::vector<std::string> described;
    for (const netpol::ExposurePath* path : internet) {
      std::string text = path->channel;
      if (path->via != nullptr && path->via != info.object) text += " " + quoted(path->via->name);
      // "potentially" per path only when some other path is certain.
      bool potential = certain && path->confidence != netpol::Confidence::kExposed;
      netpol::ConnSet ports = path->ports;
      if (path->channel == "hostPort") {
        // The port opened on the node, which may differ from the container port.
        ports = netpol::ConnSet();
        for (const netpol::ContainerPort& cp : info.ports) {
          if (cp.host_port != 0) ports.unite(netpol::ConnSet::ports(cp.protocol, cp.host_port, cp.host_port));
        }
      }
      text += " (" + ports.toString() + (potential ? ", potentially" : "") + ")";
      // Two objects of one name (variants of a manifest) read the same: say it once.
      if (std::find(described.begin(), described.end(), text) == described.end()) described.push_back(std::move(text));
    }
    std::string paths;
    for (const std::string& text : described) paths += (paths.empty() ? "" : "; ") + text;
    const Node* labels = field(pod->metadata, "labels");
    const Node& at = labels != nullptr ? *labels : (pod->metadata != nullptr ? *pod->metadata : *object.root);
    std::string message = std::string(certain ? "exposed" : "potentially exposed") + " to the internet through " +
                          paths + ", and no NetworkPolicy selects these pods for ingress";
    sink.add(at, std::move(message), pod->metadata_path + ".labels", pod->metadata_path + ".labels");
  }
};

}  // namespace

std::unique_ptr<Check> makeInternetExposedNoPolicyCheck() { return std::make_unique<InternetExposedNoPolicyCheck>(); }

}  // namespace kspm::checks::net
