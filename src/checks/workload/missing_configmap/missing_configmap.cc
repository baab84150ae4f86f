// workload-missing-configmap: a pod spec references a ConfigMap (or a key of one) that the input
// does not define in the workload's namespace, and the reference is not optional. Judged only when
// the input defines ConfigMaps in that namespace (net::definesKindNear), holds no kustomization
// (whose generators create ConfigMaps the input does not show) and no Role of the namespace lets a
// component create ConfigMaps at run time (net::rolesMayCreate). ConfigMaps Kubernetes and common platforms
// create in every namespace (kube-root-ca.crt, openshift-service-ca.crt, istio-ca-root-cert) are never
// missing. Keys are checked only against ConfigMaps that carry data or binaryData (an empty one
// may be filled by a controller).
#include "checks/net/cross_object.h"
#include "checks/workload/config_refs.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

bool isProvidedEverywhere(std::string_view name) {
  return name == "kube-root-ca.crt" || name == "openshift-service-ca.crt" || name == "istio-ca-root-cert";
}

bool hasKey(const Object& config_map, std::string_view key, bool* judgeable) {
  const Node* data = field(config_map.root, "data");
  const Node* binary = field(config_map.root, "binaryData");
  *judgeable = (data != nullptr && data->size() > 0) || (binary != nullptr && binary->size() > 0);
  return (data != nullptr && data->get(key) != nullptr) || (binary != nullptr && binary->get(key) != nullptr);
}

class MissingConfigMapCheck final : public net::BasicCheck {
 public:
  MissingConfigMapCheck()
      : BasicCheck({
            .id = "workload-missing-configmap",
            .title = "Pod references a ConfigMap that is not defined",
            .severity = Severity::kLow,
            .description =
                "A non-optional ConfigMap reference (env, envFrom or volume) to a ConfigMap or key the "
                "namespace's manifests do not define keeps the pods from starting "
                "(CreateContainerConfigError, or a volume that never mounts), and whoever creates a "
                "ConfigMap of that name later controls the workload's configuration.",
            .remediation =
                "Add the ConfigMap (with the key) to the manifests, fix the name, or mark the reference "
                "optional: true if the workload runs without it.",
            .controls = {},
            .scope = Scope::kPodSpec,
            .reads = {"ConfigMap"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr || object.kind == "PodTemplate") return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!net::definesKindNear(index, *context.objects, "ConfigMap", ns, object) ||
        net::mayGenerateConfig(index)) {
      return;
    }
    if (net::rolesMayCreate(context, ns, "configmaps")) return;
    forEachConfigRef(*context.pod, ConfigKind::kConfigMap, [&](const ConfigRef& ref) {
      std::string_view name = ref.name->str();
      if (isProvidedEverywhere(name)) return;
      const Object* config_map = index.find("ConfigMap", ns, name);
      if (config_map == nullptr) {
        if (ref.key_only) return;
        sink.add(*ref.name,
                 ref.what + " references ConfigMap " + quoted(name) + ", which is not defined in namespace " +
                     quoted(ns.empty() ? "(unspecified)" : ns),
                 ref.path, ref.field, ref.container);
        return;
      }
      if (ref.key == nullptr) return;
      bool judgeable = false;
      if (hasKey(*config_map, ref.key->str(), &judgeable) || !judgeable) return;
      reportMissingKey(ref, "ConfigMap", name, sink);
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeMissingConfigMapCheck() { return std::make_unique<MissingConfigMapCheck>(); }

}  // namespace kspm::checks::workload
