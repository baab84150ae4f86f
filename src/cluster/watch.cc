// The watch cache (include/kspm/cluster_watch.h): list, then watch, per resource, on its own thread.
#include "kspm/cluster_watch.h"

#include <rapidjson/reader.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "cluster/kube_client_internal.h"
#include "cluster/read_internal.h"
#include "model/utc_time.h"

namespace kspm::cluster {
namespace {

using std::chrono::milliseconds;

/** Cached objects are served in List documents of about this many bytes (as list.cc batches pages). */
constexpr size_t kBatchBytes = 4u << 20;
/** How normalizeListPage starts every page it writes. */
constexpr std::string_view kPagePrefix = R"({"apiVersion":"v1","kind":"List","items":[)";

/** The Status message of a 403 ("pods is forbidden: User ..."), else the status line and message. */
std::string refusal(long status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  std::string described = describeResponse(r);
  if (status == 403) {
    size_t colon = described.find(": ");
    if (colon != std::string::npos) return described.substr(colon + 2);
  }
  if (status == 404) return "not found although discovery listed it: " + described;
  return described;
}

/**
 * What kspm needs from one JSON object (an item, or a watch event line) without building a DOM:
 * SAX with the stream at hand for offsets. At depth 1: "type" and the span of "object"; inside the
 * object (or the item itself when `item` is set): metadata.name, .namespace, .resourceVersion, and
 * "code" (of an ERROR event's Status). Refuses nesting deeper than max_depth.
 */
struct Fields {
  std::string type, name, ns, resource_version;
  int64_t code = 0;
  size_t object_begin = 0, object_end = 0;  // [begin, end) of "object" in the line
  bool has_object = false;
};

class FieldsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FieldsHandler> {
 public:
  FieldsHandler(const rapidjson::StringStream* in, bool item, uint32_t max_depth, Fields* out)
      : in_(in), item_(item), max_depth_(max_depth), out_(out) {}

  bool StartObject() { return start(true); }
  bool StartArray() { return start(false); }
  bool EndObject(rapidjson::SizeType) { return end(); }
  bool EndArray(rapidjson::SizeType) { return end(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    keys_[depth_] = std::string_view(s, n) == "metadata"        ? kMetadata
                    : std::string_view(s, n) == "object"        ? kObject
                    : std::string_view(s, n) == "type"          ? kType
                    : std::string_view(s, n) == "code"          ? kCode
                    : std::string_view(s, n) == "name"          ? kName
                    : std::string_view(s, n) == "namespace"     ? kNamespace
                    : std::string_view(s, n) == "resourceVersion" ? kResourceVersion
                                                                  : kOther;
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string* target = nullptr;
    if (depth_ == 1 && !item_ && keys_[1] == kType) target = &out_->type;
    if (inMetadata()) {
      Slot k = keys_[depth_];
      target = k == kName ? &out_->name : k == kNamespace ? &out_->ns : k == kResourceVersion ? &out_->resource_version : nullptr;
    }
    if (target) target->assign(s, n);
    return true;
  }
  bool Int(int v) { return Int64(v); }
  bool Uint(unsigned v) { return Int64(v); }
  bool Int64(int64_t v) {
    if (depth_ == objectDepth() && keys_[depth_] == kCode && objectOpen()) out_->code = v;
    return true;
  }
  bool Uint64(uint64_t v) { return Int64(static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX))); }
  bool Default() { return true; }

 private:
  enum Slot : uint8_t { kOther, kMetadata, kObject, kType, kCode, kName, kNamespace, kResourceVersion };

  uint32_t objectDepth() const { return item_ ? 1 : 2; }
  bool objectOpen() const { return item_ ? depth_ >= 1 : object_open_; }
  bool inMetadata() const {
    uint32_t d = objectDepth();
    return objectOpen() && depth_ == d + 1 && metadata_open_;
  }
  bool start(bool is_object) {
    if (depth_ + 1 > max_depth_ + 2 || depth_ + 1 >= kMaxTracked) return false;
    ++depth_;
    keys_[depth_] = kOther;
    if (!item_ && depth_ == 2 && keys_[1] == kObject && is_object) {
      object_open_ = true;
      out_->has_object = true;
      out_->object_begin = in_->Tell();  // the iterative parser calls handlers before taking '{' / '}'
    }
    if (is_object && depth_ == objectDepth() + 1 && objectOpen() && keys_[depth_ - 1] == kMetadata) metadata_open_ = true;
    return true;
  }
  bool end() {
    if (metadata_open_ && depth_ == objectDepth() + 1) metadata_open_ = false;
    if (!item_ && depth_ == 2 && object_open_) {
      object_open_ = false;
      out_->object_end = in_->Tell() + 1;
    }
    --depth_;
    return true;
  }

