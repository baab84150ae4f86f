// Finding the pod spec inside every workload kind, and walking its containers the way Pod
// Security Admission does (containers, initContainers, ephemeralContainers).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::checks {

/** The pod spec of a workload object and where it sits. */
struct PodSpecRef {
  const Node* spec = nullptr;      // the PodSpec mapping (never null in a returned ref)
  const Node* metadata = nullptr;  // the pod (template) metadata, or nullptr
  const Node* parent = nullptr;    // the mapping holding `spec` (for line of a missing spec field)
  std::string spec_path;           // "spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec", "template.spec"
  std::string metadata_path;       // path of the pod (template) metadata
};

/**
 * The pod spec of Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job,
 * CronJob and PodTemplate (any API group version); nullopt for other kinds or a missing spec.
 */
std::optional<PodSpecRef> podSpecOf(const Object& object);

/** True for the kinds podSpecOf understands. */
bool isPodBearingKind(std::string_view kind);

struct ContainerRef {
  const Node* node = nullptr;  // the container mapping
  std::string_view list;       // "containers", "initContainers" or "ephemeralContainers"
  uint32_t index = 0;
  std::string_view name;
  std::string path;   // e.g. "spec.template.spec.containers[0]"
  std::string field;  // e.g. "containers[web]" (stable across reordering)
};

/** Calls fn(const ContainerRef&) for every container, in PSA order: containers, init, ephemeral. */
template <typename Fn>
void forEachContainer(const PodSpecRef& pod, Fn&& fn) {
  static constexpr std::string_view kLists[] = {"containers", "initContainers", "ephemeralContainers"};
  for (std::string_view list : kLists) {
    const Node* items = pod.spec->get(list);
    if (items == nullptr || !items->isArray()) continue;
    uint32_t index = 0;
    for (const Node& c : items->items()) {
      if (c.isObject()) {
        ContainerRef ref;
        ref.node = &c;
        ref.list = list;
        ref.index = index;
        const Node* name = c.get("name");
        ref.name = name != nullptr ? name->str() : std::string_view();
        ref.path = pod.spec_path + "." + std::string(list) + "[" + std::to_string(index) + "]";
        ref.field = std::string(list) + "[" + std::string(ref.name) + "]";
        fn(static_cast<const ContainerRef&>(ref));
      }
      ++index;
    }
  }
}

/** Calls fn(const Node& volume, uint32_t index) for every item of spec.volumes, in order. */
template <typename Fn>
void forEachVolume(const PodSpecRef& pod, Fn&& fn) {
  const Node* volumes = pod.spec->get("volumes");
  if (volumes == nullptr || !volumes->isArray()) return;
  uint32_t index = 0;
  for (const Node& volume : volumes->items()) fn(volume, index++);
}

}  // namespace kspm::checks
