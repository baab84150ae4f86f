// Findings as plain records: what the history store keeps, what baselines compare and what routes
// send. A FindingRecord owns its strings (an ObjectSet need not outlive it).
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kspm/engine.h"
#include "kspm/finding.h"
#include "kspm/object.h"
#include "kspm/status.h"

namespace kspm {

/** What became of a finding since the previous scan of the same target. */
enum class Lifecycle : uint8_t { kNew = 0, kOpen = 1, kResolved = 2, kReopened = 3 };
std::string_view lifecycleName(Lifecycle lifecycle);  // "new", "open", "resolved", "reopened"
bool parseLifecycle(std::string_view text, Lifecycle* out);

/** Whether a finding counts: active findings are the posture; the others are kept apart. */
enum class FindingState : uint8_t { kActive = 0, kSuppressed = 1, kExcepted = 2 };
std::string_view findingStateName(FindingState state);  // "active", "suppressed", "excepted"
bool parseFindingState(std::string_view text, FindingState* out);

struct FindingRecord {
  std::string fingerprint;  // 16 hex digits, as in the JSON report
  std::string check_id;
  Severity severity = Severity::kInfo;
  FindingState state = FindingState::kActive;
  std::string message;
  std::string api_group;   // canonicalGroup(): "" for core
  std::string kind;
  std::string namespace_;  // "" for cluster-scoped kinds and unspecified namespaces
  std::string name;
  std::string container;   // "" unless the finding is about one container
  std::string field;       // Finding::field (list items by name)
  std::string path;        // Finding::path (list indices), for people
  std::string file;        // source file (manifests) or CONTEXT:LIST-PATH (clusters)
  uint32_t line = 0;       // source line, 0 when unknown
  std::string owner;       // the owning team, or "unowned"
  int16_t risk = -1;       // 0-100 with risk scores, else -1
};

/** One scan as the store records it. */
struct ScanRecord {
  /**
   * What the lifecycle follows from scan to scan: the cluster ID for live clusters and their
   * snapshots, else what the user names with --target, else the scanned paths joined with ",".
   */
  std::string target;
  std::string cluster;       // cluster ID ("" for manifests); part of every fingerprint when set
  std::string started_at;    // RFC 3339 UTC
  std::string finished_at;   // RFC 3339 UTC
  std::string tool_version;
  uint64_t objects = 0;
  /**
   * Checks that did not run or could not see everything (Engine::coverage()) and files that could
   * not be read or parsed: findings of these checks or in these files are not resolved by this scan
   * (not seeing a finding is not the same as its being fixed).
   */
  std::vector<std::string> not_assessed_checks;
  std::vector<std::string> error_files;
  /**
   * Checks not selected for this scan (left out by --framework or the config): their findings are
   * not resolved either, but they do not make the scan partial.
   */
  std::vector<std::string> checks_not_run;
  uint64_t input_errors = 0;
  std::vector<FindingRecord> findings;
};

/**
 * Appends a record for every finding of `batch` (suppressed ones too, with their state).
 * `cluster` is mixed into fingerprints when not empty. `owner_of` gives the owner of an object
 * ("unowned" when it returns ""); null means every finding is "unowned".
 */
void appendFindingRecords(std::span<const ObjectFindings> batch, const ObjectSet& objects, std::string_view cluster,
                          const std::function<std::string(const Object&)>& owner_of,
                          std::vector<FindingRecord>* out);

}  // namespace kspm
