// PSS baseline "hostPorts": containers must not bind host ports.
// Upstream: policy/check_hostPorts.go (one version, 1.0). Restricted field:
// {containers,initContainers,ephemeralContainers}[*].ports[*].hostPort; allowed: unset, 0.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class HostPortsCheck final : public PssCheck {
 public:
  HostPortsCheck()
      : PssCheck({
            .id = "pss-host-ports",
            .title = "Container binds a host port",
            .severity = Severity::kMedium,
            .description =
                "A hostPort exposes the container directly on the node's network interfaces, "
                "bypassing network policies and limiting scheduling.",
            .remediation =
                "Remove hostPort from every container port (or set it to 0) and expose the pod "
                "through a Service instead.",
            .controls = pssControls(PssLevel::kBaseline, "hostPorts"),
            .scope = Scope::kPodSpec,
            .pss_id = "hostPorts",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* ports = field(c.node, "ports");
      if (ports == nullptr || !ports->isArray()) return;
      uint32_t index = 0;
      for (const Node& port : ports->items()) {
        const Node* host_port = field(&port, "hostPort");
        // Any value but 0 (an int in a valid object; anything else non-null is not "unset").
        bool bad = host_port != nullptr && !(host_port->isNumber() && host_port->number() == 0);
        if (bad) {
          std::string key = itemKey(port, index);
          sink.add(*host_port, containerLabel(c) + " must not set hostPort=" + text(host_port),
                   c.path + ".ports[" + std::to_string(index) + "].hostPort",
                   c.field + ".ports[" + key + "].hostPort", std::string(c.name));
        }
        ++index;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeHostPortsCheck() { return std::make_unique<HostPortsCheck>(); }

}  // namespace kspm::checks::pss
