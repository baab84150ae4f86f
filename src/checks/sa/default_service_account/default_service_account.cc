// sa-default-service-account: a pod spec that runs as its namespace's default service account
// with the token mounted (CIS 5.1.5).
#include "checks/common/fields.h"
#include "checks/sa/sa_checks.h"
#include "checks/sa/sa_pod.h"

namespace kspm::checks::sa {
namespace {

class DefaultServiceAccountCheck final : public Check {
 public:
  DefaultServiceAccountCheck()
      : info_({
            .id = "sa-default-service-account",
            .title = "Pod runs as the default service account",
            .severity = Severity::kLow,
            .description =
                "A pod that sets no serviceAccountName runs as its namespace's default service account, "
                "which "
                "every other such pod shares: permissions granted to it for one workload reach them all, and "
                "its mounted token is usable from any of them.",
            .remediation = "Create a service account for the workload and set serviceAccountName, or set "
                           "automountServiceAccountToken: false when the pod does not call the API server.",
            .controls = {{"cis", "5.1.5"}},
            .scope = Scope::kPodSpec,
            .reads = {"ServiceAccount"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr) return;
    const PodSpecRef& pod = *context.pod;
    PodServiceAccount account = podServiceAccount(object, pod, context);
    if (!account.valid || account.name != "default" || !tokenMounted(account)) return;
    if (account.name_node != nullptr) {
      std::string path = pod.spec_path + "." + std::string(account.name_field);
      sink.add(*account.name_node,
               std::string(account.name_field) +
                   " is \"default\": the pod runs as the namespace's shared default "
                   "service account with its token mounted",
               path, std::string(account.name_field));
      return;
    }
    sink.add(*pod.spec,
             "no serviceAccountName: the pod runs as the namespace's shared default service account with its "
             "token mounted",
             pod.spec_path + ".serviceAccountName", "serviceAccountName");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeDefaultServiceAccountCheck() {
  return std::make_unique<DefaultServiceAccountCheck>();
}

}  // namespace kspm::checks::sa
