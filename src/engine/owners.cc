#include "kspm/owners.h"

#include <algorithm>
#include <array>

namespace kspm {
namespace {

constexpr std::array<std::string_view, 3> kSourceNames = {"labels", "namespace", "file"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const Node* mapping(const Node* node) { return node != nullptr && node->isObject() ? node : nullptr; }


}  // namespace

std::string_view ownerSourceName(OwnerSource source) { return kSourceNames[static_cast<size_t>(source)]; }

bool parseOwnerSource(std::string_view text, OwnerSource* out) {
  for (size_t i = 0; i < kSourceNames.size(); ++i) {
    if (text == kSourceNames[i]) {
      *out = static_cast<OwnerSource>(i);
      return true;
    }
  }
  return false;
}

OwnerResolver::OwnerResolver(OwnersConfig config, const ObjectSet& objects,
                             std::vector<checks::WorkloadKind> workload_kinds)
    : config_(std::move(config)), objects_(objects), workload_kinds_(std::move(workload_kinds)) {
  if (std::find(config_.order.begin(), config_.order.end(), OwnerSource::kNamespace) == config_.order.end()) return;
  for (const Object& o : objects_.objects()) {
    if (o.kind != "Namespace" || o.group() != "" || o.name.empty()) continue;
    const Node* meta = o.metadata();
    if (meta == nullptr) continue;
    std::string_view owner = fromKeys(mapping(meta->get("labels")), mapping(meta->get("annotations")));
    // The first Namespace object of a name wins (as the first definition does elsewhere).
    if (!owner.empty()) namespace_owner_.emplace(o.name, owner);
  }
}

std::string_view OwnerResolver::fromKeys(const Node* labels, const Node* annotations) const {
  for (const std::string& key : config_.keys) {
    for (const Node* map : {labels, annotations}) {
      if (map == nullptr) continue;
      const Node* v = map->get(key);
      if (v == nullptr || !v->isString()) continue;
      std::string_view value = trim(v->str());
      if (!value.empty()) return value;
    }
  }
  return {};
}

std::string_view OwnerResolver::fromLabels(const Object& object) const {
  const Node* meta = mapping(object.metadata());
  if (meta != nullptr) {
    std::string_view owner = fromKeys(mapping(meta->get("labels")), mapping(meta->get("annotations")));
    if (!owner.empty()) return owner;
  }
  if (object.kind == "Pod" && object.group().empty()) return {};  // its own labels are its pod's
  std::optional<checks::PodSpecRef> pod = checks::podSpecOf(object, workload_kinds_);
  if (!pod || pod->metadata == nullptr || !pod->metadata->isObject()) return {};
  return fromKeys(mapping(pod->metadata->get("labels")), nullptr);
}

std::string_view OwnerResolver::fromNamespace(const Object& object) const {
  std::string_view ns;
  if (object.kind == "Namespace" && object.group().empty()) {
    ns = object.name;
  } else if (!isClusterScopedKind(object.kind)) {
    ns = objects_.namespaceOf(object);
  }
  if (ns.empty() || namespace_owner_.empty()) return {};
  auto it = namespace_owner_.find(ns);
  return it == namespace_owner_.end() ? std::string_view() : it->second;
}

std::string_view OwnerResolver::fromRules(const Object& object) const {
  if (config_.rules.empty()) return {};
  const bool is_namespace = object.kind == "Namespace" && object.group().empty();
  std::string_view ns = is_namespace ? object.name
                        : isClusterScopedKind(object.kind) ? std::string_view()
                                                           : objects_.namespaceOf(object);
  std::string_view path = objects_.pathOf(object);
  while (path.starts_with("./")) path.remove_prefix(2);
  const Node* meta = mapping(object.metadata());
  const Node* labels = meta != nullptr ? mapping(meta->get("labels")) : nullptr;
  for (const OwnerRule& rule : config_.rules) {
    if (!rule.namespaces.empty() &&
        (ns.empty() || std::none_of(rule.namespaces.begin(), rule.namespaces.end(),
                                    [&](const std::string& p) { return globMatch(p, ns); }))) {
      continue;
    }
    if (!rule.paths.empty() && std::none_of(rule.paths.begin(), rule.paths.end(), [&](const std::string& p) {
          std::string_view pattern = p;
          while (pattern.starts_with("./")) pattern.remove_prefix(2);
          return globMatch(pattern, path);
        })) {
      continue;
    }
    if (!rule.object.kind.empty() && !globMatch(rule.object.kind, object.kind)) continue;
    if (!rule.object.name.empty() && !globMatch(rule.object.name, object.name)) continue;
    if (!labelsMatch(rule.object, labels)) continue;
    return rule.team;
  }
  return {};
}

std::string_view OwnerResolver::ownerView(const Object& object) const {
  for (OwnerSource source : config_.order) {
    std::string_view owner;
    switch (source) {
      case OwnerSource::kLabels: owner = fromLabels(object); break;
      case OwnerSource::kNamespace: owner = fromNamespace(object); break;
      case OwnerSource::kFile: owner = fromRules(object); break;
    }
    if (!owner.empty()) return owner;
  }
  return kUnowned;
}

}  // namespace kspm
