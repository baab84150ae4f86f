// kspm webhook: the admission webhook. The same checks, config and exceptions as `kspm scan`,
// decided by admission::Controller (include/kspm/admission.h) and served over HTTPS by
// server::HttpsServer (src/server/https_server.h). docs/admission.md.
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kspm/admission.h"
#include "kspm/catalog.h"
#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/config.h"
#include "kspm/kube_client.h"
#include "kspm/kubeconfig.h"
#include "server/https_server.h"


namespace kspm::cli {
namespace {

constexpr const char* kWebhookHelp =
    "Usage: kspm webhook --tls-cert FILE --tls-key FILE [flags]\n"
    "\n"
    "Serves the ValidatingAdmissionWebhook (admission.k8s.io/v1 AdmissionReview) over HTTPS: the same\n"
    "checks, config file and exceptions files as 'kspm scan', applied per namespace by the config's\n"
    "admission: section (enforce, warn or audit; Pod Security level and version; exemptions).\n"
    "Annotations on the object itself are not honoured as suppressions. docs/admission.md.\n"
    "\n"
    "Endpoints: POST /validate (AdmissionReview), GET /healthz, GET /readyz (503 once stopping),\n"
    "GET /metrics (Prometheus text format).\n"
    "\n"
    "Flags:\n"
    "      --tls-cert FILE        serving certificate chain, PEM (required; reloaded when it changes)\n"
    "      --tls-key FILE         its private key, PEM (required; reloaded when it changes)\n"
    "      --config FILE          config file (default: .kspm.yaml in the current directory or a parent)\n"
    "      --no-config            do not read a config file\n"
    "      --exceptions FILE      exceptions file (repeatable), as for kspm scan\n"
    "      --listen [HOST]:PORT   address to serve on (default :8443, every address)\n"
    "      --threads N            event loops (default: one per usable CPU)\n"
    "      --max-body-bytes N     largest request body (default 3145728); larger: 413\n"
    "      --read-timeout D       total time to receive one request once its first byte arrived\n"
    "                             (default 10s); slower: 408 and close\n"
    "      --write-timeout D      time to write one response (default 10s)\n"
    "      --idle-timeout D       keep-alive connections idle longer are closed (default 60s)\n"
    "      --max-connections N    open connections at most (default 4096)\n"
    "      --shutdown-delay D     on SIGTERM: keep serving with /readyz 503 this long first (default 0s)\n"
    "      --shutdown-grace D     then: how long requests in progress may take to finish (default 10s)\n"
    "      --namespace-labels MODE  where namespace labels come from, for label selectors in the\n"
    "                             admission: section: cluster (read from the API; the default in a\n"
    "                             pod) or none (the default elsewhere: label selectors never match)\n"
    "      --namespace-refresh D  how often the namespace list is re-read (default 30s)\n"
    "      --kubeconfig FILE      kubeconfig for --namespace-labels cluster (default: kubectl's rules)\n"
    "      --context NAME         its context\n"
    "      --in-cluster           use the pod's service account (the default in a pod without kubeconfig)\n"
    "  -h, --help                 this help\n"
    "\n"
    "Durations: 500ms, 10s, 2m, 1h, or plain seconds.\n"
    "\n"
    "Signals: SIGTERM or SIGINT stops gracefully: /readyz turns 503 at once, new connections are\n"
    "accepted for --shutdown-delay, then refused; idle connections are closed, requests in progress\n"
    "finish within --shutdown-grace; exit 0.\n"
    "\n"
    "Logs (standard error): one line per denied or malformed request (uid, operation, kind,\n"
    "namespace/name, user, checks); nothing for allowed ones; never object contents.\n"
    "\n"
    "Exit codes: 0 stopped by a signal; 2 usage or configuration error; 3 could not start (certificate,\n"
    "key, listening address, cluster for namespace labels).\n";


/** ":8443", "0.0.0.0:8443", "[::]:8443", "127.0.0.1:0". */
bool parseListen(const std::string& text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  uint64_t value = 0;
  if (!parseNumber(text.substr(colon + 1), 0, 65535, &value)) return false;
  *host = text.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  if (host->empty()) *host = "0.0.0.0";
  *port = static_cast<uint16_t>(value);
  return true;
}

// --- Namespace labels from the cluster ---------------------------------------------------------------

using LabelMap = std::map<std::string, std::string>;
using NamespaceTable = std::map<std::string, LabelMap, std::less<>>;

/**
 * Namespace labels read through the API: the whole list at start and every `refresh`, and one GET
 * on a name not in the list (a namespace created since), cached; a name the API does not know is
 * remembered as unknown for a short while. Lookups read an immutable snapshot (no lock); a miss
 * takes a mutex and makes a request with a short timeout, on the calling loop thread: rare (new
 * namespaces only), and bounded.
 */
class ClusterNamespaceLabels : public admission::NamespaceLabels {
 public:
  ClusterNamespaceLabels(std::unique_ptr<cluster::KubeClient> client, std::chrono::milliseconds refresh)
      : client_(std::move(client)), refresh_(refresh) {
    table_.store(std::make_shared<const NamespaceTable>());
  }
  ~ClusterNamespaceLabels() override { stop(); }

