// api-deprecated: the object's apiVersion/kind is deprecated at the target Kubernetes version but
// still served: the API server answers with a deprecation warning today and, when a removal is
// scheduled, rejects the object from that release on. The table: checks/api/api_versions.cc.
#include <string>

#include "checks/api/api_checks.h"
#include "checks/api/api_versions.h"

namespace kspm::checks::api {
namespace {

class ApiDeprecatedCheck final : public Check {
 public:
  ApiDeprecatedCheck()
      : info_({
            .id = "api-deprecated",
            .title = "Deprecated API version",
            .severity = Severity::kLow,
            .description =
                "The object uses an apiVersion that is deprecated at the target Kubernetes version. It still "
                "works, but the API server warns on every use and a later release stops serving it, which "
                "breaks upgrades for whoever applies this manifest.",
            .remediation = "Migrate the manifest to the replacement apiVersion named in the finding before the "
                           "removal release.",
            .controls = {{"nsa", "upgrades"}},
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const ApiVersionEntry* entry = findApiVersion(object.api_version, object.kind);
    if (entry == nullptr || apiStatusAt(*entry, context.k8s_minor) != ApiStatus::kDeprecated) return;
    const Node* at = object.root->get("apiVersion");
    std::string message = std::string(object.api_version) + " " + std::string(object.kind) +
                          " is deprecated since Kubernetes 1." + std::to_string(entry->deprecated_in);
    message += entry->removed_in != 0 ? " and is no longer served from 1." + std::to_string(entry->removed_in)
                                      : std::string(" (no removal scheduled)");
    message += "; " + migrationAdvice(*entry, context.k8s_minor);
    sink.add(at != nullptr ? *at : *object.root, std::move(message), "apiVersion", "apiVersion");
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeApiDeprecatedCheck() { return std::make_unique<ApiDeprecatedCheck>(); }

}  // namespace kspm::checks::api
