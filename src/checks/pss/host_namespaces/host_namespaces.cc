// PSS baseline "hostNamespaces": the pod must not share the host's network, PID or IPC namespace.
// Upstream: policy/check_hostNamespaces.go (one version, 1.0). Restricted fields:
// spec.hostNetwork, spec.hostPID, spec.hostIPC; allowed: unset, false.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class HostNamespacesCheck final : public PssCheck {
 public:
  HostNamespacesCheck()
      : PssCheck({
            .id = "pss-host-namespaces",
            .title = "Host namespaces shared with the pod",
            .severity = Severity::kHigh,
            .description =
                "Sharing the host's network, PID or IPC namespace lets the pod see and interfere "
                "with host processes, host network traffic and host shared memory.",
            .remediation = "Remove hostNetwork, hostPID and hostIPC from the pod spec or set them to false.",
            .controls = pssControls(PssLevel::kBaseline, "hostNamespaces"),
            .scope = Scope::kPodSpec,
            .pss_id = "hostNamespaces",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    static constexpr std::string_view kFields[] = {"hostNetwork", "hostPID", "hostIPC"};
    for (std::string_view name : kFields) {
      const Node* value = field(pod.spec, name);
      if (!isTrue(value)) continue;
      sink.add(*value, "pod must not set " + std::string(name) + "=true",
               pod.spec_path + "." + std::string(name), std::string(name));
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeHostNamespacesCheck() { return std::make_unique<HostNamespacesCheck>(); }

}  // namespace kspm::checks::pss
