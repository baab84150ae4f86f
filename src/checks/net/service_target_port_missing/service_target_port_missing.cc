// net-service-target-port-missing: a Service port whose targetPort is a name that no selected
// workload declares. The endpoints controller resolves a named targetPort per pod (FindPort in
// k8s.io/kubernetes/pkg/api/v1/pod): a port of that name and of the Service port's protocol
// (default TCP) in spec.containers, or in a sidecar (an init container with restartPolicy
// Always). Reported when none of the workloads the selector matches declares it; when the selector
// matches nothing, net-service-selector-no-match speaks instead. A workload whose pod spec kspm
// cannot read (a configured custom kind) counts as declaring it.
#include "checks/common/pod_spec.h"
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

std::string_view protocolOf(const Node& port) {
  const Node* protocol = field(&port, "protocol");
  return protocol != nullptr && protocol->isString() ? protocol->str() : std::string_view("TCP");
}

bool containerDeclares(const Node* container, std::string_view name, std::string_view protocol) {
  const Node* ports = field(container, "ports");
  if (ports == nullptr || !ports->isArray()) return false;
  for (const Node& port : ports->items()) {
    const Node* port_name = field(&port, "name");
    if (port_name != nullptr && port_name->is(name) && protocolOf(port) == protocol) return true;
  }
  return false;
}

// A serving container (an app container or a sidecar: an init container with restartPolicy Always)
// declares the port.
bool servingContainerDeclares(const Node& container, std::string_view list, std::string_view name,
                              std::string_view protocol) {
  if (list == "initContainers") {
    const Node* restart = field(&container, "restartPolicy");
    if (restart == nullptr || !restart->is("Always")) return false;
  }
  return containerDeclares(&container, name, protocol);
}

bool workloadDeclares(const Object& workload, std::string_view name, std::string_view protocol) {
  if (isPodBearingKind(workload.kind)) {
    // A built-in kind: its containers are the mappings of the spec's lists, read without building
    // the paths podSpecOf would.
    std::optional<PodSpecRef> pod = podSpecOf(workload, defaultWorkloadKinds(), false);
    if (!pod) return true;  // no pod spec kspm can read: assume it declares the port
    for (std::string_view list : {"containers", "initContainers"}) {
      const Node* containers = field(pod->spec, list);
      if (containers == nullptr || !containers->isArray()) continue;
      for (const Node& c : containers->items()) {
        if (c.isObject() && servingContainerDeclares(c, list, name, protocol)) return true;
      }
    }
    return false;
  }
  std::optional<PodSpecRef> pod = podSpecOf(workload);
  if (!pod) return true;  // a kind whose pod spec kspm cannot read: assume it declares the port
  bool found = false;
  forEachContainer(*pod, [&](const ContainerRef& c) {
    if (found || c.list == "ephemeralContainers") return;
    found = servingContainerDeclares(*c.node, c.list, name, protocol);
  });
  return found;
}

class ServiceTargetPortMissingCheck final : public BasicCheck {
 public:
  ServiceTargetPortMissingCheck()
      : BasicCheck({
            .id = "net-service-target-port-missing",
            .title = "Service targetPort name not declared by its pods",
            .severity = Severity::kLow,
            .description =
                "A named targetPort is looked up in each selected pod's container ports (name and "
                "protocol). When no selected workload declares it, the Service has no endpoints for that "
                "port and its clients fail.",
            .remediation =
                "Name the container port in the workload (ports[].name) or set targetPort to the port "
                "number the container listens on.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Service"},
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isCoreService(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* type = field(spec, "type");
    if (type != nullptr && type->is("ExternalName")) return;
    const Node* ports = field(spec, "ports");
    if (ports == nullptr || !ports->isArray()) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    std::vector<Workload> selected;
    bool looked_up = false;
    uint32_t i = 0;
    for (const Node& port : ports->items()) {
      uint32_t port_index = i++;
      const Node* target = field(&port, "targetPort");
      if (target == nullptr || !target->isString() || target->str().empty()) continue;
      if (!looked_up) {
        selected = index.workloadsMatchingMap(ns, field(spec, "selector"));
        looked_up = true;
      }
      if (selected.empty()) return;
      std::string_view protocol = protocolOf(port);
      bool declared = false;
      for (const Workload& w : selected) {
        if (workloadDeclares(*w.object, target->str(), protocol)) {
          declared = true;
          break;
        }
      }
      if (declared) continue;
      std::string message = "targetPort " + quoted(target->str()) + " (" + std::string(protocol) +
                            ") is declared by no container of the selected " +
                            (selected.size() == 1 ? objectLabel(*selected[0].object)
                                                  : std::to_string(selected.size()) + " workloads");
      sink.add(*target, std::move(message), "spec.ports[" + std::to_string(port_index) + "].targetPort",
               "spec.ports[" + itemKey(port, port_index) + "].targetPort");
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeServiceTargetPortMissingCheck() {
  return std::make_unique<ServiceTargetPortMissingCheck>();
}

}  // namespace kspm::checks::net
