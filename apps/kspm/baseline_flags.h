// `kspm scan` owners and baselines: the --owners, --baseline and --fail-on-new flags, loading the
// owners file and the baseline once per run, and per scanned input (files, a snapshot, each
// cluster) the owner resolver, the baseline comparison and the exit decision.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "kspm/baseline.h"
#include "kspm/cli.h"
#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/owners.h"
#include "kspm/report.h"

namespace kspm::cli {

extern const char* const kOwnersBaselineHelp;

struct OwnersBaselineFlags {
  std::string owners_file;    // --owners FILE
  std::string baseline;       // --baseline FILE|SCAN_ID|latest
  bool fail_on_new_given = false;
  bool fail_on_new_enabled = true;
  Severity fail_on_new = Severity::kHigh;
};

/** Consumes --owners, --baseline or --fail-on-new at the current argument; false if none. */
bool parseOwnersBaselineFlag(Args& args, OwnersBaselineFlags* flags, std::string* error);

/** What a run loads once: the owners configuration and the baseline. */
struct OwnersBaselineRun {
  OwnersConfig owners;
  std::optional<Baseline> baseline;
  /**
   * `--baseline latest`: the store, read per input once its target is known: --target, else the
   * cluster ID for clusters and snapshots, else the scanned paths joined with "," (as --record).
   */
  std::string latest_store;
  std::string target;        // --target, "" if not given
  std::string paths_target;
  std::map<std::string, Baseline> latest;  // by target
  bool fail_enabled = true;  // the threshold with a baseline: --fail-on-new, else --fail-on
  Severity fail_on = Severity::kHigh;
};

/**
 * The owners of a run: the config's `owners:` section, then `owners_file` (--owners) over its
 * `file`, whose rules are read and appended. Errors are printed as "kspm VERB: ..."; false means a
 * usage error.
 */
bool loadOwnersConfig(const char* verb, const std::string& owners_file, const Config& config, OwnersConfig* out);

/**
 * Loads the owners (config `owners:` section, then --owners FILE over its `file`) and the baseline
 * (a report file, or from the store at `store_location` (--db) a scan ID, or `latest` of the
 * target: `target` (--target) or else per input). Errors are printed as "kspm scan: ..."; false
 * means a usage error (exit 2): the CI must not pass on a broken baseline.
 */
bool loadOwnersBaseline(const OwnersBaselineFlags& flags, const Config& config, bool fail_enabled, Severity fail_on,
                        const std::string& store_location, const std::string& target, const std::string& paths_target,
                        OwnersBaselineRun* run);

/** Per scanned input: fills ReportOptions::owners and ::baseline; decides the exit with a baseline. */
class InputOwnersBaseline {
 public:
  /**
   * `run` null: nothing (no owners beyond "unowned", no baseline). Warns on stderr about a foreign
   * baseline. With `--baseline latest` reads the target's latest scan; failed() tells (printed).
   */
  InputOwnersBaseline(OwnersBaselineRun* run, const ObjectSet& objects, const ScanPolicy& policy,
                      ReportOptions* options);
  /** The baseline could not be read (usage error: nothing should be reported for this input). */
  bool failed() const { return failed_; }
  bool hasBaseline() const { return comparison_ != nullptr; }
  /** Writer thread, before the reporter's accept(): counts the batch; true if it has a failing new finding. */
  bool recordBatch(std::span<const ObjectFindings> batch, const ObjectSet& objects);
  /** For appendFindingRecords (the history store). */
  std::function<std::string(const Object&)> ownerFunction() const;

 private:
  const OwnersBaselineRun* run_;
  bool failed_ = false;
  std::unique_ptr<OwnerResolver> resolver_;
  std::unique_ptr<BaselineComparison> comparison_;
};

}  // namespace kspm::cli
