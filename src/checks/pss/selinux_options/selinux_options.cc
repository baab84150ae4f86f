// PSS baseline "seLinuxOptions": the SELinux type is limited to the container types, and a custom
// SELinux user or role is forbidden.
// Upstream: policy/check_seLinuxOptions.go, versions 1.0 and 1.31. Restricted fields:
// spec.securityContext.seLinuxOptions.{type,user,role} and the same under every container's
// securityContext. Allowed type: "", container_t, container_init_t, container_kvm_t, and from 1.31
// also container_engine_t. user and role must be empty.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

bool allowedType(std::string_view type, uint32_t minor) {
  if (type.empty() || type == "container_t" || type == "container_init_t" || type == "container_kvm_t") {
    return true;
  }
  return minor >= 31 && type == "container_engine_t";
}

class SeLinuxOptionsCheck final : public PssCheck {
 public:
  SeLinuxOptionsCheck()
      : PssCheck({
            .id = "pss-selinux-options",
            .title = "Custom SELinux options",
            .severity = Severity::kMedium,
            .description =
                "A custom SELinux type, user or role can give the container a less confined "
                "SELinux context than the container runtime's default.",
            .remediation =
                "Remove seLinuxOptions.user and seLinuxOptions.role, and set seLinuxOptions.type only "
                "to container_t, container_init_t, container_kvm_t or container_engine_t.",
            .controls = pssControls(PssLevel::kBaseline, "seLinuxOptions"),
            .scope = Scope::kPodSpec,
            .pss_id = "seLinuxOptions",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    check(field(podSecurityContext(pod), "seLinuxOptions"), "pod", pod.spec_path + ".securityContext",
          "securityContext", "", minor, sink);
    forEachContainer(pod, [&](const ContainerRef& c) {
      check(field(securityContext(c), "seLinuxOptions"), containerLabel(c), c.path + ".securityContext",
            c.field + ".securityContext", c.name, minor, sink);
    });
  }

 private:
  static void check(const Node* options, const std::string& who, const std::string& path,
                    const std::string& stable, std::string_view container, uint32_t minor,
                    FindingSink& sink) {
    if (options == nullptr) return;
    const Node* type = field(options, "type");
    std::string type_text = text(type);
    if (!allowedType(type_text, minor)) {
      sink.add(*type, who + " must not set securityContext.seLinuxOptions.type to " + quoted(type_text),
               path + ".seLinuxOptions.type", stable + ".seLinuxOptions.type", std::string(container));
    }
    static constexpr std::string_view kEmptyOnly[] = {"user", "role"};
    for (std::string_view name : kEmptyOnly) {
      const Node* value = field(options, name);
      if (text(value).empty()) continue;
      sink.add(*value, who + " must not set securityContext.seLinuxOptions." + std::string(name),
               path + ".seLinuxOptions." + std::string(name),
               stable + ".seLinuxOptions." + std::string(name), std::string(container));
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeSeLinuxOptionsCheck() { return std::make_unique<SeLinuxOptionsCheck>(); }

}  // namespace kspm::checks::pss
