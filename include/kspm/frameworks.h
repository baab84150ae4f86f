// Compliance frameworks: their controls, and how a scan scores against them.
//
// A check maps to controls through CheckInfo::controls ({"cis", "5.1.2"}). A control is
//  - failed when a check mapped to it reported an unsuppressed finding;
//  - passed when at least one mapped check ran and applied to at least one object in the input
//    (a Role for an RBAC control, a pod spec for a pod control; for a check with
//    CheckInfo::applies_to, an object it applies to, e.g. a kube-apiserver pod) and none reported;
//  - not assessable when objects cannot show it (5.1.7 system:masters membership lives in client
//    certificates), or no mapped check ran, or no object in the input was of a kind it looks at
//    (the reason is then the checks' CheckInfo::not_applicable_reason when they give one).
// Score = passed / (passed + failed) * 100; not-assessable controls are listed, never counted as passed.
// The definition is user-facing: docs/compliance.md. Thread safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/engine.h"

namespace kspm {

struct FrameworkControl {
  std::string_view id;     // "5.1.2", "non-root", or the upstream Pod Security check ID
  std::string_view title;  // as the framework words it
  /** Why objects can never show this control; "" when kspm can assess it. */
  std::string_view not_assessable;
};

/** "CIS Kubernetes Benchmark v1.12" and so on. */
std::string_view frameworkTitle(Framework framework);

/**
 * The controls of a framework, in the framework's order. For pss-baseline / pss-restricted: the
 * upstream Pod Security checks of that level at policy version v1.<pss_minor>. Empty for kAll.
 */
std::vector<FrameworkControl> frameworkControls(Framework framework, uint32_t pss_minor = kPssLatestMinor);

/** The control `id` of `framework` (cis or nsa), or nullptr. */
const FrameworkControl* findControl(std::string_view framework, std::string_view id);

enum class ControlStatus : uint8_t { kPassed, kFailed, kNotAssessable };
std::string_view controlStatusName(ControlStatus status);  // "passed", "failed", "not-assessable"

struct ControlResult {
  FrameworkControl control;
  ControlStatus status = ControlStatus::kNotAssessable;
  std::vector<std::string_view> checks;  // mapped checks that ran, by ID
  uint64_t findings = 0;                 // unsuppressed findings of those checks
  std::string reason;                    // for not-assessable
};

struct FrameworkCompliance {
  Framework framework = Framework::kCis;
  std::vector<ControlResult> controls;
  uint64_t passed = 0, failed = 0, not_assessable = 0;
  double score = 0;  // percent, 0 when nothing was assessable
};

/**
 * Compliance for each framework the policy selected (kAll reports cis, nsa and pss-restricted),
 * from the checks the engine ran and the scan's totals.
 */
std::vector<FrameworkCompliance> computeCompliance(const Engine& engine, const ScanSummary& summary);

}  // namespace kspm
