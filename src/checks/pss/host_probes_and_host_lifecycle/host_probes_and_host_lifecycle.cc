// PSS baseline "hostProbesAndHostLifecycle": probes and lifecycle hooks must not target another
// host.
// Upstream: policy/check_hostProbesAndhostLifecycle.go, one version at 1.34. Restricted fields, for
// every container, init container and ephemeral container:
// {livenessProbe,readinessProbe,startupProbe,lifecycle.postStart,lifecycle.preStop}
// .{httpGet,tcpSocket}.host; allowed: "" or unset (any other value, even 127.0.0.1, is forbidden).
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class HostProbesAndHostLifecycleCheck final : public PssCheck {
 public:
  HostProbesAndHostLifecycleCheck()
      : PssCheck({
            .id = "pss-host-probes-and-host-lifecycle",
            .title = "Probe or lifecycle hook targets a host",
            .severity = Severity::kMedium,
            .description =
                "A probe or lifecycle handler with a host makes the kubelet connect to an arbitrary "
                "address, which can be abused to reach node-local or internal services.",
            .remediation =
                "Remove the host field from httpGet and tcpSocket in every probe and lifecycle "
                "handler so that they target the pod's own IP.",
            .controls = pssControls(PssLevel::kBaseline, "hostProbesAndHostLifecycle"),
            .scope = Scope::kPodSpec,
            .pss_id = "hostProbesAndHostLifecycle",
            .pss_level = PssLevel::kBaseline,
            .pss_min_minor = 34,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      auto checkHandler = [&](const Node* handler, const std::string& rel) {
        if (handler == nullptr) return;
        static constexpr std::string_view kActions[] = {"httpGet", "tcpSocket"};
        for (std::string_view action : kActions) {
          const Node* host = field(handler, {action, "host"});
          std::string host_text = text(host);
          if (host_text.empty()) continue;
          std::string sub = rel + "." + std::string(action) + ".host";
          sink.add(*host, containerLabel(c) + " must not set " + sub + " (uses host " + quoted(host_text) + ")",
                   c.path + "." + sub, c.field + "." + sub, std::string(c.name));
        }
      };
      static constexpr std::string_view kProbes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
      for (std::string_view probe : kProbes) checkHandler(field(c.node, probe), std::string(probe));
      const Node* lifecycle = field(c.node, "lifecycle");
      checkHandler(field(lifecycle, "postStart"), "lifecycle.postStart");
      checkHandler(field(lifecycle, "preStop"), "lifecycle.preStop");
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeHostProbesAndHostLifecycleCheck() {
  return std::make_unique<HostProbesAndHostLifecycleCheck>();
}

}  // namespace kspm::checks::pss
