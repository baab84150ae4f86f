// PSS baseline "procMount": the default /proc masks must be kept.
// Upstream: policy/check_procMount_baseline.go, versions 1.0 and 1.35. Restricted field:
// {containers,initContainers,ephemeralContainers}[*].securityContext.procMount; allowed: unset,
// "Default". From 1.35 any value is allowed when the pod runs in a user namespace
// (spec.hostUsers: false). Overridden at restricted (1.35+) by procMount_restricted.
#include "checks/pss/proc_mount/proc_mount.h"

#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {

void reportNonDefaultProcMount(const PodSpecRef& pod, FindingSink& sink) {
  forEachContainer(pod, [&](const ContainerRef& c) {
    const Node* proc_mount = field(securityContext(c), "procMount");
    if (proc_mount == nullptr || proc_mount->is("Default")) return;
    sink.add(*proc_mount,
             containerLabel(c) + " must not set securityContext.procMount to " + quoted(text(proc_mount)),
             c.path + ".securityContext.procMount", c.field + ".securityContext.procMount",
             std::string(c.name));
  });
}

namespace {

class ProcMountCheck final : public PssCheck {
 public:
  ProcMountCheck()
      : PssCheck({
            .id = "pss-proc-mount",
            .title = "Unmasked /proc mount",
            .severity = Severity::kMedium,
            .description =
                "An Unmasked procMount exposes the host's /proc entries that the container runtime "
                "normally masks, leaking host information and kernel tunables.",
            .remediation =
                "Remove securityContext.procMount or set it to Default in every container (or run the "
                "pod in a user namespace with hostUsers: false).",
            .controls = pssControls(PssLevel::kBaseline, "procMount"),
            .scope = Scope::kPodSpec,
            .pss_id = "procMount",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 35 && inUserNamespace(pod)) return;
    reportNonDefaultProcMount(pod, sink);
  }
};

}  // namespace

std::unique_ptr<Check> makeProcMountCheck() { return std::make_unique<ProcMountCheck>(); }

}  // namespace kspm::checks::pss