  static constexpr uint32_t kMaxTracked = 4096;
  const rapidjson::StringStream* in_;
  bool item_;
  uint32_t max_depth_;
  Fields* out_;
  uint32_t depth_ = 0;
  Slot keys_[kMaxTracked] = {};
  bool object_open_ = false;
  bool metadata_open_ = false;
};

/** Reads the fields of `text` (an item when `item`, else a watch event); false on bad JSON or depth. */
bool readFields(std::string_view text, bool item, uint32_t max_depth, Fields* out) {
  std::string copy(text);  // StringStream needs a terminator
  rapidjson::StringStream in(copy.c_str());
  FieldsHandler handler(&in, item, max_depth, out);
  rapidjson::Reader reader;
  rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseIterativeFlag>(in, handler);
  return !parsed.IsError();
}

/** Calls fn(item) for every item of a page normalizeListPage wrote; false when it is not one. */
template <typename Fn>
bool forEachNormalizedItem(std::string_view page, Fn&& fn) {
  if (!page.starts_with(kPagePrefix)) return false;
  int depth = 0;
  size_t start = 0;
  for (size_t i = kPagePrefix.size(); i < page.size(); ++i) {
    char c = page[i];
    if (c == '"') {
      for (++i; i < page.size() && page[i] != '"'; ++i) {
        if (page[i] == '\\') ++i;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      if (depth == 0) start = i;
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return true;  // the end of "items"
      if (--depth == 0 && !fn(page.substr(start, i + 1 - start))) return false;
    }
  }
  return false;
}

std::string objectKey(const Fields& f) { return f.ns.empty() ? f.name : f.ns + "/" + f.name; }

/** One resource (in one namespace, or everywhere) with its objects and its watch state. */
struct Stream {
  ApiResource resource;
  std::string ns;
  std::string display;  // "deployments.apps" or "pods in shop"

  mutable std::mutex mu;  // guards everything below
  std::map<std::string, std::string> objects;  // namespace/name (or name) -> normalised JSON
  std::string resource_version;
  bool listed = false;     // a list completed and no 410 since
  bool connected = false;  // the last list or watch request succeeded
  std::optional<std::string> unreadable;

  bool synced() const { return unreadable.has_value() || (listed && connected); }
};

}  // namespace

struct WatchCache::Impl {
  ApiGet get;
  ApiStream stream;
  WatchOptions options;
  std::string prefix;  // "<context>:" or ""

  std::atomic<bool> stopping{false};
  mutable std::mutex state_mu;  // with state_cv: waits for sync and for stop
  mutable std::condition_variable state_cv;

  std::vector<std::unique_ptr<Stream>> streams;  // fixed after start()
  std::vector<std::thread> workers;
  std::vector<UnreadableResource> failed;  // discovery failures
  std::vector<UnreadableResource> not_listed;
  std::string server_version;
  bool aggregated = false;
  bool started = false;

  std::atomic<uint64_t> lists{0}, relists{0}, watches{0}, restarts{0}, events{0}, bookmarks{0}, errors{0};

  void notify() {
    std::lock_guard<std::mutex> lock(state_mu);
    state_cv.notify_all();
  }
  /** Waits `d` unless stopping; false when stopping. */
  bool pause(milliseconds d) {
    std::unique_lock<std::mutex> lock(state_mu);
    return !state_cv.wait_for(lock, d, [&] { return stopping.load(); });
  }
  milliseconds backoff(int failures) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    return internal::backoffDelay(failures, options.backoff_base, options.backoff_max, jitter(rng), std::nullopt);
  }
  void setState(Stream& s, bool listed, bool connected) {
    {
      std::lock_guard<std::mutex> lock(s.mu);
      s.listed = listed;
      s.connected = connected;
    }
    notify();
  }
  bool allSynced() const {
    for (const auto& s : streams) {
      std::lock_guard<std::mutex> lock(s->mu);
      if (!s->synced()) return false;
    }
    return true;
  }

  enum class Outcome { kOk, kRetry, kUnreadable, kStopped };
  Outcome list(Stream& s, std::string* reason);
  void run(Stream& s);
  /** Applies one watch event line; sets *relist on a 410 ERROR; false (with *reason) to end the watch. */
  bool apply(Stream& s, std::string_view line, bool* relist, std::string* reason);
};

