// kspm scan: read manifests, run the checks, write a report.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/baseline_flags.h"
#include "kspm/catalog.h"
#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/cluster_flags.h"
#include "kspm/cluster_read.h"
#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/graph.h"
#include "kspm/history_verbs.h"
#include "kspm/policy_flags.h"
#include "kspm/route_verbs.h"
#include "kspm/ingest.h"
#include "kspm/report.h"
#include "kspm/vulns.h"

namespace kspm::cli {
namespace {

constexpr const char* kScanHelp =
    "Usage: kspm scan [flags] PATH... | -\n"
    "       kspm scan --cluster [--kubeconfig FILE] [--context NAME | --contexts A,B] [-n NS | -A] [flags]\n"
    "\n"
    "Scans Kubernetes manifests: YAML or JSON files, directories (recursively: *.yaml, *.yml,\n"
    "*.json), or - for standard input (e.g. `helm template ... | kspm scan -`); a snapshot written by\n"
    "`kspm snapshot` (scanned as the cluster it was read from); or, with --cluster, a live cluster\n"
    "read through its API with the kubeconfig's credentials (read-only: get and list).\n"
    "\n"
    "Flags:\n"
    "  -o, --output FORMAT        table (default), json, sarif or junit\n"
    "      --output-file FILE     write the report to FILE instead of standard output\n"
    "      --framework LIST       all (default), cis, nsa, pss-baseline, pss-restricted, or a comma\n"
    "                             list: the checks mapped to those frameworks run; with a pss-*\n"
    "                             framework exactly that Pod Security level's checks run\n"
    "      --pss-version VERSION  Pod Security Standards version: latest (default, = v1.37) or v1.0..v1.37\n"
    "      --k8s-version VERSION  target Kubernetes version for deprecated/removed API checks\n"
    "                             (default 1.37, the newest release this build knows)\n"
    "      --config FILE          configuration file (default: .kspm.yaml in the current directory\n"
    "                             or the nearest parent; docs/configuration.md)\n"
    "      --no-config            ignore .kspm.yaml files\n"
    "      --exceptions FILE      exceptions file (repeatable): suppress named checks on matching\n"
    "                             objects with a reason and an optional expiry date\n"
    "      --junit-group BY       with -o junit: one test case per object (default) or per check\n"
    "      --vulns FILE           image vulnerability report for the security graph checks: trivy\n"
    "                             image/k8s JSON, grype JSON or CycloneDX (repeatable; docs/graph.md)\n"
    "      --vex FILE             OpenVEX or CycloneDX VEX (repeatable)\n"
    "      --kev FILE, --epss FILE  CISA KEV JSON, FIRST EPSS CSV (gzipped or not)\n"
    "      --cloud-iam FILE       aws iam get-account-authorization-details JSON (admin-equivalent roles)\n"
    "      --sort ORDER           input (default) or risk: give every finding a risk score (0-100, from its\n"
    "                             severity, its object's internet exposure, exploitability and what it\n"
    "                             reaches in the security graph) and list objects by their riskiest finding\n"
    "  -n, --namespace NS         files: namespace for objects without metadata.namespace (as kubectl\n"
    "                             apply -n would); without it they are shown as unspecified.\n"
    "                             With --cluster: the namespace(s) to read (see below)\n"
    "      --fail-on SEVERITY     exit 1 when an unsuppressed finding is at or above SEVERITY:\n"
    "                             info, low, medium, high (default), critical, or none\n"
    "      --color WHEN           auto (default: only on a terminal), always or never\n"
    "      --threads N            worker threads (default: the usable CPUs)\n"
    "      --max-document-bytes N largest YAML/JSON document accepted (default 67108864)\n"
    "      --max-depth N          deepest nesting accepted (default 256)\n"
    "      --max-alias-nodes N    most nodes reachable through YAML aliases per document (default 1000000)\n"
    "  -h, --help                 this help\n"
    "\n"
    "%s"
    "\n"
    "%s"
    "\n"
    "Resources the cluster would not let kspm list (403) are not errors: the report lists them under\n"
    "\"not assessable\" with the checks they leave unassessed, and those checks never count as passed.\n"
    "With --contexts, each cluster gets its own report: one after another for table, and one JSON\n"
    "document per cluster (a JSON stream, each with its \"cluster\") for json.\n"
    "\n"
    "Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 usage error;\n"
    "3 some input could not be read or parsed (the rest was scanned), or a cluster could not be\n"
    "reached or refused the credentials; 4 the report could not be written. When several apply the\n"
    "highest-priority one wins: 2, 4, 3, then 1.\n"
    "\n"
    "Suppress a check on one object with the annotation\n"
    "  ignore-check.kspm.dev/<check-id>: \"<reason>\"\n"
    "Suppressed findings are still reported (marked suppressed) and never fail the scan.\n"
    "Flags override the config file. A config or exceptions file with errors stops the scan (exit 2).\n";



/** How reports are written: shared by every input of one run (several clusters with --contexts). */
struct ReportRun {
  OutputFormat format;
  bool sort_by_risk;
  unsigned threads;
  bool fail_enabled;
  Severity fail_on;
  FILE* out;
  bool to_stdout;
  bool write_failed = false;
  OwnersBaselineRun* owners_baseline = nullptr;  // owners and --baseline (baseline.cc)
  const RecordFlags* record = nullptr;  // kspm scan --record (history_verbs.cc)
  void write(const std::string& text) {
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size()) write_failed = true;
  }
};

struct ScanOutcome {
  bool failing = false;       // an unsuppressed finding at or above --fail-on
  bool input_errors = false;  // some input could not be read
  bool baseline_failed = false;  // --baseline latest could not be read for an input (usage error)
  void merge(const ScanOutcome& other) {
    failing = failing || other.failing;
    input_errors = input_errors || other.input_errors;
    baseline_failed = baseline_failed || other.baseline_failed;
  }
};

/** Runs the engine over one input (files, a snapshot, or one cluster) and writes its report. */
ScanOutcome reportScan(const ObjectSet& objects, const ScanPolicy& policy, const std::vector<InputError>& extra_errors,
                       const ReportOptions& report_options, ReportRun& run) {
  std::vector<InputError> errors = objects.errors();
  errors.insert(errors.end(), extra_errors.begin(), extra_errors.end());
  Engine engine(Catalog::builtin(), policy);
  ReportOptions options = report_options;
  InputOwnersBaseline owners_baseline(run.owners_baseline, objects, policy, &options);  // sets options.owners, .baseline
  if (owners_baseline.failed()) {
    ScanOutcome outcome;
    outcome.baseline_failed = true;
    return outcome;
  }
  std::unique_ptr<Reporter> reporter = makeReporter(run.format, engine, objects, options);
  const bool sort_by_risk = run.sort_by_risk;
  ScanSummary summary;
  summary.files = objects.files().size();
  summary.documents = objects.documentCount();
  summary.errors = errors.size();
  bool failing = false;
  run.write(reporter->begin());
  // With --sort risk every result is kept until the end and reported riskiest object first;
  // otherwise results stream in input order.
  std::vector<ObjectFindings> held;
  std::optional<ScanRecorder> recorder;
  if (run.record != nullptr && run.record->record) {
    recorder.emplace(*run.record, objects, options);
    recorder->owner_of = owners_baseline.ownerFunction();
  }
  engine.run(
      objects, run.threads,
      [&](std::span<const ObjectFindings> batch) { return sort_by_risk ? std::string() : reporter->formatBatch(batch); },
      [&](std::span<const ObjectFindings> batch, std::string&& text) {
        // With a baseline only new findings fail the scan (--fail-on-new).
        if (owners_baseline.recordBatch(batch, objects)) failing = true;
        if (recorder) recorder->add(batch);
        for (const ObjectFindings& r : batch) {
          summary.add(r);
          for (const Finding& f : r.findings) {
            if (!owners_baseline.hasBaseline() && run.fail_enabled && !f.suppressed && f.severity >= run.fail_on) {
              failing = true;
            }
          }
        }
        if (sort_by_risk) {
          held.insert(held.end(), batch.begin(), batch.end());
        } else {
          run.write(reporter->accept(batch, std::move(text)));
        }
      });
  if (sort_by_risk) {
    auto top = [](const ObjectFindings& r) {
      int16_t best = -1;
      for (const Finding& f : r.findings) best = std::max(best, f.risk);
      return best;
    };
    std::stable_sort(held.begin(), held.end(), [&](const ObjectFindings& a, const ObjectFindings& b) { return top(a) > top(b); });
    for (ObjectFindings& r : held) {
      std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) { return a.risk > b.risk; });
    }
    run.write(reporter->accept(held, reporter->formatBatch(held)));
  }
  run.write(reporter->end(summary, errors));
  for (const std::string& w : reporter->warnings()) std::fprintf(stderr, "kspm scan: warning: %s\n", w.c_str());
  for (const std::string& w : exceptionWarnings(engine)) std::fprintf(stderr, "kspm scan: warning: %s\n", w.c_str());
  if (policy.vulns != nullptr && !policy.vulns->images().empty()) {
    for (const vulns::ImageReport* r : policy.vulns->unmatched(checks::containerImages(objects, policy.workload_kinds))) {
      std::fprintf(stderr, "kspm scan: warning: vulnerability report for %s (%s) matched no image of the input\n",
                   r->name.c_str(), r->source.c_str());
    }
  }
  if (run.format != OutputFormat::kTable || !run.to_stdout) {
    // The table already lists errors; for machine formats also tell the terminal.
    for (const InputError& e : errors) {
      std::fprintf(stderr, "kspm scan: %s\n", describeInputError(e).c_str());
    }
  }
  if (!policy.unreadable.empty() && (run.format != OutputFormat::kTable || !run.to_stdout)) {
    std::fprintf(stderr, "kspm scan: %zu resource(s) could not be read; %zu check(s) are not assessable (see the report)\n",
                 policy.unreadable.size(), engine.coverage().size());
  }
  bool recorded = !recorder || recorder->finish(engine, errors);
  return ScanOutcome{failing, !errors.empty() || !recorded};
}
}  // namespace

