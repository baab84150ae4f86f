// Reading a cluster: what to list, paginated listing with 410 restarts, a small pipeline that
// parses pages on worker threads while the next pages are fetched, and kubelet configz.
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "checks/common/pod_spec.h"
#include "cluster/read_internal.h"
#include "kspm/cpus.h"
#include "kspm/cluster_read.h"
#include "model/utc_time.h"

namespace kspm::cluster {

std::string describeResponse(const HttpResponse& response) {
  std::string out = std::to_string(response.status);
  switch (response.status) {
    case 400: out += " Bad Request"; break;
    case 401: out += " Unauthorized"; break;
    case 403: out += " Forbidden"; break;
    case 404: out += " Not Found"; break;
    case 410: out += " Gone"; break;
    case 429: out += " Too Many Requests"; break;
    case 500: out += " Internal Server Error"; break;
    case 503: out += " Service Unavailable"; break;
    default: break;
  }
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto it = doc.FindMember("message");
    if (it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) {
      out += ": ";
      out.append(it->value.GetString(), std::min<size_t>(it->value.GetStringLength(), 1000));
    }
  }
  return out;
}

InputError responseError(std::string path, const HttpResponse& response) {
  ErrorCode code = response.status == 401   ? ErrorCode::kClusterAuth
                   : response.status == 403 ? ErrorCode::kClusterForbidden
                                            : ErrorCode::kClusterResponse;
  return InputError{code, std::move(path), 0, describeResponse(response)};
}

std::string urlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

// The Status message of a response ("pods is forbidden: User ..."), or the status line.
std::string statusMessage(const HttpResponse& response) {
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto it = doc.FindMember("message");
    if (it != doc.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0) {
      return std::string(it->value.GetString(), std::min<size_t>(it->value.GetStringLength(), 1000));
    }
  }
  return describeResponse(response);
}

// Parses pages on worker threads; results are added to the ObjectSet in submission order.
/** Normalised pages are loaded in batches of about this many bytes (see Reader::list). */
constexpr size_t kBatchBytes = 4u << 20;

