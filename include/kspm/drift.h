// Drift: what runs in a cluster against the manifests in Git (kspm drift, docs/drift.md).
//
// Pure: two ObjectSets in (desired = the manifests, live = a cluster read or a snapshot), findings
// out. No I/O, no clock. Three findings, each with a stable fingerprint (fingerprint() of
// engine.h, with the cluster mixed in):
//  - drift-missing: an object of the manifests that the cluster does not have.
//  - drift-extra: a live object that no manifest describes, only for kinds the manifests contain,
//    in namespaces they cover (cluster-scoped kinds: everywhere), never for objects with
//    ownerReferences (controllers' children) nor for objects the cluster makes itself (the
//    `default` ServiceAccount, the `kube-root-ca.crt` ConfigMap, token Secrets, Endpoints, ...).
//  - drift-changed: one per security-relevant field (securityFields()) whose live value differs
//    from the value the manifest sets. Only fields the manifest sets are compared, as kubectl diff
//    does: defaulted fields, injected sidecars, volumes and env are never drift.
// Objects are matched by canonicalGroup(), kind, namespace and name; a manifest without
// metadata.namespace lands in DriftOptions::default_namespace, else "default" (as kubectl apply).
// A desired object whose kind the live side could not read is "not assessable", never missing.
// Secret values never appear in messages or values: they are redacted.
// Thread safety: compare() is reentrant; results are plain values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/check.h"
#include "kspm/coverage.h"
#include "kspm/finding.h"
#include "kspm/finding_record.h"
#include "kspm/object.h"

namespace kspm::drift {

/** The three drift checks (IDs "drift-missing", "drift-extra", "drift-changed"); not in the scan catalog. */
const CheckInfo& missingCheck();
const CheckInfo& extraCheck();
const CheckInfo& changedCheck();
/** The three, in that order. */
std::span<const CheckInfo* const> driftChecks();

/** One security-relevant field: where it is, on which kinds, and how severe a change is. */
struct FieldRule {
  std::string_view group;  // API group of `kinds` (canonical); ignored for pod rules
  std::string_view kinds;  // comma list; "" = every object with a pod spec (path then starts with "pod")
  /**
   * Path segments separated by '|': "pod|containers|securityContext". "pod" stands for the pod
   * spec wherever the kind keeps it; list items are transparent; a last segment ending in '*' is a
   * key prefix (label keys). A rule covers its whole subtree; the longest matching rule decides.
   */
  std::string_view path;
  Severity severity;
  std::string_view why;  // one line for docs/drift.md
  /**
   * Also compared where Git does not set it: a value set live (not empty, not false) under this
   * path, in an object the manifest has, is drift ("privileged: true" added to a container). Only
   * for fields the API server does not default.
   */
  bool both_ways = false;
};
/** The table of security-relevant fields (docs/drift.md renders it). */
std::span<const FieldRule> securityFields();

struct DriftOptions {
  /** Namespace for manifests without metadata.namespace (kspm drift -n); "" means "default". */
  std::string default_namespace;
  /** Cluster ID mixed into fingerprints ("" = none). */
  std::string cluster;
  /** Resources the live side could not read (403, not listed): desired objects of these kinds are not assessable. */
  std::vector<UnreadableResource> unreadable;
  /**
   * When true, only kinds in `listed_kinds` (group, kind; canonical groups) were read (a snapshot
   * reads a fixed set of kinds); desired objects of other kinds are not assessable.
   */
  bool restrict_to_listed = false;
  std::vector<std::pair<std::string, std::string>> listed_kinds;
  /** Namespaces the live side read; empty = all. Desired objects in other namespaces are not assessable. */
  std::vector<std::string> live_namespaces;
};

enum class DriftKind : uint8_t { kMissing, kExtra, kChanged };

/** The identity of an object on either side. */
struct ObjectId {
  std::string api_version;  // as written on the side the finding is about
  std::string group;        // canonicalGroup()
  std::string kind;
  std::string namespace_;   // "" for cluster-scoped kinds
  std::string name;
};

struct DriftFinding {
  DriftKind kind = DriftKind::kChanged;
  Finding finding;          // check, severity, message, path, field (stable), container, line
  ObjectId object;
  std::string file;         // the manifest (missing, changed) or the live source (extra)
  std::string fingerprint;  // 16 hex digits
  /** drift-changed: compact JSON of the value in Git and live ("" when absent); "<redacted>" for Secret values. */
  std::string desired, live;
  bool desired_present = false, live_present = false;
  /** The object the finding is about: the manifest's (missing, changed) or the live one (extra). */
  const Object* subject = nullptr;
};

struct NotAssessable {
  ObjectId object;
  std::string file;
  uint32_t line = 0;
  std::string reason;
};

struct DriftSummary {
  uint64_t desired_objects = 0, live_objects = 0, matched = 0;
  uint64_t missing = 0, extra = 0, changed = 0, not_assessable = 0;
  uint64_t by_severity[5] = {0, 0, 0, 0, 0};
};

struct DriftReport {
  /** Findings on desired objects in manifest order (missing or changed), then extras in live order. */
  std::vector<DriftFinding> findings;
  std::vector<NotAssessable> not_assessable;
  DriftSummary summary;
};

DriftReport compare(const ObjectSet& desired, const ObjectSet& live, const DriftOptions& options);

/**
 * The findings as store records (include/kspm/finding_record.h), e.g. to record a drift run as a
 * scan: check, severity, message, identity (canonical group), field, path, file and line,
 * fingerprint; state active; owner "unowned" (owners are resolved by the caller).
 */
void appendFindingRecords(const DriftReport& report, std::vector<FindingRecord>* out);

/**
 * Whether two quantity strings (or numbers) mean the same amount: "0.5" = "500m", "1Gi" = "1024Mi",
 * "1e3" = "1k". False when either is not a quantity.
 */
bool sameQuantity(const Node& a, const Node& b);

}  // namespace kspm::drift
