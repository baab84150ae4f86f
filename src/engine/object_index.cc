#include "kspm/object_index.h"

#include <algorithm>
#include <set>

#include "kspm/engine.h"

namespace kspm {
namespace {

constexpr char kSep = '\x1f';

std::string key2(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a).push_back(kSep);
  k.append(b);
  return k;
}

std::string key3(std::string_view a, std::string_view b, std::string_view c) {
  std::string k = key2(a, b);
  k.push_back(kSep);
  k.append(c);
  return k;
}

template <typename T>
const std::vector<T>& lookup(const std::unordered_map<std::string, std::vector<T>>& map, const std::string& key) {
  static const std::vector<T> kEmpty;
  auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
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

ObjectIndex::ObjectIndex(const ObjectSet& objects, const std::vector<checks::WorkloadKind>& workload_kinds) {
  std::set<std::string, std::less<>> namespaces;
  for (const Object& object : objects.objects()) {
    std::string_view ns = isClusterScopedKind(object.kind) ? std::string_view() : objects.namespaceOf(object);
    by_kind_[std::string(object.kind)].push_back(&object);
    by_kind_ns_[key2(object.kind, ns)].push_back(&object);
    by_name_.try_emplace(key3(object.kind, ns, object.name), &object);
    if (!ns.empty()) namespaces.emplace(ns);
    if (object.kind == "Namespace" && !object.name.empty()) namespaces.emplace(object.name);
    std::optional<checks::PodSpecRef> pod = checks::podSpecOf(object, workload_kinds);
    if (!pod) continue;
    Workload workload{&object, nullptr};
    if (pod->metadata != nullptr) {
      const Node* labels = pod->metadata->get("labels");
      if (labels != nullptr && labels->isObject()) workload.pod_labels = labels;
    }
    workloads_by_ns_[std::string(ns)].push_back(workload);
    if (workload.pod_labels != nullptr) {
      for (const Member& m : workload.pod_labels->members()) {
        if (!m.value.isString()) continue;
        workloads_by_label_[key3(ns, m.key.str(), m.value.str())].push_back(workload);
      }
    }
  }
  namespaces_.assign(namespaces.begin(), namespaces.end());
}

const std::vector<const Object*>& ObjectIndex::ofKind(std::string_view kind) const {
  return lookup(by_kind_, std::string(kind));
}

const std::vector<const Object*>& ObjectIndex::ofKindIn(std::string_view kind, std::string_view ns) const {
  return lookup(by_kind_ns_, key2(kind, ns));
}

const Object* ObjectIndex::find(std::string_view kind, std::string_view ns, std::string_view name) const {
  auto it = by_name_.find(key3(kind, ns, name));
  return it == by_name_.end() ? nullptr : it->second;
}

const std::vector<Workload>& ObjectIndex::workloadsIn(std::string_view ns) const {
  return lookup(workloads_by_ns_, std::string(ns));
}

const std::vector<Workload>& ObjectIndex::workloadsWithLabel(std::string_view ns, std::string_view key,
                                                             std::string_view value) const {
  return lookup(workloads_by_label_, key3(ns, key, value));
}

std::vector<Workload> ObjectIndex::workloadsMatchingMap(std::string_view ns, const Node* selector) const {
  std::vector<Workload> out;
  if (selector == nullptr || !selector->isObject() || selector->size() == 0) return out;
  // Start from the rarest key=value so the candidate list is as short as possible.
  const std::vector<Workload>* candidates = nullptr;
  for (const Member& m : selector->members()) {
    if (!m.value.isString()) return out;
    const std::vector<Workload>& list = workloadsWithLabel(ns, m.key.str(), m.value.str());
    if (candidates == nullptr || list.size() < candidates->size()) candidates = &list;
  }
  for (const Workload& w : *candidates) {
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
