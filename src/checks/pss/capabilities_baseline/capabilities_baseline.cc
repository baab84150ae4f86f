// PSS baseline "capabilities_baseline": containers may only add capabilities from the default
// container runtime set.
// Upstream: policy/check_capabilities_baseline.go (one version, 1.0). Restricted field:
// {containers,initContainers,ephemeralContainers}[*].securityContext.capabilities.add; allowed:
// unset, or a subset of the 13 capabilities below. Overridden at restricted (1.22+) by
// capabilities_restricted.
#include "checks/pss/capabilities_baseline/capabilities_baseline.h"

#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {

bool isBaselineAllowedCapability(std::string_view capability) {
  static constexpr std::string_view kAllowed[] = {
      "AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",       "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
  };
  for (std::string_view allowed : kAllowed) {
    if (capability == allowed) return true;
  }
  return false;
}

namespace {

class CapabilitiesBaselineCheck final : public PssCheck {
 public:
  CapabilitiesBaselineCheck()
      : PssCheck({
            .id = "pss-capabilities-baseline",
            .title = "Container adds a non-default capability",
            .severity = Severity::kHigh,
            .description =
                "Adding Linux capabilities beyond the container runtime's default set (for example "
                "NET_RAW, SYS_ADMIN or SYS_PTRACE) widens the kernel attack surface and can enable "
                "container escape.",
            .remediation =
                "Remove every capability from securityContext.capabilities.add except AUDIT_WRITE, "
                "CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, "
                "SETGID, SETPCAP, SETUID and SYS_CHROOT.",
            .controls = pssControls(PssLevel::kBaseline, "capabilities_baseline"),
            .scope = Scope::kPodSpec,
            .pss_id = "capabilities_baseline",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* add = field(securityContext(c), {"capabilities", "add"});
      if (add == nullptr || !add->isArray()) return;
      uint32_t index = 0;
      for (const Node& cap : add->items()) {
        std::string name = text(&cap);
        if (!isBaselineAllowedCapability(name)) {
          sink.add(cap,
                   containerLabel(c) + " must not include " + quoted(name) +
                       " in securityContext.capabilities.add",
                   c.path + ".securityContext.capabilities.add[" + std::to_string(index) + "]",
                   c.field + ".securityContext.capabilities.add[" + name + "]", std::string(c.name));
        }
        ++index;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeCapabilitiesBaselineCheck() {
  return std::make_unique<CapabilitiesBaselineCheck>();
}

}  // namespace kspm::checks::pss