WatchCache::Impl::Outcome WatchCache::Impl::list(Stream& s, std::string* reason) {
  const std::string base = s.resource.listPath(s.ns);
  NormalizeOptions normalize{options.read.limits, prefix + base};
  std::map<std::string, std::string> objects;
  std::string token, resource_version;
  int restarts = 0;
  for (;;) {
    if (stopping) return Outcome::kStopped;
    std::string path = base + "?limit=" + std::to_string(options.read.page_limit);
    if (!token.empty()) path += "&continue=" + urlEncode(token);
    Result<HttpResponse> r = get(path, "application/json");
    if (!r.ok()) {
      *reason = r.error().message;
      return Outcome::kRetry;
    }
    HttpResponse& response = r.value();
    if (response.status == 410 && !token.empty() && ++restarts <= options.read.max_restarts) {
      objects.clear();
      token.clear();
      continue;
    }
    if (response.status == 429 || response.status >= 500) {
      *reason = describeResponse(response);
      return Outcome::kRetry;
    }
    if (response.status != 200) {
      *reason = refusal(response.status, response.body);
      return Outcome::kUnreadable;
    }
    Result<NormalizedPage> page = normalizeListPage(response.body, s.resource.apiVersion(), s.resource.kind, normalize);
    response.body = std::string();
    if (!page.ok()) {
      *reason = "bad list response: " + page.error().message;
      return Outcome::kUnreadable;
    }
    bool ok = forEachNormalizedItem(page.value().json, [&](std::string_view item) {
      Fields f;
      if (!readFields(item, true, options.read.limits.max_depth, &f)) return false;
      objects[objectKey(f)] = std::string(item);
      return true;
    });
    if (!ok) {
      *reason = "bad list response: could not split the normalised page";
      return Outcome::kUnreadable;
    }
    if (resource_version.empty()) resource_version = page.value().resource_version;
    token = std::move(page.value().continue_token);
    if (token.empty()) break;
  }
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.objects = std::move(objects);
    s.resource_version = resource_version;
    s.unreadable.reset();
    s.listed = true;
    s.connected = true;
  }
  notify();
  return Outcome::kOk;
}

bool WatchCache::Impl::apply(Stream& s, std::string_view line, bool* relist, std::string* reason) {
  if (line.size() > options.read.limits.max_document_bytes) {
    *reason = "a watch event of " + std::to_string(line.size()) + " bytes is above the limit";
    return false;
  }
  Fields f;
  if (!readFields(line, false, options.read.limits.max_depth, &f) || !f.has_object) {
    *reason = "a watch event is not JSON with an object";
    return false;
  }
  std::string_view object = line.substr(f.object_begin, f.object_end - f.object_begin);
  if (f.type == "ERROR") {
    if (f.code == 410) {
      *relist = true;
      *reason = "resourceVersion too old (410)";
    } else {
      *reason = "watch ERROR event (code " + std::to_string(f.code) + ")";
    }
    return false;
  }
  if (f.type == "BOOKMARK") {
    bookmarks.fetch_add(1);
    std::lock_guard<std::mutex> lock(s.mu);
    if (!f.resource_version.empty()) s.resource_version = f.resource_version;
    return true;
  }
  if (f.type != "ADDED" && f.type != "MODIFIED" && f.type != "DELETED") {
    *reason = "unknown watch event type \"" + f.type.substr(0, 32) + "\"";
    return false;
  }
  if (f.name.empty()) {
    *reason = "a watch event's object has no metadata.name";
    return false;
  }
  std::string key = objectKey(f);
  std::string normalized;
  if (f.type != "DELETED") {
    std::string body;
    body.reserve(object.size() + 64);
    body += kPagePrefix;
    body += object;
    body += "]}";
    Result<NormalizedPage> page = normalizeListPage(
        body, s.resource.apiVersion(), s.resource.kind, NormalizeOptions{options.read.limits, prefix + s.resource.listPath(s.ns)});
    if (!page.ok()) {
      *reason = "bad watch event: " + page.error().message;
      return false;
    }
    std::string& json = page.value().json;
    if (json.size() < kPagePrefix.size() + 2) {
      *reason = "bad watch event: no object";
      return false;
    }
    normalized = json.substr(kPagePrefix.size(), json.size() - kPagePrefix.size() - 2);
  }
  events.fetch_add(1);
  std::lock_guard<std::mutex> lock(s.mu);
  if (f.type == "DELETED") {
    s.objects.erase(key);
  } else {
    s.objects[key] = std::move(normalized);
  }
  if (!f.resource_version.empty()) s.resource_version = f.resource_version;
  return true;
}