class PageLoader {
 public:
  PageLoader(unsigned threads, LoadLimits limits) : limits_(limits) {
    for (unsigned i = 0; threads > 1 && i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~PageLoader() { stop(); }

  size_t submit(std::unique_ptr<SourceFile> file) {
    std::unique_lock lock(mu_);
    slots_.emplace_back();
    Slot& slot = slots_.back();
    slot.file = std::move(file);
    if (workers_.empty()) {
      slot.loaded = loadBuffer(slot.file->path, slot.file->content, limits_);
      slot.done = true;
    } else {
      queue_.push_back(&slot);
      cv_.notify_one();
    }
    return slots_.size() - 1;
  }

  /** Drops a page (its list was restarted or failed): it never reaches the ObjectSet. */
  void discard(size_t index) {
    std::unique_lock lock(mu_);
    Slot& slot = slots_[index];
    slot.discarded = true;
    if (slot.done) release(slot);  // else the worker frees it (or never loads it)
  }

  /** Waits for every page and adds the kept ones to `set` in submission order. */
  void finish(ObjectSet* set) {
    stop();
    for (Slot& slot : slots_) {
      if (!slot.discarded) set->addLoaded(std::move(slot.file), std::move(slot.loaded));
    }
    slots_.clear();
  }

 private:
  struct Slot {
    std::unique_ptr<SourceFile> file;
    LoadResult loaded;
    bool done = false;
    bool discarded = false;
  };

  void work() {
    for (;;) {
      Slot* slot = nullptr;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        slot = queue_.front();
        queue_.pop_front();
        if (slot->discarded) {
          release(*slot);  // never loaded, never added
          continue;
        }
      }
      // The slot's file is not touched by anyone else until finish(), which joins first.
      LoadResult loaded = loadBuffer(slot->file->path, slot->file->content, limits_);
      std::unique_lock lock(mu_);
      slot->loaded = std::move(loaded);
      slot->done = true;
      if (slot->discarded) release(*slot);
    }
  }

  // Releases a discarded page's memory at once (a 410 restart of a big list must not hold two copies).
  static void release(Slot& slot) {
    slot.loaded = LoadResult{};
    slot.file->content.clear();
    slot.file->content.shrink_to_fit();
  }

  void stop() {
    {
      std::unique_lock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  LoadLimits limits_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Slot> slots_;  // a deque: addresses stay valid as slots are added
  std::deque<Slot*> queue_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

struct Reader {
  const ApiGet& get;
  const ReadOptions& options;
  ClusterRead* out;
  PageLoader* loader;
  std::string prefix;  // "<context>:" or ""

  Result<HttpResponse> fetch(const std::string& path) {
    ++out->stats.requests;
    Result<HttpResponse> r = get(path, "application/json");
    if (r.ok()) out->stats.bytes += r.value().body.size();
    return r;
  }

  void unreadable(const ApiResource& r, std::string_view ns, std::string reason) {
    out->unreadable.push_back(UnreadableResource{r.group, r.resource, r.kind, std::string(ns), std::move(reason)});
  }

  // Lists one resource (in one namespace, or everywhere); records it unreadable on failure.
  void list(const ApiResource& resource, std::string_view ns) {
    const std::string base = resource.listPath(ns);
    const std::string display = resource.group.empty() ? resource.resource : resource.resource + "." + resource.group;
    NormalizeOptions normalize{options.limits, prefix + base};
    std::vector<size_t> slots;
    // Normalised pages are handed to the loader in batches of about kBatchBytes (a stream of JSON
    // Lists in one SourceFile), so the ObjectSet's per-file overhead (arena slack, file records)
    // does not grow with the number of pages: --page-size 100 keeps what --page-size 500 keeps.
    std::string batch;
    auto submitBatch = [&] {
      if (batch.empty()) return;
      auto file = std::make_unique<SourceFile>();
      file->path = prefix + base;
      file->content = std::move(batch);
      batch = std::string();
      slots.push_back(loader->submit(std::move(file)));
    };
    auto drop = [&] {
      for (size_t s : slots) loader->discard(s);
      slots.clear();
      batch = std::string();
    };
    std::string token;
    int restarts = 0;
    uint64_t objects = 0;
    uint64_t pages = 0;
    for (;;) {
      std::string path = base + "?limit=" + std::to_string(options.page_limit);
      if (!token.empty()) path += "&continue=" + urlEncode(token);
      Result<HttpResponse> r = fetch(path);
      if (!r.ok()) {
        drop();
        unreadable(resource, ns, r.error().message);
        return;
      }
      HttpResponse& response = r.value();
      if (response.status == 410 && !token.empty()) {
        ++out->stats.restarts;
        if (++restarts > options.max_restarts) {
          drop();
          unreadable(resource, ns,
                     "the list's continue token expired (410 Gone) " + std::to_string(restarts) +
                         " times: " + statusMessage(response));
          return;
        }
        drop();
        token.clear();
        objects = 0;
        pages = 0;
        continue;
      }
      if (response.status != 200) {
        drop();
        std::string reason = response.status == 403   ? statusMessage(response)
                             : response.status == 404 ? "not found although discovery listed it: " + describeResponse(response)
                                                      : describeResponse(response);
        unreadable(resource, ns, std::move(reason));
        return;
      }
      Result<NormalizedPage> page = normalizeListPage(response.body, resource.apiVersion(), resource.kind, normalize);
      response.body.clear();
      response.body.shrink_to_fit();  // never keep raw bodies
      if (!page.ok()) {
        drop();
        unreadable(resource, ns, "bad list response: " + page.error().message);
        return;
      }
      ++out->stats.pages;
      ++pages;
      objects += page.value().items;
      token = std::move(page.value().continue_token);
      if (batch.empty()) {
        batch = std::move(page.value().json);
      } else {
        batch += '\n';
        batch += page.value().json;
      }
      if (batch.size() >= kBatchBytes || token.empty()) submitBatch();
      if (options.progress) options.progress(display, objects, pages);
      if (token.empty()) return;
    }
  }
};

// GET every node's configz with bounded concurrency; results in node order.
void readConfigz(const ApiGet& get, const ReadOptions& options, ClusterRead* out, const std::string& prefix) {
  std::vector<std::string> nodes;
  for (const Object& o : out->objects.objects()) {
    if (o.kind == "Node" && o.group().empty() && !o.name.empty()) nodes.emplace_back(o.name);
  }
  struct Outcome {
    std::string path;
    Result<std::string> object = std::string();
    uint64_t bytes = 0;
  };
  std::vector<Outcome> outcomes(nodes.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < nodes.size(); i = next++) {
      Outcome& o = outcomes[i];
      o.path = "/api/v1/nodes/" + nodes[i] + "/proxy/configz";
      Result<HttpResponse> r = get(o.path, "application/json");
      if (!r.ok()) {
        o.object = r.error();
        continue;
      }
      o.bytes = r.value().body.size();
      if (r.value().status != 200) {
        o.object = InputError{ErrorCode::kClusterResponse, o.path, 0,
                              r.value().status == 403 ? statusMessage(r.value()) : describeResponse(r.value())};
        continue;
      }
      o.object = wrapKubeletConfigz(r.value().body, nodes[i], NormalizeOptions{options.limits, prefix + o.path});
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(options.configz_concurrency, static_cast<unsigned>(nodes.size())));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < nodes.size(); ++i) {
    Outcome& o = outcomes[i];
    ++out->stats.requests;
    out->stats.bytes += o.bytes;
    if (!o.object.ok()) {
      out->unreadable.push_back(UnreadableResource{"", "nodes/proxy", "KubeletConfiguration", "",
                                                   "node " + nodes[i] + ": " + o.object.error().message});
      continue;
    }
    auto file = std::make_unique<SourceFile>();
    file->path = prefix + o.path;
    file->content = std::move(o.object.value());
    out->objects.addFile(std::move(file), options.limits);
  }
}

}  // namespace

std::vector<WantedKind> kindsToList(const ReadOptions& options) {
  static const WantedKind kBuiltIn[] = {
      // Core.
      {"", "Namespace"}, {"", "Node"}, {"", "Pod"}, {"", "ReplicationController"}, {"", "PodTemplate"},
      {"", "Service"}, {"", "ServiceAccount"}, {"", "ConfigMap"}, {"", "PersistentVolume"},
      {"", "PersistentVolumeClaim"}, {"", "LimitRange"}, {"", "ResourceQuota"},
      // Workloads.
      {"apps", "Deployment"}, {"apps", "StatefulSet"}, {"apps", "DaemonSet"}, {"apps", "ReplicaSet"},
      {"batch", "Job"}, {"batch", "CronJob"}, {"autoscaling", "HorizontalPodAutoscaler"},
      {"policy", "PodDisruptionBudget"},
      // Network.
      {"networking.k8s.io", "Ingress"}, {"networking.k8s.io", "IngressClass"}, {"networking.k8s.io", "NetworkPolicy"},
      {"gateway.networking.k8s.io", "GatewayClass"}, {"gateway.networking.k8s.io", "Gateway"},
      {"gateway.networking.k8s.io", "HTTPRoute"}, {"gateway.networking.k8s.io", "GRPCRoute"},
      {"gateway.networking.k8s.io", "TLSRoute"}, {"gateway.networking.k8s.io", "TCPRoute"},
      {"gateway.networking.k8s.io", "UDPRoute"},
      // RBAC.
      {"rbac.authorization.k8s.io", "Role"}, {"rbac.authorization.k8s.io", "ClusterRole"},
      {"rbac.authorization.k8s.io", "RoleBinding"}, {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
      // Admission.
      {"admissionregistration.k8s.io", "MutatingWebhookConfiguration"},
      {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"},
      {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy"},
      {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"},
      {"admissionregistration.k8s.io", "MutatingAdmissionPolicy"},
      {"admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"},
      // Other network policy engines (src/engine/netpol/model.cc).
      {"crd.projectcalico.org", "NetworkPolicy"}, {"projectcalico.org", "NetworkPolicy"},
      {"crd.projectcalico.org", "GlobalNetworkPolicy"}, {"projectcalico.org", "GlobalNetworkPolicy"},
      {"cilium.io", "CiliumNetworkPolicy"}, {"cilium.io", "CiliumClusterwideNetworkPolicy"},
      {"policy.networking.k8s.io", "AdminNetworkPolicy"}, {"policy.networking.k8s.io", "BaselineAdminNetworkPolicy"},
      {"policy.networking.k8s.io", "ClusterNetworkPolicy"}, {"crd.antrea.io", "ClusterNetworkPolicy"},
      {"crd.antrea.io", "NetworkPolicy"}, {"security.istio.io", "AuthorizationPolicy"},
      // Where Secrets come from (workload/missing-secret) and KEDA scaling (workload/hpa-target-missing).
      {"external-secrets.io", "ExternalSecret"}, {"external-secrets.io", "ClusterExternalSecret"},
      {"cert-manager.io", "Certificate"}, {"secrets-store.csi.x-k8s.io", "SecretProviderClass"},
      {"keda.sh", "ScaledObject"},
  };
  std::vector<WantedKind> out;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](const std::string& group, const std::string& kind) {
    if (seen.emplace(group, kind).second) out.push_back({group, kind});
  };
  for (const WantedKind& k : kBuiltIn) add(k.group, k.kind);
  if (options.include_secrets) add("", "Secret");
  for (const checks::WorkloadKind& w : checks::defaultWorkloadKinds()) add(w.group, w.kind);
  for (const WantedKind& w : options.workload_kinds) add(w.group, w.kind);
  add("apiextensions.k8s.io", "CustomResourceDefinition");
  return out;
}

ClusterRead readCluster(const ApiGet& get, const ReadOptions& options) {
  ClusterRead out;
  out.info.context = options.context;
  out.info.server = options.server;
  out.info.namespaces = options.namespaces;
  out.info.taken_at = options.taken_at.empty() ? nowRfc3339() : options.taken_at;

  Result<Discovery> discovery = discover(get);
  if (!discovery.ok()) {
    out.fatal = discovery.error();
    return out;
  }
  const Discovery& d = discovery.value();
  out.info.server_version = d.server_version;
  out.info.aggregated_discovery = d.aggregated;
  out.stats.requests += d.requests;
  out.stats.bytes += d.bytes;

  if (!options.include_secrets) {
    out.not_listed.push_back(UnreadableResource{"", "secrets", "Secret", "",
                                                "secret values: listed only with --include-secrets"});
  }

  const std::string prefix = options.context.empty() ? std::string() : options.context + ":";
  unsigned threads = options.threads != 0 ? options.threads : usableCpuCount();
  {
    PageLoader loader(threads, options.limits);
    Reader reader{get, options, &out, &loader, prefix};
    for (const WantedKind& wanted : kindsToList(options)) {
      const ApiResource* resource = d.find(wanted.group, wanted.kind);
      if (resource == nullptr) {
        if (const FailedGroup* failed = d.failedGroup(wanted.group)) {
          out.unreadable.push_back(UnreadableResource{wanted.group, "", wanted.kind, "", failed->reason});
        }
        continue;  // not served: absent
      }
      if (resource->namespaced && !options.namespaces.empty()) {
        for (const std::string& ns : options.namespaces) reader.list(*resource, ns);
      } else {
        reader.list(*resource, "");
      }
    }
    loader.finish(&out.objects);
  }
  if (options.kubelet_configz) readConfigz(get, options, &out, prefix);
  out.stats.objects = out.objects.objects().size();
  return out;
}

}  // namespace kspm::cluster
