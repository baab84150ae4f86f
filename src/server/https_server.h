// A small HTTPS/1.1 server for the admission webhook: epoll, non-blocking sockets and non-blocking
// OpenSSL, one event loop per thread, keep-alive. Purpose-built because the webhook must survive
// slow and hostile clients: every connection has a TOTAL deadline for its current phase (TLS
// handshake, receiving one request once its first byte arrived, writing the response, idling
// between requests), not a per-read timeout that a client dribbling a byte a second would reset.
//
// Contract:
//  - Routes: POST /validate (the Handler), GET /healthz (200 while the process serves), GET /readyz
//    (200, or 503 once a stop was requested), GET /metrics (Prometheus text format 0.0.4). A query
//    string is ignored (the API server sends /validate?timeout=10s). Other paths 404; other
//    methods 405 with Allow.
//  - Limits: headers above max_header_bytes → 431 and close; Content-Length above max_body_bytes →
//    413 and close (the body is not read); Transfer-Encoding → 501 and close (the API server sends
//    Content-Length); POST without Content-Length → 411 and close; a malformed request line or
//    header → 400 and close; a request not complete within request_timeout of its first byte →
//    408 and close; a body above 64 KiB while others hold max_large_body_bytes → 503 and close.
//    Idle keep-alive connections close after idle_timeout, handshakes after
//    handshake_timeout, responses not written within write_timeout are dropped. Connections above
//    max_connections are closed at once.
//  - The Handler runs on the loop thread that read the request (it must be fast and thread-safe);
//    it never sees a partial or oversized body.
//  - The certificate and key files are polled (mtime, size, inode) every cert_poll_interval; a
//    changed pair that loads is used for new handshakes (existing connections keep theirs); a pair
//    that does not load is logged and the previous one kept.
//  - Stop: requestStop() (async-signal-unsafe; call it from a normal thread) turns /readyz 503 at
//    once; the server keeps accepting for drain_delay (so load balancers see not-ready first), then
//    stops accepting, closes idle connections, lets requests in progress finish (their responses
//    say Connection: close) for up to shutdown_grace, closes the rest, and wait() returns.
//  - Metrics are per-loop atomics, summed when scraped: no lock on the request path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/status.h"

namespace kspm::server {

struct ServerOptions {
  std::string host = "0.0.0.0";  // "" or "0.0.0.0": every IPv4 address; "::" every address
  uint16_t port = 8443;          // 0: an ephemeral port (see HttpsServer::port())
  std::string cert_file;         // PEM certificate chain (leaf first)
  std::string key_file;          // PEM private key
  unsigned threads = 0;          // event loops; 0: one per core
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 3u << 20;
  size_t max_connections = 4096;
  // Bodies above 64 KiB being received, all connections together; a request that would exceed it
  // gets 503 and close (a client retries). Bodies up to 64 KiB are bounded by max_connections.
  uint64_t max_large_body_bytes = 256u << 20;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds request_timeout{10'000};  // first byte of a request → whole request read
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive, between requests
  std::chrono::milliseconds drain_delay{0};           // after requestStop(): keep accepting, /readyz 503
  std::chrono::milliseconds shutdown_grace{10'000};   // then: requests in progress may finish
  std::chrono::milliseconds cert_poll_interval{2'000};
  // The label values the Handler may return in HandlerResult::decision (index), e.g.
  // {"allowed", "denied", ...}: kspm_webhook_requests_total{decision="..."}. At most 16.
  std::vector<std::string> decision_labels{"allowed"};
};

/** What the handler of POST /validate returns. */
struct HandlerResult {
  int http_status = 200;
  std::string body;
  std::string_view content_type = "application/json";  // must outlive the call (a literal)
  uint32_t decision = 0;  // index into ServerOptions::decision_labels
  std::string log_line;   // written to stderr when not empty (denials, malformed requests)
};
using Handler = std::function<HandlerResult(std::string_view body)>;

/** Summed counters, as /metrics shows them. */
struct MetricsSnapshot {
  std::vector<uint64_t> requests_by_decision;  // parallel to ServerOptions::decision_labels
  uint64_t errors_malformed = 0, errors_too_large = 0, errors_timeout = 0, errors_tls = 0;
  std::vector<uint64_t> decision_buckets;  // cumulative counts, parallel to decisionBucketBounds()
  uint64_t decision_count = 0;
  double decision_sum_seconds = 0;
  int64_t connections = 0;
  uint64_t tls_reloads = 0;
};

/** The upper bounds (seconds) of the decision-time histogram buckets, 10 µs to 1 s (+Inf implied). */
const std::vector<double>& decisionBucketBounds();

class HttpsServer {
 public:
  /** Loads the certificate pair and binds the listening socket; nothing is served until start(). */
  static Result<std::unique_ptr<HttpsServer>> create(ServerOptions options, Handler handler);
  ~HttpsServer();  // requests a stop (no drain delay) and waits
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  uint16_t port() const;  // the bound port
  void start();           // starts the loop threads and the certificate watcher
  void requestStop();     // begins the shutdown described above; idempotent; thread-safe
  void wait();            // returns when every loop has finished
  bool ready() const;     // what /readyz says

  MetricsSnapshot metrics() const;
  std::string metricsText() const;  // the /metrics body

  struct Impl;

 private:
  explicit HttpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kspm::server