  /** Lists once (an error is returned, not fatal), then starts the refresher. */
  std::string start() {
    std::string error = listAll();
    refresher_ = std::thread([this] {
      std::unique_lock lock(stop_mutex_);
      while (!stop_cv_.wait_for(lock, refresh_, [this] { return stopping_; })) {
        lock.unlock();
        const std::string failed = listAll();
        if (!failed.empty()) std::fprintf(stderr, "kspm webhook: namespace list not refreshed: %s\n", failed.c_str());
        lock.lock();
      }
    });
    return error;
  }

  void stop() {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (refresher_.joinable()) refresher_.join();
  }

  size_t size() const { return table_.load()->size(); }

  std::optional<LabelMap> labels(std::string_view name) const override {
    std::shared_ptr<const NamespaceTable> table = table_.load();
    if (auto it = table->find(name); it != table->end()) return it->second;
    return fetchOne(name);
  }

 private:
  static bool readLabels(const rapidjson::Value& object, std::string* name, LabelMap* labels) {
    if (!object.IsObject()) return false;
    auto metadata = object.FindMember("metadata");
    if (metadata == object.MemberEnd() || !metadata->value.IsObject()) return false;
    auto n = metadata->value.FindMember("name");
    if (n == metadata->value.MemberEnd() || !n->value.IsString()) return false;
    name->assign(n->value.GetString(), n->value.GetStringLength());
    auto l = metadata->value.FindMember("labels");
    if (l != metadata->value.MemberEnd() && l->value.IsObject()) {
      for (auto& m : l->value.GetObject()) {
        if (m.value.IsString()) (*labels)[m.name.GetString()] = m.value.GetString();
      }
    }
    return true;
  }

  std::string listAll() {
    auto table = std::make_shared<NamespaceTable>();
    std::string continue_token;
    for (int page = 0; page < 1000; ++page) {
      std::string path = "/api/v1/namespaces?limit=500";
      if (!continue_token.empty()) path += "&continue=" + percentEncode(continue_token);
      auto response = client_->get(path);
      if (!response.ok()) return describeInputError(response.error());
      if (response.value().status != 200) return "GET /api/v1/namespaces: HTTP " + std::to_string(response.value().status);
      rapidjson::Document doc;
      doc.Parse(response.value().body.c_str(), response.value().body.size());
      if (doc.HasParseError() || !doc.IsObject()) return "GET /api/v1/namespaces: not a JSON object";
      auto items = doc.FindMember("items");
      if (items != doc.MemberEnd() && items->value.IsArray()) {
        for (auto& item : items->value.GetArray()) {
          std::string name;
          LabelMap labels;
          if (readLabels(item, &name, &labels)) (*table)[name] = std::move(labels);
        }
      }
      continue_token.clear();
      auto metadata = doc.FindMember("metadata");
      if (metadata != doc.MemberEnd() && metadata->value.IsObject()) {
        auto c = metadata->value.FindMember("continue");
        if (c != metadata->value.MemberEnd() && c->value.IsString()) continue_token = c->value.GetString();
      }
      if (continue_token.empty()) break;
    }
    table_.store(std::shared_ptr<const NamespaceTable>(std::move(table)));
    std::lock_guard lock(miss_mutex_);
    unknown_until_.clear();
    return "";
  }

