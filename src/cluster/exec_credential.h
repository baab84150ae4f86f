// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1), as client-go's
// plugin/pkg/client/auth/exec runs them: the command gets KUBERNETES_EXEC_INFO (an ExecCredential
// with spec.interactive and, when provideClusterInfo, spec.cluster) and prints an ExecCredential
// whose status holds a bearer token or a client certificate and key, optionally with an
// expirationTimestamp.
//
// Errors are InputError{kClusterAuth, error_file, 0, message}; messages name the command and what
// went wrong, never the plugin's output (it holds credentials) nor env values.
//
// Thread safety: free functions; runExecPlugin may run concurrently (pipes are close-on-exec).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/kubeconfig.h"
#include "kspm/status.h"
#include "model/base64.h"

namespace kspm::cluster {

/** What a plugin returned (status of its ExecCredential). Secret: never print. */
struct ExecCredential {
  std::string token;
  std::string client_certificate_data;  // PEM
  std::string client_key_data;          // PEM
  std::optional<std::chrono::system_clock::time_point> expiration;  // none: valid until a 401
};

/**
 * Whether `credential` may still be used at `now`: no expiration, or `now` is more than `margin`
 * before it (a credential about to expire is refreshed early rather than sent and refused).
 */
bool execCredentialFresh(const ExecCredential& credential, std::chrono::system_clock::time_point now,
                         std::chrono::seconds margin = std::chrono::seconds(10));

/** RFC 3339 date-time ("2024-05-01T12:00:00Z", fractional seconds, "+02:00" offsets); nullopt if malformed. */
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

/** Standard padded base64 (model/base64.h). */
using kspm::encodeBase64;

/**
 * The KUBERNETES_EXEC_INFO value: {"apiVersion": exec.api_version, "kind": "ExecCredential",
 * "spec": {"interactive": interactive, "cluster": {...}}}, where "cluster" is present only when
 * exec.provide_cluster_info and holds server, tls-server-name, insecure-skip-tls-verify,
 * certificate-authority-data (base64 of `ca_pem`), proxy-url, each omitted when empty/false as
 * client-go's json tags do ("config", the cluster's exec extension, is not supported: omitted).
 */
std::string execInfoJson(const ExecConfig& exec, const ClusterInfo& cluster, std::string_view ca_pem,
                         bool interactive);

/**
 * Parses a plugin's standard output: an ExecCredential of `api_version` whose status carries a
 * token, or clientCertificateData and clientKeyData together, and an optional RFC 3339
 * expirationTimestamp. `command` only names the plugin in errors.
 */
Result<ExecCredential> parseExecCredential(std::string_view output, std::string_view api_version,
                                           std::string_view command, const std::string& error_file);

struct ExecRunOptions {
  /** The environment the plugin inherits ("NAME=value"); exec.env entries override same names. */
  std::vector<std::string> environment;
  bool stdin_is_terminal = false;
  std::chrono::milliseconds timeout{60'000};  // the plugin is killed (SIGKILL) after this
  size_t max_output_bytes = 1 << 20;          // stdout above this is an error (the plugin is killed)
};

/**
 * Resolves exec.command (no '/': searched in the PATH of options.environment, else
 * /usr/local/bin:/usr/bin:/bin), decides interactivity from exec.interactive_mode (Never: stdin is
 * /dev/null; IfAvailable: the terminal when stdin_is_terminal; Always: an error unless it is),
 * runs it with its args, reads its stdout (stderr passes through to ours), waits for it and
 * parses the credential. A command that cannot be found reports exec.install_hint.
 */
Result<ExecCredential> runExecPlugin(const ExecConfig& exec, const ClusterInfo& cluster, std::string_view ca_pem,
                                     const ExecRunOptions& options, const std::string& error_file);

}  // namespace kspm::cluster
