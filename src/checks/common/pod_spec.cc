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

// Lists spec.containers, initContainers and ephemeralContainers (mappings only) into ref->containers.
void collectContainers(PodSpecRef* ref) {
  static constexpr std::string_view kLists[] = {"containers", "initContainers", "ephemeralContainers"};
  for (std::string_view list : kLists) {
    const Node* items = ref->spec->get(list);
    if (items == nullptr || !items->isArray()) continue;
    uint32_t index = 0;
    for (const Node& c : items->items()) {
      if (c.isObject()) {
        ContainerRef container;
        container.node = &c;
        container.list = list;
        container.index = index;
        const Node* name = c.get("name");
        container.name = name != nullptr ? name->str() : std::string_view();
        container.path = ref->spec_path + "." + std::string(list) + "[" + std::to_string(index) + "]";
        container.field = std::string(list) + "[" + std::string(container.name) + "]";
        ref->containers.push_back(std::move(container));
      }
      ++index;
    }
  }
}

// Builds the ref from the mapping that holds `metadata` and `spec` (a Pod or a pod template).
std::optional<PodSpecRef> fromHolder(const Node* holder, std::string prefix, bool with_containers) {
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
  if (with_containers) collectContainers(&ref);
  return ref;
}

struct Located {
  const Node* node;
  std::string path;   // with indexes: spec.templates[0].container
  std::string field;  // with item names: spec.templates[main].container
};

// Expands a dotted path with optional `[*]` segments into every node it reaches.
void walk(const Node* node, std::string_view rest, std::string path, std::string field,
          std::vector<Located>* out) {
  if (node == nullptr || node->isNull()) return;
  if (rest.empty()) {
    out->push_back({node, std::move(path), std::move(field)});
    return;
  }
  size_t dot = rest.find('.');
  std::string_view segment = rest.substr(0, dot);
  std::string_view next = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  bool each = segment.ends_with("[*]");
  if (each) segment.remove_suffix(3);
  if (!node->isObject()) return;
  const Node* child = node->get(segment);
  std::string child_path = path.empty() ? std::string(segment) : path + "." + std::string(segment);
  std::string child_field = field.empty() ? std::string(segment) : field + "." + std::string(segment);
  if (!each) {
    walk(child, next, std::move(child_path), std::move(child_field), out);
    return;
  }
  if (child == nullptr || !child->isArray()) return;
  uint32_t index = 0;
  for (const Node& item : child->items()) {
    const Node* name = item.isObject() ? item.get("name") : nullptr;
    std::string key = (name != nullptr && name->isString() && !name->str().empty()) ? std::string(name->str())
                                                                                      : std::to_string(index);
    walk(&item, next, child_path + "[" + std::to_string(index) + "]", child_field + "[" + key + "]", out);
    ++index;
  }
}

std::optional<PodSpecRef> fromCustom(const Object& object, const WorkloadKind& custom, bool with_containers) {
  std::vector<Located> specs;
  walk(object.root, custom.pod_spec, "", "", &specs);
  if (specs.size() != 1 || !specs[0].node->isObject()) return std::nullopt;
  PodSpecRef ref;
  ref.spec = specs[0].node;
  ref.spec_path = specs[0].path;
  std::string parent_path;
  if (size_t dot = custom.pod_spec.rfind('.'); dot != std::string::npos) parent_path = custom.pod_spec.substr(0, dot);
  std::vector<Located> parents;
  if (parent_path.empty()) {
    parents.push_back({object.root, "", ""});
  } else {
    walk(object.root, parent_path, "", "", &parents);
  }
  ref.parent = parents.size() == 1 ? parents[0].node : object.root;
  std::string metadata_path = custom.metadata.empty()
                                  ? (parent_path.empty() ? std::string("metadata") : parent_path + ".metadata")
                                  : custom.metadata;
  std::vector<Located> metadata;
  walk(object.root, metadata_path, "", "", &metadata);
  ref.metadata = (metadata.size() == 1 && metadata[0].node->isObject()) ? metadata[0].node : nullptr;
  ref.metadata_path = metadata_path;
  if (!with_containers) return ref;
  collectContainers(&ref);
  for (const std::string& containers : custom.containers) {
    std::vector<Located> found;
    walk(object.root, containers, "", "", &found);
    for (Located& c : found) {
      if (!c.node->isObject()) continue;
      ContainerRef container;
      container.node = c.node;
      size_t dot = containers.rfind('.');
      std::string_view list = std::string_view(containers).substr(dot == std::string::npos ? 0 : dot + 1);
      if (list.ends_with("[*]")) list.remove_suffix(3);
      container.list = list;
      const Node* name = c.node->get("name");
      container.name = name != nullptr && name->isString() ? name->str() : std::string_view();
      container.path = std::move(c.path);
      container.field = std::move(c.field);
      ref.extra_containers.push_back(container);
      ref.containers.push_back(std::move(container));
    }
  }
  return ref;
}

}  // namespace

