// sa-token-automount: a pod spec whose service account token is mounted (CIS 5.1.6): the pod does
// not set automountServiceAccountToken: false, and neither does its ServiceAccount when the input
// has it. The pod's value takes precedence over the ServiceAccount's.
#include "checks/common/fields.h"
#include "checks/sa/sa_checks.h"
#include "checks/sa/sa_pod.h"

namespace kspm::checks::sa {
namespace {

class TokenAutomountCheck final : public Check {
 public:
  TokenAutomountCheck()
      : info_({
            .id = "sa-token-automount",
            .title = "Service account token mounted",
            .severity = Severity::kLow,
            .description =
                "A mounted service account token lets anyone who runs code in the container call the API "
                "server "
                "as that service account. Most application pods never call the API server and need no token.",
            .remediation =
                "Set automountServiceAccountToken: false on the pod spec (or on its ServiceAccount) unless "
                "the "
                "pod calls the API server; a projected token volume can mount it for the containers that do.",
            .controls = {{"cis", "5.1.6"}, {"nsa", "sa-token"}},
            .scope = Scope::kPodSpec,
            .reads = {"ServiceAccount"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr) return;
    const PodSpecRef& pod = *context.pod;
    PodServiceAccount account = podServiceAccount(object, pod, context);
    if (!account.valid || !tokenMounted(account)) return;
    std::string who = "service account " + std::string(account.name);
    std::string path = pod.spec_path + ".automountServiceAccountToken";
    if (account.pod_automount != nullptr) {
      std::string message = "automountServiceAccountToken: true mounts the token of " + who;
      if (isFalse(account.account_automount)) {
        message += " although its ServiceAccount sets false (the pod's value takes precedence)";
      } else {
        message += " (the pod's value takes precedence over the ServiceAccount's)";
      }
      sink.add(*account.pod_automount, message, path, "automountServiceAccountToken");
      return;
    }
    std::string message =
        account.account != nullptr
            ? "the token of " + who +
                  " is mounted: neither the pod nor the ServiceAccount sets "
                  "automountServiceAccountToken: false"
            : "the token of " + who +
                  " is mounted unless its ServiceAccount, which is not in the input, sets "
                  "automountServiceAccountToken: false (the pod's own value would take precedence)";
    sink.add(*pod.spec, message, path, "automountServiceAccountToken");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeTokenAutomountCheck() { return std::make_unique<TokenAutomountCheck>(); }

}  // namespace kspm::checks::sa
