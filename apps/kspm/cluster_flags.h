// The live-cluster flags shared by `kspm scan --cluster` and `kspm snapshot --cluster`, and reading
// a cluster from them: kubeconfig (or in-cluster config), the API client, discovery and listing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/cluster_read.h"
#include "kspm/kubeconfig.h"
#include "kspm/report.h"

namespace kspm::cli {

struct ClusterFlags {
  bool cluster = false;                  // --cluster
  std::string kubeconfig;                // --kubeconfig
  std::string context;                   // --context
  std::vector<std::string> contexts;     // --contexts a,b,c
  std::string cluster_name, user;        // --cluster-name, --user (kubectl's --cluster / --user)
  std::string cluster_id;                // --cluster-id: the ID in fingerprints (default: the context's cluster name)
  std::vector<std::string> namespaces;   // -n (repeatable or comma list); empty = all namespaces
  bool all_namespaces = false;           // -A
  bool in_cluster = false;               // --in-cluster
  bool include_secrets = false;          // --include-secrets
  bool kubelet_configz = false;          // --kubelet-configz
  double qps = 50;                       // --qps
  int burst = 300;                       // --burst
  int request_timeout_ms = 60'000;       // --request-timeout
  uint32_t page_size = 500;              // --page-size
  bool progress = true;                  // --no-progress turns it off (it is only shown on a terminal anyway)
};

/** The flag lines for --help. */
extern const char* const kClusterFlagsHelp;

/**
 * Consumes one cluster flag at the current argument (not -n/--namespace: its meaning depends on
 * --cluster, so callers handle it and call addNamespaces). False when it is not a cluster flag.
 */
bool parseClusterFlag(Args& args, ClusterFlags* flags, std::string* error);
/** Adds a -n value (comma-separated names allowed). */
void addNamespaces(const std::string& value, ClusterFlags* flags);
/** Checks the combination (e.g. -n with -A); "" when fine. */
std::string validateClusterFlags(const ClusterFlags& flags);

/** The API client options the flags set (--qps, --burst, --request-timeout), with kspm's user agent. */
cluster::ClientOptions clientOptions(const ClusterFlags& flags);
/** The credentials the flags name (--kubeconfig, --cluster-name, --user, --in-cluster) for `context`. */
ClusterCredentials credentialsFor(const ClusterFlags& flags, const std::string& context);

/** The contexts to read: --contexts, else the one --context ("" = the current context). */
std::vector<std::string> contextsToRead(const ClusterFlags& flags);

/**
 * The cluster ID of a connection: --cluster-id, else the kubeconfig cluster entry the context names
 * (after --cluster-name), else "in-cluster" for in-cluster config.
 */
std::string clusterId(const ClusterFlags& flags, const ResolvedConfig& config);

struct ClusterTarget {
  cluster::ClusterRead read;
  ClusterSource source;
};

/**
 * Connects with the kubeconfig context (or in-cluster config) and reads the cluster. A failure to
 * load the kubeconfig or to reach/authenticate to the server is the error; unreadable resources
 * are not (they are in read.unreadable). `verb` names the command in progress lines.
 */
Result<ClusterTarget> readClusterTarget(const ClusterFlags& flags, const std::string& context,
                                        const std::vector<checks::WorkloadKind>& workload_kinds, unsigned threads,
                                        const LoadLimits& limits, const char* verb);

}  // namespace kspm::cli
