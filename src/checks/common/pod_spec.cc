#include "checks/common/pod_spec.h"

namespace kspm::checks {

namespace {

// Where the pod template sits inside a workload kind.
enum class Shape { kNone, kPod, kTemplate, kCronJob, kPodTemplate };

Shape shapeOf(std::string_view kind) {
  if (kind == "Pod") return Shape::kPod;
  if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicationController" || kind == "Job") {
    return Shape::kTemplate;
  }
  if (kind == "CronJob") return Shape::kCronJob;
  if (kind == "PodTemplate") return Shape::kPodTemplate;
  return Shape::kNone;
}

// Builds the ref from the mapping that holds `metadata` and `spec` (a Pod or a pod template).
std::optional<PodSpecRef> fromHolder(const Node* holder, std::string prefix) {
  if (holder == nullptr || !holder->isObject()) return std::nullopt;
  const Node* spec = holder->get("spec");
  if (spec == nullptr || !spec->isObject()) return std::nullopt;
  PodSpecRef ref;
  ref.spec = spec;
  const Node* metadata = holder->get("metadata");
  ref.metadata = (metadata != nullptr && metadata->isObject()) ? metadata : nullptr;
  ref.parent = holder;
  ref.spec_path = prefix.empty() ? "spec" : prefix + ".spec";
  ref.metadata_path = prefix.empty() ? "metadata" : prefix + ".metadata";
  return ref;
}

}  // namespace

bool isPodBearingKind(std::string_view kind) { return shapeOf(kind) != Shape::kNone; }

std::optional<PodSpecRef> podSpecOf(const Object& object) {
  if (object.root == nullptr || !object.root->isObject()) return std::nullopt;
  const Node* root = object.root;
  switch (shapeOf(object.kind)) {
    case Shape::kPod:
      return fromHolder(root, "");
    case Shape::kTemplate:
      return fromHolder(root->find({"spec", "template"}), "spec.template");
    case Shape::kCronJob:
      return fromHolder(root->find({"spec", "jobTemplate", "spec", "template"}),
                        "spec.jobTemplate.spec.template");
    case Shape::kPodTemplate:
      return fromHolder(root->get("template"), "template");
    case Shape::kNone:
      break;
  }
  return std::nullopt;
}

}  // namespace kspm::checks
