// PSS baseline "privileged": no container may run privileged.
// Upstream: policy/check_privileged.go (one version, 1.0). Restricted field:
// {containers,initContainers,ephemeralContainers}[*].securityContext.privileged; allowed: unset, false.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class PrivilegedCheck final : public PssCheck {
 public:
  PrivilegedCheck()
      : PssCheck({
            .id = "pss-privileged",
            .title = "Privileged container",
            .severity = Severity::kCritical,
            .description =
                "A privileged container runs with every capability and full access to the host's "
                "devices, which disables nearly all container isolation.",
            .remediation = "Remove securityContext.privileged or set it to false in every container.",
            .controls = pssControls(PssLevel::kBaseline, "privileged"),
            .scope = Scope::kPodSpec,
            .pss_id = "privileged",
            .pss_level = PssLevel::kBaseline,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* privileged = field(securityContext(c), "privileged");
      if (!isTrue(privileged)) return;
      sink.add(*privileged, containerLabel(c) + " must not set securityContext.privileged=true",
               c.path + ".securityContext.privileged", c.field + ".securityContext.privileged",
               std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makePrivilegedCheck() { return std::make_unique<PrivilegedCheck>(); }

}  // namespace kspm::checks::pss
