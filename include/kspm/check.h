// The check contract.
//
// A check is a pure function of one object (plus read-only context) to findings. `evaluate` is
// const and noexcept: no I/O, no clock, no globals, and it cannot fail. Anything fallible happens
// once, when the catalog is built. Checks must be deterministic so every frontend (CLI, webhook,
// cluster scanner) gets the same answer. Thread safety: evaluate() is called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/finding.h"
#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm {

/** Pod Security Standards levels. */
enum class PssLevel : uint8_t { kNone = 0, kBaseline = 1, kRestricted = 2 };
std::string_view pssLevelName(PssLevel level);  // "baseline", "restricted"

/** Policy versions are v1.<minor>; kPssLatestMinor is what "latest" means in this build. */
inline constexpr uint32_t kPssLatestMinor = 37;

/**
 * Kubernetes minor version (1.<minor>) assumed for version-dependent checks (deprecated APIs)
 * when --k8s-version is not given: the newest release this build knows.
 */
inline constexpr uint32_t kDefaultK8sMinor = 37;

/** Which objects a check looks at. */
enum class Scope : uint8_t {
  kPodSpec,    // objects that carry a pod spec (Pod, Deployment, ..., CronJob, PodTemplate, workload CRs)
  kAnyObject,  // every object
  kKinds,      // objects whose kind is listed in CheckInfo::kinds
};

/** A framework control a check maps to, e.g. {"pss-restricted", "runAsNonRoot"}. */
struct ControlRef {
  std::string_view framework;
  std::string_view control;
};

/** A parameter a check reads from the config file (checks.parameters.<name>: [values]). */
struct ParameterInfo {
  std::string_view name;         // kebab-case, e.g. "allowed-registries"
  std::string_view description;  // what the values mean and what happens when none are given
};

/** Check metadata: the single source of truth for docs, listings, SARIF rules. */
struct CheckInfo {
  std::string_view id;           // stable, kebab-case, never reused: "pss-privileged"
  std::string_view title;        // short, sentence case, no period
  Severity severity = Severity::kMedium;
  std::string_view description;  // what is wrong and why it matters
  std::string_view remediation;  // a full sentence ending in a period
  std::vector<ControlRef> controls;
  Scope scope = Scope::kPodSpec;
  std::vector<std::string_view> kinds;  // for Scope::kKinds
  std::vector<ParameterInfo> parameters;  // configurable inputs, validated when the config loads
  /**
   * Kinds this check reads besides the object it evaluates (a binding's Role, a namespace's
   * NetworkPolicies, a pod's ServiceAccount). When a scan could not read one of them (a live cluster
   * that forbids listing it, or Secrets not listed by choice) the check would answer from half the
   * facts, so the engine does not run it and reports it not assessable (ScanPolicy::unreadable).
   */
  std::vector<std::string_view> reads;
  /**
   * When set, the check evaluates only objects (within its scope) for which this is true; the
   * engine counts them so compliance can tell "passed" from "nothing to look at". Pure, cheap,
   * thread-safe.
   */
  bool (*applies_to)(const Object& object) = nullptr;
  /**
   * Why the check could not be assessed when applies_to matched no object (e.g. "no kube-apiserver
   * pod is visible: managed control planes (EKS, GKE, AKS) hide it"); shown as the not-assessable
   * reason.
   */
  std::string_view not_applicable_reason;

  // Pod Security Standards checks only.
  std::string_view pss_id;            // upstream check ID: "privileged", "capabilities_restricted"
  PssLevel pss_level = PssLevel::kNone;
  std::string_view pss_overrides;     // upstream ID this check replaces at restricted, or ""
  uint32_t pss_min_minor = 0;         // first policy version v1.<minor> with this check
};

struct ScanContext;  // engine.h: cross-object facts (namespaces, indexes by kind and labels)
namespace checks {
struct PodSpecRef;  // checks/common/pod_spec.h: where an object's pod spec and containers are
}

/** Check parameter values by name, set once from the config file. Immutable during a scan. */
class CheckParameters {
 public:
  void set(std::string name, std::vector<std::string> values);
  /** The values configured for `name`; empty when none were given. */
  const std::vector<std::string>& get(std::string_view name) const;
  bool has(std::string_view name) const { return values_.find(name) != values_.end(); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

/** Read-only context for one evaluation. */
struct EvalContext {
  const ObjectSet* objects = nullptr;
  const ScanContext* scan = nullptr;     // never null when called by the Engine
  uint32_t pss_minor = kPssLatestMinor;  // policy version for PSS checks
  bool pss_latest = true;                // pss_minor was given as "latest"
  /** The object's pod spec (built-in workload kinds and configured custom resources), or null. */
  const checks::PodSpecRef* pod = nullptr;
  /** Configured check parameters; never null when called by the Engine. */
  const CheckParameters* params = nullptr;
  uint32_t k8s_minor = kDefaultK8sMinor;  // target Kubernetes version 1.<minor> (--k8s-version)
};

/** Where a check puts its findings. Not thread-safe: one per evaluating thread. */
class FindingSink {
 public:
  explicit FindingSink(std::vector<Finding>* out) : out_(out) {}
  void setCheck(const CheckInfo* check) { check_ = check; }

  /**
   * Records a finding at `at` (the offending node or, for a missing field, its nearest existing
   * parent). `path` is the full field path; `field` the stable path (list items by name); both
   * may be equal when no list is involved.
   */
  Finding& add(const Node& at, std::string message, std::string path, std::string field,
               std::string container = {});

 private:
  std::vector<Finding>* out_;
  const CheckInfo* check_ = nullptr;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual const CheckInfo& info() const = 0;
  virtual void evaluate(const Object& object, const EvalContext& context,
                        FindingSink& sink) const noexcept = 0;
};

}  // namespace kspm
