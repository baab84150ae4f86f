// pod-required-labels: the workload object's own metadata.labels (not its pod template's) lacks a
// label named in the parameter `required-labels` (label keys, e.g. app.kubernetes.io/name, team).
// Any value, the empty string included, satisfies the requirement. Does nothing when the parameter
// is not set. One finding per missing label.
#include "checks/container/pod_spec_check.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

class RequiredLabelsCheck final : public PodSpecCheck {
 public:
  RequiredLabelsCheck()
      : PodSpecCheck({
            .id = "pod-required-labels",
            .title = "Workload lacks a required label",
            .severity = Severity::kLow,
            .description =
                "Labels such as owner, team or application name are how incident responders find who runs "
                "a workload and how policies, network rules and cost reports select it. A workload without "
                "the labels the organisation requires falls through those controls.",
            .remediation = "Add every label listed in the required-labels parameter to the workload's metadata.labels.",
            .controls = {},
            .scope = Scope::kPodSpec,
            .parameters = {{"required-labels",
                            "Label keys every workload object must carry in metadata.labels (any value). "
                            "Nothing is checked when no key is given."}},
        }) {}

 protected:
  void evaluatePod(const Object& object, const PodSpecRef&, const EvalContext& context,
                   FindingSink& sink) const override {
    if (context.params == nullptr) return;
    const std::vector<std::string>& required = context.params->get("required-labels");
    if (required.empty()) return;
    const Node* metadata = field(object.root, "metadata");
    const Node* labels = field(metadata, "labels");
    for (const std::string& key : required) {
      if (key.empty() || field(labels, key) != nullptr) continue;
      const Node& at = labels != nullptr ? *labels : (metadata != nullptr ? *metadata : *object.root);
      sink.add(at, "the " + std::string(object.kind) + " has no label " + quoted(key) + " (required-labels)",
               "metadata.labels[" + key + "]", "metadata.labels[" + key + "]");
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeRequiredLabelsCheck() { return std::make_unique<RequiredLabelsCheck>(); }

}  // namespace kspm::checks::pod
