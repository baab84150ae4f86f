// Test support for routes: an in-memory outbox (FakeOutbox, a Store with only the delivery side)
// and a recording HTTP server (cpp-httplib in the test process, plain HTTP or TLS on 127.0.0.1).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "kspm/store.h"

namespace kspm::routing_test {

/** The outbox part of a Store, in memory, with a clock the test moves. Scans are not kept. */
class FakeOutbox : public store::Store {
 public:
  struct Event {
    store::PendingDelivery delivery;
  };
  struct Delivery {
    bool delivered = false;
    std::string ref;
    uint32_t attempts = 0;
    int64_t due_at = 0;  // fake seconds
    int64_t last_retry_after = 0;
    std::string last_error;
  };

  int64_t now = 1000;  // fake seconds; advance to make failed events due again

  int64_t addEvent(Lifecycle event, FindingRecord finding, std::string target = "prod") {
    store::PendingDelivery d;
    d.event_id = ++next_id_;
    d.scan_id = 1;
    d.target = std::move(target);
    d.event = event;
    d.finding = std::move(finding);
    d.created_at = "2026-11-27T06:00:00Z";
    events_.push_back(d);
    return d.event_id;
  }
  /** Findings the latest scan of a target holds (per-object Jira issues look at them). */
  std::vector<store::RecordedFinding> latest_findings;

  Delivery& delivery(const std::string& route, int64_t id) { return deliveries_[{route, id}]; }
  int markDeliveredCalls = 0;

  std::string_view backend() const override { return "fake"; }
  int schemaVersion() const override { return 0; }
  Result<store::RecordOutcome> recordScan(const ScanRecord&) override { return unsupported(); }
  Result<std::vector<store::ScanInfo>> listScans(std::string_view, size_t) override { return unsupported(); }
  Result<store::ScanInfo> scan(int64_t) override { return unsupported(); }
  Result<std::optional<store::ScanInfo>> latestScan(std::string_view) override {
    if (latest_findings.empty()) return std::optional<store::ScanInfo>();
    store::ScanInfo info;
    info.id = 7;
    return std::optional<store::ScanInfo>(info);
  }
  Result<std::vector<store::RecordedFinding>> scanFindings(int64_t) override { return latest_findings; }
  Result<store::ScanDiff> diff(int64_t, int64_t) override { return unsupported(); }

  Result<bool> registerRoute(std::string_view route) override {
    registered_.emplace(std::string(route), next_id_);
    return true;
  }
  Result<std::vector<store::PendingDelivery>> pendingDeliveries(std::string_view route, const std::vector<std::string>& owners,
                                                                size_t limit) override {
    std::vector<store::PendingDelivery> out;
    auto reg = registered_.find(std::string(route));
    if (reg == registered_.end()) return out;
    for (const store::PendingDelivery& e : events_) {
      if (e.event_id <= reg->second) continue;
      if (!owners.empty() && std::find(owners.begin(), owners.end(), e.finding.owner) == owners.end()) continue;
      auto it = deliveries_.find({std::string(route), e.event_id});
      if (it != deliveries_.end() && (it->second.delivered || it->second.due_at > now)) continue;
      store::PendingDelivery p = e;
      if (it != deliveries_.end()) {
        p.attempts = it->second.attempts;
        p.last_error = it->second.last_error;
      }
      out.push_back(std::move(p));
      if (limit > 0 && out.size() >= limit) break;
    }
    return out;
  }
  Result<bool> markDelivered(std::string_view route, const std::vector<int64_t>& ids, std::string_view ref) override {
    ++markDeliveredCalls;
    for (int64_t id : ids) {
      Delivery& d = deliveries_[{std::string(route), id}];
      if (d.delivered) double_delivered = true;
      d.delivered = true;
      d.ref = std::string(ref);
      for (const store::PendingDelivery& e : events_) {
        if (e.event_id == id) refs_[{std::string(route), e.target, e.finding.fingerprint}] = std::string(ref);
      }
    }
    return true;
  }
  Result<bool> markFailed(std::string_view route, const std::vector<int64_t>& ids, std::string_view error,
                          int64_t retry_after_seconds) override {
    for (int64_t id : ids) {
      Delivery& d = deliveries_[{std::string(route), id}];
      ++d.attempts;
      d.last_error = std::string(error);
      d.last_retry_after = retry_after_seconds;
      d.due_at = now + retry_after_seconds;
    }
    return true;
  }
  Result<std::string> externalRef(std::string_view route, std::string_view target, std::string_view fp) override {
    auto it = refs_.find({std::string(route), std::string(target), std::string(fp)});
    return it == refs_.end() ? std::string() : it->second;
  }
  Result<std::vector<store::RouteStatus>> routeStatus() override { return unsupported(); }

  bool double_delivered = false;  // markDelivered on an event already delivered

 private:
  static InputError unsupported() { return InputError{ErrorCode::kStore, "", 0, "not in the fake"}; }
  int64_t next_id_ = 0;
  std::vector<store::PendingDelivery> events_;
  std::map<std::string, int64_t> registered_;
  std::map<std::pair<std::string, int64_t>, Delivery> deliveries_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> refs_;
};

/** A request as the server saw it. */
struct Recorded {
  std::string method, path, query, body;
  std::multimap<std::string, std::string> headers;  // names as sent
  std::chrono::steady_clock::time_point at;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    }
    return "";
  }
};

struct Reply {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;
};

/** Records every request; answers with `handler` (default 200 "ok"). */
class RecordingServer {
 public:
  using Handler = std::function<Reply(const Recorded&, size_t index)>;

  explicit RecordingServer(httplib::Server* server = nullptr) : owned_(server == nullptr ? new httplib::Server : nullptr) {
    server_ = server != nullptr ? server : owned_.get();
    auto route = [this](const httplib::Request& req, httplib::Response& res) {
      Recorded r;
      r.method = req.method;
      r.path = req.path;
      r.body = req.body;
      for (const auto& [k, v] : req.headers) r.headers.emplace(k, v);
      std::string query;
      for (const auto& [k, v] : req.params) query += (query.empty() ? "" : "&") + k + "=" + v;
      r.query = query;
      r.at = std::chrono::steady_clock::now();
      size_t index;
      Handler handler;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = requests_.size();
        requests_.push_back(r);
        handler = handler_;
      }
      Reply reply = handler ? handler(r, index) : Reply{};
      if (reply.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
      res.status = reply.status;
      for (const auto& [k, v] : reply.headers) res.set_header(k, v);
      res.set_content(reply.body, reply.content_type);
    };
    server_->Get(".*", route);
    server_->Post(".*", route);
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RecordingServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  void setHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(handler);
  }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.clear();
  }
  int port() const { return port_; }
  std::string url(const std::string& scheme = "http") const { return scheme + "://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<httplib::Server> owned_;
  httplib::Server* server_;
  std::mutex mu_;
  std::vector<Recorded> requests_;
  Handler handler_;
  int port_ = 0;
  std::thread thread_;
};

inline FindingRecord finding(std::string fp, std::string check, Severity severity, std::string owner,
                             std::string name = "web", std::string message = "runs privileged") {
  FindingRecord f;
  f.fingerprint = std::move(fp);
  f.check_id = std::move(check);
  f.severity = severity;
  f.message = std::move(message);
  f.api_group = "apps";
  f.kind = "Deployment";
  f.namespace_ = "shop";
  f.name = std::move(name);
  f.owner = std::move(owner);
  f.file = "deploy/web.yaml";
  f.line = 12;
  return f;
}

}  // namespace kspm::routing_test
