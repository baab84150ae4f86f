// PSS restricted "allowPrivilegeEscalation": every container must set
// securityContext.allowPrivilegeEscalation=false.
// Upstream: policy/check_allowPrivilegeEscalation.go, versions 1.8 and 1.25 (from 1.25 pods with
// spec.os.name=windows are exempt). Unset counts as allowed escalation.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class AllowPrivilegeEscalationCheck final : public PssCheck {
 public:
  AllowPrivilegeEscalationCheck()
      : PssCheck({
            .id = "pss-allow-privilege-escalation",
            .title = "Privilege escalation allowed",
            .severity = Severity::kMedium,
            .description =
                "Unless allowPrivilegeEscalation is false, a process in the container can gain more "
                "privileges than its parent, for example through set-user-ID binaries.",
            .remediation = "Set securityContext.allowPrivilegeEscalation to false in every container.",
            .controls = pssControls(PssLevel::kRestricted, "allowPrivilegeEscalation"),
            .scope = Scope::kPodSpec,
            .pss_id = "allowPrivilegeEscalation",
            .pss_level = PssLevel::kRestricted,
            .pss_min_minor = 8,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 25 && isWindowsPod(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* sc = securityContext(c);
      const Node* value = field(sc, "allowPrivilegeEscalation");
      if (isFalse(value)) return;
      const Node& at = value != nullptr ? *value : (sc != nullptr ? *sc : *c.node);
      sink.add(at, containerLabel(c) + " must set securityContext.allowPrivilegeEscalation=false",
               c.path + ".securityContext.allowPrivilegeEscalation",
               c.field + ".securityContext.allowPrivilegeEscalation", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeAllowPrivilegeEscalationCheck() {
  return std::make_unique<AllowPrivilegeEscalationCheck>();
}

}  // namespace kspm::checks::pss
