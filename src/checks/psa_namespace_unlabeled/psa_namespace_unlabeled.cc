// psa-namespace-unlabeled: a Namespace without pod-security.kubernetes.io/enforce. Its pods get
// the cluster's AdmissionConfiguration defaults, which manifests cannot show (privileged unless the
// cluster configures otherwise), so kspm says so instead of assuming either way.
#include "checks/builtin_checks.h"

namespace kspm::checks {
namespace {

class PsaNamespaceUnlabeledCheck final : public Check {
 public:
  PsaNamespaceUnlabeledCheck()
      : info_({
            .id = "psa-namespace-unlabeled",
            .title = "Namespace without a Pod Security enforce label",
            .severity = Severity::kLow,
            .description =
                "Without pod-security.kubernetes.io/enforce, the namespace gets the cluster-wide "
                "Pod Security Admission defaults. Those live in the API server's AdmissionConfiguration, "
                "which manifests cannot show; upstream's default is privileged (nothing enforced).",
            .remediation =
                "Label the namespace with pod-security.kubernetes.io/enforce: restricted (or baseline) and "
                "pin pod-security.kubernetes.io/enforce-version.",
            .controls = {{"cis", "5.2.1"}},
            .scope = Scope::kKinds,
            .kinds = {"Namespace"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!object.group().empty()) return;
    const Node* metadata = object.root->get("metadata");
    const Node* labels = metadata != nullptr ? metadata->get("labels") : nullptr;
    if (labels != nullptr && labels->get("pod-security.kubernetes.io/enforce") != nullptr) return;
    const Node& at = labels != nullptr ? *labels : (metadata != nullptr ? *metadata : *object.root);
    sink.add(at,
             "no pod-security.kubernetes.io/enforce label: pods here get the cluster's admission "
             "defaults, which manifests cannot show",
             "metadata.labels[pod-security.kubernetes.io/enforce]", "metadata.labels.enforce");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makePsaNamespaceUnlabeledCheck() { return std::make_unique<PsaNamespaceUnlabeledCheck>(); }

}  // namespace kspm::checks
