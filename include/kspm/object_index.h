// Indexes over an ObjectSet for cross-object checks: by kind, by namespace, by name and by the pod
// labels of workloads, so that "which workloads does this Service select" costs a hash lookup
// instead of a pass over every object (scans stay linear on 100k objects).
//
// Namespaces are effective namespaces (ObjectSet::namespaceOf): metadata.namespace, else -n, else
// "" (unspecified). Kinds match whatever the API group. Thread safety: immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm {

/** An object that carries a pod spec, with the labels its pods get. */
struct Workload {
  const Object* object = nullptr;
  const Node* pod_labels = nullptr;  // pod (template) metadata.labels mapping, or nullptr
};

class ObjectIndex {
 public:
  ObjectIndex() = default;
  ObjectIndex(const ObjectSet& objects, const std::vector<checks::WorkloadKind>& workload_kinds);

  /** Objects of `kind` in input order. */
  const std::vector<const Object*>& ofKind(std::string_view kind) const;
  /** Objects of `kind` in namespace `ns`, in input order. */
  const std::vector<const Object*>& ofKindIn(std::string_view kind, std::string_view ns) const;
  /** The first object of kind/namespace/name in input order, or nullptr. */
  const Object* find(std::string_view kind, std::string_view ns, std::string_view name) const;
  /** Objects with a pod spec in namespace `ns`, in input order. */
  const std::vector<Workload>& workloadsIn(std::string_view ns) const;
  /** Workloads in `ns` whose pod labels include key=value, in input order. */
  std::vector<Workload> workloadsWithLabel(std::string_view ns, std::string_view key, std::string_view value) const;
  /**
   * A superset of the workloads in `ns` that a metav1.LabelSelector can select: those carrying its
   * rarest matchLabels pair, or every workload of `ns` when it has none. Callers still test each
   * candidate with labelsMatchSelector (or their own rule); this only keeps the test off workloads
   * that cannot match, so "which workloads does this policy select" stays proportional to the answer.
   */
  std::vector<Workload> selectorCandidates(std::string_view ns, const Node* selector) const;
  /**
   * Workloads in `ns` whose pod labels include every key=value of `selector` (a map, as in a
   * Service's spec.selector). An empty or missing selector selects nothing.
   */
  std::vector<Workload> workloadsMatchingMap(std::string_view ns, const Node* selector) const;
  /** Namespaces seen: Namespace objects and the namespaces of namespaced objects, sorted, without "". */
  const std::vector<std::string>& namespaces() const { return namespaces_; }

  /**
   * RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io) whose roleRef names
   * `role_kind`/`name`; for role_kind "Role", only RoleBindings in `ns`. Input order.
   */
  std::vector<const Object*> bindingsTo(std::string_view role_kind, std::string_view ns, std::string_view name) const;
  /** ClusterRoles with an aggregationRule, in input order. */
  const std::vector<const Object*>& aggregatingClusterRoles() const { return aggregating_; }

 private:
  // Keys are views into the objects (or the ObjectSet's -n string), so the index allocates only
  // its vectors: about 50 bytes per object, which matters at 100k+ objects.
  struct PairHash {
    size_t operator()(const std::pair<std::string_view, std::string_view>& k) const noexcept;
  };
  using Hashed = std::pair<uint64_t, const Object*>;  // sorted by hash, then input order
  const ObjectSet* objects_ = nullptr;
  std::unordered_map<std::string_view, std::vector<const Object*>> by_kind_;
  std::unordered_map<std::pair<std::string_view, std::string_view>, std::vector<const Object*>, PairHash> by_kind_ns_;
  std::vector<Hashed> by_name_;       // hash(kind, ns, name)
  std::vector<Hashed> by_role_ref_;   // hash(roleRef kind, ns or "", roleRef name) of bindings
  std::unordered_map<std::string_view, std::vector<Workload>> workloads_by_ns_;
  std::vector<std::pair<uint64_t, Workload>> by_label_;  // hash(ns, key, value)
  std::vector<const Object*> aggregating_;
  std::vector<std::string> namespaces_;

  std::string_view namespaceOf(const Object& object) const;
  /** The by_label_ entries whose hash is that of ns/key/value (may include hash collisions). */
  std::pair<size_t, size_t> labelRange(std::string_view ns, std::string_view key, std::string_view value) const;
  /** workloadsWithLabel restricted to the label-range [range.first, range.second). */
  std::vector<Workload> labelMatches(std::pair<size_t, size_t> range, std::string_view ns, std::string_view key,
                                     std::string_view value) const;
};

/** True if `labels` (a mapping, may be null) has every key=value of the map `selector`. */
bool labelsMatchMap(const Node* selector, const Node* labels);

/**
 * metav1.LabelSelector semantics (matchLabels and matchExpressions with In, NotIn, Exists,
 * DoesNotExist): a null selector matches nothing, an empty one matches everything. An invalid
 * selector (unknown operator, wrong types) matches nothing.
 */
bool labelsMatchSelector(const Node* selector, const Node* labels);

}  // namespace kspm
