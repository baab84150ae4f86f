// PodDisruptionBudget semantics shared by the workload-*pdb* checks, after the disruption
// controller (pkg/controller/disruption): with maxUnavailable, desiredHealthy = expected -
// ceil(maxUnavailable); with an integer minAvailable, desiredHealthy = minAvailable; with a
// percentage, desiredHealthy = ceil(percent x expected). Evictions are allowed while healthy pods
// exceed desiredHealthy. In policy/v1 a PDB with neither field gets expected = 0 and allows none;
// policy/v1beta1 defaulted minAvailable to 1. Selectors: policy/v1 treats a null selector as
// selecting nothing and {} as every pod of the namespace; policy/v1beta1 selects nothing with {}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "checks/common/fields.h"
#include "kspm/object.h"
#include "kspm/object_index.h"

namespace kspm::checks::workload {

/** An int-or-percent value: an integer, "N%" (0..100), or neither. */
struct IntOrPercent {
  bool valid = false;
  bool percent = false;
  int64_t value = 0;
};

inline IntOrPercent parseIntOrPercent(const Node* node) {
  IntOrPercent out;
  if (node == nullptr) return out;
  if (node->isInt()) {
    out.valid = node->integer() >= 0;
    out.value = node->integer();
    return out;
  }
  std::string_view s = node->str();
  if (s.size() < 2 || s.back() != '%' || s.size() > 5) return out;
  int64_t v = 0;
  for (char c : s.substr(0, s.size() - 1)) {
    if (c < '0' || c > '9') return out;
    v = v * 10 + (c - '0');
  }
  out.valid = v <= 100;
  out.percent = true;
  out.value = v;
  return out;
}

/** Why a PDB allows no eviction whatever it selects, with the node to report; empty reason if it may allow
 * some. */
struct AlwaysBlocks {
  const Node* at = nullptr;
  std::string reason;
  std::string path;
};

inline AlwaysBlocks alwaysBlocks(const Object& pdb) {
  AlwaysBlocks out;
  const Node* spec = field(pdb.root, "spec");
  const Node* max_node = field(spec, "maxUnavailable");
  const Node* min_node = field(spec, "minAvailable");
  IntOrPercent max = parseIntOrPercent(max_node);
  IntOrPercent min = parseIntOrPercent(min_node);
  if (max_node != nullptr) {
    if (max.valid && max.value == 0) {
      out = {max_node, "maxUnavailable " + max_node->scalarText() + " allows no pod to be evicted",
             "spec.maxUnavailable"};
    }
    return out;
  }
  if (min_node != nullptr) {
    if (min.valid && min.percent && min.value == 100) {
      out = {min_node, "minAvailable 100% keeps every selected pod: none can be evicted",
             "spec.minAvailable"};
    }
    return out;
  }
  if (pdb.api_version == "policy/v1" && spec != nullptr) {
    out = {spec, "neither minAvailable nor maxUnavailable is set: policy/v1 then allows no eviction", "spec"};
  }
  return out;
}

/** Whether the PDB's selector selects pods with `labels` (see the selector rules above). */
inline bool pdbSelects(const Object& pdb, const Node* labels) {
  const Node* selector = field(field(pdb.root, "spec"), "selector");
  if (selector == nullptr || !selector->isObject()) return false;
  if (pdb.api_version != "policy/v1") {
    const Node* match_labels = field(selector, "matchLabels");
    const Node* expressions = field(selector, "matchExpressions");
    if ((match_labels == nullptr || match_labels->size() == 0) &&
        (expressions == nullptr || expressions->size() == 0)) {
      return false;
    }
  }
  return labelsMatchSelector(selector, labels);
}

}  // namespace kspm::checks::workload
