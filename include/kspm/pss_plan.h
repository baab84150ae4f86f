// The Pod Security migration plan: for every namespace in the input, the strictest Pod Security
// level all its workloads pass today, and what would break at the next level up.
//
// Verdicts come from the same evaluation as `kspm scan --framework pss-baseline|pss-restricted`
// (an Engine per level and policy version), so they equal the API server's. Suppression
// annotations do not change a verdict (the API server ignores them); suppressed findings are
// kept and marked. Namespace labels are read as upstream api.PolicyToEvaluate reads them.
// What manifests cannot show (AdmissionConfiguration defaults and exemptions) is not assumed:
// a missing -version label is read as the default "latest".
// Thread safety: planPodSecurity is a pure function of its arguments; the renderers too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/catalog.h"
#include "kspm/check.h"
#include "kspm/finding.h"
#include "kspm/object.h"

namespace kspm {

/** One pod-security.kubernetes.io/<mode> label pair of a Namespace in the input. */
struct PssModeLabel {
  bool has_level = false;          // the <mode> label is present
  bool has_version = false;        // the <mode>-version label is present
  std::string level;               // as written
  std::string version;             // as written
  uint32_t line = 0;               // line of the level label (else of the version label)
  // How Pod Security Admission reads them (only meaningful with has_level):
  PssLevel effective_level = PssLevel::kNone;  // kNone = privileged
  uint32_t effective_minor = kPssLatestMinor;  // versions above kPssLatestMinor evaluate as it
  bool effective_latest = true;
  std::string note;                // how an invalid value is read, or ""
};

/** A workload that a Pod Security policy would not admit, with the reasons. */
struct PssPlanWorkload {
  const Object* object = nullptr;
  std::vector<Finding> findings;  // the policy's PSS findings on it, in check ID order (never empty)
};

/** What the current labels of a namespace mean for the workloads in the input. */
enum class PssPlanStatus : uint8_t {
  kNamespaceNotInInput,  // no Namespace object in the input: its labels are unknown
  kNoEnforceLabel,       // the Namespace sets no enforce level: the cluster's default applies
  kEnforceViolated,      // the enforce level it sets rejects some workloads' pods in the input
  kCanTighten,           // it enforces a weaker level than all its workloads pass
  kSatisfied,            // every workload passes its enforce level, and no stricter one is possible
};
/** "namespace-not-in-input", "no-enforce-label", "enforce-violated", "can-tighten", "satisfied". */
std::string_view pssPlanStatusName(PssPlanStatus status);

/** "privileged" for kNone, else pssLevelName(level). */
std::string_view pssPlanLevelName(PssLevel level);

struct PssNamespacePlan {
  std::string name;                          // "" = unspecified (objects without a namespace, no -n)
  const Object* namespace_object = nullptr;  // the Namespace in the input, or nullptr
  PssModeLabel labels[3];                    // enforce, warn, audit
  uint64_t workloads = 0;                    // objects with a pod spec in this namespace
  uint64_t workloads_at[3] = {0, 0, 0};      // by the strictest level each passes, indexed by PssLevel
  PssLevel strictest = PssLevel::kRestricted;  // strictest level every workload passes (kNone = privileged)
  PssPlanStatus status = PssPlanStatus::kNamespaceNotInInput;
  /** Workloads the current enforce label rejects (its level and version); empty unless kEnforceViolated. */
  std::vector<PssPlanWorkload> enforce_violations;
  /** The level above `strictest` (false when that is restricted) and what would break there. */
  bool has_next = false;
  PssLevel next = PssLevel::kRestricted;
  std::vector<PssPlanWorkload> next_breaking;  // in input order
  /** The standard migration labels: enforce what passes, warn and audit the next level; versions pinned. */
  std::vector<std::pair<std::string, std::string>> suggested_labels;
};

struct PssPlan {
  uint32_t pss_minor = kPssLatestMinor;  // the policy version levels are computed at
  bool pss_latest = true;                // it was requested as "latest"
  std::vector<PssNamespacePlan> namespaces;  // sorted by name; unspecified ("") last
};

/**
 * Plans every namespace in `objects`: those of Namespace objects, of workloads (objects with a pod
 * spec; effective namespace, so -n applies) and of namespaced objects that set metadata.namespace.
 * Cluster-scoped objects are ignored; the unspecified group appears only when it has workloads.
 */
PssPlan planPodSecurity(const ObjectSet& objects, const Catalog& catalog, uint32_t pss_minor, bool pss_latest,
                        const std::vector<checks::WorkloadKind>& workload_kinds = checks::defaultWorkloadKinds());

/** What Pod Security Admission's enforce mode does to this object's pods, as a sentence fragment. */
std::string pssEnforceEffect(const Object& object);

/** The plan as JSON (schema in docs/pod-security.md, "Migration plan"), with the input errors. */
std::string pssPlanJson(const PssPlan& plan, const ObjectSet& objects, std::string_view tool_version);

/** The plan as text for people: one block per namespace, then input errors. */
std::string pssPlanTable(const PssPlan& plan, const ObjectSet& objects);

}  // namespace kspm
