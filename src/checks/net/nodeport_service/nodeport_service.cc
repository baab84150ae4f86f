// net-nodeport-service: a core Service of type NodePort. Only NodePort is reported: a LoadBalancer
// also allocates node ports (unless allocateLoadBalancerNodePorts is false), but those exist to
// carry the load balancer's traffic and net-loadbalancer-no-source-ranges judges its exposure.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"

namespace kspm::checks::net {
namespace {

class NodePortServiceCheck final : public BasicCheck {
 public:
  NodePortServiceCheck()
      : BasicCheck({
            .id = "net-nodeport-service",
            .title = "Service of type NodePort",
            .severity = Severity::kMedium,
            .description =
                "A NodePort Service opens its port on every node of the cluster, so anything that can "
                "reach a node address reaches the pods, outside any ingress controller, TLS termination "
                "or load balancer firewall. Node ports are also easy to forget when nodes get public IPs.",
            .remediation =
                "Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer restricted with "
                "loadBalancerSourceRanges; where a NodePort is required, firewall the node port range.",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Service"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isCoreService(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* type = field(spec, "type");
    if (type == nullptr || !type->is("NodePort")) return;
    std::string ports;
    const Node* list = field(spec, "ports");
    if (list != nullptr && list->isArray()) {
      for (const Node& port : list->items()) {
        const Node* node_port = field(&port, "nodePort");
        if (node_port == nullptr || !node_port->isInt()) continue;
        if (!ports.empty()) ports += ", ";
        ports += node_port->scalarText();
      }
    }
    std::string message = ports.empty() ? "service type NodePort opens an allocated node port on every node"
                                        : "service type NodePort opens node port " + ports + " on every node";
    sink.add(*type, std::move(message), "spec.type", "spec.type");
  }
};

}  // namespace

std::unique_ptr<Check> makeNodePortServiceCheck() { return std::make_unique<NodePortServiceCheck>(); }

}  // namespace kspm::checks::net
