// PSS restricted "runAsUser": the pod and its containers must not explicitly run as UID 0.
// Upstream: policy/check_runAsUser.go, versions 1.23 and 1.35. Restricted fields:
// spec.securityContext.runAsUser and every container's securityContext.runAsUser; allowed: unset or
// non-zero. From 1.35 the check is skipped for pods in a user namespace (spec.hostUsers: false);
// before 1.35 that relaxation only existed behind a default-off feature gate, so it is not applied.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

bool isZero(const Node* value) { return value != nullptr && value->isNumber() && value->number() == 0; }

class RunAsUserCheck final : public PssCheck {
 public:
  RunAsUserCheck()
      : PssCheck({
            .id = "pss-run-as-user",
            .title = "Runs as root user",
            .severity = Severity::kMedium,
            .description =
                "runAsUser: 0 explicitly runs the container's processes as root.",
            .remediation = "Set securityContext.runAsUser to a non-zero UID or remove it.",
            .controls = pssControls(PssLevel::kRestricted, "runAsUser"),
            .scope = Scope::kPodSpec,
            .pss_id = "runAsUser",
            .pss_level = PssLevel::kRestricted,
            .pss_min_minor = 23,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 35 && inUserNamespace(pod)) return;
    const Node* pod_value = field(podSecurityContext(pod), "runAsUser");
    if (isZero(pod_value)) {
      sink.add(*pod_value, "pod must not set securityContext.runAsUser=0",
               pod.spec_path + ".securityContext.runAsUser", "securityContext.runAsUser");
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* value = field(securityContext(c), "runAsUser");
      if (!isZero(value)) return;
      sink.add(*value, containerLabel(c) + " must not set securityContext.runAsUser=0",
               c.path + ".securityContext.runAsUser", c.field + ".securityContext.runAsUser",
               std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeRunAsUserCheck() { return std::make_unique<RunAsUserCheck>(); }

}  // namespace kspm::checks::pss