int runScan(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::vector<std::string> paths;
  std::string value, error, output_file;
  OutputFormat format = OutputFormat::kTable;
  PolicyFlags policy_flags;  // merged over the config file below
  bool fail_on_given = false;
  JunitGrouping junit_grouping = JunitGrouping::kObject;
  std::vector<std::string> vuln_files, vex_files;
  std::string kev_file, epss_file, cloud_iam_file;
  bool sort_by_risk = false;
  IngestOptions ingest;
  bool fail_enabled = true;
  Severity fail_on = Severity::kHigh;
  std::string color = "auto";
  unsigned threads = 0;
  ClusterFlags cluster_flags;
  RecordFlags record_flags;
  std::vector<std::string> namespace_values;
  OwnersBaselineFlags owners_baseline_flags;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(kScanHelp, kOwnersBaselineHelp, kClusterFlagsHelp);
      std::printf("\nHistory (docs/history.md; exit 3 when the scan could not be recorded):\n%s", kRecordFlagsHelp);
      return kExitOk;
    }
    if (parseClusterFlag(args, &cluster_flags, &error)) {
      // handled
    } else if (parseOwnersBaselineFlag(args, &owners_baseline_flags, &error)) {
      // handled (baseline.cc)
    } else if (parseRecordFlag(args, &record_flags, &error)) {
      // handled
    } else if (parsePolicyFlag(args, &policy_flags, &error)) {
      // handled (policy_flags.cc)
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      if (error.empty() && !parseOutputFormat(value, &format)) error = "unknown output format \"" + value + "\" (table, json, sarif or junit)";
    } else if (args.flag({"--output-file"}, &value, &error)) {
      output_file = value;
    } else if (args.flag({"--junit-group"}, &value, &error)) {
      if (value == "object") {
        junit_grouping = JunitGrouping::kObject;
      } else if (value == "check") {
        junit_grouping = JunitGrouping::kCheck;
      } else if (error.empty()) {
        error = "--junit-group takes object or check";
      }
    } else if (args.flag({"--vulns"}, &value, &error)) {
      vuln_files.push_back(value);
    } else if (args.flag({"--vex"}, &value, &error)) {
      vex_files.push_back(value);
    } else if (args.flag({"--kev"}, &value, &error)) {
      kev_file = value;
    } else if (args.flag({"--epss"}, &value, &error)) {
      epss_file = value;
    } else if (args.flag({"--cloud-iam"}, &value, &error)) {
      cloud_iam_file = value;
    } else if (args.flag({"--sort"}, &value, &error)) {
      if (error.empty() && value != "input" && value != "risk") error = "--sort takes input or risk";
      sort_by_risk = value == "risk";
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      namespace_values.push_back(value);
    } else if (args.flag({"--fail-on"}, &value, &error)) {
      fail_on_given = true;
      if (value == "none") {
        fail_enabled = false;
      } else if (error.empty() && !parseSeverity(value, &fail_on)) {
        error = "unknown severity \"" + value + "\" (info, low, medium, high, critical or none)";
      }
    } else if (args.flag({"--color"}, &value, &error)) {
      if (value != "auto" && value != "always" && value != "never") error = "--color takes auto, always or never";
      color = value;
    } else if (args.flag({"--threads"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseNumber(value, 1, 256, &n)) error = "--threads takes a number from 1 to 256";
      threads = static_cast<unsigned>(n);
    } else if (args.flag({"--max-document-bytes"}, &value, &error)) {
      if (error.empty() && !parseNumber(value, 1, UINT64_MAX, &ingest.limits.max_document_bytes)) error = "--max-document-bytes takes a positive number";
    } else if (args.flag({"--max-depth"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseNumber(value, 1, 100000, &n)) error = "--max-depth takes a number from 1 to 100000";
      ingest.limits.max_depth = static_cast<uint32_t>(n);
    } else if (args.flag({"--max-alias-nodes"}, &value, &error)) {
      if (error.empty() && !parseNumber(value, 0, UINT64_MAX, &ingest.limits.max_alias_nodes)) error = "--max-alias-nodes takes a number";
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("scan", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("scan", error);
  }
  if (cluster_flags.cluster) {
    for (const std::string& v : namespace_values) addNamespaces(v, &cluster_flags);
  } else if (!namespace_values.empty()) {
    ingest.default_namespace = namespace_values.back();
  }
  if (!cluster_flags.cluster_id.empty() && !cluster_flags.cluster && paths.empty()) {
    return usageError("scan", "--cluster-id needs --cluster or a snapshot to scan");
  }
  if (std::string bad = validateClusterFlags(cluster_flags); !bad.empty()) return usageError("scan", bad);
  if (cluster_flags.cluster && !paths.empty()) return usageError("scan", "give either --cluster or paths, not both");
  if (!cluster_flags.cluster && paths.empty()) {
    return usageError("scan", "no input: give files, directories, - for standard input, or --cluster");
  }
  if (cluster_flags.cluster && contextsToRead(cluster_flags).size() > 1 &&
      (format == OutputFormat::kSarif || format == OutputFormat::kJunit)) {
    return usageError("scan", "--contexts with several clusters writes table or json; run once per context for sarif or junit");
  }

  if (!record_flags.routes_file.empty()) {
    if (!record_flags.record) return usageError("scan", "--routes needs --record: it delivers the store's lifecycle events");
    if (!loadRoutesForVerb("scan", record_flags.routes_file, &record_flags.routes)) {
      return usageError("scan", "the routes file has errors; nothing was scanned");
    }
  }
  // The config file first, then the flags over it.
  ScanPolicy policy;
  Config config;
  if (!buildPolicy("scan", policy_flags, &policy, &config)) {
    return usageError("scan", "the configuration has errors; nothing was scanned");
  }
  if (config.fail_on && !fail_on_given) {
    fail_enabled = *config.fail_on != "none";
    if (fail_enabled) parseSeverity(*config.fail_on, &fail_on);
  }
  policy.today = todayUtc();
  OwnersBaselineRun owners_baseline_run;
  {
    // `--baseline latest`: the latest scan of the target, as --record names it (--target, else the
    // cluster ID, else the paths).
    std::string paths_target;
    for (const std::string& p : paths) paths_target += (paths_target.empty() ? "" : ",") + p;
    if (!loadOwnersBaseline(owners_baseline_flags, config, fail_enabled, fail_on, storeLocation(record_flags.db),
                            record_flags.target, paths_target, &owners_baseline_run)) {
      return kExitUsage;
    }
  }

  // Vulnerability and cloud data for the security graph checks; a file that cannot be read is an
  // input error (exit 3), the rest is still used.
  std::vector<InputError> extra_errors;
  vulns::Database vuln_db;
  auto keep = [&](const auto& result) {
    if (!result.ok()) extra_errors.push_back(result.error());
  };
  for (const std::string& f : vuln_files) keep(vuln_db.loadReport(f));
  for (const std::string& f : vex_files) keep(vuln_db.loadVex(f));
  if (!kev_file.empty()) keep(vuln_db.loadKev(kev_file));
  if (!epss_file.empty()) keep(vuln_db.loadEpss(epss_file));
  if (!vuln_files.empty() || !vex_files.empty() || !kev_file.empty() || !epss_file.empty()) policy.vulns = &vuln_db;
  policy.risk_scores = sort_by_risk;
  if (!cloud_iam_file.empty()) {
    auto admins = graph::loadAwsAdminPrincipals(cloud_iam_file);
    if (admins.ok()) policy.cloud_admin_arns = admins.value(); else extra_errors.push_back(admins.error());
  }

  FILE* out = stdout;
  if (!output_file.empty()) {
    out = std::fopen(output_file.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "kspm scan: cannot write %s: %s\n", output_file.c_str(), std::strerror(errno));
      return kExitOutput;
    }
  }
  ReportOptions report_options;
  report_options.tool_version = KSPM_VERSION;
  report_options.color = color == "always" || (color == "auto" && output_file.empty() && isatty(STDOUT_FILENO) != 0 &&
                                               std::getenv("NO_COLOR") == nullptr);
  report_options.fail_enabled = fail_enabled;
  report_options.fail_on = fail_on;
  report_options.junit_grouping = junit_grouping;
  ReportRun run{format, sort_by_risk, threads, fail_enabled, fail_on, out, output_file.empty()};
  run.owners_baseline = &owners_baseline_run;
  record_flags.paths = paths;
  run.record = &record_flags;

  ScanOutcome outcome;
  if (cluster_flags.cluster) {
    std::vector<std::string> contexts = contextsToRead(cluster_flags);
    for (size_t i = 0; i < contexts.size(); ++i) {
      Result<ClusterTarget> target =
          readClusterTarget(cluster_flags, contexts[i], policy.workload_kinds, threads, ingest.limits, "scan");
      if (!target.ok()) {
        std::fprintf(stderr, "kspm scan: %s%s\n", contexts[i].empty() ? "" : ("context " + contexts[i] + ": ").c_str(),
                     describeInputError(target.error()).c_str());
        outcome.input_errors = true;
        continue;
      }
      ScanPolicy cluster_policy = policy;
      const cluster::ClusterRead& read = target.value().read;
      cluster_policy.unreadable = read.unreadable;
      cluster_policy.unreadable.insert(cluster_policy.unreadable.end(), read.not_listed.begin(), read.not_listed.end());
      ReportOptions options = report_options;
      options.cluster = target.value().source;
      if (i > 0 && format == OutputFormat::kTable) run.write("\n");
      outcome.merge(reportScan(read.objects, cluster_policy, extra_errors, options, run));
    }
  } else {
    ingest.threads = threads;
    ObjectSet objects = ingestPaths(paths, ingest);
    // A snapshot (kspm snapshot) is scanned as the cluster it was read from, with what it could not read.
    ReportOptions options = report_options;
    if (std::optional<cluster::SnapshotCoverage> snapshot = cluster::snapshotCoverage(objects)) {
      policy.unreadable = snapshot->unreadable;
      policy.unreadable.insert(policy.unreadable.end(), snapshot->not_listed.begin(), snapshot->not_listed.end());
      ClusterSource source;
      // The ID it was read with; snapshots written before IDs were kept: --cluster-id, else the context.
      source.id = !cluster_flags.cluster_id.empty() ? cluster_flags.cluster_id
                  : !snapshot->info.cluster_id.empty() ? snapshot->info.cluster_id
                  : !snapshot->info.context.empty()    ? snapshot->info.context
                                                       : "in-cluster";
      source.context = snapshot->info.context;
      source.server = snapshot->info.server;
      source.server_version = snapshot->info.server_version;
      source.taken_at = snapshot->info.taken_at;
      source.snapshot = snapshot->file;
      options.cluster = source;
    } else if (!cluster_flags.cluster_id.empty()) {
      std::fprintf(stderr, "kspm scan: --cluster-id applies to --cluster and snapshots; the input is manifests\n");
      if (out != stdout) std::fclose(out);
      return kExitUsage;
    }
    outcome.merge(reportScan(objects, policy, extra_errors, options, run));
  }
  if (out != stdout) {
    if (std::fclose(out) != 0) run.write_failed = true;
  } else if (std::fflush(out) != 0) {
    run.write_failed = true;
  }
  if (run.write_failed) {
    std::fprintf(stderr, "kspm scan: writing the report failed\n");
    return kExitOutput;
  }
  if (outcome.baseline_failed) return kExitUsage;
  if (outcome.input_errors) return kExitInputErrors;
  return outcome.failing ? kExitFindings : kExitOk;
}

}  // namespace kspm::cli
