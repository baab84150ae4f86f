// ns-default-namespace: a namespaced object placed in the default namespace, either by its own
// metadata.namespace: default or by -n default. Objects without a namespace are not in default
// (their namespace is unspecified until applied). With -n default, only kinds of built-in API
// groups are judged: a custom resource without a namespace may be cluster-scoped. Objects that
// govern the namespace itself rather than run in it (Role, RoleBinding, NetworkPolicy,
// ResourceQuota, LimitRange) must live there to act on it and are not reported.
#include "checks/net/cross_object.h"
#include "checks/ns/ns_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::ns {
namespace {

bool isBuiltinNamespacedGroup(std::string_view group) {
  static constexpr std::string_view kGroups[] = {"",
                                                 "apps",
                                                 "batch",
                                                 "autoscaling",
                                                 "policy",
                                                 "networking.k8s.io",
                                                 "rbac.authorization.k8s.io",
                                                 "extensions",
                                                 "discovery.k8s.io",
                                                 "coordination.k8s.io",
                                                 "events.k8s.io",
                                                 "storage.k8s.io"};
  for (std::string_view g : kGroups) {
    if (g == group) return true;
  }
  return false;
}

// Kinds that act on the namespace they live in: granting access to it, isolating or limiting it.
bool governsNamespace(const Object& object) {
  std::string_view kind = object.kind;
  std::string_view group = object.group();
  if (group == "rbac.authorization.k8s.io") return kind == "Role" || kind == "RoleBinding";
  if (group == "networking.k8s.io") return kind == "NetworkPolicy";
  return group.empty() && (kind == "ResourceQuota" || kind == "LimitRange");
}

class DefaultNamespaceCheck final : public net::BasicCheck {
 public:
  DefaultNamespaceCheck()
      : BasicCheck({
            .id = "ns-default-namespace",
            .title = "Object in the default namespace",
            .severity = Severity::kLow,
            .description =
                "The default namespace is where everything lands that names no namespace, so it mixes "
                "unrelated workloads: RBAC, NetworkPolicies, quotas and Pod Security labels cannot be "
                "scoped to one application there, and a grant meant for one of them reaches all.",
            .remediation =
                "Deploy the object to a dedicated namespace of its application (metadata.namespace).",
            .controls = {{"cis", "5.6.4"}, {"cis", "5.6.1"}, {"nsa", "namespaces"}},
            .scope = Scope::kAnyObject,
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (isClusterScopedKind(object.kind) || governsNamespace(object)) return;
    if (object.namespace_ == "default") {
      const Node* ns = field(object.metadata(), "namespace");
      sink.add(ns != nullptr ? *ns : *object.root,
               "metadata.namespace is \"default\": the object shares the default namespace with everything "
               "that names none",
               "metadata.namespace", "metadata.namespace");
      return;
    }
    if (!object.namespace_.empty() || context.objects->defaultNamespace() != "default") return;
    if (!isBuiltinNamespacedGroup(object.group())) return;
    const Node* metadata = object.metadata();
    sink.add(metadata != nullptr ? *metadata : *object.root,
             "the object names no namespace and -n default puts it in the default namespace",
             "metadata.namespace", "metadata.namespace");
  }
};

}  // namespace

std::unique_ptr<Check> makeDefaultNamespaceCheck() { return std::make_unique<DefaultNamespaceCheck>(); }

}  // namespace kspm::checks::ns
