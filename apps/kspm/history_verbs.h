// The history store on the command line: `kspm scan --record`, `kspm history`, `kspm diff`
// (docs/history.md).
#pragma once

#include <ctime>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "kspm/cli.h"
#include "kspm/engine.h"
#include "kspm/finding_record.h"
#include "kspm/object.h"
#include "kspm/report.h"
#include "kspm/routing.h"

namespace kspm::cli {

/** --record, --db and --target of kspm scan. */
struct RecordFlags {
  bool record = false;
  std::string db;      // "" = KSPM_DB, else Store::defaultLocation()
  std::string target;  // "" = the cluster, else the scanned paths
  std::vector<std::string> paths;  // the scanned paths (set by runScan)
  std::string routes_file;         // --routes FILE: deliver the recorded events (docs/routing.md)
  routing::RoutesConfig routes;    // loaded by runScan before scanning
};

/** Help lines for the flags above (for kspm scan --help). */
extern const char* const kRecordFlagsHelp;

/** Consumes --record, --db LOCATION, --target NAME or --routes FILE; false when the argument is none of them. */
bool parseRecordFlag(Args& args, RecordFlags* flags, std::string* error);

/** The store location: the --db value, else $KSPM_DB, else Store::defaultLocation(). */
std::string storeLocation(const std::string& db_flag);

/**
 * Collects one scan's findings as the engine delivers them and records the scan in the store
 * once its report is written.
 */
class ScanRecorder {
 public:
  ScanRecorder(const RecordFlags& flags, const ObjectSet& objects, const ReportOptions& options);
  /** Every batch the engine delivers (in any order). */
  void add(std::span<const ObjectFindings> batch);
  /**
   * Records the scan (checks the engine could not fully assess and files with input errors are
   * not resolved) and prints "recorded scan N (target T): ..." to stderr. False when the store
   * failed (the error is printed): the scan exits 3.
   */
  bool finish(const Engine& engine, const std::vector<InputError>& errors);

  /** The owner of an object for the records; null: "unowned" (wired by the owners feature). */
  std::function<std::string(const Object&)> owner_of;

 private:
  const RecordFlags& flags_;
  const ObjectSet& objects_;
  ScanRecord record_;
};

int runHistory(int argc, char** argv);  // kspm history
int runDiff(int argc, char** argv);     // kspm diff

}  // namespace kspm::cli
