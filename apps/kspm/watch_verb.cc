// kspm watch: continuous posture. A watch cache of the cluster (src/cluster/watch.cc), a scan of
// it every interval with the same engine and policy as `kspm scan`, each scan recorded in the
// history store (queued in memory while the store is down) and routed, and /metrics.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <string>
#include <thread>
#include <vector>

#include "kspm/cpus.h"
#include "kspm/catalog.h"
#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/cluster_flags.h"
#include "kspm/history_verbs.h"
#include "kspm/baseline_flags.h"
#include "kspm/cluster_watch.h"
#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/finding_record.h"
#include "kspm/owners.h"
#include "kspm/policy_flags.h"
#include "kspm/route_verbs.h"
#include "kspm/report.h"
#include "kspm/routing.h"
#include "kspm/store.h"
#include "model/json_text.h"
#include "model/utc_time.h"

namespace kspm::cli {
namespace {

constexpr const char* kWatchHelp =
    "Usage: kspm watch --cluster [cluster flags] [--interval 10m] [--db LOCATION] [--routes FILE]\n"
    "                  [--metrics-addr HOST:PORT] [--target NAME] [--max-scans N] [-o text|json]\n"
    "\n"
    "Scans a live cluster continuously: lists every resource kspm reads once, then follows changes\n"
    "with watches (no re-list per interval), and scans that in-memory copy at start (once every\n"
    "resource is listed) and then every --interval, with the same checks, configuration and\n"
    "exceptions as `kspm scan`. Every scan is recorded in the history store (new, open, resolved and\n"
    "reopened findings) and new and resolved findings are routed. One line (or JSON object) per scan.\n"
    "\n"
    "While a watch is disconnected (API server outage) scans are skipped, never reported as a smaller\n"
    "cluster; the watches reconnect with backoff and resume. While the store cannot be written, scans\n"
    "are kept in memory (--queue-max) and recorded, in order, once it can. SIGTERM or SIGINT stop it\n"
    "cleanly (exit 0). The ClusterRole needs get, list and watch (deploy/kspm-watch.yaml; docs/watch.md).\n"
    "\n"
    "Flags:\n"
    "      --interval D           time between scans: 30s, 10m, 1h (default 10m)\n"
    "      --db LOCATION          history store: a SQLite file or postgresql://... (default: $KSPM_DB,\n"
    "                             else the user's data directory, e.g. ~/.local/share/kspm/history.db)\n"
    "      --no-record            do not record scans (no store)\n"
    "      --routes FILE          where new and resolved findings go (Slack, Jira, GitHub, webhooks)\n"
    "      --metrics-addr H:P     serve GET /metrics (Prometheus text) and /healthz over plain HTTP\n"
    "      --target NAME          the name scans are recorded under (default: the cluster ID, as\n"
    "                             kspm scan --cluster --record; --cluster-id sets the ID)\n"
    "      --owners FILE          owners file: the team of each finding (docs/owners-and-baselines.md)\n"
    "      --max-scans N          stop after N scans (skipped ones count); for tests and CI\n"
    "      --queue-max N          scans kept in memory while the store is down (default 12; the\n"
    "                             oldest is dropped, with an error, beyond it)\n"
    "      --watch-timeout D      timeoutSeconds of each watch request (default 5m)\n"
    "  -o, --output FORMAT        text (default) or json (one object per line)\n"
    "      --framework LIST, --pss-version V, --k8s-version V, --config FILE, --no-config,\n"
    "      --exceptions FILE      as for kspm scan\n"
    "      --threads N            scan worker threads (default: the usable CPUs)\n"
    "  -h, --help                 this help\n"
    "\n"
    "%s"
    "\n"
    "Exit codes: 0 stopped (signal or --max-scans); 2 usage error; 3 the cluster could not be reached\n"
    "at start or refused the credentials.\n";

// ---------------------------------------------------------------------------------------------
// Stop requests: SIGTERM/SIGINT are blocked in every thread and taken by one waiter.

struct StopSignal {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::atomic<bool> flag{false};

