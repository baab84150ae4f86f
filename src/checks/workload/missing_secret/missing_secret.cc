// workload-missing-secret: a pod spec references a Secret (or a key of one) that the input does
// not define in the workload's namespace, and the reference is not optional. Judged only when the
// input defines Secrets in that namespace (net::definesKindNear), holds no kustomization
// (secretGenerator) and no ClusterExternalSecret, and no Role of the namespace lets a component
// create Secrets at run time (net::rolesMayCreate). Secrets that resources of the input create count as
// defined: an ExternalSecret's target (spec.target.name, else its name), a SealedSecret's name, a
// cert-manager Certificate's spec.secretName, a SecretProviderClass's spec.secretObjects[].secretName, a
// Vault Secrets Operator secret's spec.destination.name and a OnePasswordItem's name. Keys are checked only
// against Secrets written with data or stringData and not of type kubernetes.io/service-account-token (the
// token controller fills those).
#include "checks/net/cross_object.h"
#include "checks/workload/config_refs.h"
#include "checks/workload/workload_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::workload {
namespace {

bool named(const Node* node, std::string_view name) { return node != nullptr && node->is(name); }

// True when a secret-producing resource of the input in `ns` creates the Secret `name`.
bool producedInInput(const ObjectIndex& index, std::string_view ns, std::string_view name) {
  for (std::string_view kind : {"SealedSecret", "OnePasswordItem"}) {
    if (index.find(kind, ns, name) != nullptr) return true;
  }
  for (const Object* o : index.ofKindIn("ExternalSecret", ns)) {
    const Node* target = field(o->root, {"spec", "target", "name"});
    if (target != nullptr ? named(target, name) : o->name == name) return true;
  }
  for (const Object* o : index.ofKindIn("Certificate", ns)) {
    if (named(field(o->root, {"spec", "secretName"}), name)) return true;
  }
  for (std::string_view kind : {"VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret"}) {
    for (const Object* o : index.ofKindIn(kind, ns)) {
      if (named(field(o->root, {"spec", "destination", "name"}), name)) return true;
    }
  }
  for (const Object* o : index.ofKindIn("SecretProviderClass", ns)) {
    const Node* objects = field(o->root, {"spec", "secretObjects"});
    if (objects == nullptr) continue;
    for (const Node& s : objects->items()) {
      if (named(field(&s, "secretName"), name)) return true;
    }
  }
  return false;
}

bool hasKey(const Object& secret, std::string_view key, bool* judgeable) {
  const Node* data = field(secret.root, "data");
  const Node* string_data = field(secret.root, "stringData");
  const Node* type = field(secret.root, "type");
  *judgeable =
      ((data != nullptr && data->size() > 0) || (string_data != nullptr && string_data->size() > 0)) &&
      !named(type, "kubernetes.io/service-account-token");
  return (data != nullptr && data->get(key) != nullptr) ||
         (string_data != nullptr && string_data->get(key) != nullptr);
}

class MissingSecretCheck final : public net::BasicCheck {
 public:
  MissingSecretCheck()
      : BasicCheck({
            .id = "workload-missing-secret",
            .title = "Pod references a Secret that is not defined",
            .severity = Severity::kLow,
            .description =
                "A non-optional Secret reference (env, envFrom or volume) to a Secret or key that the "
                "namespace's manifests neither define nor generate keeps the pods from starting, and "
                "whoever can create a Secret of that name later feeds the workload its credentials.",
            .remediation =
                "Add the Secret (or the resource that generates it, such as an ExternalSecret) to the "
                "manifests, fix the name or key, or mark the reference optional: true.",
            .controls = {},
            .scope = Scope::kPodSpec,
            .reads = {"Secret"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr || object.kind == "PodTemplate") return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!net::definesKindNear(index, *context.objects, "Secret", ns, object) || net::mayGenerateConfig(index))
      return;
    if (net::rolesMayCreate(context, ns, "secrets")) return;
    if (!index.ofKind("ClusterExternalSecret").empty()) return;
    forEachConfigRef(*context.pod, ConfigKind::kSecret, [&](const ConfigRef& ref) {
      std::string_view name = ref.name->str();
      const Object* secret = index.find("Secret", ns, name);
      if (secret == nullptr) {
        if (ref.key_only || producedInInput(index, ns, name)) return;
        sink.add(*ref.name,
                 ref.what + " references Secret " + quoted(name) + ", which is not defined in namespace " +
                     quoted(ns.empty() ? "(unspecified)" : ns),
                 ref.path, ref.field, ref.container);
        return;
      }
      if (ref.key == nullptr) return;
      bool judgeable = false;
      if (hasKey(*secret, ref.key->str(), &judgeable) || !judgeable) return;
      reportMissingKey(ref, "Secret", name, sink);
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeMissingSecretCheck() { return std::make_unique<MissingSecretCheck>(); }

}  // namespace kspm::checks::workload
