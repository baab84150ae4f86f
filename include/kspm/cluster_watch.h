// An informer-style cache of a live cluster for continuous scans (`kspm watch`): for every
// resource kspm reads (kindsToList, per namespace with ReadOptions::namespaces), list it once
// (paginated, normalised as readCluster does), then watch it from the list's resourceVersion and
// apply ADDED / MODIFIED / DELETED / BOOKMARK events to an in-memory map of normalised objects.
//
// Contracts:
//  - One worker thread per (resource, namespace). After the first list a resource is never listed
//    again except when the server says its resourceVersion is too old (HTTP 410, or an ERROR event
//    with code 410): then it is re-listed and its objects replaced. A watch that ends normally
//    (timeoutSeconds) is renewed at once from the last resourceVersion seen (bookmarks included).
//  - A watch cut by a connection loss (API server outage) is resumed with exponential backoff
//    (WatchOptions::backoff_base doubling up to backoff_max); the cache keeps every object
//    meanwhile. A resource is *synced* once listed and while its watch is connected (or being
//    renewed after a normal end); from a failed watch or list until the next successful one it is
//    not. synced() is true when every resource is synced or unreadable: scans should wait for it
//    rather than report a partial or stale cluster.
//  - A list or watch answered 403 (or 404, or a bad body) makes the resource unreadable: its
//    objects are dropped and it is reported in CacheSnapshot::unreadable until a later list
//    (retried every backoff_max) succeeds. Discovery failures of a group are unreadable for good.
//  - Bounded input: a list page or a watch event above ReadOptions::limits.max_document_bytes is
//    an error (the resource becomes unreadable), as is any line above the stream's line limit.
//  - Secrets: listed only with ReadOptions::include_secrets, and reduced as readCluster reduces
//    them (no value is ever cached). kubelet_configz is not supported here (ignored).
//  - snapshot() builds an ObjectSet: resources in kindsToList order, namespaces in the given order,
//    objects sorted by namespace/name within a resource, in List documents of about 4 MiB, each
//    named "<context>:<list path>" as readCluster names its pages. Identical caches give
//    identical ObjectSets.
// Thread safety: every public member may be called from any thread once start() returned; the
// ApiGet and ApiStream are called from the worker threads concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/cluster_read.h"
#include "kspm/kube_client.h"
#include "kspm/loader.h"
#include "kspm/status.h"

namespace kspm::cluster {

/**
 * One streaming GET (a watch): `path` with its query. Lines go to on_line; on_open is called once
 * the response status is known. Must return soon after `cancel` is set. The CLI passes a lambda
 * over KubeClient::stream, tests a fake.
 */
using ApiStream = std::function<Result<StreamResponse>(std::string_view path, const StreamLineFn& on_line,
                                                       const StreamOpenFn& on_open, const std::atomic<bool>* cancel)>;

struct WatchOptions {
  ReadOptions read;  // namespaces, include_secrets, workload_kinds, page_limit, limits, context, server
  std::chrono::seconds watch_timeout{300};  // timeoutSeconds of each watch request (the server ends it)
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{30'000};
};

/** Counters since start(), over every resource. */
struct WatchStats {
  uint64_t lists = 0;      // complete lists (the first ones and re-lists)
  uint64_t relists = 0;    // lists after a 410
  uint64_t watches = 0;    // watch requests that the server accepted (200)
  uint64_t restarts = 0;   // watches resumed after a failure (cut, refused, error) or a 410
  uint64_t events = 0;     // ADDED, MODIFIED and DELETED events applied
  uint64_t bookmarks = 0;
  uint64_t errors = 0;     // failed list/watch requests and bad events
};

struct CacheSnapshot {
  ObjectSet objects;
  std::vector<UnreadableResource> unreadable;
  std::vector<UnreadableResource> not_listed;  // Secrets without include_secrets
  SnapshotInfo info;                           // taken_at = when the snapshot was built
  bool synced = false;                         // as WatchCache::synced() at the time of the snapshot
  std::vector<std::string> unsynced;           // resources not synced ("pods", "deployments.apps in shop")
  uint64_t object_count = 0;
};

class WatchCache {
 public:
  WatchCache(ApiGet get, ApiStream stream, WatchOptions options);
  ~WatchCache();  // stop()
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  /**
   * Discovery (its failure is the error: nothing started), then one worker per resource. Returns
   * at once; the first lists run in the background (waitSynced).
   */
  Result<bool> start();
  /** Ends every watch and joins the workers; idempotent. The cache keeps its objects. */
  void stop();

  bool synced() const;
  /** Waits until synced(), `timeout` passed or stop(); returns synced(). */
  bool waitSynced(std::chrono::milliseconds timeout) const;
  CacheSnapshot snapshot(unsigned threads = 1) const;
  /** The resources not synced now ("pods", "deployments.apps in shop"), cheaply (no snapshot). */
  std::vector<std::string> unsyncedResources() const;
  WatchStats stats() const;
  uint64_t objectCount() const;
  /** The server's version from discovery ("" before start()). */
  std::string serverVersion() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kspm::cluster