  void request() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    flag = true;
    cv.notify_all();
  }
  /** Waits up to `d`; true when a stop was requested. */
  bool waitFor(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, d, [&] { return stop; });
  }
};

// ---------------------------------------------------------------------------------------------
// Metrics.

struct Metrics {
  std::mutex mu;
  uint64_t findings[5] = {0, 0, 0, 0, 0};
  double scan_duration_seconds = 0;
  double last_success = 0;  // unix seconds
  uint64_t scans_ok = 0, scans_skipped = 0, scans_failed = 0;
  uint64_t store_dropped = 0, store_errors = 0;
  size_t queue_length = 0;
  uint64_t new_total = 0, resolved_total = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> route_events;  // route -> (sent, failed) totals
  uint64_t route_runs_failed = 0;
};

std::string metricsText(Metrics& m, const cluster::WatchCache& cache) {
  cluster::WatchStats w = cache.stats();
  const uint64_t objects = cache.objectCount();
  const bool synced = cache.synced();
  std::lock_guard<std::mutex> lock(m.mu);
  std::string out;
  char line[256];
  auto add = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto value = [&](const char* name, uint64_t v) { out += std::string(name) + " " + std::to_string(v) + "\n"; };
  add("kspm_findings", "gauge", "Active findings of the last completed scan, by severity.");
  for (int s = 4; s >= 0; --s) {
    std::snprintf(line, sizeof line, "kspm_findings{severity=\"%s\"} %llu\n",
                  std::string(severityName(static_cast<Severity>(s))).c_str(),
                  static_cast<unsigned long long>(m.findings[s]));
    out += line;
  }
  add("kspm_scan_duration_seconds", "gauge", "Duration of the last completed scan (snapshot of the cache, checks, record).");
  std::snprintf(line, sizeof line, "kspm_scan_duration_seconds %.6f\n", m.scan_duration_seconds);
  out += line;
  add("kspm_last_successful_scan_timestamp_seconds", "gauge", "Unix time of the last completed scan (0: none yet).");
  std::snprintf(line, sizeof line, "kspm_last_successful_scan_timestamp_seconds %.3f\n", m.last_success);
  out += line;
  add("kspm_scans_total", "counter", "Scans by result: ok, skipped (cache not synced) or failed.");
  std::snprintf(line, sizeof line,
                "kspm_scans_total{result=\"ok\"} %llu\nkspm_scans_total{result=\"skipped\"} %llu\n"
                "kspm_scans_total{result=\"failed\"} %llu\n",
                static_cast<unsigned long long>(m.scans_ok), static_cast<unsigned long long>(m.scans_skipped),
                static_cast<unsigned long long>(m.scans_failed));
  out += line;
  add("kspm_watch_restarts_total", "counter", "Watches resumed after a failure or re-listed after 410 Gone.");
  value("kspm_watch_restarts_total", w.restarts);
  add("kspm_watch_events_total", "counter", "Watch events applied to the cache (ADDED, MODIFIED, DELETED).");
  value("kspm_watch_events_total", w.events);
  add("kspm_watch_lists_total", "counter", "Complete lists of a resource (the first ones and re-lists).");
  value("kspm_watch_lists_total", w.lists);
  add("kspm_cache_objects", "gauge", "Objects in the watch cache.");
  value("kspm_cache_objects", objects);
  add("kspm_cache_synced", "gauge", "1 when every resource is listed and its watch connected (or unreadable).");
  out += synced ? "kspm_cache_synced 1\n" : "kspm_cache_synced 0\n";
  add("kspm_store_queue_length", "gauge", "Scans waiting in memory for the store.");
  value("kspm_store_queue_length", m.queue_length);
  add("kspm_store_dropped_total", "counter", "Queued scans dropped because the queue was full.");
  value("kspm_store_dropped_total", m.store_dropped);
  add("kspm_store_errors_total", "counter", "Failed attempts to open the store or record a scan.");
  value("kspm_store_errors_total", m.store_errors);
  add("kspm_lifecycle_events_total", "counter", "Findings recorded as new or resolved.");
  std::snprintf(line, sizeof line,
                "kspm_lifecycle_events_total{event=\"new\"} %llu\nkspm_lifecycle_events_total{event=\"resolved\"} %llu\n",
                static_cast<unsigned long long>(m.new_total), static_cast<unsigned long long>(m.resolved_total));
  out += line;
  if (!m.route_events.empty()) {
    add("kspm_route_events_total", "counter",
        "Lifecycle events per route: sent, or failed in a run (failed ones stay pending and are retried).");
    for (const auto& [route, counts] : m.route_events) {
      std::string name = jsonEscape(route);  // a label value: quotes and backslashes escaped
      out += "kspm_route_events_total{route=\"" + name + "\",result=\"sent\"} " + std::to_string(counts.first) + "\n";
      out += "kspm_route_events_total{route=\"" + name + "\",result=\"failed\"} " + std::to_string(counts.second) + "\n";
    }
  }
  return out;
}

