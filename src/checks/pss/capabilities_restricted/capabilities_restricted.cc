// PSS restricted "capabilities_restricted": containers must drop ALL capabilities and may add back
// only NET_BIND_SERVICE.
// Upstream: policy/check_capabilities_restricted.go, versions 1.22 and 1.25 (from 1.25 pods with
// spec.os.name=windows are exempt); overrides capabilities_baseline.
#include "checks/pss/capabilities_baseline/capabilities_baseline.h"
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class CapabilitiesRestrictedCheck final : public PssCheck {
 public:
  CapabilitiesRestrictedCheck()
      : PssCheck({
            .id = "pss-capabilities-restricted",
            .title = "Capabilities not dropped",
            .severity = Severity::kMedium,
            .description =
                "The restricted profile requires every container to drop ALL Linux capabilities and "
                "add back at most NET_BIND_SERVICE, so that a compromised process holds no kernel "
                "privileges.",
            .remediation =
                "Set securityContext.capabilities.drop to [\"ALL\"] in every container and add back "
                "only NET_BIND_SERVICE if needed.",
            .controls = pssControls(PssLevel::kRestricted, "capabilities_restricted"),
            .scope = Scope::kPodSpec,
            .pss_id = "capabilities_restricted",
            .pss_level = PssLevel::kRestricted,
            .pss_overrides = "capabilities_baseline",
            .pss_min_minor = 22,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 25 && isWindowsPod(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* sc = securityContext(c);
      const Node* caps = field(sc, "capabilities");
      const Node* drop = field(caps, "drop");
      bool dropped_all = false;
      if (drop != nullptr) {
        for (const Node& d : drop->items()) {
          if (d.is("ALL")) dropped_all = true;
        }
      }
      if (!dropped_all) {
        const Node& at = drop != nullptr ? *drop : caps != nullptr ? *caps : sc != nullptr ? *sc : *c.node;
        sink.add(at, containerLabel(c) + " must set securityContext.capabilities.drop=[\"ALL\"]",
                 c.path + ".securityContext.capabilities.drop",
                 c.field + ".securityContext.capabilities.drop", std::string(c.name));
      }
      const Node* add = field(caps, "add");
      if (add == nullptr) return;
      uint32_t index = 0;
      for (const Node& cap : add->items()) {
        std::string name = text(&cap);
        if (name != "NET_BIND_SERVICE") {
          Finding& f = sink.add(cap,
                                containerLabel(c) + " must not include " + quoted(name) +
                                    " in securityContext.capabilities.add",
                                c.path + ".securityContext.capabilities.add[" + std::to_string(index) + "]",
                                c.field + ".securityContext.capabilities.add[" + name + "]",
                                std::string(c.name));
          // A capability even the baseline profile forbids (SYS_ADMIN, NET_RAW, ...) is worse.
          if (!isBaselineAllowedCapability(name)) f.severity = Severity::kHigh;
        }
        ++index;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeCapabilitiesRestrictedCheck() {
  return std::make_unique<CapabilitiesRestrictedCheck>();
}

}  // namespace kspm::checks::pss
