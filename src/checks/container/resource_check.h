// Shared logic of container-{cpu,memory}-{limit,request}: a container "has" a limit or request when
// Kubernetes ends up giving it one, not only when the manifest writes it:
//  - resources.limits.<r> (a request also defaults to the limit: core/v1 SetDefaults_Pod);
//  - pod-level spec.resources (PodLevelResources) bounds every container of the pod;
//  - a LimitRange of type Container in the same namespace of the input: the LimitRanger admission
//    plugin fills in `default` (limits) and `defaultRequest` (requests), which the API server
//    defaults from `max`, `default` and `min` (core/v1 SetDefaults_LimitRangeItem).
// Ephemeral containers are skipped: the API forbids resources on them.
#pragma once

#include <string>
#include <string_view>

#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {

enum class ResourceBound { kLimit, kRequest };

/** The member `resource` of a resource list mapping, when set. */
inline bool hasResource(const Node* list, std::string_view resource) { return field(list, resource) != nullptr; }

/** True when a LimitRange in `ns` gives containers a default for this resource and bound. */
inline bool limitRangeProvides(const ScanContext* scan, std::string_view ns, std::string_view resource,
                               ResourceBound bound) {
  if (scan == nullptr) return false;
  for (const Object* range : scan->index.ofKindIn("LimitRange", ns)) {
    if (!range->group().empty()) continue;
    const Node* limits = field(range->root, {"spec", "limits"});
    if (limits == nullptr || !limits->isArray()) continue;
    for (const Node& item : limits->items()) {
      const Node* type = field(&item, "type");
      if (type == nullptr || !type->is("Container")) continue;
      if (hasResource(field(&item, "default"), resource) || hasResource(field(&item, "max"), resource)) return true;
      if (bound == ResourceBound::kRequest && (hasResource(field(&item, "defaultRequest"), resource) ||
                                               hasResource(field(&item, "min"), resource))) {
        return true;
      }
    }
  }
  return false;
}

class ResourceCheck : public PodSpecCheck {
 public:
  ResourceCheck(CheckInfo info, std::string_view resource, ResourceBound bound)
      : PodSpecCheck(std::move(info)), resource_(resource), bound_(bound) {}

 protected:
  void evaluatePod(const Object& object, const PodSpecRef& pod, const EvalContext& context,
                   FindingSink& sink) const override {
    const Node* pod_resources = field(pod.spec, "resources");
    if (provides(pod_resources)) return;
    std::string_view ns = context.objects != nullptr ? context.objects->namespaceOf(object) : object.namespace_;
    if (limitRangeProvides(context.scan, ns, resource_, bound_)) return;
    const std::string_view list_name = bound_ == ResourceBound::kLimit ? "limits" : "requests";
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (c.list == "ephemeralContainers") return;
      const Node* resources = field(c.node, "resources");
      if (provides(resources)) return;
      const Node* list = field(resources, list_name);
      const Node& at = list != nullptr ? *list : (resources != nullptr ? *resources : *c.node);
      std::string written = "resources." + std::string(list_name) + "." + std::string(resource_);
      sink.add(at, containerLabel(c) + " has no " + displayName() + " " + std::string(noun()) + " (" + written + ")",
               c.path + "." + written, c.field + "." + written, std::string(c.name));
    });
  }

 private:
  // A requests or limits mapping pair (container or pod level) that sets this bound.
  bool provides(const Node* resources) const {
    if (hasResource(field(resources, "limits"), resource_)) return true;
    return bound_ == ResourceBound::kRequest && hasResource(field(resources, "requests"), resource_);
  }
  std::string displayName() const { return resource_ == "cpu" ? "CPU" : std::string(resource_); }
  std::string_view noun() const { return bound_ == ResourceBound::kLimit ? "limit" : "request"; }

  std::string_view resource_;
  ResourceBound bound_;
};

}  // namespace kspm::checks::container
