#include "cluster_flags.h"

#include "kspm/cli_common.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "kspm/kube_client.h"
#include "kspm/kubeconfig.h"

namespace kspm::cli {
namespace {

std::vector<std::string> splitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    if (comma > start) out.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool parsePositive(const std::string& text, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !(v >= 0) || v > 1e6) return false;
  *out = v;
  return true;
}

/** Progress lines on a terminal: "\r<verb>: reading pods: 12000 objects (24 pages)". */
class Progress {
 public:
  Progress(bool enabled, const char* verb) : enabled_(enabled && isatty(STDERR_FILENO) != 0), verb_(verb) {}
  ~Progress() { clear(); }
  void update(std::string_view resource, uint64_t objects, uint64_t pages) {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[Kkspm %s: reading %.*s: %llu objects (%llu pages)", verb_,
                 static_cast<int>(resource.size()), resource.data(), static_cast<unsigned long long>(objects),
                 static_cast<unsigned long long>(pages));
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  const char* verb_;
  bool shown_ = false;
};

}  // namespace

const char* const kClusterFlagsHelp =
    "Live cluster (read-only, through the Kubernetes API; docs/cluster.md):\n"
    "      --cluster              read the cluster of the current kubeconfig context instead of files\n"
    "      --kubeconfig FILE      kubeconfig file (default: $KUBECONFIG, then ~/.kube/config; inside a pod\n"
    "                             without one, the pod's service account: in-cluster config)\n"
    "      --context NAME         kubeconfig context (default: current-context)\n"
    "      --contexts A,B,...     read several clusters in one run; each is reported apart\n"
    "      --cluster-name NAME, --user NAME  override the context's cluster or user, as kubectl does\n"
    "      --cluster-id ID        the cluster's ID in finding fingerprints, the history and baselines (default:\n"
    "                             the kubeconfig cluster entry the context names; \"in-cluster\" in a pod);\n"
    "                             kept in snapshots. Give one when two kubeconfigs name one cluster apart\n"
    "      --in-cluster           use the pod's service account (token and CA under\n"
    "                             /var/run/secrets/kubernetes.io/serviceaccount) even if a kubeconfig exists\n"
    "  -n, --namespace NS         with --cluster: read namespaced objects only in NS (repeatable, or a\n"
    "                             comma list); cluster-scoped objects are always read\n"
    "  -A, --all-namespaces       with --cluster: every namespace (the default)\n"
    "      --include-secrets      also list Secrets. Listing Secrets returns every secret VALUE to kspm's\n"
    "                             identity (RBAC cannot grant metadata only; CIS 5.1.2 flags that access).\n"
    "                             kspm keeps only names, types, labels and key names. Without it, checks\n"
    "                             about Secrets are reported not assessable\n"
    "      --kubelet-configz      read each node's kubelet configuration (/api/v1/nodes/NAME/proxy/configz)\n"
    "                             for the CIS 4.2 checks. DANGEROUS to grant: nodes/proxy lets its holder\n"
    "                             exec into every pod on the node through the kubelet; off by default\n"
    "      --qps N, --burst N     client-side rate limit (default 50 requests/s, bursts of 300)\n"
    "      --request-timeout D    timeout of one request: 30s, 2m, 500ms; 0 = none (default 60s)\n"
    "      --page-size N          objects per list request (default 500)\n"
    "      --no-progress          no progress lines on standard error (shown only on a terminal)\n";

bool parseClusterFlag(Args& args, ClusterFlags* flags, std::string* error) {
  std::string value;
  if (args.boolFlag({"--cluster"})) {
    flags->cluster = true;
  } else if (args.flag({"--kubeconfig"}, &value, error)) {
    flags->kubeconfig = value;
  } else if (args.flag({"--context"}, &value, error)) {
    flags->context = value;
  } else if (args.flag({"--contexts"}, &value, error)) {
    flags->contexts = splitList(value);
    if (error->empty() && flags->contexts.empty()) *error = "--contexts takes a comma-separated list of context names";
  } else if (args.flag({"--cluster-name"}, &value, error)) {
    flags->cluster_name = value;
  } else if (args.flag({"--cluster-id"}, &value, error)) {
    if (error->empty() && value.empty()) *error = "--cluster-id takes a non-empty ID";
    flags->cluster_id = value;
  } else if (args.flag({"--user"}, &value, error)) {
    flags->user = value;
  } else if (args.boolFlag({"--in-cluster"})) {
    flags->in_cluster = true;
  } else if (args.boolFlag({"-A", "--all-namespaces"})) {
    flags->all_namespaces = true;
  } else if (args.boolFlag({"--include-secrets"})) {
    flags->include_secrets = true;
  } else if (args.boolFlag({"--kubelet-configz"})) {
    flags->kubelet_configz = true;
  } else if (args.boolFlag({"--no-progress"})) {
    flags->progress = false;
  } else if (args.flag({"--qps"}, &value, error)) {
    if (error->empty() && !parsePositive(value, &flags->qps)) *error = "--qps takes a number of requests per second (0 = unlimited)";
  } else if (args.flag({"--burst"}, &value, error)) {
    double v = 0;
    if (error->empty() && (!parsePositive(value, &v) || v < 1 || v > 100000)) *error = "--burst takes a number from 1 to 100000";
    flags->burst = static_cast<int>(v);
  } else if (args.flag({"--request-timeout"}, &value, error)) {
    std::chrono::milliseconds timeout{0};
    if (error->empty() && !parseDuration(value, &timeout)) {
      *error = "--request-timeout takes a duration such as 30s, 2m or 500ms";
    }
    flags->request_timeout_ms = static_cast<int>(timeout.count());
  } else if (args.flag({"--page-size"}, &value, error)) {
    double v = 0;
    if (error->empty() && (!parsePositive(value, &v) || v < 1 || v > 100000 || v != static_cast<uint32_t>(v))) {
      *error = "--page-size takes a number from 1 to 100000";
    }
    flags->page_size = static_cast<uint32_t>(v);
  } else {
    return false;
  }
  return true;
}

void addNamespaces(const std::string& value, ClusterFlags* flags) {
  for (std::string& ns : splitList(value)) flags->namespaces.push_back(std::move(ns));
}

std::string validateClusterFlags(const ClusterFlags& flags) {
  bool any_cluster_flag = !flags.kubeconfig.empty() || !flags.context.empty() || !flags.contexts.empty() ||
                          flags.in_cluster || flags.include_secrets || flags.kubelet_configz || flags.all_namespaces;
  if (!flags.cluster && any_cluster_flag) return "cluster flags (--kubeconfig, --context, -A, ...) need --cluster";
  if (!flags.namespaces.empty() && flags.all_namespaces) return "-n and -A exclude each other";
  if (!flags.context.empty() && !flags.contexts.empty()) return "--context and --contexts exclude each other";
  if (!flags.cluster_id.empty() && flags.contexts.size() > 1) {
    return "--cluster-id names one cluster: not with several --contexts (each context's cluster name is its ID)";
  }
  if (flags.in_cluster && (!flags.contexts.empty() || !flags.context.empty() || !flags.kubeconfig.empty())) {
    return "--in-cluster excludes --kubeconfig, --context and --contexts";
  }
  return {};
}

std::string clusterId(const ClusterFlags& flags, const ResolvedConfig& config) {
  if (!flags.cluster_id.empty()) return flags.cluster_id;
  if (config.context_name.empty() || config.cluster.name.empty()) return "in-cluster";
  return config.cluster.name;
}

cluster::ClientOptions clientOptions(const ClusterFlags& flags) {
  cluster::ClientOptions options;
  options.qps = flags.qps;
  options.burst = flags.burst;
  options.request_timeout = std::chrono::milliseconds(flags.request_timeout_ms);
  options.user_agent = std::string("kspm/") + KSPM_VERSION;
  options.stdin_is_terminal = isatty(STDIN_FILENO) != 0;
  return options;
}

ClusterCredentials credentialsFor(const ClusterFlags& flags, const std::string& context) {
  return {flags.kubeconfig, context, flags.cluster_name, flags.user, flags.in_cluster};
}

std::vector<std::string> contextsToRead(const ClusterFlags& flags) {
  if (!flags.contexts.empty()) return flags.contexts;
  return {flags.context};
}

Result<ClusterTarget> readClusterTarget(const ClusterFlags& flags, const std::string& context,
                                        const std::vector<checks::WorkloadKind>& workload_kinds, unsigned threads,
                                        const LoadLimits& limits, const char* verb) {
  ResolvedConfig config;
  auto client = connectToCluster(credentialsFor(flags, context), clientOptions(flags), &config);
  if (!client.ok()) return client.error();

  cluster::ReadOptions options;
  options.context = config.context_name;
  options.server = config.cluster.server;
  options.namespaces = flags.namespaces;
  options.include_secrets = flags.include_secrets;
  options.kubelet_configz = flags.kubelet_configz;
  options.page_limit = flags.page_size;
  options.threads = threads;
  options.limits = limits;
  for (const checks::WorkloadKind& w : workload_kinds) options.workload_kinds.push_back({w.group, w.kind});
  // options.taken_at stays "": readCluster records the time it starts reading.
  Progress progress(flags.progress, verb);
  options.progress = [&](std::string_view resource, uint64_t objects, uint64_t pages) {
    progress.update(resource, objects, pages);
  };
  cluster::KubeClient& api = *client.value();
  cluster::ClusterRead read = cluster::readCluster(
      [&](std::string_view path, std::string_view accept) { return api.get(path, accept); }, options);
  progress.clear();
  if (read.fatal) return *read.fatal;
  ClusterTarget target{std::move(read), {}};
  target.source.id = clusterId(flags, config);
  target.read.info.cluster_id = target.source.id;  // kept in snapshots
  target.source.context = config.context_name;
  target.source.server = config.cluster.server;
  target.source.server_version = target.read.info.server_version;
  target.source.taken_at = target.read.info.taken_at;
  return target;
}

}  // namespace kspm::cli
