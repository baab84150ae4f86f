// pod-secrets-in-env: a Secret reaches a container through its environment: env[].valueFrom.
// secretKeyRef (one key) or envFrom[].secretRef (every key). Environment variables leak more easily
// than files: into crash dumps and debug endpoints, to child processes, to anyone who can read
// /proc/<pid>/environ, and into `kubectl describe`-style tooling output. Names only are reported,
// never values.
#include "checks/container/pod_spec_check.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

class SecretsInEnvCheck final : public PodSpecCheck {
 public:
  SecretsInEnvCheck()
      : PodSpecCheck({
            .id = "pod-secrets-in-env",
            .title = "Secret passed in environment variables",
            .severity = Severity::kLow,
            .description =
                "Secrets in environment variables are inherited by every child process and leak through "
                "crash reports, debug and metrics endpoints, logs of the environment and /proc/<pid>/environ; "
                "they also cannot be rotated without restarting the container.",
            .remediation =
                "Mount the Secret as a volume (readOnly) and let the application read the file, instead of "
                "env[].valueFrom.secretKeyRef and envFrom[].secretRef.",
            .controls = {{"cis", "5.4.1"}, {"nsa", "secrets"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (const Node* env = field(c.node, "env"); env != nullptr && env->isArray()) {
        uint32_t index = 0;
        for (const Node& item : env->items()) {
          const Node* ref = field(&item, {"valueFrom", "secretKeyRef"});
          if (ref != nullptr && ref->isObject()) {
            std::string var = text(field(&item, "name"));
            sink.add(*ref,
                     containerLabel(c) + " reads key " + quoted(text(field(ref, "key"))) + " of secret " +
                         quoted(text(field(ref, "name"))) + " into environment variable " + quoted(var),
                     c.path + ".env[" + std::to_string(index) + "].valueFrom.secretKeyRef",
                     c.field + ".env[" + itemKey(item, index) + "].valueFrom.secretKeyRef", std::string(c.name));
          }
          ++index;
        }
      }
      if (const Node* env_from = field(c.node, "envFrom"); env_from != nullptr && env_from->isArray()) {
        uint32_t index = 0;
        for (const Node& item : env_from->items()) {
          const Node* ref = field(&item, "secretRef");
          if (ref != nullptr && ref->isObject()) {
            std::string secret = text(field(ref, "name"));
            sink.add(*ref, containerLabel(c) + " loads every key of secret " + quoted(secret) + " into its environment",
                     c.path + ".envFrom[" + std::to_string(index) + "].secretRef",
                     c.field + ".envFrom[" + secret + "].secretRef", std::string(c.name));
          }
          ++index;
        }
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSecretsInEnvCheck() { return std::make_unique<SecretsInEnvCheck>(); }

}  // namespace kspm::checks::pod
