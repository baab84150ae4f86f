// An HTTPS client for the Kubernetes API, configured from a ResolvedConfig (kubeconfig.h) the way
// client-go's rest.Config is: TLS (CA file or data, insecure-skip-tls-verify, tls-server-name),
// proxy-url, and credentials (bearer token, tokenFile re-read as it rotates, client certificate,
// basic auth, exec credential plugins, impersonation headers).
//
// Contract of get():
//  - It returns the final HTTP response whatever its status (200, 403, 404, 410, ...): callers
//    decide what a status means. An error is returned only when no response could be had:
//    connection/TLS failures and timeouts after retries (kClusterConnection), an exec plugin that
//    fails or prints a bad ExecCredential (kClusterAuth), a body above max_response_bytes
//    (kClusterResponse).
//  - 429 and 5xx responses and connection failures are retried up to max_retries times with
//    exponential backoff (backoff_base doubling, capped at backoff_max, with jitter), waiting at
//    least Retry-After seconds when the server sends it (capped at backoff_max). After the last
//    attempt the last response is returned.
//  - A 401 with credentials from an exec plugin re-runs the plugin once and retries; exec
//    credentials are otherwise cached until their expirationTimestamp.
//  - Requests are rate limited by a token bucket (qps, burst) shared by all threads.
// Secrets (tokens, passwords, keys, exec credentials) never appear in errors or logs.
//
// Credentials, as client-go combines them: the bearer token is the exec plugin's token, else the
// tokenFile's (re-read when the file changes or a minute passed; the last good token is kept
// while it is unreadable), else `token`; basic auth only without a bearer token; the TLS client
// certificate is the plugin's, else the configured one. Impersonate-User and one
// Impersonate-Group per group are sent with every request.
//
// TLS notes: CA, client certificate and key files are read once, by create(). tls-server-name is
// done by putting that name in the URL (libcurl verifies and sends SNI for the URL's host) and
// connecting to the configured host and port (CURLOPT_CONNECT_TO): unlike client-go, the Host
// header then carries the tls-server-name too. libcurl resumes TLS sessions on reconnection
// (client-go does not). Without proxy-url, libcurl honours the https_proxy/no_proxy environment
// as client-go's ProxyFromEnvironment does.
//
// Thread safety: a KubeClient may be used from several threads at once (each request borrows a
// CURL handle with its keep-alive connection from the client's pool; the rate limiter and
// credential caches are shared under locks).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kspm/kubeconfig.h"
#include "kspm/status.h"

namespace kspm::cluster {

struct ClientOptions {
  double qps = 50;   // kubectl's defaults
  int burst = 300;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // whole request, body included; 0 = none
  int max_retries = 5;
  std::chrono::milliseconds backoff_base{250};
  std::chrono::milliseconds backoff_max{30'000};
  uint64_t max_response_bytes = 1ull << 30;  // untrusted input: a bigger body is an error
  bool compression = true;                   // Accept-Encoding: gzip
  std::string user_agent = "kspm";
  /** For exec plugins: whether standard input is a terminal (interactiveMode IfAvailable/Always). */
  bool stdin_is_terminal = false;
  /** Environment the exec plugin inherits ("NAME=value"); the plugin's own env entries are added. */
  std::vector<std::string> exec_environment;
  /** An exec plugin still running after this is killed (kClusterAuth). */
  std::chrono::milliseconds exec_timeout{60'000};
};

struct HttpResponse {
  long status = 0;
  std::string body;          // decoded (gzip removed)
  std::string content_type;
  std::string retry_after;   // the Retry-After header, "" when absent
  int attempts = 1;          // requests made, retries included
};

/** What KubeClient::stream() got. */
struct StreamResponse {
  long status = 0;
  std::string body;          // non-200 responses only (decoded, at most max_response_bytes)
  std::string content_type;
  int attempts = 1;          // requests made, retries included
  uint64_t lines = 0;        // lines delivered to the callback
  /** 200 and the server ended the body normally. False: cut, idle, cancelled or stopped by the callback. */
  bool complete = false;
  bool cancelled = false;    // StreamOptions::cancel was set
  std::string interruption;  // why a 200 stream is not complete ("" when complete), for logs
};

/** Called with each line of a 200 body (without its line break); false stops the stream. */
using StreamLineFn = std::function<bool(std::string_view line)>;
/** Called once the status of the attempt that will be returned is known, before its first line. */
using StreamOpenFn = std::function<void(long status)>;

struct StreamOptions {
  /** No body byte for this long cuts the stream (complete = false). Connect timeout as for get(). */
  std::chrono::milliseconds idle_timeout{120'000};
  /** A line longer than this is an error (kClusterResponse); 0 = ClientOptions::max_response_bytes. */
  uint64_t max_line_bytes = 0;
  /** Set from another thread to end the stream within about a second (retry waits end too). */
  const std::atomic<bool>* cancel = nullptr;
};

/** Counters since construction (for the summary and the benchmark). */
struct ClientStats {
  uint64_t requests = 0;      // HTTP requests sent (retries and 401 re-runs included)
  uint64_t retries = 0;
  uint64_t bytes = 0;         // body bytes received, decoded
  uint64_t exec_runs = 0;     // exec plugin invocations
  std::chrono::milliseconds throttled{0};  // time spent waiting for the rate limiter
};

class KubeClient {
 public:
  /** Validates the config (reads CA/cert/key files once to fail early) and prepares the client. */
  static Result<std::unique_ptr<KubeClient>> create(const ResolvedConfig& config, ClientOptions options);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  /**
   * GET `path` ("/api/v1/pods?limit=500", starting with '/'), relative to the server URL (its
   * path prefix, e.g. https://host/k8s/clusters/c-1, is kept). `accept` is sent as Accept.
   */
  Result<HttpResponse> get(std::string_view path, std::string_view accept = "application/json");

  /**
   * A streaming GET (watches): no total timeout, StreamOptions::idle_timeout instead; a 200 body
   * is delivered line by line to `on_line` as it arrives. Auth, TLS, rate limit and the retry
   * rules are get()'s until a response status is known (429/5xx and connection failures before
   * it are retried); once a 200 has started nothing is retried: a cut stream is returned with
   * complete = false and the caller decides (a watch resumes from its last resourceVersion).
   * Errors as get(), and kClusterResponse for a line above the limit.
   */
  Result<StreamResponse> stream(std::string_view path, std::string_view accept, const StreamLineFn& on_line,
                                const StreamOptions& options, const StreamOpenFn& on_open = {});

  /** The server URL as configured. */
  const std::string& server() const;
  ClientStats stats() const;

 private:
  struct Impl;
  explicit KubeClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kspm::cluster
