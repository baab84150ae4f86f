// api-removed: the object's apiVersion/kind is no longer served at the target Kubernetes version
// (--k8s-version, default kDefaultK8sMinor), so `kubectl apply` fails with "no matches for kind".
// The table and its sources: checks/api/api_versions.cc.
#include <string>

#include "checks/api/api_checks.h"
#include "checks/api/api_versions.h"

namespace kspm::checks::api {
namespace {

class ApiRemovedCheck final : public Check {
 public:
  ApiRemovedCheck()
      : info_({
            .id = "api-removed",
            .title = "API version removed at the target Kubernetes version",
            .severity = Severity::kHigh,
            .description =
                "The object uses an apiVersion that the target Kubernetes version no longer serves. The API "
                "server rejects it, so the object is never created and whatever depends on it (a workload, "
                "a policy, a webhook) silently goes missing after an upgrade.",
            .remediation =
                "Migrate the manifest to the replacement apiVersion named in the finding (kubectl convert "
                "helps), checking the field changes listed in the Kubernetes deprecated API migration guide.",
            .controls = {{"nsa", "upgrades"}},
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const ApiVersionEntry* entry = findApiVersion(object.api_version, object.kind);
    if (entry == nullptr || apiStatusAt(*entry, context.k8s_minor) != ApiStatus::kRemoved) return;
    const Node* at = object.root->get("apiVersion");
    std::string message = std::string(object.api_version) + " " + std::string(object.kind) +
                          " is no longer served since Kubernetes 1." + std::to_string(entry->removed_in);
    if (entry->deprecated_in != 0) message += " (deprecated in 1." + std::to_string(entry->deprecated_in) + ")";
    message += ", so the API server of 1." + std::to_string(context.k8s_minor) + " rejects it; " +
               migrationAdvice(*entry, context.k8s_minor);
    sink.add(at != nullptr ? *at : *object.root, std::move(message), "apiVersion", "apiVersion");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeApiRemovedCheck() { return std::make_unique<ApiRemovedCheck>(); }

}  // namespace kspm::checks::api