/**
 * A small plain-HTTP listener for /metrics and /healthz: one thread, one connection at a time,
 * 2 s to send a request of at most 8 KiB; anything else is 404 or 400.
 */
class MetricsServer {
 public:
  static Result<std::unique_ptr<MetricsServer>> create(const std::string& address) {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) {
      return InputError{ErrorCode::kUsage, address, 0, "--metrics-addr takes HOST:PORT (e.g. :9090 or 127.0.0.1:9090)"};
    }
    std::string host = address.substr(0, colon);
    std::string port = address.substr(colon + 1);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      return InputError{ErrorCode::kUsage, address, 0, "--metrics-addr: cannot resolve " + address};
    }
    int fd = -1;
    std::string why;
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int yes = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
        why = std::strerror(errno);
        ::close(fd);
        fd = -1;
      }
    }
    freeaddrinfo(found);
    if (fd < 0) return InputError{ErrorCode::kUsage, address, 0, "--metrics-addr: cannot listen on " + address + ": " + why};
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    auto server = std::unique_ptr<MetricsServer>(new MetricsServer());
    server->fd_ = fd;
    server->port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    return server;
  }
  ~MetricsServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }
  void start(std::function<std::string()> metrics) {
    metrics_ = std::move(metrics);
    thread_ = std::thread([this] { loop(); });
  }

 private:
  MetricsServer() = default;
  void loop() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      serve(client);
      ::close(client);
    }
  }
  void serve(int client) {
    timeval timeout{2, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
      if (request.size() > 8192) return respond(client, 431, "text/plain", "request too large\n");
    }
    std::string line = request.substr(0, request.find_first_of("\r\n"));
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos) return respond(client, 400, "text/plain", "bad request\n");
    std::string method = line.substr(0, sp1);
    std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    path = path.substr(0, path.find('?'));
    if (method != "GET" && method != "HEAD") return respond(client, 405, "text/plain", "method not allowed\n");
    if (path == "/metrics") return respond(client, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_(), method == "HEAD");
    if (path == "/healthz") return respond(client, 200, "text/plain", "ok\n", method == "HEAD");
    respond(client, 404, "text/plain", "not found\n");
  }
  static void respond(int client, int status, const char* type, const std::string& body, bool head = false) {
    const char* reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed"
                         : status == 431 ? "Request Header Fields Too Large" : "Bad Request";
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
                      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (!head) out += body;
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::function<std::string()> metrics_;
};

// ---------------------------------------------------------------------------------------------
// Routing: after each tick's records, whatever is pending in the store's outbox is delivered
// (routing::dispatchPending); failures stay pending and are retried at the next tick.

std::string routePending(store::Store& store, const routing::RoutesConfig& routes, Metrics& metrics) {
  routing::DispatchOptions options;
  auto report = routing::dispatchPending(store, routes, options);
  if (!report.ok()) {
    std::lock_guard<std::mutex> lock(metrics.mu);
    ++metrics.route_runs_failed;
    return "store error: " + report.error().message;
  }
  std::lock_guard<std::mutex> lock(metrics.mu);
  for (const routing::RouteReport& r : report.value().routes) {
    auto& counts = metrics.route_events[r.route];
    counts.first += r.sent;
    counts.second += r.failed;
  }
  return "sent " + std::to_string(report.value().sent()) + ", failed " + std::to_string(report.value().failed());
}

