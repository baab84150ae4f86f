// PSS baseline "windowsHostProcess": Windows HostProcess containers are forbidden.
// Upstream: policy/check_windowsHostProcess.go (one version, 1.0). Restricted fields:
// spec.securityContext.windowsOptions.hostProcess and every container's
// securityContext.windowsOptions.hostProcess; allowed: unset, false.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class WindowsHostProcessCheck final : public PssCheck {
 public:
  WindowsHostProcessCheck()
      : PssCheck({
            .id = "pss-windows-host-process",
            .title = "Windows HostProcess container",
            .severity = Severity::kCritical,
            .description =
                "A Windows HostProcess container runs directly on the host with the host's network "
                "and file system, equivalent to privileged access to the node.",
            .remediation =
                "Remove securityContext.windowsOptions.hostProcess or set it to false at pod and "
                "container level.",
            .controls = pssControls(PssLevel::kBaseline, "windowsHostProcess"),
            .scope = Scope::kPodSpec,
            .pss_id = "windowsHostProcess",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    const Node* pod_value = field(podSecurityContext(pod), {"windowsOptions", "hostProcess"});
    if (isTrue(pod_value)) {
      sink.add(*pod_value, "pod must not set securityContext.windowsOptions.hostProcess=true",
               pod.spec_path + ".securityContext.windowsOptions.hostProcess",
               "securityContext.windowsOptions.hostProcess");
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* value = field(securityContext(c), {"windowsOptions", "hostProcess"});
      if (!isTrue(value)) return;
      sink.add(*value, containerLabel(c) + " must not set securityContext.windowsOptions.hostProcess=true",
               c.path + ".securityContext.windowsOptions.hostProcess",
               c.field + ".securityContext.windowsOptions.hostProcess", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeWindowsHostProcessCheck() {
  return std::make_unique<WindowsHostProcessCheck>();
}

}  // namespace kspm::checks::pss
