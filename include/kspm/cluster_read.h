// Reading a live cluster through the Kubernetes API: discovery, paginated listing, page
// normalisation, kubelet configz, and snapshots of what was read.
//
// Nothing here does HTTP itself: every request goes through an ApiGet (the CLI passes a lambda
// over KubeClient::get, tests a fake serving canned bodies), so the logic is testable offline.
//
// Contracts:
//  - Discovery decides what exists. A kind kspm wants that discovery does not list is not served
//    (a cluster without Calico has no Calico policies): simply absent, not an error. Only when its
//    API group's discovery failed is it unreadable.
//  - Every resource that could not be read (403, 404, 5xx after retries, repeated 410, connection
//    errors after the first request) is recorded as an UnreadableResource; the read goes on.
//    Only a connection/auth error on the very first request (/version) is fatal.
//  - Secrets are listed only with ReadOptions::include_secrets; otherwise they are recorded in
//    `not_listed`. Listed Secrets are reduced at normalisation to apiVersion, kind, metadata
//    {name, namespace, labels, uid}, type and the key names of data/stringData (values ""): no
//    secret value ever reaches the ObjectSet or a snapshot.
//  - The ObjectSet is identical whatever ReadOptions::threads is: resources in kindsToList order,
//    namespaces in the given order, pages in order, configz objects last in node order.
// Thread safety: readCluster calls ApiGet from the calling thread and, for configz, from up to
// configz_concurrency threads at once; the other functions are reentrant.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/coverage.h"
#include "kspm/kube_client.h"
#include "kspm/loader.h"
#include "kspm/object.h"
#include "kspm/status.h"

namespace kspm::cluster {

/** One GET: `path` starts with '/', may carry a query; `accept` is the Accept header. */
using ApiGet = std::function<Result<HttpResponse>(std::string_view path, std::string_view accept)>;

/** The Accept header that asks for aggregated discovery (v2, then v2beta1), falling back to plain JSON. */
inline constexpr std::string_view kAggregatedDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/** A listable resource at its group's preferred version. */
struct ApiResource {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural, e.g. "deployments"
  std::string kind;      // "Deployment"
  bool namespaced = false;
  std::vector<std::string> verbs;

  /** "v1" or "apps/v1". */
  std::string apiVersion() const;
  /** "/api/v1/pods" or "/apis/apps/v1/namespaces/NS/deployments" (ns "" = all namespaces / cluster-wide). */
  std::string listPath(std::string_view ns = {}) const;
};

/** An API group whose discovery failed: its kinds are unreadable, not absent. */
struct FailedGroup {
  std::string group;
  std::string reason;  // e.g. "discovery for metrics.k8s.io/v1beta1 failed: 503 ..." or "discovery is stale"
};

struct Discovery {
  std::string server_version;  // /version gitVersion, e.g. "v1.30.2"
  bool aggregated = false;     // the server answered with aggregated discovery
  std::vector<ApiResource> resources;  // with verb "list", no subresources; core first, then groups in server order
  std::vector<FailedGroup> failed_groups;
  uint64_t requests = 0;       // GETs made
  uint64_t bytes = 0;          // body bytes received

