// PSS baseline "seccompProfile_baseline": seccomp must not be disabled.
// Upstream: policy/check_seccompProfile_baseline.go, versions 1.0 and 1.19.
//  - v1.0..v1.18: the alpha annotations seccomp.security.alpha.kubernetes.io/pod and
//    container.seccomp.security.alpha.kubernetes.io/<container name> (for containers that exist),
//    when present, must be runtime/default, docker/default or localhost/*.
//  - v1.19+: spec.securityContext.seccompProfile.type and every container's
//    securityContext.seccompProfile.type, when a seccompProfile is set, must be RuntimeDefault or
//    Localhost.
// Overridden at restricted (1.19+) by seccompProfile_restricted.
#include "checks/pss/seccomp_profile_baseline/seccomp_profile_baseline.h"

#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

constexpr std::string_view kPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
constexpr std::string_view kContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/";

bool allowedAnnotationValue(std::string_view value) {
  return value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/");
}

class SeccompProfileBaselineCheck final : public PssCheck {
 public:
  SeccompProfileBaselineCheck()
      : PssCheck({
            .id = "pss-seccomp-profile-baseline",
            .title = "Seccomp disabled",
            .severity = Severity::kMedium,
            .description =
                "An Unconfined seccomp profile lets the container make any system call, removing a "
                "key kernel attack-surface reduction.",
            .remediation =
                "Set seccompProfile.type to RuntimeDefault or Localhost (or leave it unset) at pod "
                "and container level, and remove seccomp annotations set to unconfined.",
            .controls = pssControls(PssLevel::kBaseline, "seccompProfile_baseline"),
            .scope = Scope::kPodSpec,
            .pss_id = "seccompProfile_baseline",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor < 19) {
      evaluateAnnotations(pod, sink);
    } else {
      evaluateFields(pod, sink);
    }
  }

 private:
  static void evaluateAnnotations(const PodSpecRef& pod, FindingSink& sink) {
    const Node* annotations = field(pod.metadata, "annotations");
    if (annotations == nullptr || !annotations->isObject()) return;
    auto check = [&](std::string_view key, std::string container) {
      const Node* value = annotations->get(key);
      if (value == nullptr) return;
      std::string v = text(value);
      if (allowedAnnotationValue(v)) return;
      sink.add(*value,
               "annotation " + std::string(key) + "=" + quoted(v) +
                   " must be runtime/default, docker/default or localhost/*",
               pod.metadata_path + ".annotations[" + std::string(key) + "]",
               "metadata.annotations[" + std::string(key) + "]", std::move(container));
    };
    check(kPodAnnotation, "");
    forEachContainer(pod, [&](const ContainerRef& c) {
      check(std::string(kContainerAnnotationPrefix) + std::string(c.name), std::string(c.name));
    });
  }

  static void evaluateFields(const PodSpecRef& pod, FindingSink& sink) {
    if (const Node* profile = field(podSecurityContext(pod), "seccompProfile")) {
      const Node* type = field(profile, "type");
      if (!isAllowedSeccompType(type)) {
        sink.add(type != nullptr ? *type : *profile,
                 "pod must not set securityContext.seccompProfile.type to " + quoted(text(type)),
                 pod.spec_path + ".securityContext.seccompProfile.type",
                 "securityContext.seccompProfile.type");
      }
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* profile = field(securityContext(c), "seccompProfile");
      if (profile == nullptr) return;
      const Node* type = field(profile, "type");
      if (isAllowedSeccompType(type)) return;
      sink.add(type != nullptr ? *type : *profile,
               containerLabel(c) + " must not set securityContext.seccompProfile.type to " +
                   quoted(text(type)),
               c.path + ".securityContext.seccompProfile.type",
               c.field + ".securityContext.seccompProfile.type", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSeccompProfileBaselineCheck() {
  return std::make_unique<SeccompProfileBaselineCheck>();
}

}  // namespace kspm::checks::pss
