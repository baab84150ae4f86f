// A fake Kubernetes API for the cluster read tests: discovery documents from
// src/cluster/testdata/discovery, lists served from objects with limit/continue pagination the way
// kube-apiserver does (items without apiVersion/kind), and injected failures.
#pragma once

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "kspm/cluster_read.h"

namespace kspm::cluster::testing {

inline std::string readTestdata(const std::string& name) {
  std::ifstream in(std::string(KSPM_SOURCE_DIR) + "/src/cluster/testdata/discovery/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string statusBody(long code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" + message +
         R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

class FakeApi {
 public:
  struct Fault {
    std::string path;    // exact path without query
    long status = 0;     // 0 = connection error (an ApiGet error)
    int count = -1;      // -1 = every request
    bool continue_only = false;
    std::string message;
  };

  explicit FakeApi(bool aggregated = true) {
    doc("/version", readTestdata("version.json"));
    if (aggregated) {
      const char* type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
      doc("/api", readTestdata("aggregated_api.json"), 200, type);
      doc("/apis", readTestdata("aggregated_apis.json"), 200, type);
    } else {
      doc("/api", readTestdata("legacy_api.json"));
      doc("/api/v1", readTestdata("legacy_api_v1.json"));
      doc("/apis", readTestdata("legacy_apis.json"));
      doc("/apis/apps/v1", readTestdata("legacy_apps_v1.json"));
      doc("/apis/rbac.authorization.k8s.io/v1", readTestdata("legacy_rbac_v1.json"));
      doc("/apis/networking.k8s.io/v1", readTestdata("legacy_networking_v1.json"));
      doc("/apis/authentication.k8s.io/v1", readTestdata("legacy_authentication_v1.json"));
      doc("/apis/argoproj.io/v1alpha1", readTestdata("legacy_argoproj_v1alpha1.json"));
      doc("/apis/metrics.k8s.io/v1beta1",
          statusBody(503, "ServiceUnavailable", "the server is currently unable to handle the request"), 503);
    }
  }

  void doc(const std::string& path, std::string body, long status = 200, std::string type = "application/json") {
    docs_[path] = HttpResponse{status, std::move(body), std::move(type), "", 1};
  }

  /** Serves `items` (JSON objects without apiVersion/kind) at the cluster-wide list path, e.g. "/api/v1/pods". */
  void objects(const std::string& list_path, const std::string& list_kind, std::vector<std::pair<std::string, std::string>> ns_and_items) {
    lists_[list_path] = List{list_kind, std::move(ns_and_items)};
  }

  void fault(Fault f) { faults_.push_back(std::move(f)); }

  std::vector<std::string> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  int count(const std::string& path_without_query) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const std::string& l : log_) n += l.substr(0, l.find('?')) == path_without_query;
    return n;
  }

  ApiGet get() {
    return [this](std::string_view path, std::string_view accept) { return serve(std::string(path), std::string(accept)); };
  }

 private:
  struct List {
    std::string kind;
    std::vector<std::pair<std::string, std::string>> items;  // namespace, JSON
  };

  static std::string param(const std::string& query, const std::string& name) {
    size_t at = 0;
    while (at < query.size()) {
      size_t end = query.find('&', at);
      if (end == std::string::npos) end = query.size();
      std::string kv = query.substr(at, end - at);
      if (kv.rfind(name + "=", 0) == 0) return kv.substr(name.size() + 1);
      at = end + 1;
    }
    return "";
  }

  Result<HttpResponse> serve(const std::string& full, const std::string& accept) {
    std::lock_guard lock(mu_);
    log_.push_back(full);
    accepts_.push_back(accept);
    const size_t q = full.find('?');
    const std::string path = full.substr(0, q);
    const std::string query = q == std::string::npos ? "" : full.substr(q + 1);
    const std::string token = param(query, "continue");
    for (Fault& f : faults_) {
      if (f.path != path || f.count == 0 || (f.continue_only && token.empty())) continue;
      if (f.count > 0) --f.count;
      if (f.status == 0) return InputError{ErrorCode::kClusterConnection, path, 0, "connection refused"};
      std::string reason = f.status == 403 ? "Forbidden" : f.status == 404 ? "NotFound" : f.status == 410 ? "Expired" : "InternalError";
      return HttpResponse{f.status, statusBody(f.status, reason, f.message), "application/json", "", 1};
    }
    if (auto it = docs_.find(path); it != docs_.end()) return it->second;
    // A list: cluster-wide, or in one namespace.
    std::string cluster_path = path;
    std::string ns;
    if (size_t n = path.find("/namespaces/"); n != std::string::npos) {
      size_t ns_end = path.find('/', n + 12);
      if (ns_end != std::string::npos) {
        ns = path.substr(n + 12, ns_end - n - 12);
        cluster_path = path.substr(0, n) + path.substr(ns_end);
      }
    }
    auto it = lists_.find(cluster_path);
    if (it == lists_.end()) {
      // Every discovered resource is served; those without objects are empty (404s are injected with fault()).
      return HttpResponse{200, R"({"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"4242"},"items":[]})",
                          "application/json", "", 1};
    }
    std::vector<const std::string*> items;
    for (const auto& [item_ns, json] : it->second.items) {
      if (ns.empty() || item_ns == ns) items.push_back(&json);
    }
    size_t limit = param(query, "limit").empty() ? items.size() : std::stoul(param(query, "limit"));
    size_t start = token.empty() ? 0 : std::stoul(token.substr(4));  // "tok-N"
    size_t end = std::min(items.size(), start + limit);
    std::string body = R"({"kind":")" + it->second.kind + R"(","apiVersion":"v1","metadata":{"resourceVersion":"4242")";
    if (end < items.size()) {
      body += R"(,"continue":"tok-)" + std::to_string(end) + R"(","remainingItemCount":)" +
              std::to_string(items.size() - end);
    }
    body += R"(},"items":[)";
    for (size_t i = start; i < end; ++i) {
      if (i > start) body += ",";
      body += *items[i];
    }
    body += "]}";
    return HttpResponse{200, std::move(body), "application/json", "", 1};
  }

  mutable std::mutex mu_;
  std::map<std::string, HttpResponse> docs_;
  std::map<std::string, List> lists_;
  std::vector<Fault> faults_;
  std::vector<std::string> log_;
  std::vector<std::string> accepts_;
};

/** A list item as the API server returns it (no apiVersion/kind), with managedFields. */
inline std::pair<std::string, std::string> item(const std::string& ns, const std::string& name,
                                                const std::string& extra = "") {
  std::string meta = R"({"metadata":{"name":")" + name + "\"";
  if (!ns.empty()) meta += R"(,"namespace":")" + ns + "\"";
  meta += R"(,"uid":"u-)" + name +
          R"(","resourceVersion":"1","managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{}}}]})";
  if (!extra.empty()) meta += "," + extra;
  meta += "}";
  return {ns, meta};
}

}  // namespace kspm::cluster::testing
