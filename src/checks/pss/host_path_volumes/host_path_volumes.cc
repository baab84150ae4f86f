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
    const Node* volumes = field(pod.spec, "volumes");
    if (volumes == nullptr || !volumes->isArray()) return;
    uint32_t index = 0;
    for (const Node& volume : volumes->items()) {
      if (const Node* host_path = field(&volume, "hostPath")) {
        std::string key = itemKey(volume, index);
        sink.add(*host_path, "pod must not use hostPath volume " + quoted(text(field(&volume, "name"))),
                 pod.spec_path + ".volumes[" + std::to_string(index) + "].hostPath",
                 "volumes[" + key + "].hostPath");
      }
      ++index;
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeHostPathVolumesCheck() { return std::make_unique<HostPathVolumesCheck>(); }

}  // namespace kspm::checks::pss
