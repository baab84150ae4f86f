// kspm snapshot: read a live cluster once and save what was read, for offline scans and questions.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "kspm/cli.h"
#include "kspm/cluster_flags.h"
#include "kspm/cluster_read.h"

namespace kspm::cli {
namespace {

constexpr const char* kSnapshotHelp =
    "Usage: kspm snapshot [--cluster] [--kubeconfig FILE] [--context NAME] [-n NS | -A] -o FILE\n"
    "\n"
    "Reads a live cluster through its API, as `kspm scan --cluster` does, and saves what was read to\n"
    "FILE (- for standard output): a JSON stream of Lists that `kspm scan FILE`, `kspm paths FILE`,\n"
    "`kspm rbac ... FILE` and `kspm net ... FILE` answer offline exactly as they would live. The file\n"
    "also records the cluster, the time, and which resources could not be read, so an offline scan\n"
    "reports the same checks as not assessable.\n"
    "\n"
    "Secrets are not read unless --include-secrets is given; then only their name, namespace, type,\n"
    "labels and key names are kept: no data, no stringData, no annotations (the\n"
    "kubectl.kubernetes.io/last-applied-configuration annotation holds the whole Secret). Helm release\n"
    "Secrets are reduced the same way. managedFields are dropped from every object.\n"
    "\n"
    "Flags:\n"
    "  -o, --output-file FILE     where to write the snapshot (required; - = standard output)\n"
    "      --threads N            page parsing threads (default: the usable CPUs)\n"
    "      --max-document-bytes N largest list page accepted (default 67108864)\n"
    "  -h, --help                 this help\n"
    "\n"
    "%s"
    "\n"
    "Exit codes: 0 written; 2 usage error; 3 the cluster could not be reached or refused the\n"
    "credentials (nothing written); 4 the file could not be written.\n";

}  // namespace

int runSnapshot(int argc, char** argv) {
  Args args(argc, argv, 2);
  ClusterFlags flags;
  flags.cluster = true;  // the only source a snapshot has
  std::string value, error, output_file;
  unsigned threads = 0;
  LoadLimits limits;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(kSnapshotHelp, kClusterFlagsHelp);
      return kExitOk;
    }
    if (parseClusterFlag(args, &flags, &error)) {
      // handled
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      addNamespaces(value, &flags);
    } else if (args.flag({"-o", "--output-file", "--output"}, &value, &error)) {
      output_file = value;
    } else if (args.flag({"--threads"}, &value, &error)) {
      char* end = nullptr;
      unsigned long n = std::strtoul(value.c_str(), &end, 10);
      if (error.empty() && (value.empty() || *end != '\0' || n == 0 || n > 256)) error = "--threads takes a number from 1 to 256";
      threads = static_cast<unsigned>(n);
    } else if (args.flag({"--max-document-bytes"}, &value, &error)) {
      char* end = nullptr;
      unsigned long long n = std::strtoull(value.c_str(), &end, 10);
      if (error.empty() && (value.empty() || *end != '\0' || n == 0)) error = "--max-document-bytes takes a positive number";
      limits.max_document_bytes = n;
    } else {
      return usageError("snapshot", "unexpected argument " + args.peek());
    }
    if (!error.empty()) return usageError("snapshot", error);
  }
  if (std::string bad = validateClusterFlags(flags); !bad.empty()) return usageError("snapshot", bad);
  if (output_file.empty()) return usageError("snapshot", "give the file to write with -o FILE (- for standard output)");
  if (contextsToRead(flags).size() > 1) return usageError("snapshot", "a snapshot holds one cluster: give one --context");

  Result<ClusterTarget> target =
      readClusterTarget(flags, flags.context, checks::defaultWorkloadKinds(), threads, limits, "snapshot");
  if (!target.ok()) {
    std::fprintf(stderr, "kspm snapshot: %s\n", describeInputError(target.error()).c_str());
    return kExitInputErrors;
  }
  const cluster::ClusterRead& read = target.value().read;
  FILE* out = output_file == "-" ? stdout : std::fopen(output_file.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "kspm snapshot: cannot write %s: %s\n", output_file.c_str(), std::strerror(errno));
    return kExitOutput;
  }
  bool ok = cluster::writeSnapshot(read, out);
  if (out != stdout && std::fclose(out) != 0) ok = false;
  if (!ok) {
    std::fprintf(stderr, "kspm snapshot: writing %s failed\n", output_file.c_str());
    return kExitOutput;
  }
  const ClusterSource& source = target.value().source;
  std::fprintf(stderr, "kspm snapshot: %llu objects from %s (%s, Kubernetes %s) written to %s\n",
               static_cast<unsigned long long>(read.objects.objects().size()),
               source.context.empty() ? "the in-cluster config" : ("context " + source.context).c_str(),
               source.server.c_str(), source.server_version.c_str(), output_file.c_str());
  for (const UnreadableResource& u : read.unreadable) {
    std::fprintf(stderr, "kspm snapshot: could not read %s%s%s: %s\n", (u.resource.empty() ? u.kind : u.resource).c_str(),
                 u.group.empty() ? "" : ("." + u.group).c_str(), u.namespace_.empty() ? "" : (" in " + u.namespace_).c_str(),
                 u.reason.c_str());
  }
  for (const UnreadableResource& u : read.not_listed) {
    std::fprintf(stderr, "kspm snapshot: not read: %s (%s)\n", u.resource.c_str(), u.reason.c_str());
  }
  return kExitOk;
}

}  // namespace kspm::cli
