// pod-share-process-namespace: spec.shareProcessNamespace: true puts all containers of the pod in
// one PID namespace. Each container then sees the others' processes, can signal them (same UID)
// and can read their environment and root filesystem through /proc/<pid>/environ and
// /proc/<pid>/root, so a compromised sidecar reaches the main container's secrets.
#include "checks/container/pod_spec_check.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

class ShareProcessNamespaceCheck final : public PodSpecCheck {
 public:
  ShareProcessNamespaceCheck()
      : PodSpecCheck({
            .id = "pod-share-process-namespace",
            .title = "Containers share one process namespace",
            .severity = Severity::kMedium,
            .description =
                "With shareProcessNamespace: true every container of the pod sees the others' processes and "
                "can read their environment and files through /proc/<pid>/environ and /proc/<pid>/root, so "
                "one compromised container exposes the secrets of all the others.",
            .remediation =
                "Remove shareProcessNamespace (or set it to false); use kubectl debug --target for "
                "troubleshooting instead.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    const Node* share = field(pod.spec, "shareProcessNamespace");
    if (!isTrue(share)) return;
    sink.add(*share,
             "the pod sets shareProcessNamespace: true: its containers see each other's processes, "
             "environment and filesystems",
             pod.spec_path + ".shareProcessNamespace", "shareProcessNamespace");
  }
};

}  // namespace

std::unique_ptr<Check> makeShareProcessNamespaceCheck() { return std::make_unique<ShareProcessNamespaceCheck>(); }

}  // namespace kspm::checks::pod
