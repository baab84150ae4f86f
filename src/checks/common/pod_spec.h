// Finding the pod spec inside every workload kind, and walking its containers the way Pod
// Security Admission does (containers, initContainers, ephemeralContainers).
//
// Built-in kinds (Pod, Deployment, ..., CronJob, PodTemplate) are known in any API group. Custom
// resources that embed a pod (Argo Rollouts, Knative Services, ...) are described by WorkloadKind
// entries: defaults for well-known projects plus any from the config file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::checks {

struct ContainerRef {
  const Node* node = nullptr;  // the container mapping
  std::string_view list;       // "containers", "initContainers" or "ephemeralContainers"
  uint32_t index = 0;
  std::string_view name;
  std::string path;   // e.g. "spec.template.spec.containers[0]"
  std::string field;  // e.g. "containers[web]" (stable across reordering)
};

/** The pod spec of a workload object and where it sits. */
struct PodSpecRef {
  const Node* spec = nullptr;      // the PodSpec mapping (never null in a returned ref)
  const Node* metadata = nullptr;  // the pod (template) metadata, or nullptr
  const Node* parent = nullptr;    // the mapping holding `spec` (for line of a missing spec field)
  std::string spec_path;           // "spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec", "template.spec"
  std::string metadata_path;       // path of the pod (template) metadata
  /**
   * Every container, resolved once by podSpecOf: spec.containers, initContainers and
   * ephemeralContainers in that order (PSA's order), then containers outside spec's own lists
   * (custom resources such as Argo Workflows), which are also listed in extra_containers.
   */
  std::vector<ContainerRef> containers;
  std::vector<ContainerRef> extra_containers;
};

/**
 * A custom resource kind that embeds a pod. Paths are dotted field paths from the object root;
 * `[*]` walks every item of a list (e.g. "spec.templates[*].container").
 */
struct WorkloadKind {
  std::string group;      // API group, e.g. "argoproj.io"
  std::string kind;       // e.g. "Rollout"
  std::string pod_spec;   // the PodSpec-shaped mapping, e.g. "spec.template.spec"
  std::string metadata;   // pod metadata; "" = the sibling `metadata` of pod_spec's parent
  std::vector<std::string> containers;  // extra container mappings (may use [*])
};

/** Workload custom resources kspm knows by default: Argo Rollouts and Workflows, Knative, KEDA, OpenKruise. */
const std::vector<WorkloadKind>& defaultWorkloadKinds();

/**
 * The pod spec of Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job,
 * CronJob and PodTemplate (any API group version) or of a kind listed in `custom` (matched by
 * group and kind); nullopt for other kinds or a missing spec. With `with_containers` false the
 * containers lists stay empty (for callers that need only the spec and metadata).
 */
std::optional<PodSpecRef> podSpecOf(const Object& object,
                                    const std::vector<WorkloadKind>& custom = defaultWorkloadKinds(),
                                    bool with_containers = true);

/**
 * Whether the object has a pod spec (as podSpecOf decides) and, if so, its pod (template)
 * metadata.labels mapping or nullptr; cheaper than podSpecOf (no paths are built).
 */
bool podLabelsOf(const Object& object, const std::vector<WorkloadKind>& custom, const Node** labels);

/** The image of every container of every object with a pod spec, in input order (views into the input). */
std::vector<std::string_view> containerImages(const ObjectSet& objects,
                                              const std::vector<WorkloadKind>& custom = defaultWorkloadKinds());

/** True for the built-in kinds podSpecOf understands. */
bool isPodBearingKind(std::string_view kind);

/** Calls fn(const ContainerRef&) for every container, in PSA order: containers, init, ephemeral. */
template <typename Fn>
void forEachContainer(const PodSpecRef& pod, Fn&& fn) {
  for (const ContainerRef& c : pod.containers) fn(c);
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
