// kspm pss plan: read manifests and print the Pod Security migration plan per namespace.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "checks/pss/pss_policy.h"
#include "kspm/catalog.h"
#include "kspm/cli.h"
#include "kspm/ingest.h"
#include "kspm/pss_plan.h"
#include "kspm/report.h"

namespace kspm::cli {
namespace {

constexpr const char* kPssHelp =
    "Usage: kspm pss <command> [flags]\n"
    "\n"
    "Pod Security Standards tools.\n"
    "\n"
    "Commands:\n"
    "  plan      For every namespace: the strictest Pod Security level it could enforce today, and\n"
    "            which workloads would break at the next level up\n"
    "\n"
    "Run 'kspm pss <command> --help' for the flags of a command.\n";

constexpr const char* kPlanHelp =
    "Usage: kspm pss plan [flags] PATH... | -\n"
    "\n"
    "Plans the move to Pod Security admission labels. For every namespace in the manifests (YAML or\n"
    "JSON files, directories, or - for standard input): its current pod-security.kubernetes.io labels\n"
    "(when its Namespace is in the input), how many workloads it has, the strictest level all of them\n"
    "pass, whether its current enforce level is violated or could be tightened, which workloads would\n"
    "break at the next level up and why (upstream check IDs, containers, fields), and a suggested\n"
    "label set: enforce the level that passes, warn and audit the next one, versions pinned.\n"
    "Verdicts are those of `kspm scan --framework pss-baseline|pss-restricted`, which equal the API\n"
    "server's. Cluster-level exemptions and defaults (AdmissionConfiguration) are not visible here.\n"
    "\n"
    "Flags:\n"
    "  -o, --output FORMAT        table (default) or json\n"
    "      --output-file FILE     write the plan to FILE instead of standard output\n"
    "      --pss-version VERSION  Pod Security Standards version: latest (default, = v1.37) or v1.0..v1.37;\n"
    "                             use your cluster's minor version\n"
    "  -n, --namespace NS         namespace for objects without metadata.namespace (as kubectl\n"
    "                             apply -n would); without it they are planned as unspecified\n"
    "  -h, --help                 this help\n"
    "\n"
    "Exit codes: 0 the plan was written (whatever it says: the plan is informational); 2 usage error;\n"
    "3 some input could not be read or parsed (the rest was planned); 4 the plan could not be written.\n";

}  // namespace

int runPssPlan(int argc, char** argv) {
  if (argc < 3) {
    std::fputs(kPssHelp, stderr);
    return kExitUsage;
  }
  const std::string command = argv[2];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kPssHelp, stdout);
    return kExitOk;
  }
  if (command != "plan") return usageError("pss", "unknown command \"" + command + "\" (plan)");

  Args args(argc, argv, 3);
  std::vector<std::string> paths;
  std::string value, error, output_file;
  bool json = false;
  uint32_t pss_minor = kPssLatestMinor;
  bool pss_latest = true;
  IngestOptions ingest;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kPlanHelp, stdout);
      return kExitOk;
    }
    if (args.flag({"-o", "--output"}, &value, &error)) {
      if (error.empty() && value != "table" && value != "json") {
        error = "unknown output format \"" + value + "\" (table or json)";
      }
      json = value == "json";
    } else if (args.flag({"--output-file"}, &value, &error)) {
      output_file = value;
    } else if (args.flag({"--pss-version"}, &value, &error)) {
      if (error.empty() && !checks::pss::parsePssVersion(value, &pss_minor)) {
        error = "unknown Pod Security version \"" + value + "\" (latest or v1.0 to " + pssVersionName(kPssLatestMinor) +
                ")";
      }
      pss_latest = value == "latest";
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      ingest.default_namespace = value;
    } else if (args.peek() != "-" && args.peek().starts_with("-")) {
      return usageError("pss plan", "unknown flag " + args.peek());
    } else {
      paths.push_back(args.next());
    }
    if (!error.empty()) return usageError("pss plan", error);
  }
  if (paths.empty()) return usageError("pss plan", "no input: give files, directories, or - for standard input");

  ObjectSet objects = ingestPaths(paths, ingest);
  PssPlan plan = planPodSecurity(objects, Catalog::builtin(), pss_minor, pss_latest);
  const std::string text = json ? pssPlanJson(plan, objects, KSPM_VERSION) : pssPlanTable(plan, objects);

  FILE* out = stdout;
  if (!output_file.empty()) {
    out = std::fopen(output_file.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "kspm pss plan: cannot write %s: %s\n", output_file.c_str(), std::strerror(errno));
      return kExitOutput;
    }
  }
  bool write_failed = std::fwrite(text.data(), 1, text.size(), out) != text.size();
  if (out != stdout) {
    if (std::fclose(out) != 0) write_failed = true;
  } else if (std::fflush(out) != 0) {
    write_failed = true;
  }
  if (json || !output_file.empty()) {
    // The table already lists input errors; for JSON or a file also tell the terminal.
    for (const InputError& e : objects.errors()) std::fprintf(stderr, "kspm pss plan: %s\n", describeInputError(e).c_str());
  }
  if (write_failed) {
    std::fprintf(stderr, "kspm pss plan: writing the plan failed\n");
    return kExitOutput;
  }
  return objects.errors().empty() ? kExitOk : kExitInputErrors;
}

}  // namespace kspm::cli