  std::optional<LabelMap> fetchOne(std::string_view name) const {
    std::lock_guard lock(miss_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (auto it = unknown_until_.find(std::string(name)); it != unknown_until_.end() && now < it->second) {
      return std::nullopt;
    }
    // Fetched by another thread while this one waited for the mutex?
    std::shared_ptr<const NamespaceTable> table = table_.load();
    if (auto it = table->find(name); it != table->end()) return it->second;
    if (name.empty() || name.find_first_of("/?#%&") != std::string_view::npos) return std::nullopt;
    auto response = client_->get("/api/v1/namespaces/" + std::string(name));
    std::string got_name;
    LabelMap labels;
    bool found = false;
    if (response.ok() && response.value().status == 200) {
      rapidjson::Document doc;
      doc.Parse(response.value().body.c_str(), response.value().body.size());
      found = !doc.HasParseError() && readLabels(doc, &got_name, &labels) && got_name == name;
    }
    if (!found) {
      unknown_until_[std::string(name)] = now + std::chrono::seconds(5);
      return std::nullopt;
    }
    auto copy = std::make_shared<NamespaceTable>(*table);
    (*copy)[got_name] = labels;
    table_.store(std::shared_ptr<const NamespaceTable>(std::move(copy)));
    return labels;
  }

  static std::string percentEncode(std::string_view text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += char(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }

  std::unique_ptr<cluster::KubeClient> client_;
  std::chrono::milliseconds refresh_;
  mutable std::atomic<std::shared_ptr<const NamespaceTable>> table_;
  mutable std::mutex miss_mutex_;
  mutable std::map<std::string, std::chrono::steady_clock::time_point> unknown_until_;
  std::thread refresher_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

/** The API client for namespace labels: short timeouts, because a miss is looked up on a loop thread. */
Result<std::unique_ptr<cluster::KubeClient>> connect(const ClusterCredentials& credentials) {
  cluster::ClientOptions options;
  options.request_timeout = std::chrono::milliseconds(5'000);
  options.connect_timeout = std::chrono::milliseconds(2'000);
  options.max_retries = 1;
  options.max_response_bytes = 256ull << 20;
  options.user_agent = std::string("kspm-webhook/") + KSPM_VERSION;
  return connectToCluster(credentials, options);
}

// --- Exceptions expire: a new Controller each UTC day -------------------------------------------------

/**
 * The Controller in use, rebuilt when the UTC date changes (policy exceptions have expiry dates and
 * the webhook runs for weeks). Requests read a plain atomic pointer; a replaced Controller is kept
 * until the next replacement a day later, long after any request that used it finished.
 */
class DailyController {
 public:
  using Factory = std::function<std::unique_ptr<admission::Controller>(const std::string& today)>;
  explicit DailyController(Factory factory) : factory_(std::move(factory)), today_(todayUtc()) {
    current_ptr_ = factory_(today_);
    current_.store(current_ptr_.get(), std::memory_order_release);
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, std::chrono::seconds(30), [this] { return stopping_; })) {
        const std::string today = todayUtc();
        if (today == today_) continue;
        today_ = today;
        previous_ = std::move(current_ptr_);  // the one before it is freed here
        current_ptr_ = factory_(today);
        current_.store(current_ptr_.get(), std::memory_order_release);
      }
    });
  }
  ~DailyController() { stop(); }

  const admission::Controller& current() const { return *current_.load(std::memory_order_acquire); }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Factory factory_;
  std::string today_;
  std::unique_ptr<admission::Controller> current_ptr_, previous_;
  std::atomic<const admission::Controller*> current_{nullptr};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// --- Log lines ----------------------------------------------------------------------------------------

/** The check IDs of a response (its auditAnnotations "findings"), or "". */
std::string checksOf(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto response = doc.FindMember("response");
  if (response == doc.MemberEnd() || !response->value.IsObject()) return "";
  auto annotations = response->value.FindMember("auditAnnotations");
  if (annotations == response->value.MemberEnd() || !annotations->value.IsObject()) return "";
  auto findings = annotations->value.FindMember("findings");
  if (findings == annotations->value.MemberEnd() || !findings->value.IsString()) return "";
  return findings->value.GetString();
}

std::string printable(std::string_view text, size_t max = 256) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > max) out += "...";
  return out.empty() ? "-" : out;
}

std::string logLineFor(const admission::Outcome& outcome) {
  using Decision = admission::Outcome::Decision;
  if (outcome.decision == Decision::kMalformed) {
    return "kspm webhook: malformed review: " + printable(outcome.body.substr(0, outcome.body.find('\n')));
  }
  if (outcome.decision != Decision::kDenied || outcome.dry_run) return "";  // dry runs are not recorded
  return "kspm webhook: denied uid=" + printable(outcome.uid) + " " + printable(outcome.operation) + " " +
         printable(outcome.kind) + " " + printable(outcome.ns.empty() ? "-" : outcome.ns) + "/" +
         printable(outcome.name) + " user=" + printable(outcome.username) + " checks=" + printable(checksOf(outcome.body), 1100);
}

}  // namespace

int runWebhook(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error, config_path, tls_cert, tls_key;
  std::vector<std::string> exception_files;
  bool use_config = true;
  server::ServerOptions options;
  options.host = "0.0.0.0";
  options.port = 8443;
  std::string labels_mode = env("KUBERNETES_SERVICE_HOST").empty() ? "none" : "cluster";
  std::chrono::milliseconds namespace_refresh{30'000};
  ClusterCredentials cluster_flags;

  auto durationFlag = [&](const char* name, std::chrono::milliseconds* out) {
    if (error.empty() && !parseDuration(value, out)) error = std::string(name) + ": invalid duration \"" + value + "\"";
  };
  while (!args.done()) {
    uint64_t count = 0;
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kWebhookHelp, stdout);
      return kExitOk;
    } else if (args.flag({"--tls-cert"}, &value, &error)) {
      tls_cert = value;
    } else if (args.flag({"--tls-key"}, &value, &error)) {
      tls_key = value;
    } else if (args.flag({"--config"}, &value, &error)) {
      config_path = value;
    } else if (args.boolFlag({"--no-config"})) {
      use_config = false;
    } else if (args.flag({"--exceptions"}, &value, &error)) {
      exception_files.push_back(value);
    } else if (args.flag({"--listen"}, &value, &error)) {
      if (error.empty() && !parseListen(value, &options.host, &options.port)) {
        error = "--listen: expected [HOST]:PORT, got \"" + value + "\"";
      }
    } else if (args.flag({"--threads"}, &value, &error)) {
      if (error.empty() && !parseNumber(value, 1, 256, &count)) error = "--threads: expected 1 to 256";
      options.threads = unsigned(count);
    } else if (args.flag({"--max-body-bytes"}, &value, &error)) {
      if (error.empty() && !parseNumber(value, 1024, 64ull << 20, &count)) error = "--max-body-bytes: expected 1024 to 67108864";
      options.max_body_bytes = count;
    } else if (args.flag({"--max-connections"}, &value, &error)) {
      if (error.empty() && !parseNumber(value, 1, 1'000'000, &count)) error = "--max-connections: expected 1 to 1000000";
      options.max_connections = count;
    } else if (args.flag({"--read-timeout"}, &value, &error)) {
      durationFlag("--read-timeout", &options.request_timeout);
    } else if (args.flag({"--write-timeout"}, &value, &error)) {
      durationFlag("--write-timeout", &options.write_timeout);
    } else if (args.flag({"--idle-timeout"}, &value, &error)) {
      durationFlag("--idle-timeout", &options.idle_timeout);
    } else if (args.flag({"--shutdown-delay"}, &value, &error)) {
      durationFlag("--shutdown-delay", &options.drain_delay);
    } else if (args.flag({"--shutdown-grace"}, &value, &error)) {
      durationFlag("--shutdown-grace", &options.shutdown_grace);
    } else if (args.flag({"--namespace-labels"}, &value, &error)) {
      if (error.empty() && value != "cluster" && value != "none") error = "--namespace-labels: cluster or none";
      labels_mode = value;
    } else if (args.flag({"--namespace-refresh"}, &value, &error)) {
      durationFlag("--namespace-refresh", &namespace_refresh);
    } else if (args.flag({"--kubeconfig"}, &value, &error)) {
      cluster_flags.kubeconfig = value;
    } else if (args.flag({"--context"}, &value, &error)) {
      cluster_flags.context = value;
    } else if (args.boolFlag({"--in-cluster"})) {
      cluster_flags.in_cluster = true;
    } else {
      return usageError("webhook", "unexpected argument " + args.next());
    }
    if (!error.empty()) return usageError("webhook", error);
  }
  if (tls_cert.empty() || tls_key.empty()) return usageError("webhook", "--tls-cert and --tls-key are required");
  for (auto d : {options.request_timeout, options.write_timeout, options.idle_timeout}) {
    if (d.count() == 0) return usageError("webhook", "timeouts must be above 0");
  }
  if (namespace_refresh.count() < 1000) return usageError("webhook", "--namespace-refresh: at least 1s");

