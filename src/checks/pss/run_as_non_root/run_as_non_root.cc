// PSS restricted "runAsNonRoot": containers must be required to run as a non-root user.
// Upstream: policy/check_runAsNonRoot.go, versions 1.0 and 1.35. Restricted fields:
// spec.securityContext.runAsNonRoot and every container's securityContext.runAsNonRoot.
// Allowed: true; unset at container level when the pod level is true. Explicit false anywhere is
// forbidden. From 1.35 the check is skipped for pods in a user namespace (spec.hostUsers: false);
// before 1.35 that relaxation only existed behind a feature gate that was off by default, so it is
// not applied.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

class RunAsNonRootCheck final : public PssCheck {
 public:
  RunAsNonRootCheck()
      : PssCheck({
            .id = "pss-run-as-non-root",
            .title = "Container may run as root",
            .severity = Severity::kMedium,
            .description =
                "Without runAsNonRoot=true the kubelet lets a container start as UID 0, so a "
                "container escape or a writable host mount gives root on the node.",
            .remediation =
                "Set securityContext.runAsNonRoot to true at pod level (or in every container) and "
                "never set it to false.",
            .controls = pssControls(PssLevel::kRestricted, "runAsNonRoot"),
            .scope = Scope::kPodSpec,
            .pss_id = "runAsNonRoot",
            .pss_level = PssLevel::kRestricted,
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const override {
    if (minor >= 35 && inUserNamespace(pod)) return;
    const Node* pod_sc = podSecurityContext(pod);
    const Node* pod_value = field(pod_sc, "runAsNonRoot");
    bool pod_non_root = isTrue(pod_value);
    if (pod_value != nullptr && !pod_non_root) {
      sink.add(*pod_value, "pod must not set securityContext.runAsNonRoot=" + text(pod_value),
               pod.spec_path + ".securityContext.runAsNonRoot", "securityContext.runAsNonRoot");
    }
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* sc = securityContext(c);
      const Node* value = field(sc, "runAsNonRoot");
      std::string path = c.path + ".securityContext.runAsNonRoot";
      std::string stable = c.field + ".securityContext.runAsNonRoot";
      if (value != nullptr) {
        if (!isTrue(value)) {
          sink.add(*value, containerLabel(c) + " must not set securityContext.runAsNonRoot=" + text(value),
                   std::move(path), std::move(stable), std::string(c.name));
        }
      } else if (!pod_non_root) {
        sink.add(sc != nullptr ? *sc : *c.node,
                 "pod or " + containerLabel(c) + " must set securityContext.runAsNonRoot=true",
                 std::move(path), std::move(stable), std::string(c.name));
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeRunAsNonRootCheck() { return std::make_unique<RunAsNonRootCheck>(); }

}  // namespace kspm::checks::pss
