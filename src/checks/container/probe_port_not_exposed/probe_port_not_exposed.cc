// container-probe-port-not-exposed: an httpGet or tcpSocket probe that names a port (port: http)
// must name one of the container's own ports[].name. The kubelet resolves the name in that
// container only (probe.ResolveContainerPort); when it is missing the probe errors on every run, so
// a liveness probe restarts the container forever and a readiness probe keeps it unready. A numeric
// string ("8080") is parsed as a number by the kubelet and is not reported.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool declaresPortName(const ContainerRef& c, std::string_view name) {
  const Node* ports = field(c.node, "ports");
  if (ports == nullptr || !ports->isArray()) return false;
  for (const Node& port : ports->items()) {
    const Node* port_name = field(&port, "name");
    if (port_name != nullptr && port_name->is(name)) return true;
  }
  return false;
}

class ProbePortNotExposedCheck final : public PodSpecCheck {
 public:
  ProbePortNotExposedCheck()
      : PodSpecCheck({
            .id = "container-probe-port-not-exposed",
            .title = "Probe names a port the container does not declare",
            .severity = Severity::kLow,
            .description =
                "A probe's httpGet.port or tcpSocket.port may name a port instead of a number; the kubelet "
                "looks the name up in the same container's ports. A name the container does not declare "
                "makes the probe fail every time: a liveness or startup probe restarts the container in a "
                "loop, a readiness probe keeps it out of its Services.",
            .remediation =
                "Declare the port under the container's ports with that name, or use the port number in the "
                "probe.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    static constexpr std::string_view kProbes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
    static constexpr std::string_view kHandlers[] = {"httpGet", "tcpSocket"};
    forEachContainer(pod, [&](const ContainerRef& c) {
      for (std::string_view probe : kProbes) {
        for (std::string_view handler : kHandlers) {
          const Node* port = field(c.node, {probe, handler, "port"});
          if (port == nullptr || !port->isString() || port->str().empty() || allDigits(port->str())) continue;
          if (declaresPortName(c, port->str())) continue;
          std::string where = std::string(probe) + "." + std::string(handler) + ".port";
          sink.add(*port,
                   containerLabel(c) + " " + where + " names the port " + quoted(port->str()) +
                       ", which the container does not declare in ports",
                   c.path + "." + where, c.field + "." + where, std::string(c.name));
        }
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeProbePortNotExposedCheck() { return std::make_unique<ProbePortNotExposedCheck>(); }

}  // namespace kspm::checks::container