  // The policy: the same files as kspm scan.
  ScanPolicy scan_policy;
  Config config;
  if (!loadPolicyFiles("webhook", use_config, config_path, exception_files, &scan_policy, &config)) {
    return usageError("webhook", "the configuration has errors");
  }
  std::shared_ptr<const admission::AdmissionPolicy> admission_policy = config.admission;

  // SIGTERM and SIGINT are taken by sigwait below: block them before any thread starts (every thread inherits the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Namespace labels.
  std::unique_ptr<ClusterNamespaceLabels> labels;
  if (labels_mode == "cluster") {
    auto client = connect(cluster_flags);
    if (!client.ok()) {
      std::fprintf(stderr, "kspm webhook: namespace labels: %s\n", describeInputError(client.error()).c_str());
      return kExitInputErrors;
    }
    labels = std::make_unique<ClusterNamespaceLabels>(std::move(client).value(), namespace_refresh);
    // Not fatal: the webhook must come up; lookups retry on a miss and the refresher keeps trying.
    if (std::string failed = labels->start(); !failed.empty()) {
      std::fprintf(stderr, "kspm webhook: namespace list not read yet: %s\n", failed.c_str());
    }
  }

  admission::ControllerOptions controller_options;
  controller_options.max_body_bytes = options.max_body_bytes;
  const admission::AdmissionPolicy policy = admission_policy ? *admission_policy : admission::AdmissionPolicy{};
  DailyController controllers([&](const std::string& today) {
    ScanPolicy dated = scan_policy;
    dated.today = today;  // which exceptions have expired
    return std::make_unique<admission::Controller>(Catalog::builtin(), std::move(dated), policy, labels.get(),
                                                   controller_options);
  });