const std::vector<WorkloadKind>& defaultWorkloadKinds() {
  static const std::vector<WorkloadKind> kDefaults = [] {
    const std::vector<std::string> argo_containers = {
        "spec.templates[*].container", "spec.templates[*].script", "spec.templates[*].initContainers[*]",
        "spec.templates[*].sidecars[*]", "spec.templates[*].containerSet.containers[*]"};
    std::vector<std::string> cron_containers;
    for (const std::string& c : argo_containers) cron_containers.push_back("spec.workflowSpec." + c.substr(5));
    return std::vector<WorkloadKind>{
        {"argoproj.io", "Rollout", "spec.template.spec", "", {}},
        {"serving.knative.dev", "Service", "spec.template.spec", "", {}},
        {"serving.knative.dev", "Configuration", "spec.template.spec", "", {}},
        {"keda.sh", "ScaledJob", "spec.jobTargetRef.template.spec", "", {}},
        {"apps.kruise.io", "CloneSet", "spec.template.spec", "", {}},
        {"apps.kruise.io", "BroadcastJob", "spec.template.spec", "", {}},
        {"argoproj.io", "Workflow", "spec", "spec.podMetadata", argo_containers},
        {"argoproj.io", "WorkflowTemplate", "spec", "spec.podMetadata", argo_containers},
        {"argoproj.io", "ClusterWorkflowTemplate", "spec", "spec.podMetadata", argo_containers},
        {"argoproj.io", "CronWorkflow", "spec.workflowSpec", "spec.workflowSpec.podMetadata", cron_containers},
    };
  }();
  return kDefaults;
}

bool podLabelsOf(const Object& object, const std::vector<WorkloadKind>& custom, const Node** labels) {
  *labels = nullptr;
  if (object.root == nullptr || !object.root->isObject()) return false;
  const Node* holder = nullptr;
  switch (shapeOf(object.kind)) {
    case Shape::kPod: holder = object.root; break;
    case Shape::kTemplate: holder = object.root->find({"spec", "template"}); break;
    case Shape::kCronJob: holder = object.root->find({"spec", "jobTemplate", "spec", "template"}); break;
    case Shape::kPodTemplate: holder = object.root->get("template"); break;
    case Shape::kNone: {
      std::optional<PodSpecRef> pod = podSpecOf(object, custom, false);
      if (!pod) return false;
      const Node* l = pod->metadata != nullptr ? pod->metadata->get("labels") : nullptr;
      if (l != nullptr && l->isObject()) *labels = l;
      return true;
    }
  }
  if (holder == nullptr || !holder->isObject()) return false;
  const Node* spec = holder->get("spec");
  if (spec == nullptr || !spec->isObject()) return false;
  const Node* metadata = holder->get("metadata");
  const Node* l = metadata != nullptr && metadata->isObject() ? metadata->get("labels") : nullptr;
  if (l != nullptr && l->isObject()) *labels = l;
  return true;
}

bool isPodBearingKind(std::string_view kind) { return shapeOf(kind) != Shape::kNone; }

std::optional<PodSpecRef> podSpecOf(const Object& object, const std::vector<WorkloadKind>& custom,
                                    bool with_containers) {
  if (object.root == nullptr || !object.root->isObject()) return std::nullopt;
  if (!custom.empty() && shapeOf(object.kind) == Shape::kNone) {
    std::string_view group = object.group();
    for (const WorkloadKind& k : custom) {
      if (k.kind == object.kind && k.group == group) return fromCustom(object, k, with_containers);
    }
    return std::nullopt;
  }
  const Node* root = object.root;
  switch (shapeOf(object.kind)) {
    case Shape::kPod:
      return fromHolder(root, "", with_containers);
    case Shape::kTemplate:
      return fromHolder(root->find({"spec", "template"}), "spec.template", with_containers);
    case Shape::kCronJob:
      return fromHolder(root->find({"spec", "jobTemplate", "spec", "template"}),
                        "spec.jobTemplate.spec.template", with_containers);
    case Shape::kPodTemplate:
      return fromHolder(root->get("template"), "template", with_containers);
    case Shape::kNone:
      break;
  }
  return std::nullopt;
}

std::vector<std::string_view> containerImages(const ObjectSet& objects, const std::vector<WorkloadKind>& custom) {
  std::vector<std::string_view> images;
  for (const Object& o : objects.objects()) {
    std::optional<PodSpecRef> pod = podSpecOf(o, custom);
    if (!pod) continue;
    for (const ContainerRef& c : pod->containers) {
      const Node* image = c.node->get("image");
      if (image != nullptr && image->isString()) images.push_back(image->str());
    }
  }
  return images;
}

}  // namespace kspm::checks
