// Admission: kspm's engine at the cluster gate. Decodes an admission.k8s.io/v1 AdmissionReview
// request, decides with the same checks, config and exceptions as `kspm scan`, and encodes the
// response. No HTTP and no sockets here: the webhook server (apps/kspm webhook) hands in request
// bodies and writes out what review() returns, so this is testable and fuzzable on its own.
//
// Decision contract (docs/admission.md):
//  - Objects covered: Pods (and the pods/ephemeralcontainers subresource), every pod controller
//    and workload custom resource with a pod spec, RBAC objects, Services, Ingresses,
//    NetworkPolicies. Anything else, DELETE and CONNECT are allowed without evaluation.
//    Other subresources (status, scale, binding, eviction, ...) are allowed without evaluation.
//  - CREATE: the object is evaluated like one object of a scan (cross-object checks that need the
//    rest of the cluster do not run at admission: they cannot see it; see docs/admission.md for the
//    list). In mode enforce, a Pod Security check of the namespace's level denies whatever its
//    severity (the level is the enforcement statement, as with Pod Security Admission), any other
//    check at or above the namespace's enforce severity denies; the other findings, and all of
//    them in mode warn, become warnings; in mode audit they only go into auditAnnotations.
//  - UPDATE: as Pod Security Admission does, an update that changes only metadata (labels,
//    annotations, finalizers, ownerReferences, managedFields...) or status is allowed whatever the
//    object's state, so non-compliant objects can still be relabelled and deleted; otherwise only
//    findings that the old object did not already have (by fingerprint) can deny, and findings
//    about a container whose image changed (pod-level findings: any image changed), since new code
//    would run with the old privileges (PSA evaluates image changes in full too). For
//    pods/ephemeralcontainers the whole pod is judged by the same rule: the new ephemeral
//    container's findings are new. Findings that no longer count are warnings ("already present").
//  - Suppression annotations (ignore-check.kspm.dev/...) on the object are NOT honoured: whoever
//    can create the object could waive its checks. Seeing one adds a warning. Policy exceptions
//    (files the policy owner controls) are honoured.
//  - Exempt namespaces, usernames and groups are allowed without evaluation (audit annotation
//    says so).
//  - auditAnnotations keys have no prefix ("decision", "mode", "findings", "exempt", "update"):
//    the API server prefixes each with the webhook's name and rejects keys holding a second '/'.
//  - request.dryRun changes nothing in the decision; Outcome::dry_run tells the caller not to
//    record it.
//  - Malformed input (not JSON, not an AdmissionReview v1, no request.uid, object not an object,
//    nesting or size above the limits) is HTTP 400 with a one-line message: never a crash.
//
// Thread safety: a Controller is immutable after construction (its engine is); review() may be
// called from any number of threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/catalog.h"
#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/loader.h"
#include "kspm/status.h"

namespace kspm::admission {

enum class Mode : uint8_t { kEnforce, kWarn, kAudit };
std::string_view modeName(Mode mode);  // "enforce", "warn", "audit"

/** Which namespaces a rule covers: every non-empty part must match (names are globs). */
struct NamespaceSelector {
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> match_labels;
  std::vector<ObjectMatcher::Expression> match_expressions;  // In, NotIn, Exists, DoesNotExist
};

/** What applies in a namespace. */
struct NamespacePolicy {
  Mode mode = Mode::kEnforce;
  Severity enforce_severity = Severity::kHigh;  // deny at or above (mode enforce)
  PssLevel pss_level = PssLevel::kRestricted;   // which Pod Security checks run (kNone: "privileged", none)
  uint32_t pss_minor = kPssLatestMinor;
  bool pss_latest = true;
};

struct NamespaceRule {
  NamespaceSelector selector;
  NamespacePolicy policy;
  std::string source;  // "file:line", for messages
};

/** The admission section of the configuration (the `admission:` key of .kspm.yaml). */
struct AdmissionPolicy {
  NamespacePolicy defaults;
  std::vector<NamespaceRule> namespaces;  // first match wins, else defaults
  std::vector<std::string> exempt_namespaces;  // globs
  std::vector<std::string> exempt_users;       // exact usernames
  std::vector<std::string> exempt_groups;      // exact group names
  size_t max_warnings = 10;                    // the rest are summarised in one last warning
};

/**
 * Parses the `admission:` mapping of a config file (`node` is that mapping); errors carry file,
 * line and key. The rest of the file is parsed by parseConfig (config.h).
 */
AdmissionPolicy parseAdmissionPolicy(const std::string& file, const Node& node, std::vector<ConfigError>* errors);

/** Namespace labels, which AdmissionReview requests do not carry. */
class NamespaceLabels {
 public:
  virtual ~NamespaceLabels() = default;
  /** The labels of namespace `name`, or nullopt when unknown (then selectors with labels do not match). Thread-safe. */
  virtual std::optional<std::map<std::string, std::string>> labels(std::string_view name) const = 0;
};

/** What one review produced. */
struct Outcome {
  int http_status = 200;  // 200, or 400 for a malformed request (then body is a plain-text message)
  std::string body;       // the AdmissionReview response JSON (or the 400 message)
  enum class Decision : uint8_t { kAllowed, kDenied, kWarned, kAudited, kExempt, kNotCovered, kMalformed };
  Decision decision = Decision::kAllowed;
  bool dry_run = false;
  // For logs and metrics.
  std::string uid, operation, kind, ns, name, username;
  Mode mode = Mode::kEnforce;
  uint32_t findings = 0;  // findings that counted (denying, warned or audited)
};
std::string_view decisionName(Outcome::Decision decision);  // "allowed", "denied", "warned", ...

struct ControllerOptions {
  LoadLimits limits;  // on the request body (size, depth, aliases)
  uint64_t max_body_bytes = 3u << 20;  // a larger body is malformed (the API server's own limit is ~3 MiB)
};

class Controller {
 public:
  /**
   * `scan` is the scan policy built from the same config and exceptions files as `kspm scan`
   * (checks enabled/disabled, severities, parameters, exceptions, workload kinds); `labels` may be
   * null (no label selectors then match) and must outlive the Controller.
   */
  Controller(const Catalog& catalog, ScanPolicy scan, AdmissionPolicy policy, const NamespaceLabels* labels,
             ControllerOptions options = {});
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  /** Decides one AdmissionReview request body. Never throws; thread-safe. */
  Outcome review(std::string_view body) const;

  const AdmissionPolicy& policy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kspm::admission
