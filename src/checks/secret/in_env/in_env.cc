// secret-in-env: a credential written as a literal env var value in a container (containers,
// initContainers, ephemeralContainers, and the containers of workload custom resources), judged by
// the variable's name, or by the flag names inside it (JAVA_OPTS="-Dx.password=..."). Values from
// valueFrom (secretKeyRef, configMapKeyRef, fieldRef) are references, not literals.
#include <string>

#include "checks/common/pod_spec.h"
#include "checks/common/secret_detect.h"
#include "checks/secret/secret_checks.h"

namespace kspm::checks::secret {
namespace {

class SecretInEnvCheck final : public Check {
 public:
  SecretInEnvCheck()
      : info_({
            .id = "secret-in-env",
            .title = "Credential in a container environment variable",
            .severity = Severity::kHigh,
            .description =
                "A container env var holds a literal credential (a cloud key, token, private key or "
                "password). It is readable by anyone who can read the manifest, its Git history, the "
                "workload object (kubectl get -o yaml) or the pod's environment, and it cannot be rotated "
                "without a new manifest.",
            .remediation =
                "Move the value into a Secret (or an external secret store) and reference it with "
                "env[].valueFrom.secretKeyRef; rotate the exposed credential.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kPodSpec,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object&, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr) return;
    forEachContainer(*context.pod, [&](const ContainerRef& c) {
      const Node* env = c.node->get("env");
      if (env == nullptr || !env->isArray()) return;
      uint32_t index = 0;
      for (const Node& var : env->items()) {
        const Node* value = var.get("value");
        const Node* name_node = var.get("name");
        std::string_view name = name_node != nullptr ? name_node->str() : std::string_view();
        if (value != nullptr && value->isString()) {
          SecretHit hit = detectSecret(name, value->str());
          // Flags inside a value: JAVA_OPTS="-Xmx1g -Dspring.datasource.password=...".
          if (!hit && value->str().find('=') != std::string_view::npos) hit = detectSecretInArgument(value->str(), "");
          if (hit) {
            std::string suffix = ".env[" + std::to_string(index) + "].value";
            std::string label = name.empty() ? "env item " + std::to_string(index) : "env var " + std::string(name);
            std::string key = name.empty() ? std::to_string(index) : std::string(name);
            sink.add(*value,
                     label + " of container \"" + std::string(c.name) + "\" holds " + describeSecret(hit),
                     c.path + suffix, c.field + ".env[" + key + "].value", std::string(c.name));
          }
        }
        ++index;
      }
    });
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretInEnvCheck() { return std::make_unique<SecretInEnvCheck>(); }

}  // namespace kspm::checks::secret
