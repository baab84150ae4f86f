// What several CLI verbs share: reading files, the date, durations, the policy files (config and
// exceptions), and connecting to a cluster the way kubectl chooses its credentials.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/kube_client.h"
#include "kspm/status.h"

namespace kspm::cli {

/** The whole file in *out; false (errno set) when it cannot be read. */
bool readWholeFile(const std::string& path, std::string* out);
/** Today's date in UTC, YYYY-MM-DD (policy exceptions expire by it). */
std::string todayUtc();
/** The value of an environment variable, "" when unset. */
std::string env(const char* name);
/**
 * A decimal number from `min` to `max`: digits only (no sign, no spaces), at most `max_digits` of
 * them (and never more than 19); false otherwise, *out untouched.
 */
bool parseNumber(const std::string& text, uint64_t min, uint64_t max, uint64_t* out, size_t max_digits = 19);
/** A count from 1 to `max`: parseNumber with at most 12 digits. */
bool parseCount(const std::string& text, uint64_t max, uint64_t* out);
/** kubectl-style durations: "500ms", "30s", "2m", "1h" or plain seconds; at most a day. */
bool parseDuration(std::string_view text, std::chrono::milliseconds* out);

/** `s` in ASCII upper case ("high" -> "HIGH"), for severities in tables. */
std::string upper(std::string_view s);

/**
 * The policy files of `kspm scan` and `kspm webhook`: the config file (`config_path`, else the
 * nearest .kspm.yaml upward when `use_config`) applied to *policy (its parsed form in *config),
 * then every exceptions file. Errors are printed as "kspm VERB: ..."; false means usage error.
 */
bool loadPolicyFiles(const char* verb, bool use_config, std::string config_path,
                     const std::vector<std::string>& exception_files, ScanPolicy* policy, Config* config);

/** Where cluster credentials come from: --kubeconfig, --context, --cluster-name, --user, --in-cluster. */
struct ClusterCredentials {
  std::string kubeconfig, context, cluster_name, user;
  bool in_cluster = false;
};

/**
 * A client as kubectl would connect: --kubeconfig, $KUBECONFIG, ~/.kube/config; inside a pod
 * without any of them (or with in_cluster) the pod's service account. `options.exec_environment`
 * is filled from this process's environment. *resolved (optional) receives the resolved config.
 */
Result<std::unique_ptr<cluster::KubeClient>> connectToCluster(const ClusterCredentials& credentials,
                                                              cluster::ClientOptions options,
                                                              ResolvedConfig* resolved = nullptr);

}  // namespace kspm::cli
