// PSS restricted "procMount_restricted": the default /proc masks must be kept, even in a user
// namespace.
// Upstream: policy/check_procMount_restricted.go, one version at 1.35 that re-applies the
// unconditional 1.0 procMount rule and overrides the baseline "procMount" check.
#include "checks/pss/proc_mount/proc_mount.h"
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class ProcMountRestrictedCheck final : public PssCheck {
 public:
  ProcMountRestrictedCheck()
      : PssCheck({
            .id = "pss-proc-mount-restricted",
            .title = "Unmasked /proc mount (restricted)",
            .severity = Severity::kMedium,
            .description =
                "An Unmasked procMount exposes /proc entries that the container runtime normally "
                "masks; the restricted profile forbids it even for pods in a user namespace.",
            .remediation = "Remove securityContext.procMount or set it to Default in every container.",
            .controls = pssControls(PssLevel::kRestricted, "procMount_restricted"),
            .scope = Scope::kPodSpec,
            .pss_id = "procMount_restricted",
            .pss_level = PssLevel::kRestricted,
            .pss_overrides = "procMount",
            .pss_min_minor = 35,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    reportNonDefaultProcMount(pod, sink);
  }
};

}  // namespace

std::unique_ptr<Check> makeProcMountRestrictedCheck() {
  return std::make_unique<ProcMountRestrictedCheck>();
}

}  // namespace kspm::checks::pss
