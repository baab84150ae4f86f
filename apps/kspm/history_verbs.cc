// kspm scan --record, kspm history and kspm diff: the history store (include/kspm/store.h) on the
// command line. docs/history.md describes the store, the lifecycle rules and these verbs.
#include "kspm/history_verbs.h"
#include "kspm/route_verbs.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <unordered_set>

#include "kspm/catalog.h"
#include "kspm/cli_common.h"
#include "kspm/store.h"
#include "model/utc_time.h"

namespace kspm::cli {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kHistoryHelp =
    "Usage: kspm history [--db LOCATION] [--target NAME] [--limit N] [-o table|json]\n"
    "       kspm history --findings SCAN_ID [--db LOCATION] [-o table|json]\n"
    "\n"
    "Lists the scans recorded with `kspm scan --record` (or by `kspm watch`), newest first, with\n"
    "their active findings by severity, suppressed or excepted findings (kept apart), and what\n"
    "changed since the previous scan of the same target: new, resolved and reopened findings. A\n"
    "partial scan could not assess every check or read every file; what it did not see stays open.\n"
    "With --findings, lists one scan's findings with their lifecycle and first/last seen times.\n"
    "\n"
    "Flags:\n"
    "  --db LOCATION     The store: a SQLite file or postgresql://... (default: $KSPM_DB, else\n"
    "                    $XDG_DATA_HOME/kspm/history.db or ~/.local/share/kspm/history.db)\n"
    "  --target NAME     Only the scans of this target (a cluster, --target name, or the scanned paths)\n"
    "  --limit N         At most N scans (default 20; 0 = all)\n"
    "  --findings ID     The findings of scan ID instead of the list of scans\n"
    "  -o, --output F    table (default) or json\n"
    "\n"
    "Exit codes: 0 listed; 2 usage error; 3 the store could not be read.\n";

constexpr const char* kDiffHelp =
    "Usage: kspm diff A B [--db LOCATION] [--target NAME] [-o table|json] [--fail-on-new SEVERITY]\n"
    "\n"
    "Compares two recorded scans by finding fingerprint: added (active in B, not in A), removed\n"
    "(active in A, not in B) and changed (in both, with a different severity, state, message or\n"
    "owner). A and B are scan IDs (see `kspm history`), or latest and latest~N: the newest scan and\n"
    "the one N before it, of --target when given, else of every target.\n"
    "\n"
    "Flags:\n"
    "  --db LOCATION          The store (default: $KSPM_DB, else the default SQLite file)\n"
    "  --target NAME          Whose scans latest and latest~N name\n"
    "  -o, --output F         table (default) or json\n"
    "  --fail-on-new SEV      Exit 1 when an added finding is at or above SEV (info, low, medium,\n"
    "                         high, critical)\n"
    "\n"
    "Exit codes: 0 compared; 1 an added finding at or above --fail-on-new; 2 usage error; 3 the\n"
    "store could not be read or a scan is not in it.\n";

void str(JsonWriter& w, std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); }
void key(JsonWriter& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

void scanJson(JsonWriter& w, const store::ScanInfo& s) {
  w.StartObject();
  key(w, "id"); w.Int64(s.id);
  key(w, "target"); str(w, s.target);
  key(w, "cluster"); str(w, s.cluster);
  key(w, "startedAt"); str(w, s.started_at);
  key(w, "finishedAt"); str(w, s.finished_at);
  key(w, "toolVersion"); str(w, s.tool_version);
  key(w, "objects"); w.Uint64(s.objects);
  key(w, "findings"); w.Uint64(s.findings);
  key(w, "bySeverity");
  w.StartObject();
  for (int sev = 4; sev >= 0; --sev) {
    key(w, severityName(static_cast<Severity>(sev)));
    w.Uint64(s.by_severity[sev]);
  }
  w.EndObject();
  key(w, "suppressed"); w.Uint64(s.suppressed);
  key(w, "new"); w.Uint64(s.new_findings);
  key(w, "resolved"); w.Uint64(s.resolved);
  key(w, "reopened"); w.Uint64(s.reopened);
  key(w, "inputErrors"); w.Uint64(s.input_errors);
  key(w, "partial"); w.Bool(s.partial);
  w.EndObject();
}

void findingFields(JsonWriter& w, const FindingRecord& f) {
  key(w, "fingerprint"); str(w, f.fingerprint);
  key(w, "check"); str(w, f.check_id);
  key(w, "severity"); str(w, severityName(f.severity));
  key(w, "state"); str(w, findingStateName(f.state));
  key(w, "message"); str(w, f.message);
  key(w, "group"); str(w, f.api_group);
  key(w, "kind"); str(w, f.kind);
  key(w, "namespace"); str(w, f.namespace_);
  key(w, "name"); str(w, f.name);
  key(w, "container"); str(w, f.container);
  key(w, "field"); str(w, f.field);
  key(w, "path"); str(w, f.path);
  key(w, "file"); str(w, f.file);
  key(w, "line"); w.Uint(f.line);
  key(w, "owner"); str(w, f.owner);
  if (f.risk >= 0) {
    key(w, "risk");
    w.Int(f.risk);
  }
}

void findingJson(JsonWriter& w, const FindingRecord& f) {
  w.StartObject();
  findingFields(w, f);
  w.EndObject();
}

std::string objectName(const FindingRecord& f) {
  std::string out = f.kind + " ";
  if (!f.namespace_.empty()) out += f.namespace_ + "/";
  out += f.name;
  if (!f.container.empty()) out += " [" + f.container + "]";
  return out;
}

bool parseInt64(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool parseOutput(const std::string& value, bool* json) {
  if (value == "json") *json = true;
  else if (value == "table") *json = false;
  else return false;
  return true;
}

int storeFailure(const char* verb, const InputError& error) {
  std::fprintf(stderr, "kspm %s: %s\n", verb, describeInputError(error).c_str());
  return kExitInputErrors;
}

bool writeOut(const std::string& text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0;
}

int listHistory(store::Store& db, const std::string& target, size_t limit, bool json) {
  auto scans = db.listScans(target, limit);
  if (!scans.ok()) return storeFailure("history", scans.error());
  std::string out;
  if (json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    key(w, "backend"); str(w, db.backend());
    key(w, "scans");
    w.StartArray();
    for (const store::ScanInfo& s : scans.value()) scanJson(w, s);
    w.EndArray();
    w.EndObject();
    out.assign(buf.GetString(), buf.GetSize());
    out += "\n";
  } else if (scans.value().empty()) {
    out = "No scans recorded" + (target.empty() ? std::string() : " for target " + target) +
          ". Record one with: kspm scan --record ...\n";
  } else {
    char line[512];
    std::snprintf(line, sizeof line, "%-6s %-20s %-24s %8s %5s %5s %5s %5s %5s %6s %5s %8s %8s\n", "SCAN",
                  "STARTED", "TARGET", "FINDINGS", "CRIT", "HIGH", "MED", "LOW", "INFO", "SUPPR", "NEW", "RESOLVED",
                  "REOPENED");
    out += line;
    for (const store::ScanInfo& s : scans.value()) {
      std::string name = s.target.size() > 24 ? s.target.substr(0, 21) + "..." : s.target;
      std::snprintf(line, sizeof line, "%-6lld %-20s %-24s %8llu %5llu %5llu %5llu %5llu %5llu %6llu %5llu %8llu %8llu%s\n",
                    static_cast<long long>(s.id), s.started_at.c_str(), name.c_str(),
                    static_cast<unsigned long long>(s.findings), static_cast<unsigned long long>(s.by_severity[4]),
                    static_cast<unsigned long long>(s.by_severity[3]), static_cast<unsigned long long>(s.by_severity[2]),
                    static_cast<unsigned long long>(s.by_severity[1]), static_cast<unsigned long long>(s.by_severity[0]),
                    static_cast<unsigned long long>(s.suppressed), static_cast<unsigned long long>(s.new_findings),
                    static_cast<unsigned long long>(s.resolved), static_cast<unsigned long long>(s.reopened),
                    s.partial ? "  (partial)" : "");
      out += line;
    }
  }
  return writeOut(out) ? kExitOk : kExitOutput;
}

int listFindings(store::Store& db, int64_t scan_id, bool json) {
  auto info = db.scan(scan_id);
  if (!info.ok()) return storeFailure("history", info.error());
  auto findings = db.scanFindings(scan_id);
  if (!findings.ok()) return storeFailure("history", findings.error());
  std::string out;
  if (json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    key(w, "scan");
    scanJson(w, info.value());
    key(w, "findings");
    w.StartArray();
    for (const store::RecordedFinding& f : findings.value()) {
      w.StartObject();
      findingFields(w, f.finding);
      key(w, "lifecycle"); str(w, lifecycleName(f.lifecycle));
      key(w, "firstSeen"); str(w, f.first_seen);
      key(w, "lastSeen"); str(w, f.last_seen);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out.assign(buf.GetString(), buf.GetSize());
    out += "\n";
  } else {
    out = "Scan " + std::to_string(scan_id) + " of " + info.value().target + " at " + info.value().started_at + ": " +
          std::to_string(findings.value().size()) + " finding(s)\n";
    for (const store::RecordedFinding& f : findings.value()) {
      out += "  " + upper(severityName(f.finding.severity)) + "  " + std::string(lifecycleName(f.lifecycle));
      if (f.finding.state != FindingState::kActive) out += " (" + std::string(findingStateName(f.finding.state)) + ")";
      out += "  " + f.finding.check_id + "  " + objectName(f.finding) + "  first seen " + f.first_seen + "\n";
      out += "      " + f.finding.message + "\n";
    }
  }
  return writeOut(out) ? kExitOk : kExitOutput;
}

/** A scan reference: an ID, latest or latest~N (of `target`, "" = any target). */
Result<int64_t> resolveScanRef(store::Store& db, const std::string& ref, const std::string& target) {
  int64_t id = 0;
  if (parseInt64(ref, &id)) return id;
  int64_t back = 0;
  if (ref != "latest" && !(ref.starts_with("latest~") && parseInt64(ref.substr(7), &back))) {
    return InputError{ErrorCode::kUsage, "", 0, "\"" + ref + "\" is not a scan ID, latest or latest~N"};
  }
  auto scans = db.listScans(target, static_cast<size_t>(back) + 1);
  if (!scans.ok()) return scans.error();
  if (scans.value().size() <= static_cast<size_t>(back)) {
    return InputError{ErrorCode::kStore, "", 0,
                      "no scan " + ref + (target.empty() ? std::string() : " for target " + target) + " (" +
                          std::to_string(scans.value().size()) + " recorded)"};
  }
  return scans.value()[static_cast<size_t>(back)].id;
}

}  // namespace

const char* const kRecordFlagsHelp =
    "      --record               record the scan in the history store (docs/history.md) after the report\n"
    "      --db LOCATION          the store: a SQLite file or postgresql://... (default: $KSPM_DB, else\n"
    "                             $XDG_DATA_HOME/kspm/history.db or ~/.local/share/kspm/history.db)\n"
    "      --target NAME          what the finding lifecycle follows (default: the cluster, else the paths)\n"
    "      --routes FILE          after recording, deliver new, resolved and reopened findings to the\n"
    "                             routes of FILE: Slack, Jira, webhooks (docs/routing.md); exit 3 if one fails\n";

bool parseRecordFlag(Args& args, RecordFlags* flags, std::string* error) {
  if (args.boolFlag({"--record"})) {
    flags->record = true;
    return true;
  }
  if (args.flag({"--db"}, &flags->db, error)) {
    if (error->empty() && flags->db.empty()) *error = "--db needs a location";
    return true;
  }
  if (args.flag({"--target"}, &flags->target, error)) {
    if (error->empty() && flags->target.empty()) *error = "--target needs a name";
    return true;
  }
  if (args.flag({"--routes"}, &flags->routes_file, error)) {
    if (error->empty() && flags->routes_file.empty()) *error = "--routes needs a file";
    return true;
  }
  return false;
}

std::string storeLocation(const std::string& db_flag) {
  if (!db_flag.empty()) return db_flag;
  std::string from_env = env("KSPM_DB");
  if (!from_env.empty()) return from_env;
  return store::Store::defaultLocation();
}

ScanRecorder::ScanRecorder(const RecordFlags& flags, const ObjectSet& objects, const ReportOptions& options)
    : flags_(flags), objects_(objects) {
  record_.started_at = nowRfc3339();
  record_.tool_version = options.tool_version;
  if (options.cluster) record_.cluster = options.cluster->id;  // the cluster ID of the fingerprints
  if (!flags.target.empty()) {
    record_.target = flags.target;
  } else if (!record_.cluster.empty()) {
    record_.target = record_.cluster;
  } else {
    for (const std::string& p : flags.paths) record_.target += (record_.target.empty() ? "" : ",") + p;
  }
  record_.objects = objects.objects().size();
}

void ScanRecorder::add(std::span<const ObjectFindings> batch) {
  appendFindingRecords(batch, objects_, record_.cluster, owner_of, &record_.findings);
}

bool ScanRecorder::finish(const Engine& engine, const std::vector<InputError>& errors) {
  record_.finished_at = nowRfc3339();
  // Not assessed: checks the engine could not fully assess, and checks that did not run at all
  // (left out by --framework or the config): their findings are not resolved by this scan.
  std::unordered_set<std::string_view> selected;
  for (const Check* c : engine.checks()) selected.insert(c->info().id);
  for (const Engine::CheckCoverage& c : engine.coverage()) {
    if (c.check == nullptr) continue;
    selected.insert(c.check->info().id);  // skipped ones are dropped from engine.checks()
    record_.not_assessed_checks.emplace_back(c.check->info().id);
  }
  for (const Check* c : Catalog::builtin().all()) {
    if (selected.count(c->info().id) == 0) record_.checks_not_run.emplace_back(c->info().id);
  }
  std::unordered_set<std::string> files;
  for (const InputError& e : errors) {
    if (!e.file.empty() && files.insert(e.file).second) record_.error_files.push_back(e.file);
  }
  record_.input_errors = errors.size();
  std::string location = storeLocation(flags_.db);
  auto db = store::Store::open(location);
  if (!db.ok()) {
    std::fprintf(stderr, "kspm scan: the scan was not recorded: %s\n", describeInputError(db.error()).c_str());
    return false;
  }
  if (!flags_.routes.routes.empty()) {
    // Before recording: a route sees only the events recorded after its registration.
    auto registered = routing::registerRoutes(*db.value(), flags_.routes);
    if (!registered.ok()) {
      std::fprintf(stderr, "kspm scan: the scan was not recorded: %s\n", describeInputError(registered.error()).c_str());
      return false;
    }
  }
  auto outcome = db.value()->recordScan(record_);
  if (!outcome.ok()) {
    std::fprintf(stderr, "kspm scan: the scan was not recorded: %s\n", describeInputError(outcome.error()).c_str());
    return false;
  }
  const store::ScanInfo& s = outcome.value().scan;
  std::fprintf(stderr, "recorded scan %lld (target %s): %llu new, %llu resolved, %llu reopened\n",
               static_cast<long long>(s.id), s.target.c_str(), static_cast<unsigned long long>(s.new_findings),
               static_cast<unsigned long long>(s.resolved), static_cast<unsigned long long>(s.reopened));
  if (!flags_.routes.routes.empty() && deliverPending("scan", *db.value(), flags_.routes) != kExitOk) return false;
  return true;
}

int runHistory(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error, db_flag, target;
  size_t limit = 20;
  bool json = false;
  int64_t findings_of = 0;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kHistoryHelp, stdout);
      return kExitOk;
    }
    if (args.flag({"--db"}, &db_flag, &error)) {
    } else if (args.flag({"--target"}, &target, &error)) {
    } else if (args.flag({"--limit"}, &value, &error)) {
      int64_t n = 0;
      if (error.empty() && !parseInt64(value, &n)) error = "--limit takes a number (0 = all)";
      limit = static_cast<size_t>(n);
    } else if (args.flag({"--findings"}, &value, &error)) {
      if (error.empty() && (!parseInt64(value, &findings_of) || findings_of <= 0)) error = "--findings takes a scan ID";
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      if (error.empty() && !parseOutput(value, &json)) error = "unknown output format \"" + value + "\" (table or json)";
    } else if (args.peek().starts_with("-")) {
      return usageError("history", "unknown flag " + args.peek());
    } else {
      return usageError("history", "unexpected argument " + args.peek());
    }
    if (!error.empty()) return usageError("history", error);
  }
  auto db = store::Store::open(storeLocation(db_flag));
  if (!db.ok()) return storeFailure("history", db.error());
  if (findings_of > 0) return listFindings(*db.value(), findings_of, json);
  return listHistory(*db.value(), target, limit, json);
}