void WatchCache::Impl::run(Stream& s) {
  int failures = 0;
  bool first_list = true;
  const std::string base = s.resource.listPath(s.ns);
  while (!stopping) {
    // List (the first time, after a 410, after a refusal or a bad event).
    std::string reason;
    Outcome listed = list(s, &reason);
    if (listed == Outcome::kStopped) return;
    if (listed != Outcome::kOk) {
      errors.fetch_add(1);
      if (listed == Outcome::kUnreadable) {
        {
          std::lock_guard<std::mutex> lock(s.mu);
          s.objects.clear();
          s.unreadable = reason;
          s.listed = false;
          s.connected = false;
        }
        notify();
        if (!pause(options.backoff_max)) return;
      } else {
        setState(s, false, false);
        if (!pause(backoff(++failures))) return;
      }
      continue;
    }
    lists.fetch_add(1);
    if (!first_list) relists.fetch_add(1);
    first_list = false;
    failures = 0;
    // Watch from the list's resourceVersion until a 410 or a refusal.
    bool need_list = false;
    while (!stopping && !need_list) {
      std::string resource_version;
      {
        std::lock_guard<std::mutex> lock(s.mu);
        resource_version = s.resource_version;
      }
      std::string path = base + "?watch=1&resourceVersion=" + urlEncode(resource_version) +
                         "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(options.watch_timeout.count());
      bool relist = false;
      std::string why;
      auto on_open = [&](long status) {
        if (status != 200) return;
        watches.fetch_add(1);
        setState(s, true, true);
      };
      auto on_line = [&](std::string_view line) { return apply(s, line, &relist, &why); };
      Result<StreamResponse> r = stream(path, on_line, on_open, &stopping);
      if (stopping) return;
      bool failed = false;
      if (!r.ok()) {
        why = r.error().message;
        failed = true;
        if (r.error().code == ErrorCode::kClusterResponse) need_list = true;  // a line above the limit
      } else if (r.value().status == 410 || relist) {
        relist = true;  // re-list at once: the server compacted past our resourceVersion
        need_list = true;
      } else if (r.value().status == 403 || r.value().status == 404) {
        std::lock_guard<std::mutex> lock(s.mu);
        s.objects.clear();
        s.unreadable = refusal(r.value().status, r.value().body);
        s.listed = false;
        s.connected = false;
        need_list = true;
      } else if (r.value().status != 200) {
        failed = true;
      } else if (!r.value().complete) {
        failed = true;  // cut, idle, or a bad event (why says which)
        if (!why.empty()) need_list = true;
      }
      if (failed) errors.fetch_add(1);
      if (need_list) {
        restarts.fetch_add(1);
        bool unreadable;
        {
          std::lock_guard<std::mutex> lock(s.mu);
          unreadable = s.unreadable.has_value();
          if (!unreadable) s.listed = false;  // stale until re-listed
          s.connected = false;
        }
        notify();
        if (unreadable && !pause(options.backoff_max)) return;
        if (!relist && !unreadable && !pause(backoff(++failures))) return;
        break;
      }
      if (failed) {
        restarts.fetch_add(1);
        setState(s, true, false);
        if (!pause(backoff(++failures))) return;
        continue;
      }
      failures = 0;  // a normal end (timeoutSeconds): renew at once, still synced
    }
  }
}

WatchCache::WatchCache(ApiGet get, ApiStream stream, WatchOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->get = std::move(get);
  impl_->stream = std::move(stream);
  impl_->options = std::move(options);
  impl_->prefix = impl_->options.read.context.empty() ? std::string() : impl_->options.read.context + ":";
}

WatchCache::~WatchCache() { stop(); }

