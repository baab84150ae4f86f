// kspm: Kubernetes security posture scanner. This file only dispatches verbs.
#include <cstdio>
#include <cstring>
#include <string>

#include "kspm/check.h"
#include "kspm/report.h"
#include "kspm/cli.h"
#include "kspm/history_verbs.h"

namespace kspm::cli {
int runDrift(int argc, char** argv);  // apps/kspm/drift_verb.cc
}

namespace kspm::cli { int runRoute(int argc, char** argv); int runCommentPr(int argc, char** argv); }  // routing verbs

namespace {

constexpr const char* kUsage =
    "kspm - Kubernetes security posture scanner\n"
    "\n"
    "Usage: kspm <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  scan      Scan manifests (files, directories, - for stdin, snapshots) or a live cluster (--cluster)\n"
    "  drift     Manifests in Git against the cluster: missing, extra, changed security fields\n"
    "  snapshot  Read a live cluster once and save it (no secret values) for offline scans\n"
    "  watch     Scan a live cluster continuously (watches), record history, route, serve /metrics\n"
    "  checks    List every check in the catalog\n"
    "  explain   Describe one check: what it looks for, why, and how to fix it\n"
    "  pss plan  Per namespace: the strictest Pod Security level it could enforce, what breaks above\n"
    "  rbac      RBAC questions: who-can VERB RESOURCE, can SUBJECT (effective permissions)\n"
    "  net       NetworkPolicy questions: reach (one connection), matrix (all workloads), exposure\n"
    "  paths     Attack paths from entry points to crown jewels, with techniques and evidence\n"
    "  blast-radius  Everything a compromised workload or identity reaches, summarised\n"
    "  graph     The security graph: export -o json|dot|graphml|cypher\n"
    "  webhook   Serve the admission webhook (HTTPS): the same checks at the cluster gate\n"
    "  history   Recorded scans (kspm scan --record): counts over time, findings with their lifecycle\n"
    "  diff      Compare two recorded scans: added, removed and changed findings\n"
    "  route     Deliver recorded new/resolved/reopened findings to Slack, Jira and webhooks (--routes FILE)\n"
    "  comment-pr  Post SARIF results as review comments on the changed lines of a GitHub pull request\n"
    "  version   Print the kspm version\n"
    "\n"
    "Run 'kspm <command> --help' for the flags of a command.\n";

int runVersion(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
      std::printf("Usage: kspm version\n\nPrints the kspm version and the newest Pod Security Standards version it knows.\n");
      return 0;
    }
    return kspm::cli::usageError("version", std::string("unexpected argument ") + argv[i]);
  }
  std::printf("kspm %s (Pod Security Standards up to %s)\n", KSPM_VERSION,
              kspm::pssVersionName(kspm::kPssLatestMinor).c_str());
  return 0;
}

}  // namespace

#ifdef KSPM_WITH_JEMALLOC
// jemalloc reads this before the first allocation; the MALLOC_CONF environment variable still
// overrides it. One arena (threads keep their own caches) holds peak memory lowest for a scan's
// allocate-on-workers, free-on-writer pattern (docs/PERFORMANCE.md).
extern "C" const char* malloc_conf;
const char* malloc_conf = "narenas:1";
#endif

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kspm::cli::kExitUsage;
  }
  std::string verb = argv[1];
  if (verb == "-h" || verb == "--help" || verb == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (verb == "scan") return kspm::cli::runScan(argc, argv);
  if (verb == "drift") return kspm::cli::runDrift(argc, argv);
  if (verb == "snapshot") return kspm::cli::runSnapshot(argc, argv);
  if (verb == "watch") return kspm::cli::runWatch(argc, argv);
  if (verb == "webhook") return kspm::cli::runWebhook(argc, argv);
  if (verb == "checks") return kspm::cli::runChecks(argc, argv);
  if (verb == "explain") return kspm::cli::runExplain(argc, argv);
  if (verb == "pss") return kspm::cli::runPssPlan(argc, argv);
  if (verb == "rbac") return kspm::cli::runRbac(argc, argv);
  if (verb == "net") return kspm::cli::runNet(argc, argv);
  if (verb == "paths") return kspm::cli::runPaths(argc, argv);
  if (verb == "graph") return kspm::cli::runGraph(argc, argv);
  if (verb == "blast-radius") return kspm::cli::runBlastRadius(argc, argv);
  if (verb == "history") return kspm::cli::runHistory(argc, argv);
  if (verb == "diff") return kspm::cli::runDiff(argc, argv);
  if (verb == "route") return kspm::cli::runRoute(argc, argv);  // routing: apps/kspm/route_verbs.cc
  if (verb == "comment-pr") return kspm::cli::runCommentPr(argc, argv);  // routing: apps/kspm/comment_pr_verb.cc
  if (verb == "version" || verb == "--version") return runVersion(argc, argv);
  std::fprintf(stderr, "kspm: unknown command \"%s\"\n\n%s", verb.c_str(), kUsage);
  return kspm::cli::kExitUsage;
}
