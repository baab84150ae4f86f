// rbac-default-sa-automount: a ServiceAccount named default that does not set
// automountServiceAccountToken: false (CIS 5.1.5). Pods that name no service account then get its
// token mounted unless they opt out themselves.
#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"

namespace kspm::checks::rbac {
namespace {

class DefaultSaAutomountCheck final : public Check {
 public:
  DefaultSaAutomountCheck()
      : info_({
            .id = "rbac-default-sa-automount",
            .title = "Default service account mounts its token",
            .severity = Severity::kLow,
            .description =
                "Every pod without a serviceAccountName runs as the namespace's default service account and, "
                "unless this is false, gets its API token mounted: a compromised container can then call the "
                "API server with whatever that account is granted.",
            .remediation = "Set automountServiceAccountToken: false on the default ServiceAccount.",
            .controls = {{"cis", "5.1.5"}, {"nsa", "sa-token"}},
            .scope = Scope::kKinds,
            .kinds = {"ServiceAccount"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!object.group().empty() || object.name != "default") return;
    const Node* automount = object.root->get("automountServiceAccountToken");
    if (isFalse(automount)) return;
    const Node& at = automount != nullptr ? *automount : *object.root;
    sink.add(at,
             automount != nullptr && !automount->isNull()
                 ? "the default service account sets automountServiceAccountToken to " + text(automount) +
                       ", so pods without a serviceAccountName get its token"
                 : "the default service account does not set automountServiceAccountToken: false, so pods "
                   "without a serviceAccountName get its token",
             "automountServiceAccountToken", "automountServiceAccountToken");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeDefaultSaAutomountCheck() { return std::make_unique<DefaultSaAutomountCheck>(); }

}  // namespace kspm::checks::rbac
