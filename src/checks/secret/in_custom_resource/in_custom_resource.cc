// secret-in-custom-resource: a credential in the spec of a custom resource (an operator's
// database, a CI runner, an alerting receiver, a GitOps repository...). Operators usually offer a
// secretRef for such fields; a literal there is as exposed as a committed Secret and less
// obviously so. Scans string values under `spec` (depth and count bounded, see TreeWalkLimits) of
// objects outside the built-in API groups; pod specs of workload custom resources are left to
// secret-in-env and secret-in-args.
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/secret/secret_checks.h"
#include "checks/secret/secret_tree.h"

namespace kspm::checks::secret {
namespace {

/** Built-in Kubernetes API groups: core, the unsuffixed legacy groups and every *.k8s.io group. */
bool isBuiltinGroup(std::string_view group) {
  if (group.empty() || group == "apps" || group == "batch" || group == "autoscaling" || group == "policy" ||
      group == "extensions") {
    return true;
  }
  return group == "k8s.io" || group.ends_with(".k8s.io");
}

class SecretInCustomResourceCheck final : public Check {
 public:
  SecretInCustomResourceCheck()
      : info_({
            .id = "secret-in-custom-resource",
            .title = "Credential in a custom resource",
            .severity = Severity::kMedium,
            .description =
                "A custom resource's spec holds a literal credential (a password, token or key under a field "
                "that names one, or a recognisable token anywhere). Custom resources are not Secrets: RBAC "
                "often lets many users and controllers read them, and they are not encrypted at rest.",
            .remediation =
                "Use the operator's secret reference field (usually ...SecretRef or existingSecret) pointing "
                "at a Secret, and rotate the exposed credential.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (isBuiltinGroup(object.group())) return;
    const Node* spec = object.root->get("spec");
    if (spec == nullptr || !spec->isObject()) return;
    std::vector<const Node*> skip;
    if (context.pod != nullptr) {
      skip.push_back(context.pod->spec);
      for (const ContainerRef& c : context.pod->extra_containers) skip.push_back(c.node);
    }
    for (const TreeSecret& s : findSecretsInTree(*spec, "spec", skip)) {
      sink.add(*s.node,
               std::string(object.kind) + " field " + s.path + " holds " + describeSecret(s.hit), s.path, s.field);
    }
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretInCustomResourceCheck() { return std::make_unique<SecretInCustomResourceCheck>(); }

}  // namespace kspm::checks::secret
