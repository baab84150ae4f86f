// PSS restricted "seccompProfile_restricted": a seccomp profile must be set, and be RuntimeDefault
// or Localhost.
// Upstream: policy/check_seccompProfile_restricted.go, versions 1.19 and 1.25 (from 1.25 pods with
// spec.os.name=windows are exempt); overrides seccompProfile_baseline. A container may leave
// seccompProfile unset only when the pod level sets an allowed one.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"
#include "checks/pss/seccomp_profile_baseline/seccomp_profile_baseline.h"

namespace kspm::checks::pss {
namespace {

class SeccompProfileRestrictedCheck final : public PssCheck {
 public:
  SeccompProfileRestrictedCheck()
      : PssCheck({
            .id = "pss-seccomp-profile-restricted",
            .title = "Seccomp profile not set",
            .severity = Severity::kMedium,
            .description =
                "The restricted profile requires an explicit RuntimeDefault or Localhost seccomp "
                "profile so that every container's system calls are filtered.",
            .remediation =
                "Set spec.securityContext.seccompProfile.type to RuntimeDefault (or Localhost) and "
                "do not override it with Unconfined in any container.",
            .controls = pssControls(PssLevel::kRestricted, "seccompProfile_restricted"),
            .scope = Scope::kPodSpec,
            .pss_id = "seccompProfile_restricted",
            .pss_level = PssLevel::kRestricted,
            .pss_overrides = "seccompProfile_baseline",
            .pss_min_minor = 19,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 25 && isWindowsPod(pod)) return;
    bool pod_set = false;
    if (const Node* profile = field(podSecurityContext(pod), "seccompProfile")) {
      const Node* type = field(profile, "type");
      if (isAllowedSeccompType(type)) {
        pod_set = true;
      } else {
        sink.add(type != nullptr ? *type : *profile,
                 "pod must not set securityContext.seccompProfile.type to " + quoted(text(type)),
                 pod.spec_path + ".securityContext.seccompProfile.type",
                 "securityContext.seccompProfile.type");
      }
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* sc = securityContext(c);
      const Node* profile = field(sc, "seccompProfile");
      std::string path = c.path + ".securityContext.seccompProfile.type";
      std::string stable = c.field + ".securityContext.seccompProfile.type";
      if (profile != nullptr) {
        const Node* type = field(profile, "type");
        if (isAllowedSeccompType(type)) return;
        sink.add(type != nullptr ? *type : *profile,
                 containerLabel(c) + " must not set securityContext.seccompProfile.type to " +
                     quoted(text(type)),
                 std::move(path), std::move(stable), std::string(c.name));
      } else if (!pod_set) {
        sink.add(sc != nullptr ? *sc : *c.node,
                 "pod or " + containerLabel(c) +
                     " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                 std::move(path), std::move(stable), std::string(c.name));
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSeccompProfileRestrictedCheck() {
  return std::make_unique<SeccompProfileRestrictedCheck>();
}

}  // namespace kspm::checks::pss
