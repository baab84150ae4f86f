// Baselines for CI: the findings a scan is compared with, so that only new findings fail it.
//
// A baseline is a set of finding fingerprints (docs/json-output.md), from a `kspm scan -o json`
// report (or a JSON stream of several, as --contexts writes) or from a scan in the history store.
// Every finding of the baseline counts, suppressed ones included. A finding is "existing" when its
// fingerprint is in the baseline, else "new"; "fixed" are baseline fingerprints the scan no longer
// has. Fingerprints do not depend on list order, line numbers or the API version
// (extensions/v1beta1 and apps/v1 are one), but do on the cluster ID: a baseline from another
// cluster matches nothing (clusterMismatch says so).
// Thread safety: Baseline and BaselineComparison::contains are read-only; record() is for one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kspm/engine.h"
#include "kspm/finding_record.h"
#include "kspm/object.h"
#include "kspm/status.h"

namespace kspm {

struct BaselineLimits {
  uint64_t max_bytes = 1ull << 30;  // the largest baseline file read
  uint32_t max_depth = 64;          // deepest JSON nesting accepted (a kspm report needs 6)
};

struct Baseline {
  std::string source;  // the file, or "scan N"
  /** Fingerprint (the 16 hex digits as a number) -> index into `clusters` of the report that had it. */
  std::unordered_map<uint64_t, uint32_t> fingerprints;
  /** The cluster.id of each report of the baseline, "" for manifests (and old reports without an ID). */
  std::vector<std::string> clusters;
};

/** Parses 16 hex digits; false otherwise. */
bool parseFingerprint(std::string_view text, uint64_t* out);

/**
 * Reads a baseline from JSON text: one kspm report or a stream of them. Errors are InputError
 * kBaseline naming `name` (and the line of malformed JSON): not JSON, not a kspm report (no
 * tool.name "kspm" or no findings list), an unknown schema major version, a fingerprint that is not
 * 16 hex digits, nesting deeper than the limit.
 */
Result<Baseline> parseBaselineJson(std::string_view text, std::string_view name, const BaselineLimits& limits = {});
/** The same from a file (larger than limits.max_bytes, or unreadable: kBaseline errors). */
Result<Baseline> loadBaselineFile(const std::string& path, const BaselineLimits& limits = {});
/** A baseline from recorded findings (the history store); every record counts. */
Baseline baselineFromRecords(std::span<const FindingRecord> records, std::string_view cluster, std::string source);

/** One scan's findings against a baseline. */
class BaselineComparison {
 public:
  /** `cluster` is the scan's cluster ID ("" for manifests): the one mixed into its fingerprints. */
  BaselineComparison(const Baseline& baseline, std::string cluster);

  const std::string& cluster() const { return cluster_; }
  const Baseline& baseline() const { return baseline_; }
  /** Thread-safe: is this finding (on `object`, effective namespace `ns`) in the baseline? */
  bool contains(const Finding& finding, const Object& object, std::string_view ns) const;
  /**
   * True when the baseline holds reports but none of this scan's cluster ID: every finding will be
   * new. The message says which IDs the baseline has.
   */
  bool clusterMismatch(std::string* message) const;

  /** One thread, in input order: counts a batch (new and existing: unsuppressed findings only). */
  void record(std::span<const ObjectFindings> batch, const ObjectSet& objects);

  uint64_t newFindings() const { return new_; }
  uint64_t newBySeverity(Severity s) const { return new_by_severity_[static_cast<size_t>(s)]; }
  uint64_t existing() const { return existing_; }
  /**
   * Baseline fingerprints this scan did not have (in any state), among those of the reports with
   * this scan's cluster ID (all of them when no report has it).
   */
  uint64_t fixed() const;

 private:
  const Baseline& baseline_;
  std::string cluster_;
  std::vector<bool> same_cluster_;  // per baseline report
  std::unordered_set<uint64_t> seen_;
  uint64_t new_ = 0, existing_ = 0;
  uint64_t new_by_severity_[5] = {0, 0, 0, 0, 0};
};

}  // namespace kspm
