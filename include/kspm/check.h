// The check contract.
//
// A check is a pure function of one object (plus read-only context) to findings. `evaluate` is
// const and noexcept: no I/O, no clock, no globals, and it cannot fail. Anything fallible happens
// once, when the catalog is built. Checks must be deterministic so every frontend (CLI, webhook,
// cluster scanner) gets the same answer. Thread safety: evaluate() is called concurrently.
#pragma once

#include <cstdint>
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

/** Which objects a check looks at. */
enum class Scope : uint8_t {
  kPodSpec,    // objects that carry a pod spec (Pod, Deployment, ..., CronJob, PodTemplate)
  kAnyObject,  // every object
  kKinds,      // objects whose kind is listed in CheckInfo::kinds
};

/** A framework control a check maps to, e.g. {"pss-restricted", "runAsNonRoot"}. */
struct ControlRef {
  std::string_view framework;
  std::string_view control;
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

  // Pod Security Standards checks only.
  std::string_view pss_id;            // upstream check ID: "privileged", "capabilities_restricted"
  PssLevel pss_level = PssLevel::kNone;
  std::string_view pss_overrides;     // upstream ID this check replaces at restricted, or ""
  uint32_t pss_min_minor = 0;         // first policy version v1.<minor> with this check
};

struct ScanContext;  // engine.h: cross-object facts (namespaces and their Pod Security labels)

/** Read-only context for one evaluation. */
struct EvalContext {
  const ObjectSet* objects = nullptr;
  const ScanContext* scan = nullptr;     // never null when called by the Engine
  uint32_t pss_minor = kPssLatestMinor;  // policy version for PSS checks
  bool pss_latest = true;                // pss_minor was given as "latest"
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
