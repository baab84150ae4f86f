// kspm scan --owners / --baseline / --fail-on-new (see baseline_flags.h).
#include "kspm/baseline_flags.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "kspm/cli_common.h"
#include "kspm/store.h"

namespace kspm::cli {
namespace {

bool isScanId(const std::string& spec) {
  if (spec == "latest") return true;
  if (spec.empty() || spec.size() > 18) return false;
  for (char c : spec) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool isPostgres(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<store::Store>> openExistingStore(const std::string& location, const std::string& spec) {
  // Reading a baseline never creates a store.
  std::error_code ec;
  if (!isPostgres(location) && !std::filesystem::exists(location, ec)) {
    return InputError{ErrorCode::kBaseline, spec, 0,
                      "baseline scan " + spec + ": there is no history store at " + location +
                          " (record scans with --record, or give --db)"};
  }
  return store::Store::open(location);
}

Result<Baseline> recordedBaseline(store::Store& store, int64_t id) {
  Result<store::ScanInfo> info = store.scan(id);
  if (!info.ok()) return info.error();
  Result<std::vector<store::RecordedFinding>> findings = store.scanFindings(id);
  if (!findings.ok()) return findings.error();
  std::vector<FindingRecord> records;
  records.reserve(findings.value().size());
  for (store::RecordedFinding& f : findings.value()) records.push_back(std::move(f.finding));
  return baselineFromRecords(records, info.value().cluster, "scan " + std::to_string(id));
}

Result<Baseline> baselineFromStore(const std::string& spec, const std::string& location) {
  Result<std::unique_ptr<store::Store>> store = openExistingStore(location, spec);
  if (!store.ok()) return store.error();
  return recordedBaseline(*store.value(), std::stoll(spec));
}

Result<Baseline> latestBaseline(const std::string& location, const std::string& target) {
  Result<std::unique_ptr<store::Store>> store = openExistingStore(location, "latest");
  if (!store.ok()) return store.error();
  Result<std::optional<store::ScanInfo>> latest = store.value()->latestScan(target);
  if (!latest.ok()) return latest.error();
  if (!latest.value()) {
    return InputError{ErrorCode::kBaseline, location, 0, "no recorded scan of target \"" + target + "\" (see kspm history)"};
  }
  return recordedBaseline(*store.value(), latest.value()->id);
}

}  // namespace

const char* const kOwnersBaselineHelp =
    "Owners and baselines (docs/owners-and-baselines.md):\n"
    "      --owners FILE          owners rules (namespaces, label selectors, source paths -> team); replaces\n"
    "                             the config's owners.file. Every finding gets an owner, or \"unowned\"\n"
    "      --baseline FILE|ID     compare with a baseline: a `kspm scan -o json` report (or a stream of them),\n"
    "                             or a recorded scan: its ID, or `latest` for this target (history store).\n"
    "                             Findings are marked new or existing; only new ones decide the exit code\n"
    "      --fail-on-new SEVERITY with --baseline: exit 1 when a new unsuppressed finding is at or above\n"
    "                             SEVERITY (default: the --fail-on threshold); none never fails\n";

bool parseOwnersBaselineFlag(Args& args, OwnersBaselineFlags* flags, std::string* error) {
  std::string value;
  if (args.flag({"--owners"}, &value, error)) {
    if (error->empty() && value.empty()) *error = "--owners takes a file";
    flags->owners_file = value;
  } else if (args.flag({"--baseline"}, &value, error)) {
    if (error->empty() && value.empty()) *error = "--baseline takes a report file, a scan ID or latest";
    flags->baseline = value;
  } else if (args.flag({"--fail-on-new"}, &value, error)) {
    flags->fail_on_new_given = true;
    if (value == "none") {
      flags->fail_on_new_enabled = false;
    } else if (error->empty() && !parseSeverity(value, &flags->fail_on_new)) {
      *error = "unknown severity \"" + value + "\" for --fail-on-new (info, low, medium, high, critical or none)";
    }
  } else {
    return false;
  }
  return true;
}

bool loadOwnersConfig(const char* verb, const std::string& owners_file, const Config& config, OwnersConfig* out) {
  if (config.owners) *out = *config.owners;
  if (!owners_file.empty()) out->file = owners_file;
  if (out->file.empty()) return true;
  std::string text;
  if (!readWholeFile(out->file, &text)) {
    std::fprintf(stderr, "kspm %s: cannot read owners file %s: %s\n", verb, out->file.c_str(), std::strerror(errno));
    return false;
  }
  std::vector<ConfigError> errors;
  std::vector<OwnerRule> rules = parseOwnersFile(out->file, text, &errors);
  for (const ConfigError& e : errors) std::fprintf(stderr, "kspm %s: %s\n", verb, describeConfigError(e).c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "kspm %s: %zu error(s) in the owners file; nothing was scanned\n", verb, errors.size());
    return false;
  }
  out->rules.insert(out->rules.end(), rules.begin(), rules.end());
  return true;
}

bool loadOwnersBaseline(const OwnersBaselineFlags& flags, const Config& config, bool fail_enabled, Severity fail_on,
                        const std::string& store_location, const std::string& target, const std::string& paths_target,
                        OwnersBaselineRun* run) {
  if (flags.fail_on_new_given && flags.baseline.empty()) {
    std::fprintf(stderr, "kspm scan: --fail-on-new needs --baseline\n");
    return false;
  }
  if (!loadOwnersConfig("scan", flags.owners_file, config, &run->owners)) return false;
  run->fail_enabled = flags.fail_on_new_given ? flags.fail_on_new_enabled : fail_enabled;
  run->fail_on = flags.fail_on_new_given ? flags.fail_on_new : fail_on;
  run->target = target;
  run->paths_target = paths_target;
  if (flags.baseline.empty()) return true;
  // An existing file of that name is a file, even if its name is all digits.
  std::error_code ec;
  const bool from_store = isScanId(flags.baseline) && !std::filesystem::exists(flags.baseline, ec);
  if (from_store && flags.baseline == "latest") {
    run->latest_store = store_location;  // read per input, once its target is known
    return true;
  }
  Result<Baseline> baseline =
      from_store ? baselineFromStore(flags.baseline, store_location) : loadBaselineFile(flags.baseline);
  if (!baseline.ok()) {
    std::fprintf(stderr, "kspm scan: baseline: %s\n", describeInputError(baseline.error()).c_str());
    std::fprintf(stderr, "kspm scan: the baseline could not be used; nothing was scanned\n");
    return false;
  }
  run->baseline = std::move(baseline).value();
  return true;
}

InputOwnersBaseline::InputOwnersBaseline(OwnersBaselineRun* run, const ObjectSet& objects, const ScanPolicy& policy,
                                         ReportOptions* options)
    : run_(run) {
  if (run_ == nullptr) return;
  resolver_ = std::make_unique<OwnerResolver>(run_->owners, objects, policy.workload_kinds);
  options->owners = resolver_.get();
  const std::string cluster = options->cluster ? options->cluster->id : std::string();
  const Baseline* baseline = run_->baseline ? &*run_->baseline : nullptr;
  if (!run_->latest_store.empty()) {
    const std::string target = !run_->target.empty() ? run_->target : !cluster.empty() ? cluster : run_->paths_target;
    auto it = run_->latest.find(target);
    if (it == run_->latest.end()) {
      Result<Baseline> loaded = latestBaseline(run_->latest_store, target);
      if (!loaded.ok()) {
        std::fprintf(stderr, "kspm scan: baseline: %s\n", describeInputError(loaded.error()).c_str());
        failed_ = true;
        return;
      }
      it = run->latest.emplace(target, std::move(loaded).value()).first;
    }
    baseline = &it->second;
  }
  if (baseline != nullptr) {
    comparison_ = std::make_unique<BaselineComparison>(*baseline, cluster);
    options->baseline = comparison_.get();
    std::string message;
    if (comparison_->clusterMismatch(&message)) std::fprintf(stderr, "kspm scan: warning: %s\n", message.c_str());
  }
}

bool InputOwnersBaseline::recordBatch(std::span<const ObjectFindings> batch, const ObjectSet& objects) {
  if (comparison_ == nullptr) return false;
  uint64_t before[5];
  for (size_t i = 0; i < 5; ++i) before[i] = comparison_->newBySeverity(static_cast<Severity>(i));
  comparison_->record(batch, objects);
  if (!run_->fail_enabled) return false;
  for (size_t i = static_cast<size_t>(run_->fail_on); i < 5; ++i) {
    if (comparison_->newBySeverity(static_cast<Severity>(i)) > before[i]) return true;
  }
  return false;
}

std::function<std::string(const Object&)> InputOwnersBaseline::ownerFunction() const {
  if (resolver_ == nullptr) return nullptr;
  const OwnerResolver* resolver = resolver_.get();
  return [resolver](const Object& o) { return resolver->ownerOf(o); };
}

}  // namespace kspm::cli