  /** The resource serving `kind` in `group`, or nullptr. */
  const ApiResource* find(std::string_view group, std::string_view kind) const;
  const FailedGroup* failedGroup(std::string_view group) const;
};

/**
 * GET /version, then aggregated discovery on /api and /apis (decided by the response's kind /
 * Content-Type), else legacy discovery (/api, /apis, /api/v1 and each group's preferred
 * version). An ApiGet error or a non-200 on /version, /api or /apis is returned as the error; a
 * failing /apis/G/V or a Stale group only lands in failed_groups.
 */
Result<Discovery> discover(const ApiGet& get);

/** A kind to list, matched to a discovered resource by group + kind. */
struct WantedKind {
  std::string group;
  std::string kind;
};

/** Called after each page: resource ("pods", "deployments.apps"), objects read so far in it, pages so far in it. */
using ProgressFn = std::function<void(std::string_view resource, uint64_t objects, uint64_t pages)>;

struct ReadOptions {
  std::string context;  // kubeconfig context name, for source paths and the snapshot; may be ""
  std::string server;   // server URL, for the snapshot info
  /** Namespaces to read namespaced kinds from; empty = all namespaces. Cluster-scoped kinds are always read. */
  std::vector<std::string> namespaces;
  bool include_secrets = false;
  /** Opt-in: GET /api/v1/nodes/NAME/proxy/configz for every Node (needs nodes/proxy: dangerous). */
  bool kubelet_configz = false;
  unsigned configz_concurrency = 4;
  /** Workload custom resources configured in addition to checks::defaultWorkloadKinds(). */
  std::vector<WantedKind> workload_kinds;
  uint32_t page_limit = 500;
  int max_restarts = 3;      // 410 Gone restarts per list before the resource is unreadable
  unsigned threads = 0;      // page parsing workers; 0 = hardware_concurrency
  LoadLimits limits;
  std::string taken_at;      // RFC 3339 UTC; "" = now
  ProgressFn progress;       // may be empty
};

/**
 * Every kind kspm's checks and engines (RBAC, NetworkPolicy, graph) read, in the fixed order the
 * ObjectSet is built in: core and built-in kinds, other network policy engines, workload custom
 * resources (defaults, then options.workload_kinds, duplicates dropped), CRDs; Secret only with
 * include_secrets.
 */
std::vector<WantedKind> kindsToList(const ReadOptions& options);

struct SnapshotInfo {
  std::string cluster_id;  // the cluster ID of fingerprints (set by the caller; "" in snapshots written before it)
  std::string context;
  std::string server;
  std::string server_version;
  std::string taken_at;
  std::vector<std::string> namespaces;  // empty = all
  bool aggregated_discovery = false;
};

struct ReadStats {
  uint64_t requests = 0;  // ApiGet calls (the client's own retries not counted)
  uint64_t pages = 0;     // list pages read (discarded ones included)
  uint64_t objects = 0;   // objects in the ObjectSet
  uint64_t bytes = 0;     // response body bytes received
  uint64_t restarts = 0;  // lists restarted after 410 Gone
};

struct ClusterRead {
  ObjectSet objects;
  std::vector<UnreadableResource> unreadable;
  std::vector<UnreadableResource> not_listed;  // not read by choice (Secrets without include_secrets)
  SnapshotInfo info;
  ReadStats stats;
  std::optional<InputError> fatal;  // set: nothing was read
};

ClusterRead readCluster(const ApiGet& get, const ReadOptions& options);

struct NormalizeOptions {
  LoadLimits limits;     // max_document_bytes for the body, max_depth for nesting
  std::string source;    // names the page in errors, e.g. "/api/v1/pods"
};

struct NormalizedPage {
  std::string json;            // {"apiVersion":"v1","kind":"List","items":[...]}
  std::string continue_token;  // metadata.continue, "" on the last page
  std::string resource_version;
  uint64_t items = 0;
};

/**
 * One pass (SAX reader to writer, no DOM) over a list response: every item gets
 * "apiVersion":api_version,"kind":kind first (its own copies dropped), metadata.managedFields is
 * dropped, and a v1 Secret is reduced (see the file comment). Errors (kJsonSyntax,
 * kDepthLimit, kDocumentTooLarge, kInvalidListItems, kClusterResponse for a body that is not a
 * *List) name the source and the place.
 */
Result<NormalizedPage> normalizeListPage(std::string_view body, std::string_view api_version, std::string_view kind,
                                         const NormalizeOptions& options);

/**
 * A /configz response {"kubeletconfig":{...}} as one KubeletConfiguration object named after the
 * node: {"apiVersion":"kubelet.config.k8s.io/v1beta1","kind":"KubeletConfiguration",
 * "metadata":{"name":NODE}, ...the kubeletconfig fields...}.
 */
Result<std::string> wrapKubeletConfigz(std::string_view body, std::string_view node, const NormalizeOptions& options);

/** The snapshot's annotation key on the List. */
inline constexpr std::string_view kSnapshotInfoAnnotation = "snapshot.kspm.dev/info";

/**
 * The whole read as one JSON List: metadata.annotations[kSnapshotInfoAnnotation] holds a JSON
 * string {clusterId (when set), context, server, serverVersion, takenAt, namespaces, aggregatedDiscovery, unreadable[],
 * notListed[]}; items are every object read, in ObjectSet order, spliced from the normalised pages.
 */
void writeSnapshot(const ClusterRead& read, std::string* out);
/** Same, streamed; false on a write error. */
bool writeSnapshot(const ClusterRead& read, FILE* out);

struct SnapshotCoverage {
  SnapshotInfo info;
  std::vector<UnreadableResource> unreadable;
  std::vector<UnreadableResource> not_listed;
  std::string file;  // the input file that held it
};

/**
 * For a scan of snapshot files: the coverage recorded in the first snapshot found (by its List's
 * annotation, reached through any of its objects, or read from the head of a file with no
 * objects), or nullopt when no input is a snapshot.
 */
std::optional<SnapshotCoverage> snapshotCoverage(const ObjectSet& objects);

}  // namespace kspm::cluster
