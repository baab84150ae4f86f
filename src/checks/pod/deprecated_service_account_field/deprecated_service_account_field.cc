// pod-deprecated-service-account-field: spec.serviceAccount is the deprecated alias of
// serviceAccountName. On conversion (core/v1 Convert_v1_PodSpec_To_core_PodSpec) it is used only
// when serviceAccountName is empty; when both are set, serviceAccountName wins and serviceAccount is
// silently overwritten. Reported: serviceAccount alone, or differing from serviceAccountName (a
// reviewer may believe the pod runs as the other account). Equal values (as `kubectl get` writes
// them) are fine.
#include "checks/container/pod_spec_check.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

class DeprecatedServiceAccountFieldCheck final : public PodSpecCheck {
 public:
  DeprecatedServiceAccountFieldCheck()
      : PodSpecCheck({
            .id = "pod-deprecated-service-account-field",
            .title = "Pod uses the deprecated serviceAccount field",
            .severity = Severity::kLow,
            .description =
                "spec.serviceAccount is a deprecated alias that Kubernetes ignores whenever "
                "serviceAccountName is set. A manifest where the two differ runs the pod under another "
                "identity, with other permissions, than a reader of serviceAccount expects.",
            .remediation = "Set spec.serviceAccountName and remove spec.serviceAccount.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    const Node* alias = field(pod.spec, "serviceAccount");
    if (alias == nullptr || !alias->isString() || alias->str().empty()) return;
    const Node* name = field(pod.spec, "serviceAccountName");
    const bool has_name = name != nullptr && name->isString() && !name->str().empty();
    if (has_name && name->str() == alias->str()) return;
    std::string message =
        has_name ? "serviceAccount " + quoted(alias->str()) + " differs from serviceAccountName " +
                       quoted(name->str()) + ": Kubernetes uses serviceAccountName and ignores the deprecated field"
                 : "serviceAccount " + quoted(alias->str()) +
                       " is the deprecated alias of serviceAccountName; set serviceAccountName instead";
    sink.add(*alias, std::move(message), pod.spec_path + ".serviceAccount", "serviceAccount");
  }
};

}  // namespace

std::unique_ptr<Check> makeDeprecatedServiceAccountFieldCheck() {
  return std::make_unique<DeprecatedServiceAccountFieldCheck>();
}

}  // namespace kspm::checks::pod
