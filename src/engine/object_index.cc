#include "kspm/object_index.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <set>

#include "kspm/engine.h"

namespace kspm {
namespace {

// FNV-1a over the parts with a separator between them.
uint64_t hashParts(std::initializer_list<std::string_view> parts) {
  uint64_t h = 1469598103934665603ull;
  for (std::string_view part : parts) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0x1f;
    h *= 1099511628211ull;
  }
  return h;
}

bool byHash(const std::pair<uint64_t, const Object*>& a, const std::pair<uint64_t, const Object*>& b) {
  return a.first < b.first || (a.first == b.first && a.second < b.second);  // objects live in one vector
}

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The name part of a qualified name and a non-empty label value: at most 63 characters,
// alphanumerics, '-', '_' and '.', starting and ending with an alphanumeric.
bool isLabelName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  for (char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// A DNS-1123 subdomain: at most 253 characters, dot-separated lower-case alphanumeric labels that
// may contain '-' inside.
bool isDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return false;
    for (size_t i = 0; i < label.size(); ++i) {
      char c = label[i];
      bool edge = i == 0 || i + 1 == label.size();
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!edge && c == '-'))) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// validation.IsQualifiedName: [prefix/]name, as label keys must be.
bool isLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return isLabelName(key);
  if (key.find('/', slash + 1) != std::string_view::npos) return false;
  return isDnsSubdomain(key.substr(0, slash)) && isLabelName(key.substr(slash + 1));
}

// validation.IsValidLabelValue: empty, or a label name.
bool isLabelValue(std::string_view value) { return value.empty() || isLabelName(value); }

}  // namespace

size_t ObjectIndex::PairHash::operator()(const std::pair<std::string_view, std::string_view>& k) const noexcept {
  return static_cast<size_t>(hashParts({k.first, k.second}));
}

std::string_view ObjectIndex::namespaceOf(const Object& object) const {
  return isClusterScopedKind(object.kind) ? std::string_view() : objects_->namespaceOf(object);
}

ObjectIndex::ObjectIndex(const ObjectSet& objects, const std::vector<checks::WorkloadKind>& workload_kinds)
    : objects_(&objects) {
  std::set<std::string_view, std::less<>> namespaces;
  by_name_.reserve(objects.objects().size());
  for (const Object& object : objects.objects()) {
    std::string_view ns = namespaceOf(object);
    by_kind_[object.kind].push_back(&object);
    by_kind_ns_[{object.kind, ns}].push_back(&object);
    by_name_.emplace_back(hashParts({object.kind, ns, object.name}), &object);
    if (!ns.empty()) namespaces.insert(ns);
    if (object.kind == "Namespace" && !object.name.empty()) namespaces.insert(object.name);
    if ((object.kind == "RoleBinding" || object.kind == "ClusterRoleBinding") &&
        object.group() == "rbac.authorization.k8s.io") {
      const Node* ref = object.root->get("roleRef");
      const Node* kind = ref != nullptr && ref->isObject() ? ref->get("kind") : nullptr;
      const Node* name = ref != nullptr && ref->isObject() ? ref->get("name") : nullptr;
      if (kind != nullptr && kind->isString() && name != nullptr && name->isString()) {
        std::string_view scope = kind->str() == "Role" ? ns : std::string_view();
        by_role_ref_.emplace_back(hashParts({kind->str(), scope, name->str()}), &object);
      }
    }
    if (object.kind == "ClusterRole" && object.root->get("aggregationRule") != nullptr) aggregating_.push_back(&object);
    Workload workload{&object, nullptr};
    if (!checks::podLabelsOf(object, workload_kinds, &workload.pod_labels)) continue;
    workloads_by_ns_[ns].push_back(workload);
    if (workload.pod_labels != nullptr) {
      for (const Member& m : workload.pod_labels->members()) {
        if (m.value.isString()) by_label_.emplace_back(hashParts({ns, m.key.str(), m.value.str()}), workload);
      }
    }
  }
  std::sort(by_name_.begin(), by_name_.end(), byHash);
  std::sort(by_role_ref_.begin(), by_role_ref_.end(), byHash);
  std::sort(by_label_.begin(), by_label_.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second.object < b.second.object);
  });
  namespaces_.assign(namespaces.begin(), namespaces.end());
}