  using Decision = admission::Outcome::Decision;
  options.decision_labels.clear();
  for (Decision d : {Decision::kAllowed, Decision::kDenied, Decision::kWarned, Decision::kAudited, Decision::kExempt,
                     Decision::kNotCovered, Decision::kMalformed}) {
    options.decision_labels.emplace_back(admission::decisionName(d));  // indexed by the enum's value
  }
  options.cert_file = tls_cert;
  options.key_file = tls_key;
  server::Handler handler = [&controllers](std::string_view body) {
    admission::Outcome outcome = controllers.current().review(body);
    server::HandlerResult result;
    result.http_status = outcome.http_status;
    result.decision = static_cast<uint32_t>(outcome.decision);
    if (outcome.http_status != 200) result.content_type = "text/plain; charset=utf-8";
    result.log_line = logLineFor(outcome);
    result.body = std::move(outcome.body);
    return result;
  };

  const std::string listen_host = options.host;
  auto created = server::HttpsServer::create(std::move(options), std::move(handler));
  if (!created.ok()) {
    std::fprintf(stderr, "kspm webhook: %s\n", describeInputError(created.error()).c_str());
    return kExitInputErrors;
  }
  std::unique_ptr<server::HttpsServer> server = std::move(created).value();
  server->start();
  std::fprintf(stderr, "kspm webhook: serving https on %s:%u; config %s; namespace labels %s\n", listen_host.c_str(),
               unsigned(server->port()), config_path.empty() ? "none" : config_path.c_str(),
               labels ? ("from the cluster (" + std::to_string(labels->size()) + " namespaces)").c_str() : "none");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "kspm webhook: %s received: not ready, finishing requests in progress\n",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  server->requestStop();
  // A second signal does not wait for the grace period.
  std::thread([signals] {
    int again = 0;
    sigset_t set = signals;
    sigwait(&set, &again);
    std::fprintf(stderr, "kspm webhook: second signal: exiting now\n");
    std::_Exit(1);
  }).detach();
  server->wait();
  controllers.stop();
  if (labels) labels->stop();
  std::fprintf(stderr, "kspm webhook: stopped\n");
  return kExitOk;
}

}  // namespace kspm::cli
