// PSS baseline "appArmorProfile": the default AppArmor profile must not be disabled or replaced
// by anything but a runtime-default or node-local profile.
// Upstream: policy/check_appArmorProfile.go (one version, 1.0, which covers both channels):
//  - fields spec.securityContext.appArmorProfile.type and
//    {containers,initContainers,ephemeralContainers}[*].securityContext.appArmorProfile.type:
//    allowed RuntimeDefault, Localhost (a set appArmorProfile with no type is forbidden);
//  - annotations metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]:
//    allowed "", "runtime/default", "localhost/*".
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

constexpr std::string_view kAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

bool allowedType(const Node* type) {
  return type != nullptr && (type->is("RuntimeDefault") || type->is("Localhost"));
}

bool allowedAnnotationValue(std::string_view value) {
  return value.empty() || value == "runtime/default" || value.starts_with("localhost/");
}

class AppArmorProfileCheck final : public PssCheck {
 public:
  AppArmorProfileCheck()
      : PssCheck({
            .id = "pss-apparmor-profile",
            .title = "AppArmor profile disabled or overridden",
            .severity = Severity::kMedium,
            .description =
                "Running a container unconfined (or with a profile other than the runtime default "
                "or a node-local one) removes AppArmor's mandatory access control from it.",
            .remediation =
                "Set securityContext.appArmorProfile.type to RuntimeDefault or Localhost (or leave it "
                "unset), and remove AppArmor annotations whose value is not runtime/default or "
                "localhost/<profile>.",
            .controls = pssControls(PssLevel::kBaseline, "appArmorProfile"),
            .scope = Scope::kPodSpec,
            .pss_id = "appArmorProfile",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    if (const Node* profile = field(podSecurityContext(pod), "appArmorProfile")) {
      const Node* type = field(profile, "type");
      if (!allowedType(type)) {
        sink.add(type != nullptr ? *type : *profile,
                 "pod must not set securityContext.appArmorProfile.type to " + quoted(text(type)),
                 pod.spec_path + ".securityContext.appArmorProfile.type",
                 "securityContext.appArmorProfile.type");
      }
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* profile = field(securityContext(c), "appArmorProfile");
      if (profile == nullptr) return;
      const Node* type = field(profile, "type");
      if (allowedType(type)) return;
      sink.add(type != nullptr ? *type : *profile,
               containerLabel(c) + " must not set securityContext.appArmorProfile.type to " +
                   quoted(text(type)),
               c.path + ".securityContext.appArmorProfile.type",
               c.field + ".securityContext.appArmorProfile.type", std::string(c.name));
    });
    const Node* annotations = field(pod.metadata, "annotations");
    for (const Member& m : annotations != nullptr ? annotations->members() : std::span<const Member>()) {
      std::string_view key = m.key.str();
      if (!key.starts_with(kAnnotationPrefix)) continue;
      std::string value = text(&m.value);
      if (allowedAnnotationValue(value)) continue;
      std::string container(key.substr(kAnnotationPrefix.size()));
      sink.add(m.value,
               "annotation " + std::string(key) + "=" + quoted(value) +
                   " must not set the AppArmor profile to anything but runtime/default or localhost/*",
               pod.metadata_path + ".annotations[" + std::string(key) + "]",
               "metadata.annotations[" + std::string(key) + "]", container);
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeAppArmorProfileCheck() { return std::make_unique<AppArmorProfileCheck>(); }

}  // namespace kspm::checks::pss