const std::vector<const Object*>& ObjectIndex::ofKind(std::string_view kind) const {
  static const std::vector<const Object*> kEmpty;
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? kEmpty : it->second;
}

const std::vector<const Object*>& ObjectIndex::ofKindIn(std::string_view kind, std::string_view ns) const {
  static const std::vector<const Object*> kEmpty;
  auto it = by_kind_ns_.find({kind, ns});
  return it == by_kind_ns_.end() ? kEmpty : it->second;
}

const Object* ObjectIndex::find(std::string_view kind, std::string_view ns, std::string_view name) const {
  uint64_t h = hashParts({kind, ns, name});
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), Hashed{h, nullptr}, byHash);
  for (; it != by_name_.end() && it->first == h; ++it) {
    const Object& o = *it->second;
    if (o.kind == kind && o.name == name && namespaceOf(o) == ns) return &o;
  }
  return nullptr;
}

std::vector<const Object*> ObjectIndex::bindingsTo(std::string_view role_kind, std::string_view ns,
                                                   std::string_view name) const {
  std::string_view scope = role_kind == "Role" ? ns : std::string_view();
  uint64_t h = hashParts({role_kind, scope, name});
  std::vector<const Object*> out;
  auto it = std::lower_bound(by_role_ref_.begin(), by_role_ref_.end(), Hashed{h, nullptr}, byHash);
  for (; it != by_role_ref_.end() && it->first == h; ++it) {
    const Object& b = *it->second;
    const Node* ref = b.root->get("roleRef");
    if (!ref->get("kind")->is(role_kind) || !ref->get("name")->is(name)) continue;
    if (role_kind == "Role" && (b.kind != "RoleBinding" || namespaceOf(b) != ns)) continue;
    out.push_back(&b);
  }
  return out;
}

const std::vector<Workload>& ObjectIndex::workloadsIn(std::string_view ns) const {
  static const std::vector<Workload> kEmpty;
  auto it = workloads_by_ns_.find(ns);
  return it == workloads_by_ns_.end() ? kEmpty : it->second;
}

std::pair<size_t, size_t> ObjectIndex::labelRange(std::string_view ns, std::string_view key,
                                                  std::string_view value) const {
  uint64_t h = hashParts({ns, key, value});
  auto by_hash = [](const std::pair<uint64_t, Workload>& e, uint64_t v) { return e.first < v; };
  auto first = std::lower_bound(by_label_.begin(), by_label_.end(), h, by_hash);
  auto last = first;
  while (last != by_label_.end() && last->first == h) ++last;
  return {static_cast<size_t>(first - by_label_.begin()), static_cast<size_t>(last - by_label_.begin())};
}

std::vector<Workload> ObjectIndex::labelMatches(std::pair<size_t, size_t> range, std::string_view ns,
                                                std::string_view key, std::string_view value) const {
  std::vector<Workload> out;
  out.reserve(range.second - range.first);
  for (size_t i = range.first; i < range.second; ++i) {
    const Workload& w = by_label_[i].second;
    const Node* have = w.pod_labels->get(key);
    if (have != nullptr && have->is(value) && namespaceOf(*w.object) == ns) out.push_back(w);
  }
  return out;
}

std::vector<Workload> ObjectIndex::workloadsWithLabel(std::string_view ns, std::string_view key,
                                                      std::string_view value) const {
  return labelMatches(labelRange(ns, key, value), ns, key, value);
}

std::vector<Workload> ObjectIndex::selectorCandidates(std::string_view ns, const Node* selector) const {
  const Node* match_labels = selector != nullptr && selector->isObject() ? selector->get("matchLabels") : nullptr;
  const Member* rarest = nullptr;
  std::pair<size_t, size_t> best;
  if (match_labels != nullptr && match_labels->isObject()) {
    for (const Member& m : match_labels->members()) {
      if (!m.value.isString()) continue;
      std::pair<size_t, size_t> range = labelRange(ns, m.key.str(), m.value.str());
      if (rarest == nullptr || range.second - range.first < best.second - best.first) {
        rarest = &m;
        best = range;
      }
    }
  }
  if (rarest == nullptr) return workloadsIn(ns);
  return labelMatches(best, ns, rarest->key.str(), rarest->value.str());
}