Result<bool> WatchCache::start() {
  Impl& im = *impl_;
  if (im.started) return true;
  Result<Discovery> discovery = discover(im.get);
  if (!discovery.ok()) return discovery.error();
  const Discovery& d = discovery.value();
  im.server_version = d.server_version;
  im.aggregated = d.aggregated;
  const ReadOptions& read = im.options.read;
  if (!read.include_secrets) {
    im.not_listed.push_back(
        UnreadableResource{"", "secrets", "Secret", "", "secret values: listed only with --include-secrets"});
  }
  for (const WantedKind& wanted : kindsToList(read)) {
    const ApiResource* resource = d.find(wanted.group, wanted.kind);
    if (resource == nullptr) {
      if (const FailedGroup* failed = d.failedGroup(wanted.group)) {
        im.failed.push_back(UnreadableResource{wanted.group, "", wanted.kind, "", failed->reason});
      }
      continue;
    }
    std::vector<std::string> namespaces{""};
    if (resource->namespaced && !read.namespaces.empty()) namespaces = read.namespaces;
    for (const std::string& ns : namespaces) {
      auto s = std::make_unique<Stream>();
      s->resource = *resource;
      s->ns = ns;
      s->display = resource->group.empty() ? resource->resource : resource->resource + "." + resource->group;
      if (!ns.empty()) s->display += " in " + ns;
      im.streams.push_back(std::move(s));
    }
  }
  im.started = true;
  for (auto& s : im.streams) {
    Stream* stream = s.get();
    im.workers.emplace_back([&im, stream] { im.run(*stream); });
  }
  return true;
}

void WatchCache::stop() {
  Impl& im = *impl_;
  im.stopping = true;
  im.notify();
  for (std::thread& t : im.workers) {
    if (t.joinable()) t.join();
  }
  im.workers.clear();
}

bool WatchCache::synced() const { return impl_->started && impl_->allSynced(); }

bool WatchCache::waitSynced(std::chrono::milliseconds timeout) const {
  Impl& im = *impl_;
  std::unique_lock<std::mutex> lock(im.state_mu);
  im.state_cv.wait_for(lock, timeout, [&] { return im.stopping.load() || (im.started && im.allSynced()); });
  return im.started && im.allSynced();
}

CacheSnapshot WatchCache::snapshot(unsigned threads) const {
  const Impl& im = *impl_;
  CacheSnapshot out;
  out.info.context = im.options.read.context;
  out.info.server = im.options.read.server;
  out.info.server_version = im.server_version;
  out.info.namespaces = im.options.read.namespaces;
  out.info.aggregated_discovery = im.aggregated;
  out.info.taken_at = nowRfc3339();
  out.not_listed = im.not_listed;
  std::vector<std::unique_ptr<SourceFile>> files;
  for (const auto& sp : im.streams) {
    const Stream& s = *sp;
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.unreadable) {
      out.unreadable.push_back(UnreadableResource{s.resource.group, s.resource.resource, s.resource.kind, s.ns, *s.unreadable});
      continue;
    }
    if (!s.synced()) out.unsynced.push_back(s.display);
    const std::string path = im.prefix + s.resource.listPath(s.ns);
    std::string batch;
    auto flush = [&] {
      if (batch.empty()) return;
      batch += "]}";
      auto file = std::make_unique<SourceFile>();
      file->path = path;
      file->content = std::move(batch);
      batch = std::string();
      files.push_back(std::move(file));
    };
    for (const auto& [key, json] : s.objects) {
      if (batch.empty()) {
        batch.reserve(std::min<size_t>(kBatchBytes + (64u << 10), 64 * json.size() + 256));
        batch += kPagePrefix;
      } else {
        batch += ',';
      }
      batch += json;
      ++out.object_count;
      if (batch.size() >= kBatchBytes) flush();
    }
    flush();
  }
  out.unreadable.insert(out.unreadable.end(), im.failed.begin(), im.failed.end());
  out.synced = im.started && out.unsynced.empty();
  // Load the batches on `threads` workers; add them in order.
  std::vector<LoadResult> loaded(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      loaded[i] = loadBuffer(files[i]->path, files[i]->content, im.options.read.limits);
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(files.size())));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < n; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (size_t i = 0; i < files.size(); ++i) out.objects.addLoaded(std::move(files[i]), std::move(loaded[i]));
  return out;
}

std::vector<std::string> WatchCache::unsyncedResources() const {
  std::vector<std::string> out;
  for (const auto& s : impl_->streams) {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->synced()) out.push_back(s->display);
  }
  return out;
}

WatchStats WatchCache::stats() const {
  const Impl& im = *impl_;
  return WatchStats{im.lists.load(),  im.relists.load(),   im.watches.load(), im.restarts.load(),
                    im.events.load(), im.bookmarks.load(), im.errors.load()};
}

uint64_t WatchCache::objectCount() const {
  uint64_t n = 0;
  for (const auto& s : impl_->streams) {
    std::lock_guard<std::mutex> lock(s->mu);
    n += s->objects.size();
  }
  return n;
}

std::string WatchCache::serverVersion() const { return impl_->server_version; }

}  // namespace kspm::cluster
