// pod-security-context-missing: neither spec.securityContext nor any container's securityContext
// sets anything (absent, null or {}: the API server defaults the pod's to {}). Such a pod runs with
// every runtime default: the image's user (often root), the default capability set, a writable root
// filesystem and no seccomp profile unless the cluster adds one. One finding per pod spec.
#include "checks/container/pod_spec_check.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

bool setsSomething(const Node* context) { return context != nullptr && context->isObject() && context->size() > 0; }

class SecurityContextMissingCheck final : public PodSpecCheck {
 public:
  SecurityContextMissingCheck()
      : PodSpecCheck({
            .id = "pod-security-context-missing",
            .title = "Pod and containers set no security context",
            .severity = Severity::kLow,
            .description =
                "Without any securityContext the pod runs entirely on runtime defaults: the image's user "
                "(frequently root), the default capability set including NET_RAW, privilege escalation "
                "allowed, a writable root filesystem and, unless the cluster defaults it, no seccomp profile.",
            .remediation =
                "Set a pod securityContext (runAsNonRoot: true, a non-zero runAsUser, seccompProfile "
                "RuntimeDefault) and a container securityContext (allowPrivilegeEscalation: false, "
                "readOnlyRootFilesystem: true, capabilities.drop: [ALL]).",
            .controls = {{"cis", "5.6.3"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (setsSomething(podSecurityContextOf(pod))) return;
    bool any = false;
    forEachContainer(pod, [&](const ContainerRef& c) { any = any || setsSomething(containerSecurityContextOf(c)); });
    if (any) return;
    const Node* context = field(pod.spec, "securityContext");
    sink.add(context != nullptr ? *context : *pod.spec,
             "neither the pod nor any of its containers sets a securityContext: everything runs on runtime defaults",
             pod.spec_path + ".securityContext", "securityContext");
  }
};

}  // namespace

std::unique_ptr<Check> makeSecurityContextMissingCheck() { return std::make_unique<SecurityContextMissingCheck>(); }

}  // namespace kspm::checks::pod
