// kspm drift: the manifests in Git against what runs in the cluster (docs/drift.md).
#include <algorithm>
#include <cctype>
#include <functional>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "checks/common/pod_spec.h"
#include "kspm/baseline_flags.h"
#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/config.h"
#include "kspm/owners.h"
#include "kspm/cluster_flags.h"
#include "kspm/cluster_read.h"
#include "kspm/drift.h"
#include "kspm/engine.h"
#include "kspm/ingest.h"

namespace kspm::cli {

int runDrift(int argc, char** argv);

namespace {

constexpr const char* kDriftHelp =
    "Usage: kspm drift [flags] PATH... --cluster [cluster flags]\n"
    "       kspm drift [flags] PATH... --live FILE\n"
    "\n"
    "Compares the manifests in PATH (files, directories, - for standard input) with what runs in a\n"
    "cluster: read live with --cluster (read-only), or from FILE (a `kspm snapshot`, or objects as\n"
    "`kubectl get -o json` prints them). Findings (docs/drift.md):\n"
    "  drift-missing  an object in Git is not in the cluster\n"
    "  drift-extra    an object in the cluster is not in Git (kinds the manifests contain, in the\n"
    "                 namespaces they cover; not controllers' children nor objects the cluster makes)\n"
    "  drift-changed  a security-relevant field the manifest sets has another value live (one finding\n"
    "                 per field; defaults and injected sidecars are not drift). Secret values are\n"
    "                 compared but never shown\n"
    "Objects whose kind kspm could not read (403, not listed) are reported not assessable, never missing.\n"
    "\n"
    "Flags:\n"
    "      --live FILE            the live objects from a file instead of --cluster\n"
    "  -n, --namespace NS         namespace of manifests without metadata.namespace (default: \"default\",\n"
    "                             as kubectl apply with the default context namespace). With --cluster\n"
    "                             kspm reads the namespaces the manifests name\n"
    "  -o, --output FORMAT        table (default) or json\n"
    "      --output-file FILE     write the report to FILE instead of standard output\n"
    "      --owners FILE          owners rules (docs/owners-and-baselines.md): every finding names its owner\n"
    "      --config FILE          configuration file for its owners section (default: the nearest .kspm.yaml)\n"
    "      --no-config            ignore .kspm.yaml files\n"
    "      --fail-on SEVERITY     exit 1 when drift is at or above SEVERITY: info, low, medium, high\n"
    "                             (default), critical, or none\n"
    "      --threads N            worker threads for reading (default: the usable CPUs)\n"
    "  -h, --help                 this help\n"
    "\n"
    "%s"
    "Of these, -n means the manifests' namespace here (see above), and -A and --contexts are not\n"
    "accepted: kspm drift reads one cluster, in the namespaces the manifests name.\n"
    "\n"
    "Exit codes: 0 no drift at or above --fail-on; 1 drift at or above --fail-on; 2 usage error;\n"
    "3 a manifest could not be read or parsed (the rest was compared), or the cluster could not be\n"
    "reached; 4 the report could not be written.\n";

std::string_view kindName(drift::DriftKind kind) {
  switch (kind) {
    case drift::DriftKind::kMissing: return "missing";
    case drift::DriftKind::kExtra: return "extra";
    case drift::DriftKind::kChanged: return "changed";
  }
  return "";
}

std::string objectName(const drift::ObjectId& id) {
  return id.kind + " " + (id.namespace_.empty() ? "" : id.namespace_ + "/") + id.name;
}

struct LiveSide {
  std::string description;  // for the table header: "context prod (https://...)" or "snapshot cluster.json"
  ClusterSource source;
  bool is_cluster = false;
  std::vector<UnreadableResource> unreadable;
};

/** The owning team of a finding's object ("unowned" when none). */
using OwnerOf = std::function<std::string_view(const drift::DriftFinding&)>;

std::string tableReport(const drift::DriftReport& report, const LiveSide& live, const std::vector<InputError>& errors,
                        const OwnerOf& owner_of) {
  std::string out;
  out += "Drift: Git against " + live.description + "\n";
  if (!report.findings.empty()) out += "\n";
  for (const drift::DriftFinding& f : report.findings) {
    out += upper(severityName(f.finding.severity));
    out.append(10 - std::min<size_t>(9, severityName(f.finding.severity).size()), ' ');
    out += std::string(kindName(f.kind));
    out.append(9 - kindName(f.kind).size(), ' ');
    out += objectName(f.object) + "  " + f.file;
    if (f.finding.line != 0 && f.kind != drift::DriftKind::kExtra) out += ":" + std::to_string(f.finding.line);
    out += "  owner: " + std::string(owner_of(f));
    out += "\n          " + f.finding.message + "\n";
  }
  if (!report.not_assessable.empty()) {
    out += "\nNot assessable (kspm could not see them in the cluster; not reported missing):\n";
    for (const drift::NotAssessable& n : report.not_assessable) {
      out += "  " + objectName(n.object) + "  " + n.file + ":" + std::to_string(n.line) + "\n    " + n.reason + "\n";
    }
  }
  if (!live.unreadable.empty()) {
    out += "\nCould not read:";
    for (const UnreadableResource& u : live.unreadable) {
      out += " " + u.resource + (u.namespace_.empty() ? "" : " in " + u.namespace_) + ";";
    }
    out.back() = '\n';
  }
  if (!errors.empty()) {
    out += "\nErrors:\n";
    for (const InputError& e : errors) out += "  " + describeInputError(e) + "\n";
  }
  const drift::DriftSummary& s = report.summary;
  out += "\n" + std::to_string(s.changed) + " changed, " + std::to_string(s.missing) + " missing, " +
         std::to_string(s.extra) + " extra; " + std::to_string(s.matched) + " of " + std::to_string(s.desired_objects) +
         " objects in Git found live";
  if (s.not_assessable != 0) out += ", " + std::to_string(s.not_assessable) + " not assessable";
  out += "\n";
  return out;
}

std::string jsonReport(const drift::DriftReport& report, const LiveSide& live, const std::vector<InputError>& errors,
                       bool fail_enabled, Severity fail_on, const OwnerOf& owner_of) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  auto key = [&](const char* k) { w.Key(k); };
  auto object = [&](const drift::ObjectId& id) {
    w.StartObject();
    key("apiVersion"), str(id.api_version);
    key("kind"), str(id.kind);
    key("namespace");
    if (id.namespace_.empty()) w.Null(); else str(id.namespace_);
    key("name"), str(id.name);
    w.EndObject();
  };
  w.StartObject();
  key("schemaVersion"), str("1.0");
  key("tool");
  w.StartObject();
  key("name"), str("kspm");
  key("version"), str(KSPM_VERSION);
  w.EndObject();
  key("live");
  w.StartObject();
  if (live.is_cluster) {
    key("context"), str(live.source.context);
    key("server"), str(live.source.server);
    key("serverVersion"), str(live.source.server_version);
    key("takenAt"), str(live.source.taken_at);
  }
  if (!live.source.snapshot.empty()) key("snapshot"), str(live.source.snapshot);
  w.EndObject();
  key("findings");
  w.StartArray();
  for (const drift::DriftFinding& f : report.findings) {
    w.StartObject();
    key("check"), str(f.finding.check->id);
    key("drift"), str(kindName(f.kind));
    key("severity"), str(severityName(f.finding.severity));
    key("message"), str(f.finding.message);
    key("object"), object(f.object);
    key("source");
    w.StartObject();
    key("file"), str(f.file);
    key("line"), w.Uint(f.finding.line);
    w.EndObject();
    if (!f.finding.path.empty()) key("path"), str(f.finding.path);
    if (!f.finding.container.empty()) key("container"), str(f.finding.container);
    if (f.kind == drift::DriftKind::kChanged) {
      key("desired");
      if (f.desired_present) w.RawValue(f.desired.data(), f.desired.size(), rapidjson::kStringType); else w.Null();
      key("live");
      if (f.live_present) w.RawValue(f.live.data(), f.live.size(), rapidjson::kStringType); else w.Null();
    }
    key("owner"), str(owner_of(f));
    key("fingerprint"), str(f.fingerprint);
    key("suppressed"), w.Bool(false);
    w.EndObject();
  }
  w.EndArray();
  key("notAssessable");
  w.StartArray();
  for (const drift::NotAssessable& n : report.not_assessable) {
    w.StartObject();
    key("object"), object(n.object);
    key("source");
    w.StartObject();
    key("file"), str(n.file);
    key("line"), w.Uint(n.line);
    w.EndObject();
    key("reason"), str(n.reason);
    w.EndObject();
  }
  w.EndArray();
  key("errors");
  w.StartArray();
  for (const InputError& e : errors) {
    w.StartObject();
    key("code"), str(errorCodeName(e.code));
    key("file"), str(e.file);
    key("line"), w.Uint(e.line);
    key("message"), str(e.message);
    w.EndObject();
  }
  w.EndArray();
  key("coverage");
  w.StartObject();
  key("complete"), w.Bool(live.unreadable.empty());
  key("unreadable");
  w.StartArray();
  for (const UnreadableResource& u : live.unreadable) {
    w.StartObject();
    key("group"), str(u.group);
    key("resource"), str(u.resource);
    key("kind"), str(u.kind);
    if (!u.namespace_.empty()) key("namespace"), str(u.namespace_);
    key("reason"), str(u.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  const drift::DriftSummary& s = report.summary;
  key("summary");
  w.StartObject();
  key("desiredObjects"), w.Uint64(s.desired_objects);
  key("liveObjects"), w.Uint64(s.live_objects);
  key("matched"), w.Uint64(s.matched);
  key("changed"), w.Uint64(s.changed);
  key("missing"), w.Uint64(s.missing);
  key("extra"), w.Uint64(s.extra);
  key("notAssessable"), w.Uint64(s.not_assessable);
  key("bySeverity");
  w.StartObject();
  for (int sev = 4; sev >= 0; --sev) {
    std::string_view name = severityName(static_cast<Severity>(sev));
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Uint64(s.by_severity[sev]);
  }
  w.EndObject();
  key("failOn"), str(fail_enabled ? severityName(fail_on) : std::string_view("none"));
  key("errors"), w.Uint64(errors.size());
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

int runDrift(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::vector<std::string> paths, live_files;
  std::string value, error, output_file, format = "table", default_namespace, owners_file, config_path;
  bool fail_enabled = true, use_config = true;
  Severity fail_on = Severity::kHigh;
  unsigned threads = 0;
  ClusterFlags cluster_flags;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(kDriftHelp, kClusterFlagsHelp);
      return kExitOk;
    }
    if (parseClusterFlag(args, &cluster_flags, &error)) {
      // handled
    } else if (args.flag({"--live"}, &value, &error)) {
      live_files.push_back(value);
    } else if (args.flag({"--owners"}, &value, &error)) {
      owners_file = value;
    } else if (args.flag({"--config"}, &value, &error)) {
      config_path = value;
    } else if (args.boolFlag({"--no-config"})) {
      use_config = false;
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      default_namespace = value;
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      if (error.empty() && value != "table" && value != "json") error = "unknown output format \"" + value + "\" (table or json)";
      format = value;
    } else if (args.flag({"--output-file"}, &value, &error)) {
      output_file = value;
    } else if (args.flag({"--fail-on"}, &value, &error)) {
      if (value == "none") {
        fail_enabled = false;
      } else if (error.empty() && !parseSeverity(value, &fail_on)) {
        error = "unknown severity \"" + value + "\" (info, low, medium, high, critical or none)";
      }
    } else if (args.flag({"--threads"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseNumber(value, 1, 256, &n, 3)) error = "--threads takes a number from 1 to 256";
      threads = static_cast<unsigned>(n);
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("drift", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("drift", error);
  }
  if (std::string bad = validateClusterFlags(cluster_flags); !bad.empty()) return usageError("drift", bad);
  if (paths.empty()) return usageError("drift", "no manifests: give files, directories or - for standard input");
  if (cluster_flags.cluster == !live_files.empty() || live_files.size() > 1) {
    return usageError("drift", "give either --cluster or one --live FILE");
  }
  if (!cluster_flags.contexts.empty()) return usageError("drift", "--contexts is not supported: run once per cluster");
  if (cluster_flags.all_namespaces) return usageError("drift", "-A is not used: kspm drift reads the namespaces the manifests name");

  // The config file is read for its owners section (checks do not run in drift).
  ScanPolicy unused_policy;
  Config config;
  if (!loadPolicyFiles("drift", use_config, config_path, {}, &unused_policy, &config)) {
    return usageError("drift", "the configuration has errors; nothing was compared");
  }
  OwnersConfig owners;
  if (!loadOwnersConfig("drift", owners_file, config, &owners)) return usageError("drift", "the owners could not be loaded");

  IngestOptions ingest;
  ingest.threads = threads;
  ObjectSet desired = ingestPaths(paths, ingest);
  std::vector<InputError> errors = desired.errors();

  drift::DriftOptions options;
  options.default_namespace = default_namespace;
  const std::string effective_default = default_namespace.empty() ? "default" : default_namespace;
  LiveSide live_side;
  ObjectSet live_objects;
  cluster::ClusterRead read;
  const ObjectSet* live = &live_objects;
  if (cluster_flags.cluster) {
    // Read every kind the manifests contain (besides kspm's own list) in the namespaces they name.
    std::vector<checks::WorkloadKind> kinds = checks::defaultWorkloadKinds();
    std::set<std::pair<std::string, std::string>> seen;
    std::set<std::string> namespaces;
    for (const Object& o : desired.objects()) {
      std::string group(canonicalGroup(o.group(), o.kind));
      // Secrets only with --include-secrets: listing them returns every value to kspm's identity.
      bool secret = group.empty() && o.kind == "Secret";
      if (!secret && seen.emplace(group, std::string(o.kind)).second) {
        checks::WorkloadKind k;
        k.group = group;
        k.kind = std::string(o.kind);
        kinds.push_back(std::move(k));
      }
      if (!isClusterScopedKind(o.kind)) namespaces.insert(o.namespace_.empty() ? effective_default : std::string(o.namespace_));
    }
    cluster_flags.namespaces.assign(namespaces.begin(), namespaces.end());
    if (cluster_flags.namespaces.empty()) cluster_flags.namespaces.push_back(effective_default);
    Result<ClusterTarget> target = readClusterTarget(cluster_flags, cluster_flags.context, kinds, threads, ingest.limits, "drift");
    if (!target.ok()) {
      std::fprintf(stderr, "kspm drift: %s\n", describeInputError(target.error()).c_str());
      return kExitInputErrors;
    }
    read = std::move(target.value().read);
    live = &read.objects;
    live_side.is_cluster = true;
    live_side.source = target.value().source;
    live_side.description = "context " + (live_side.source.context.empty() ? std::string("(in-cluster)") : live_side.source.context) +
                            " (" + live_side.source.server + ")";
    live_side.unreadable = read.unreadable;
    live_side.unreadable.insert(live_side.unreadable.end(), read.not_listed.begin(), read.not_listed.end());
    options.live_namespaces = cluster_flags.namespaces;
    options.cluster = live_side.source.id;  // --cluster-id, else the kubeconfig cluster entry (as kspm scan)
    for (const InputError& e : read.objects.errors()) errors.push_back(e);
  } else {
    IngestOptions live_ingest;
    live_ingest.threads = threads;
    live_objects = ingestPaths(live_files, live_ingest);
    for (const InputError& e : live_objects.errors()) errors.push_back(e);
    live_side.description = live_files[0];
    if (std::optional<cluster::SnapshotCoverage> snapshot = cluster::snapshotCoverage(live_objects)) {
      // A snapshot lists a fixed set of kinds: others are not assessable, not missing.
      live_side.is_cluster = true;
      live_side.source = ClusterSource{snapshot->info.context, snapshot->info.server, snapshot->info.server_version,
                                       snapshot->info.taken_at, snapshot->file};
      live_side.description = "snapshot " + snapshot->file + " of context " + snapshot->info.context;
      live_side.unreadable = snapshot->unreadable;
      live_side.unreadable.insert(live_side.unreadable.end(), snapshot->not_listed.begin(), snapshot->not_listed.end());
      cluster::ReadOptions listed;
      listed.include_secrets = true;
      options.restrict_to_listed = true;
      for (const cluster::WantedKind& k : cluster::kindsToList(listed)) {
        options.listed_kinds.emplace_back(std::string(canonicalGroup(k.group, k.kind)), k.kind);
      }
      for (const Object& o : live_objects.objects()) {
        options.listed_kinds.emplace_back(std::string(canonicalGroup(o.group(), o.kind)), std::string(o.kind));
      }
      options.live_namespaces = snapshot->info.namespaces;
      // As kspm scan: --cluster-id, else the snapshot's cluster ID, else (older snapshots) its context.
      options.cluster = !cluster_flags.cluster_id.empty()      ? cluster_flags.cluster_id
                        : !snapshot->info.cluster_id.empty() ? snapshot->info.cluster_id
                                                             : snapshot->info.context;
      live_side.source.id = options.cluster;
    } else if (!cluster_flags.cluster_id.empty()) {
      options.cluster = cluster_flags.cluster_id;
    }
  }
  options.unreadable = live_side.unreadable;

  drift::DriftReport report = drift::compare(desired, *live, options);

  // Owners as kspm scan resolves them: from the manifest for missing and changed objects, from the
  // live object (and the live namespaces) for extra ones.
  OwnerResolver desired_owners(owners, desired, checks::defaultWorkloadKinds());
  OwnerResolver live_owners(owners, *live, checks::defaultWorkloadKinds());
  OwnerOf owner_of = [&](const drift::DriftFinding& f) -> std::string_view {
    if (f.subject == nullptr) return "unowned";
    return f.kind == drift::DriftKind::kExtra ? live_owners.ownerView(*f.subject) : desired_owners.ownerView(*f.subject);
  };
  std::string text = format == "json" ? jsonReport(report, live_side, errors, fail_enabled, fail_on, owner_of)
                                      : tableReport(report, live_side, errors, owner_of);
  FILE* out = stdout;
  if (!output_file.empty()) {
    out = std::fopen(output_file.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "kspm drift: cannot write %s: %s\n", output_file.c_str(), std::strerror(errno));
      return kExitOutput;
    }
  }
  bool write_failed = std::fwrite(text.data(), 1, text.size(), out) != text.size();
  write_failed = (out != stdout ? std::fclose(out) != 0 : std::fflush(out) != 0) || write_failed;
  if (write_failed) {
    std::fprintf(stderr, "kspm drift: writing the report failed\n");
    return kExitOutput;
  }
  if (format == "json" || !output_file.empty()) {
    for (const InputError& e : errors) std::fprintf(stderr, "kspm drift: %s\n", describeInputError(e).c_str());
  }
  if (!errors.empty()) return kExitInputErrors;
  if (fail_enabled) {
    for (const drift::DriftFinding& f : report.findings) {
      if (f.finding.severity >= fail_on) return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace kspm::cli
