// PSS baseline "hostPathVolumes": the pod must not mount host paths.
// Upstream: policy/check_hostPathVolumes.go (one version, 1.0). Restricted field:
// spec.volumes[*].hostPath; allowed: unset. Overridden at restricted by restrictedVolumes.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class HostPathVolumesCheck final : public PssCheck {
 public:
  HostPathVolumesCheck()
      : PssCheck({
            .id = "pss-host-path-volumes",
            .title = "HostPath volume",
            .severity = Severity::kHigh,
            .description =
                "A hostPath volume gives the pod direct access to the node's filesystem, which can "
                "expose credentials and allow container escape.",
            .remediation =
                "Replace hostPath volumes with persistentVolumeClaim, configMap, secret, emptyDir "
                "or another non-host volume type.",
            .controls = pssControls(PssLevel::kBaseline, "hostPathVolumes"),
            .scope = Scope::kPodSpec,
            .pss_id = "hostPathVolumes",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachVolume(pod, [&](const Node& volume, uint32_t index) {
      const Node* host_path = field(&volume, "hostPath");
      if (host_path == nullptr) return;
      sink.add(*host_path, "pod must not use hostPath volume " + quoted(text(field(&volume, "name"))),
               pod.spec_path + ".volumes[" + std::to_string(index) + "].hostPath",
               "volumes[" + itemKey(volume, index) + "].hostPath");
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeHostPathVolumesCheck() { return std::make_unique<HostPathVolumesCheck>(); }

}  // namespace kspm::checks::pss