int runDiff(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error, db_flag, target;
  std::vector<std::string> refs;
  bool json = false;
  bool fail_enabled = false;
  Severity fail_on = Severity::kHigh;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kDiffHelp, stdout);
      return kExitOk;
    }
    if (args.flag({"--db"}, &db_flag, &error)) {
    } else if (args.flag({"--target"}, &target, &error)) {
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      if (error.empty() && !parseOutput(value, &json)) error = "unknown output format \"" + value + "\" (table or json)";
    } else if (args.flag({"--fail-on-new"}, &value, &error)) {
      fail_enabled = true;
      if (error.empty() && !parseSeverity(value, &fail_on)) {
        error = "unknown severity \"" + value + "\" (info, low, medium, high or critical)";
      }
    } else if (args.peek().starts_with("-")) {
      return usageError("diff", "unknown flag " + args.peek());
    } else {
      refs.push_back(args.next());
    }
    if (!error.empty()) return usageError("diff", error);
  }
  if (refs.size() != 2) return usageError("diff", "give two scans: kspm diff A B (IDs, latest or latest~N)");
  for (const std::string& ref : refs) {
    int64_t id = 0;
    int64_t back = 0;
    if (!parseInt64(ref, &id) && ref != "latest" && !(ref.starts_with("latest~") && parseInt64(ref.substr(7), &back))) {
      return usageError("diff", "\"" + ref + "\" is not a scan ID, latest or latest~N");
    }
  }
  auto db = store::Store::open(storeLocation(db_flag));
  if (!db.ok()) return storeFailure("diff", db.error());
  int64_t ids[2];
  for (int i = 0; i < 2; ++i) {
    auto id = resolveScanRef(*db.value(), refs[i], target);
    if (!id.ok()) return storeFailure("diff", id.error());
    ids[i] = id.value();
  }
  auto d = db.value()->diff(ids[0], ids[1]);
  if (!d.ok()) return storeFailure("diff", d.error());
  const store::ScanDiff& diff = d.value();
  bool failing = false;
  for (const FindingRecord& f : diff.added) {
    if (fail_enabled && f.severity >= fail_on) failing = true;
  }
  std::string out;
  if (json) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    key(w, "a"); scanJson(w, diff.a);
    key(w, "b"); scanJson(w, diff.b);
    key(w, "summary");
    w.StartObject();
    key(w, "added"); w.Uint64(diff.added.size());
    key(w, "removed"); w.Uint64(diff.removed.size());
    key(w, "changed"); w.Uint64(diff.changed.size());
    w.EndObject();
    key(w, "added");
    w.StartArray();
    for (const FindingRecord& f : diff.added) findingJson(w, f);
    w.EndArray();
    key(w, "removed");
    w.StartArray();
    for (const FindingRecord& f : diff.removed) findingJson(w, f);
    w.EndArray();
    key(w, "changed");
    w.StartArray();
    for (const store::ScanDiff::Change& c : diff.changed) {
      w.StartObject();
      key(w, "fingerprint"); str(w, c.after.fingerprint);
      key(w, "before"); findingJson(w, c.before);
      key(w, "after"); findingJson(w, c.after);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out.assign(buf.GetString(), buf.GetSize());
    out += "\n";
  } else {
    out = "Scan " + std::to_string(diff.a.id) + " (" + diff.a.target + ", " + diff.a.started_at + ") -> scan " +
          std::to_string(diff.b.id) + " (" + diff.b.target + ", " + diff.b.started_at + "): " +
          std::to_string(diff.added.size()) + " added, " + std::to_string(diff.removed.size()) + " removed, " +
          std::to_string(diff.changed.size()) + " changed\n";
    auto section = [&](const char* title, const std::vector<FindingRecord>& list) {
      if (list.empty()) return;
      out += std::string("\n") + title + " (" + std::to_string(list.size()) + ")\n";
      for (const FindingRecord& f : list) {
        out += "  " + upper(severityName(f.severity)) + "  " + f.check_id + "  " + objectName(f) + "\n      " +
               f.message + "\n";
      }
    };
    section("Added", diff.added);
    section("Removed", diff.removed);
    if (!diff.changed.empty()) {
      out += "\nChanged (" + std::to_string(diff.changed.size()) + ")\n";
      for (const store::ScanDiff::Change& c : diff.changed) {
        out += "  " + c.after.check_id + "  " + objectName(c.after) + "\n";
        if (c.before.severity != c.after.severity) {
          out += "      severity " + std::string(severityName(c.before.severity)) + " -> " +
                 std::string(severityName(c.after.severity)) + "\n";
        }
        if (c.before.state != c.after.state) {
          out += "      state " + std::string(findingStateName(c.before.state)) + " -> " +
                 std::string(findingStateName(c.after.state)) + "\n";
        }
        if (c.before.owner != c.after.owner) out += "      owner " + c.before.owner + " -> " + c.after.owner + "\n";
        if (c.before.message != c.after.message) out += "      message: " + c.after.message + "\n";
      }
    }
  }
  if (!writeOut(out)) return kExitOutput;
  return failing ? kExitFindings : kExitOk;
}

}  // namespace kspm::cli
