// container-run-as-root-user: the container's effective runAsUser (its own securityContext, else
// the pod's) is explicitly 0. A missing runAsUser/runAsNonRoot (image default user) is left to
// pss-run-as-non-root. Unlike pss-run-as-user, which flags every runAsUser: 0 as written, this
// follows inheritance: a pod-level 0 overridden by every container is not a finding, and each
// container that inherits it is. In a user namespace (hostUsers: false) UID 0 is not root on the
// host, so the finding drops to low. Windows pods cannot set runAsUser.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

class RunAsRootUserCheck final : public PodSpecCheck {
 public:
  RunAsRootUserCheck()
      : PodSpecCheck({
            .id = "container-run-as-root-user",
            .title = "Container runs as root (runAsUser 0)",
            .severity = Severity::kHigh,
            .description =
                "A container whose effective securityContext.runAsUser is 0 runs as root: with any kernel or "
                "runtime flaw, a writable host mount or an extra capability, root in the container is one "
                "step from root on the node.",
            .remediation =
                "Set runAsUser to a non-zero UID (and runAsNonRoot: true) in the pod or container "
                "securityContext, and build the image to run as that user.",
            .controls = {{"cis", "5.2.7"}, {"nsa", "non-root"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    const bool user_namespace = usesUserNamespace(pod);
    forEachContainer(pod, [&](const ContainerRef& c) {
      EffectiveValue user = effectiveSecurityValue(pod, c, "runAsUser");
      if (integerValue(user.node) != 0) return;
      std::string message = user.from_pod
                                ? containerLabel(c) + " runs as root: it inherits runAsUser 0 from the pod securityContext"
                                : containerLabel(c) + " runs as root: it sets runAsUser 0";
      if (user_namespace) message += " (in a user namespace, hostUsers: false, so not root on the host)";
      Finding& finding = sink.add(*user.node, std::move(message), user.path, user.field, std::string(c.name));
      if (user_namespace) finding.severity = Severity::kLow;
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeRunAsRootUserCheck() { return std::make_unique<RunAsRootUserCheck>(); }

}  // namespace kspm::checks::container
