// Reads cluster connection settings the way kubectl does: kubeconfig files (client-go's
// clientcmd loading rules) and in-cluster service-account config. No networking here: the result
// says where and how to connect; the HTTP client (issue 7) does the connecting.
//
// Loading rules (client-go tools/clientcmd/loader.go):
//  - `explicit_path` (--kubeconfig) alone when set; it must exist.
//  - else every file of `kubeconfig_env` (the KUBECONFIG value, ':'-separated; empty entries and
//    repeats ignored) in order; missing files are skipped, at least one must exist. Files are merged
//    so that the FIRST file that names a cluster / user / context keeps it whole (a later entry of
//    the same name is discarded, even its fields the first one lacks), and the first file that sets
//    current-context wins.
//  - else `home_dir`/.kube/config.
//  - Relative certificate-authority, client-certificate, client-key, tokenFile, and an exec command
//    containing '/' resolve against the (absolute) directory of the file that names them.
//  - *-data fields are base64 (standard alphabet, padded; line breaks allowed) and are returned
//    decoded.
// Validation (client-go clientcmd/validation.go): the chosen context, cluster and user must exist;
// a cluster needs a server; insecure-skip-tls-verify with a CA is rejected; a client certificate
// needs a key; token and username/password together are rejected; exec apiVersion must be
// client.authentication.k8s.io/v1 (interactiveMode required) or v1beta1 (interactiveMode defaults
// to IfAvailable); v1alpha1 and auth-provider are errors saying what to use instead.
//
// Errors are InputError{ErrorCode::kConfig, file, line, message}. Secrets (token, password,
// client-key-data, exec env values) never appear in error messages or in describeResolvedConfig.
//
// Thread safety: pure functions over their arguments plus file reads; reentrant.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kspm/status.h"

namespace kspm {

struct ClusterInfo {
  std::string name;
  std::string server;                      // e.g. https://1.2.3.4:6443
  std::string certificate_authority;       // path, resolved (absolute when the file named it relatively)
  std::string certificate_authority_data;  // decoded PEM
  std::string tls_server_name;
  std::string proxy_url;
  bool insecure_skip_tls_verify = false;
};

/** An exec credential plugin (client.authentication.k8s.io ExecConfig). */
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // resolved against the kubeconfig's directory when it contains '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // values may be secret: never printed
  std::string interactive_mode;  // Never | IfAvailable | Always (v1beta1 default: IfAvailable)
  std::string install_hint;
  bool provide_cluster_info = false;  // pass KUBERNETES_EXEC_INFO with the cluster
};

struct UserInfo {
  std::string name;
  std::string token;  // secret
  std::string token_file;  // path, resolved
  std::string client_certificate;  // path, resolved
  std::string client_certificate_data;  // decoded PEM
  std::string client_key;  // path, resolved
  std::string client_key_data;  // decoded PEM; secret, never printed
  std::string username;
  std::string password;  // secret
  std::string impersonate;  // `as`
  std::vector<std::string> impersonate_groups;  // `as-groups`
  std::optional<ExecConfig> exec;
};

struct ResolvedConfig {
  std::string context_name;  // "" for in-cluster config
  std::string namespace_;    // the context's namespace, "" if none (in-cluster: the pod's namespace)
  ClusterInfo cluster;
  UserInfo user;
  std::string source;  // which file(s) were read, ':'-joined in load order; "in-cluster" otherwise
};

struct KubeconfigOptions {
  std::string explicit_path;   // --kubeconfig; "" when not given
  std::string kubeconfig_env;  // value of $KUBECONFIG ("" when unset); the library never reads the env
  std::string home_dir;        // for ~/.kube/config; "" to skip that fallback
  std::string context;         // --context; "" → current-context
  std::string cluster;         // --cluster; overrides the context's cluster when set
  std::string user;            // --user; overrides the context's user when set
};

/** Loads, merges and resolves kubeconfig as kubectl would (see rules above). */
Result<ResolvedConfig> loadKubeconfig(const KubeconfigOptions& options);

struct InClusterEnv {
  std::string service_host;  // $KUBERNETES_SERVICE_HOST
  std::string service_port;  // $KUBERNETES_SERVICE_PORT
  std::string pod_namespace; // $POD_NAMESPACE (wins over the namespace file when set)
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

/**
 * client-go rest.InClusterConfig: server https://HOST:PORT (IPv6 host bracketed), token referenced
 * by path (user.token_file; it rotates, so the client must re-read it; the file must be readable
 * and non-empty now), CA path when the file exists, namespace from POD_NAMESPACE, else the
 * namespace file, else "default". Errors when host or port is missing or the token is unreadable.
 */
Result<ResolvedConfig> inClusterConfig(const InClusterEnv& env);

/** A multi-line debug description; secrets are shown as "<redacted>" (or "<none>" when unset). */
std::string describeResolvedConfig(const ResolvedConfig& config);

}  // namespace kspm
