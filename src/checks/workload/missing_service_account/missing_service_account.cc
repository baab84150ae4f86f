// workload-missing-service-account: a pod spec names a service account (serviceAccountName, else
// the deprecated serviceAccount) that the input does not define in the workload's namespace. The
// ServiceAccount admission plugin rejects pods whose service account does not exist, so the
// workload never starts. Judged only when the input defines ServiceAccounts in that namespace
// (net::definesKindNear); "default" exists in every namespace and is never missing.
#include "checks/net/cross_object.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

class MissingServiceAccountCheck final : public net::BasicCheck {
 public:
  MissingServiceAccountCheck()
      : BasicCheck({
            .id = "workload-missing-service-account",
            .title = "Pod uses a ServiceAccount that is not defined",
            .severity = Severity::kLow,
            .description =
                "Pods naming a service account that does not exist are rejected at admission, so the "
                "workload never starts; and the permissions its pods get depend on whoever creates an "
                "account of that name later.",
            .remediation = "Add the ServiceAccount to the manifests, or fix serviceAccountName.",
            .controls = {},
            .scope = Scope::kPodSpec,
            .reads = {"ServiceAccount"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr || object.kind == "PodTemplate") return;
    const Node* spec = context.pod->spec;
    std::string_view key = "serviceAccountName";
    const Node* name = field(spec, key);
    if (name == nullptr || name->str().empty()) {
      key = "serviceAccount";
      name = field(spec, key);
    }
    if (name == nullptr || !name->isString() || name->str().empty() || name->str() == "default") return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!net::definesKindNear(index, *context.objects, "ServiceAccount", ns, object)) return;
    if (index.find("ServiceAccount", ns, name->str()) != nullptr) return;
    std::string path = context.pod->spec_path + "." + std::string(key);
    sink.add(*name,
             std::string(key) + " " + quoted(name->str()) + " is not defined in namespace " +
                 quoted(ns.empty() ? "(unspecified)" : ns) + ": admission rejects the pods",
             path, std::string(key));
  }
};

}  // namespace

std::unique_ptr<Check> makeMissingServiceAccountCheck() {
  return std::make_unique<MissingServiceAccountCheck>();
}

}  // namespace kspm::checks::workload
