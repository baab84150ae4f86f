// container-duplicate-env: the same name appears twice in one container's env list. The API server
// accepts it with only a warning, the kubelet keeps the last definition, and kubectl apply may drop
// one of the two (env merges by name). Each repeat is reported at its own item, except the pattern
// the API server itself accepts silently (pkg/api/pod/warnings.go): a later plain value that
// extends the earlier one through a $(NAME) reference, such as PATH="$(PATH):/opt/bin". envFrom
// entries are not compared: env overriding envFrom is the documented design.
#include <string>
#include <string_view>
#include <unordered_map>

#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

// X="$(X):more" refers to the earlier definition; valueFrom, X="$(X)" or any other value hides it.
bool extendsEarlierDefinition(const Node& item, std::string_view name) {
  if (field(&item, "valueFrom") != nullptr) return false;
  const Node* value = field(&item, "value");
  if (value == nullptr || !value->isString()) return false;
  const std::string ref = "$(" + std::string(name) + ")";
  return value->str() != ref && value->str().find(ref) != std::string_view::npos;
}

class DuplicateEnvCheck final : public PodSpecCheck {
 public:
  DuplicateEnvCheck()
      : PodSpecCheck({
            .id = "container-duplicate-env",
            .title = "Environment variable defined twice in a container",
            .severity = Severity::kLow,
            .description =
                "When a container's env list defines a name twice, the last definition silently wins and "
                "kubectl apply may drop one of them. A setting that looks applied (a TLS or authentication "
                "switch, say) may be overridden further down, which hides misconfiguration from review.",
            .remediation = "Keep one definition of each environment variable per container.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* env = field(c.node, "env");
      if (env == nullptr || !env->isArray() || env->size() < 2) return;
      std::unordered_map<std::string_view, uint32_t> first;
      uint32_t index = 0;
      for (const Node& item : env->items()) {
        const Node* name = field(&item, "name");
        if (name != nullptr && name->isString()) {
          auto [it, inserted] = first.emplace(name->str(), index);
          if (!inserted && !extendsEarlierDefinition(item, name->str())) {
            sink.add(*name,
                     containerLabel(c) + " defines environment variable " + quoted(name->str()) + " again (env[" +
                         std::to_string(it->second) + "] and env[" + std::to_string(index) +
                         "]); the last definition wins",
                     c.path + ".env[" + std::to_string(index) + "].name",
                     c.field + ".env[" + std::string(name->str()) + "#" + std::to_string(index) + "]",
                     std::string(c.name));
          }
        }
        ++index;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeDuplicateEnvCheck() { return std::make_unique<DuplicateEnvCheck>(); }

}  // namespace kspm::checks::container
