// Reports: turn findings into table, JSON or SARIF text.
//
// A Reporter produces text in pieces so a scan can stream: begin() once, formatBatch() for each
// batch of objects (called concurrently from worker threads, so it must not touch mutable state),
// accept() on the writer thread for each batch in input order, and end() once with the totals.
// The JSON schema is documented in docs/json-output.md.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/engine.h"
#include "kspm/object.h"
#include "kspm/status.h"

namespace kspm {

class OwnerResolver;       // owners.h
class BaselineComparison;  // baseline.h

enum class OutputFormat : uint8_t { kTable, kJson, kSarif, kJunit };
bool parseOutputFormat(std::string_view text, OutputFormat* out);

/** Version of the JSON output schema; bumped on any incompatible change. */
inline constexpr std::string_view kJsonSchemaVersion = "1.0";
/** GitHub code scanning rejects SARIF uploads with more results than this. */
inline constexpr size_t kSarifMaxResults = 25000;

enum class JunitGrouping : uint8_t { kObject, kCheck };

/** Where the objects came from when it was a live cluster (kspm scan --cluster) or its snapshot. */
struct ClusterSource {
  std::string context;         // kubeconfig context ("" for in-cluster config)
  std::string server;          // API server URL
  std::string server_version;  // e.g. v1.30.2
  std::string taken_at;        // RFC 3339 UTC time the objects were read
  std::string snapshot;        // the snapshot file scanned, "" for a live read
  /**
   * The cluster ID mixed into every fingerprint: --cluster-id, else the kubeconfig context's cluster
   * entry name, else "in-cluster" for in-cluster config; a snapshot keeps the ID it was read with.
   * Last, so that positional initialisers of the fields above keep their meaning.
   */
  std::string id;
};

struct ReportOptions {
  bool color = false;                         // ANSI colour (table only)
  // JUnit: a test case fails when it has an unsuppressed finding at or above fail_on (the scan's
  // --fail-on); with fail_enabled false, every finding is listed but nothing fails.
  bool fail_enabled = true;
  Severity fail_on = Severity::kHigh;
  JunitGrouping junit_grouping = JunitGrouping::kObject;
  size_t sarif_max_results = kSarifMaxResults;
  std::string tool_version;
  /** Set for live-cluster scans and snapshot scans: reported as "cluster" (JSON) or a heading (table). */
  std::optional<ClusterSource> cluster;
  /** The owner of each finding's object (JSON "owner", SARIF properties, table headings); null: "unowned". */
  const OwnerResolver* owners = nullptr;
  /**
   * With --baseline: each finding is marked new or existing (JSON "baseline", SARIF baselineState,
   * table), and end() reports its counts, which the caller has record()ed batch by batch (before
   * accept()). Null: no baseline.
   */
  const BaselineComparison* baseline = nullptr;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual std::string begin() = 0;
  /** Thread-safe: formats one batch. */
  virtual std::string formatBatch(std::span<const ObjectFindings> batch) const = 0;
  /** Writer thread, in input order: returns the text to write for a formatted batch. */
  virtual std::string accept(std::span<const ObjectFindings> batch, std::string&& text) = 0;
  /** Final text; `summary` covers every object, `errors` every input error. */
  virtual std::string end(const ScanSummary& summary, const std::vector<InputError>& errors) = 0;
  /** Warnings for the user's terminal (e.g. SARIF results capped); empty if none. */
  virtual std::vector<std::string> warnings() const { return {}; }
};

std::unique_ptr<Reporter> makeReporter(OutputFormat format, const Engine& engine,
                                       const ObjectSet& objects, const ReportOptions& options);

/**
 * One line per policy exception that needs attention after a scan: expired ones (no longer applied,
 * with how many findings they would have covered) and unused ones (matched nothing).
 */
std::vector<std::string> exceptionWarnings(const Engine& engine);

/** "v1.37" for a minor version. */
std::string pssVersionName(uint32_t minor);

}  // namespace kspm