std::vector<Workload> ObjectIndex::workloadsMatchingMap(std::string_view ns, const Node* selector) const {
  std::vector<Workload> out;
  if (selector == nullptr || !selector->isObject() || selector->size() == 0) return out;
  // Start from the rarest key=value (counted, not materialised) so the candidates are few.
  const Member* rarest = nullptr;
  std::pair<size_t, size_t> best;
  for (const Member& m : selector->members()) {
    if (!m.value.isString()) return out;
    std::pair<size_t, size_t> range = labelRange(ns, m.key.str(), m.value.str());
    if (rarest == nullptr || range.second - range.first < best.second - best.first) {
      rarest = &m;
      best = range;
    }
  }
  for (const Workload& w : labelMatches(best, ns, rarest->key.str(), rarest->value.str())) {
    if (labelsMatchMap(selector, w.pod_labels)) out.push_back(w);
  }
  return out;
}

bool labelsMatchMap(const Node* selector, const Node* labels) {
  if (selector == nullptr || !selector->isObject()) return false;
  for (const Member& m : selector->members()) {
    const Node* have = labels != nullptr && labels->isObject() ? labels->get(m.key.str()) : nullptr;
    if (have == nullptr || !have->isString() || !m.value.isString() || have->str() != m.value.str()) return false;
  }
  return true;
}

bool labelsMatchSelector(const Node* selector, const Node* labels) {
  if (selector == nullptr || selector->isNull()) return false;
  if (!selector->isObject()) return false;
  // Every requirement is validated before any is matched: LabelSelectorAsSelector fails on the
  // first invalid one (NewRequirement: key, operator, value count, values), and a selector that
  // does not convert matches nothing.
  bool matched = true;
  if (const Node* match_labels = selector->get("matchLabels"); match_labels != nullptr && !match_labels->isNull()) {
    if (!match_labels->isObject()) return false;
    for (const Member& m : match_labels->members()) {
      if (!isLabelKey(m.key.str()) || !m.value.isString() || !isLabelValue(m.value.str())) return false;
    }
    if (match_labels->size() > 0 && !labelsMatchMap(match_labels, labels)) matched = false;
  }
  const Node* expressions = selector->get("matchExpressions");
  if (expressions == nullptr || expressions->isNull()) return matched;
  if (!expressions->isArray()) return false;
  for (const Node& e : expressions->items()) {
    if (!e.isObject()) return false;
    const Node* key = e.get("key");
    const Node* op = e.get("operator");
    const Node* values = e.get("values");
    if (key == nullptr || !key->isString() || op == nullptr || !op->isString()) return false;
    if (!isLabelKey(key->str())) return false;
    if (values != nullptr && !values->isNull()) {
      if (!values->isArray()) return false;
      for (const Node& v : values->items()) {
        if (!v.isString() || !isLabelValue(v.str())) return false;
      }
    }
    const Node* have = labels != nullptr && labels->isObject() ? labels->get(key->str()) : nullptr;
    bool present = have != nullptr && have->isString();
    auto in_values = [&] {
      if (values == nullptr || !values->isArray()) return false;
      for (const Node& v : values->items()) {
        if (v.isString() && present && v.str() == have->str()) return true;
      }
      return false;
    };
    std::string_view o = op->str();
    bool has_values = values != nullptr && values->isArray() && values->size() > 0;
    if (o == "In") {
      if (!has_values) return false;
      if (!present || !in_values()) matched = false;
    } else if (o == "NotIn") {
      if (!has_values) return false;
      if (present && in_values()) matched = false;
    } else if (o == "Exists") {
      if (has_values) return false;
      if (!present) matched = false;
    } else if (o == "DoesNotExist") {
      if (has_values) return false;
      if (present) matched = false;
    } else {
      return false;
    }
  }
  return matched;
}

}  // namespace kspm