// ---------------------------------------------------------------------------------------------

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return utcRfc3339(std::chrono::system_clock::to_time_t(t));
}

/** What one scan tick produced, for its line. */
struct ScanLine {
  std::string time;
  std::string result;  // "ok", "skipped", "failed"
  std::string reason;  // skipped/failed: why
  uint64_t objects = 0;
  uint64_t by_severity[5] = {0, 0, 0, 0, 0};
  uint64_t suppressed = 0;
  uint64_t not_assessed = 0;
  double duration = 0;
  // Store.
  std::string store;   // "recorded", "queued", "off"
  int64_t scan_id = 0;
  int64_t new_findings = -1, resolved = -1, reopened = -1;  // -1: unknown (not recorded yet)
  size_t queued = 0;
  size_t flushed = 0;  // earlier queued scans recorded now
  std::string store_error;
  std::string routed;
};

void printLine(const ScanLine& l, bool json) {
  if (json) {
    std::string out = "{\"time\":\"" + l.time + "\",\"result\":\"" + l.result + "\"";
    if (!l.reason.empty()) out += ",\"reason\":\"" + jsonEscape(l.reason) + "\"";
    out += ",\"objects\":" + std::to_string(l.objects);
    if (l.result == "ok") {
      out += ",\"findings\":{";
      for (int s = 4; s >= 0; --s) {
        out += "\"" + std::string(severityName(static_cast<Severity>(s))) + "\":" + std::to_string(l.by_severity[s]);
        if (s > 0) out += ",";
      }
      out += "},\"suppressed\":" + std::to_string(l.suppressed) + ",\"notAssessed\":" + std::to_string(l.not_assessed);
      char d[32];
      std::snprintf(d, sizeof d, "%.3f", l.duration);
      out += ",\"durationSeconds\":" + std::string(d);
      out += ",\"store\":\"" + l.store + "\"";
      if (l.scan_id > 0) out += ",\"scanId\":" + std::to_string(l.scan_id);
      if (l.new_findings >= 0) {
        out += ",\"new\":" + std::to_string(l.new_findings) + ",\"resolved\":" + std::to_string(l.resolved) +
               ",\"reopened\":" + std::to_string(l.reopened);
      }
    }
    out += ",\"queued\":" + std::to_string(l.queued);
    if (l.flushed > 0) out += ",\"flushed\":" + std::to_string(l.flushed);
    if (!l.store_error.empty()) out += ",\"storeError\":\"" + jsonEscape(l.store_error) + "\"";
    if (!l.routed.empty()) out += ",\"routed\":\"" + jsonEscape(l.routed) + "\"";
    out += "}\n";
    std::fputs(out.c_str(), stdout);
  } else if (l.result != "ok") {
    std::printf("%s scan %s: %s (queued %zu)\n", l.time.c_str(), l.result.c_str(), l.reason.c_str(), l.queued);
  } else {
    std::string counts;
    for (int s = 4; s >= 0; --s) {
      counts += (s < 4 ? " " : "") + std::string(severityName(static_cast<Severity>(s))) + "=" +
                std::to_string(l.by_severity[s]);
    }
    std::string lifecycle = l.new_findings >= 0 ? "new " + std::to_string(l.new_findings) + " resolved " +
                                                      std::to_string(l.resolved) + " reopened " + std::to_string(l.reopened)
                                                : std::string("new - resolved -");
    std::string store = l.store == "recorded" ? "recorded #" + std::to_string(l.scan_id)
                        : l.store == "queued"  ? "queued (" + std::to_string(l.queued) + " waiting: " + l.store_error + ")"
                                               : std::string("not recorded");
    if (l.flushed > 0) store += ", " + std::to_string(l.flushed) + " queued scan(s) recorded";
    std::printf("%s scan ok: %llu objects, findings %s, suppressed %llu; %s; %s; %.2fs%s%s\n", l.time.c_str(),
                static_cast<unsigned long long>(l.objects), counts.c_str(), static_cast<unsigned long long>(l.suppressed),
                lifecycle.c_str(), store.c_str(), l.duration, l.routed.empty() ? "" : "; routes: ", l.routed.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int runWatch(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error;
  ClusterFlags cluster_flags;
  std::vector<std::string> namespace_values;
  std::chrono::milliseconds interval = std::chrono::minutes(10);
  std::chrono::milliseconds watch_timeout = std::chrono::minutes(5);
  std::string db, routes_file, metrics_addr, target_name;
  bool record = true;
  uint64_t max_scans = 0, queue_max = 12;
  bool json = false;
  PolicyFlags policy_flags;
  std::string owners_file;
  unsigned threads = 0;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::printf(kWatchHelp, kClusterFlagsHelp);
      return kExitOk;
    }
    if (parseClusterFlag(args, &cluster_flags, &error)) {
      // handled
    } else if (parsePolicyFlag(args, &policy_flags, &error)) {
      // handled (policy_flags.cc)
    } else if (args.flag({"-n", "--namespace"}, &value, &error)) {
      namespace_values.push_back(value);
    } else if (args.flag({"--interval"}, &value, &error)) {
      if (error.empty() && (!parseDuration(value, &interval) || interval.count() < 1000)) {
        error = "--interval takes a duration of at least 1s, such as 30s, 10m or 1h";
      }
    } else if (args.flag({"--watch-timeout"}, &value, &error)) {
      if (error.empty() && (!parseDuration(value, &watch_timeout) || watch_timeout.count() < 1000)) {
        error = "--watch-timeout takes a duration of at least 1s";
      }
    } else if (args.flag({"--db"}, &value, &error)) {
      db = value;
    } else if (args.boolFlag({"--no-record"})) {
      record = false;
    } else if (args.flag({"--routes"}, &value, &error)) {
      routes_file = value;
    } else if (args.flag({"--metrics-addr"}, &value, &error)) {
      metrics_addr = value;
    } else if (args.flag({"--owners"}, &value, &error)) {
      owners_file = value;
    } else if (args.flag({"--target"}, &value, &error)) {
      target_name = value;
    } else if (args.flag({"--max-scans"}, &value, &error)) {
      if (error.empty() && !parseCount(value, UINT64_MAX, &max_scans)) error = "--max-scans takes a positive number";
    } else if (args.flag({"--queue-max"}, &value, &error)) {
      if (error.empty() && !parseCount(value, 100000, &queue_max)) {
        error = "--queue-max takes a number from 1 to 100000";
      }
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      if (value != "text" && value != "json") error = "-o takes text or json";
      json = value == "json";
    } else if (args.flag({"--threads"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseCount(value, 256, &n)) error = "--threads takes a number from 1 to 256";
      threads = static_cast<unsigned>(n);
    } else {
      return usageError("watch", "unexpected argument " + args.peek());
    }
    if (!error.empty()) return usageError("watch", error);
  }
  for (const std::string& v : namespace_values) addNamespaces(v, &cluster_flags);
  if (!cluster_flags.cluster) return usageError("watch", "kspm watch needs --cluster");
  if (std::string bad = validateClusterFlags(cluster_flags); !bad.empty()) return usageError("watch", bad);
  if (cluster_flags.contexts.size() > 1) return usageError("watch", "one cluster per kspm watch: use --context, not --contexts");
  if (cluster_flags.kubelet_configz) return usageError("watch", "--kubelet-configz is not supported by kspm watch");
  if (!record && !db.empty()) return usageError("watch", "--db and --no-record exclude each other");

  ScanPolicy policy;
  Config config;
  if (!buildPolicy("watch", policy_flags, &policy, &config)) {
    return usageError("watch", "the configuration has errors; nothing was scanned");
  }

  OwnersBaselineFlags owners_flags;
  owners_flags.owners_file = owners_file;
  OwnersBaselineRun owners_run;
  if (!loadOwnersBaseline(owners_flags, config, true, Severity::kHigh, "", "", "", &owners_run)) {
    return usageError("watch", "the owners configuration has errors");
  }

  routing::RoutesConfig routes;
  if (!routes_file.empty()) {
    if (!record) return usageError("watch", "--routes needs the store: it delivers the store's lifecycle events");
    if (!loadRoutesForVerb("watch", routes_file, &routes)) return usageError("watch", "the routes file has errors");
  }

  std::unique_ptr<MetricsServer> metrics_server;
  if (!metrics_addr.empty()) {
    auto created = MetricsServer::create(metrics_addr);
    if (!created.ok()) return usageError("watch", created.error().message);
    metrics_server = std::move(created).value();
  }

  // Signals: blocked here, before any thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  StopSignal stop;
  std::thread signal_waiter([&stop, stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    stop.request();
  });
  auto finish = [&](int code) {
    stop.request();
    pthread_kill(signal_waiter.native_handle(), SIGTERM);  // wakes sigwait if no signal came
    signal_waiter.join();
    return code;
  };

  cluster::ClientOptions client_options = clientOptions(cluster_flags);
  client_options.max_retries = 2;  // the watch loop retries on its own, with backoff, for as long as it takes
  client_options.backoff_max = std::chrono::milliseconds(5000);
  ResolvedConfig resolved;
  const std::string context = cluster_flags.contexts.empty() ? cluster_flags.context : cluster_flags.contexts.front();
  auto client = connectToCluster(credentialsFor(cluster_flags, context), client_options, &resolved);
  if (!client.ok()) {
    std::fprintf(stderr, "kspm watch: %s\n", describeInputError(client.error()).c_str());
    return finish(kExitInputErrors);
  }
  cluster::KubeClient& api = *client.value();

  cluster::WatchOptions watch_options;
  watch_options.read.context = resolved.context_name;
  watch_options.read.server = resolved.cluster.server;
  watch_options.read.namespaces = cluster_flags.namespaces;
  watch_options.read.include_secrets = cluster_flags.include_secrets;
  watch_options.read.page_limit = cluster_flags.page_size;
  for (const checks::WorkloadKind& w : policy.workload_kinds) watch_options.read.workload_kinds.push_back({w.group, w.kind});
  watch_options.watch_timeout = std::chrono::duration_cast<std::chrono::seconds>(watch_timeout);
  const LoadLimits limits = watch_options.read.limits;
  cluster::StreamOptions stream_options;
  stream_options.idle_timeout = watch_timeout + std::chrono::seconds(60);
  stream_options.max_line_bytes = limits.max_document_bytes + 4096;
  cluster::WatchCache cache(
      [&api](std::string_view path, std::string_view accept) { return api.get(path, accept); },
      [&api, stream_options](std::string_view path, const cluster::StreamLineFn& on_line,
                             const cluster::StreamOpenFn& on_open, const std::atomic<bool>* cancel) {
        cluster::StreamOptions options = stream_options;
        options.cancel = cancel;
        return api.stream(path, "application/json", on_line, options, on_open);
      },
      watch_options);
  auto started = cache.start();
  if (!started.ok()) {
    std::fprintf(stderr, "kspm watch: %s\n", describeInputError(started.error()).c_str());
    return finish(kExitInputErrors);
  }

  Metrics metrics;
  if (metrics_server) {
    metrics_server->start([&] { return metricsText(metrics, cache); });
    std::fprintf(stderr, "kspm watch: metrics on http://%s/metrics (port %d)\n", metrics_addr.c_str(), metrics_server->port());
  }
  // As kspm scan --cluster --record: the cluster ID in fingerprints, the target the lifecycle follows.
  const std::string cluster_id = clusterId(cluster_flags, resolved);
  const std::string record_target = !target_name.empty() ? target_name : cluster_id;
  std::fprintf(stderr, "kspm watch: watching %s (%s); scans every %llds\n", record_target.c_str(),
               resolved.cluster.server.c_str(), static_cast<long long>(interval.count() / 1000));

  std::unique_ptr<store::Store> store;
  const std::string store_location = !record ? std::string() : storeLocation(db);
  std::deque<ScanRecord> pending;

  // The first scan waits for the first lists.
  const auto sync_start = std::chrono::steady_clock::now();
  while (!stop.flag && !cache.waitSynced(std::chrono::milliseconds(200))) {
  }
  if (!stop.flag) {
    std::fprintf(stderr, "kspm watch: cache synced: %llu objects in %.2f s\n",
                 static_cast<unsigned long long>(cache.objectCount()),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count());
  }

  uint64_t scans = 0;
  auto next_scan = std::chrono::steady_clock::now();
  while (!stop.flag) {
    if (std::chrono::steady_clock::now() < next_scan) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_scan - std::chrono::steady_clock::now());
      if (stop.waitFor(left)) break;
      continue;
    }
    next_scan = std::chrono::steady_clock::now() + interval;
    ++scans;
    const auto started_at = std::chrono::system_clock::now();
    const auto t0 = std::chrono::steady_clock::now();
    ScanLine line;
    line.time = rfc3339(started_at);
    policy.today = todayUtc();
    std::optional<ScanRecord> record_now;
    {  // The object set lives only as long as the checks run: it is gone before the record.
      cluster::CacheSnapshot snap;
      if (cache.synced()) {
        snap = cache.snapshot(threads == 0 ? usableCpuCount() : threads);
      } else {  // no object set is built for a scan that will be skipped
        snap.unsynced = cache.unsyncedResources();
        snap.object_count = cache.objectCount();
        if (snap.unsynced.empty()) snap.unsynced.push_back("(resynced meanwhile)");
      }
      line.objects = snap.object_count;
      if (!snap.synced) {
        line.result = "skipped";
        std::string names;
        for (size_t i = 0; i < snap.unsynced.size() && i < 5; ++i) names += (i ? ", " : "") + snap.unsynced[i];
        if (snap.unsynced.size() > 5) names += ", ...";
        line.reason = "cache not synced (" + std::to_string(snap.unsynced.size()) + " resource(s) reconnecting: " + names + ")";
        std::lock_guard<std::mutex> lock(metrics.mu);
        ++metrics.scans_skipped;
      } else {
        ScanPolicy scan_policy = policy;
        scan_policy.unreadable = snap.unreadable;
        scan_policy.unreadable.insert(scan_policy.unreadable.end(), snap.not_listed.begin(), snap.not_listed.end());
        Engine engine(Catalog::builtin(), scan_policy);
        ScanRecord rec;
        rec.target = record_target;
        rec.cluster = cluster_id;
        rec.started_at = line.time;
        rec.tool_version = KSPM_VERSION;
        rec.objects = snap.object_count;
        OwnerResolver owners(owners_run.owners, snap.objects, scan_policy.workload_kinds);
        engine.run(
            snap.objects, threads, [](std::span<const ObjectFindings>) { return std::string(); },
            [&](std::span<const ObjectFindings> batch, std::string&&) {
              appendFindingRecords(batch, snap.objects, cluster_id,
                                   [&owners](const Object& o) { return owners.ownerOf(o); }, &rec.findings);
            });
        // As ScanRecorder: checks not fully assessed or not run, and files with errors, resolve nothing.
        std::unordered_set<std::string_view> selected;
        for (const Check* c : engine.checks()) selected.insert(c->info().id);
        for (const Engine::CheckCoverage& c : engine.coverage()) {
          if (c.check == nullptr) continue;
          selected.insert(c.check->info().id);
          rec.not_assessed_checks.emplace_back(c.check->info().id);
        }
        for (const Check* c : Catalog::builtin().all()) {
          if (selected.count(c->info().id) == 0) rec.checks_not_run.emplace_back(c->info().id);
        }
        std::unordered_set<std::string> files;
        for (const InputError& e : snap.objects.errors()) {
          if (!e.file.empty() && files.insert(e.file).second) rec.error_files.push_back(e.file);
          ++rec.input_errors;
        }
        rec.finished_at = rfc3339(std::chrono::system_clock::now());
        for (const FindingRecord& f : rec.findings) {
          if (f.state == FindingState::kActive) {
            ++line.by_severity[static_cast<int>(f.severity)];
          } else {
            ++line.suppressed;
          }
        }
        line.not_assessed = rec.not_assessed_checks.size();
        line.result = "ok";
        record_now = std::move(rec);
      }
    }
    // Record: this scan after every queued one, in order.
    if (!record) {
      line.store = "off";
    } else {
      if (record_now) pending.push_back(std::move(*record_now));
      if (!store && (!pending.empty() || !routes.routes.empty())) {
        auto opened = store::Store::open(store_location);
        if (opened.ok()) {
          store = std::move(opened).value();
          if (!routes.routes.empty()) {
            // Before any record: the routes see the events of every scan recorded from now on.
            auto registered = routing::registerRoutes(*store, routes);
            if (!registered.ok()) {
              line.store_error = registered.error().message;
              store.reset();
            }
          }
        } else {
          line.store_error = opened.error().message;
          std::lock_guard<std::mutex> lock(metrics.mu);
          ++metrics.store_errors;
        }
      }
      while (store && !pending.empty()) {
        const bool is_current = line.result == "ok" && pending.size() == 1;
        auto outcome = store->recordScan(pending.front());
        if (!outcome.ok()) {
          line.store_error = outcome.error().message;
          store.reset();  // reopened next time
          std::lock_guard<std::mutex> lock(metrics.mu);
          ++metrics.store_errors;
          break;
        }
        pending.pop_front();
        const store::RecordOutcome& o = outcome.value();
        {
          std::lock_guard<std::mutex> lock(metrics.mu);
          metrics.new_total += o.new_findings.size() + o.reopened.size();
          metrics.resolved_total += o.resolved.size();
        }
        if (is_current) {
          line.scan_id = o.scan.id;
          line.new_findings = static_cast<int64_t>(o.new_findings.size());
          line.resolved = static_cast<int64_t>(o.resolved.size());
          line.reopened = static_cast<int64_t>(o.reopened.size());
        } else {
          ++line.flushed;
        }
      }
      if (store && !routes.routes.empty()) line.routed = routePending(*store, routes, metrics);
      // What the store could not take stays queued, up to --queue-max scans: the oldest go first.
      while (pending.size() > queue_max) {
        std::fprintf(stderr, "kspm watch: error: the store queue is full (%llu scans): dropped the scan of %s\n",
                     static_cast<unsigned long long>(queue_max), pending.front().started_at.c_str());
        pending.pop_front();
        std::lock_guard<std::mutex> lock(metrics.mu);
        ++metrics.store_dropped;
      }
      line.store = line.scan_id > 0 ? "recorded" : pending.empty() ? "off" : "queued";
      if (line.result != "ok" && line.store == "off") line.store = "";
    }
    line.queued = pending.size();
    line.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (line.result == "ok") {
      std::lock_guard<std::mutex> lock(metrics.mu);
      ++metrics.scans_ok;
      for (int s = 0; s < 5; ++s) metrics.findings[s] = line.by_severity[s];
      metrics.scan_duration_seconds = line.duration;
      metrics.last_success = std::chrono::duration<double>(started_at.time_since_epoch()).count();
    }
    {
      std::lock_guard<std::mutex> lock(metrics.mu);
      metrics.queue_length = pending.size();
    }
    printLine(line, json);
    if (max_scans != 0 && scans >= max_scans) break;
  }
  if (!pending.empty()) {
    std::fprintf(stderr, "kspm watch: %zu scan(s) could not be recorded (the store is unavailable)\n", pending.size());
  }
  cache.stop();
  metrics_server.reset();
  return finish(kExitOk);
}

}  // namespace kspm::cli
