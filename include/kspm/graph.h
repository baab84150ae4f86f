// The security graph of a set of manifests: workloads, identities, permission sets, nodes, volumes,
// network entry points and crown jewels joined by attack techniques, and the paths an attacker can
// take from an entry point to a crown jewel.
//
// Edges carry KubeHound's technique IDs where the technique is KubeHound's (docs/graph.md lists
// them with their preconditions) and kspm's own IDs for what KubeHound does not model: network
// reachability (NETWORK_REACH), exploitation of a vulnerable image (VULN_EXPLOIT, only where a
// vulnerability report says so), secret read through RBAC (SECRET_READ), service account token
// requests (TOKEN_REQUEST), group membership (MEMBER_OF), node credentials (NODE_CREDENTIAL) and
// cloud identities (CLOUD_IDENTITY_ASSUME).
//
// Granularity: one vertex per workload (its pods and containers), since manifests have no running
// pods; the evidence of an edge names the container and field. Placement is unknown: "node" is the
// node a given pod runs on, and what a node reaches on other pods is "possible" unless the pod runs
// on every node (DaemonSet). Each edge has a likelihood in (0, 1]: 1 for what Kubernetes grants, less
// for what depends on placement, the network plugin or exploitation.
//
// Admission: creating a privileged or host-mounting pod leads to the node only where the namespace's
// Pod Security `enforce` label would admit such a pod (privileged, or no label); a namespace the input
// does not define is "possible".
//
// Thread safety: a Graph is immutable once built and may be queried from several threads. It points
// into the ObjectSet it was built from.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/object.h"
#include "kspm/status.h"

namespace kspm::vulns {
class Database;
}

namespace kspm::graph {

enum class VertexKind : uint8_t {
  kInternet,       // the internet (an entry point)
  kWorkload,       // a workload's pods and containers
  kEndpoint,       // a workload's listening ports as the network reaches them
  kVolume,         // a hostPath volume of a workload
  kNode,           // the node a pod runs on
  kIdentity,       // ServiceAccount, User or Group
  kPermissionSet,  // a binding with its role
  kCloudIdentity,  // an IAM role / GCP service account / Azure identity
  kCrownJewel,     // a path target: cluster-admin, node root, secrets, cloud admin
};
/** "internet", "workload", ... */
std::string_view vertexKindName(VertexKind kind);

struct Vertex {
  VertexKind kind = VertexKind::kWorkload;
  std::string name;                 // "shop/Deployment/web", "ServiceAccount shop/api", "cluster-admin", ...
  const Object* object = nullptr;   // the object it stands for, when there is one
  std::string ns;                   // its namespace ("" when cluster-scoped or unspecified)
  bool jewel = false;               // a crown jewel
};

/** Attack techniques: KubeHound's IDs, then kspm's own. */
enum class Technique : uint8_t {
  kCeModuleLoad, kCeNsenter, kCePrivMount, kCeSysPtrace, kCeUmhCorePattern, kCeVarLogSymlink,
  kContainerAttach, kEndpointExploit, kExploitContainerdSock, kExploitHostRead, kExploitHostTraverse,
  kExploitHostWrite, kIdentityAssume, kIdentityImpersonate, kPermissionDiscover, kPodAttach, kPodCreate,
  kPodExec, kPodPatch, kRoleBind, kSharePsNamespace, kTokenBruteforce, kTokenList, kTokenSteal,
  kVolumeAccess, kVolumeDiscover,
  // kspm's own
  kNetworkReach, kVulnExploit, kSecretRead, kTokenRequest, kMemberOf, kNodeCredential, kCloudIdentityAssume,
  kClusterAdmin, kCloudAdmin,
};
/** "CE_MODULE_LOAD", ..., "NETWORK_REACH", ... */
std::string_view techniqueId(Technique technique);
/** The MITRE ATT&CK technique, e.g. "T1611"; "" when none applies. */
std::string_view techniqueMitre(Technique technique);
/** Parses an ID (case-insensitive). */
std::optional<Technique> parseTechnique(std::string_view id);

struct Edge {
  uint32_t from = 0;
  uint32_t to = 0;
  Technique technique = Technique::kIdentityAssume;
  double likelihood = 1.0;     // (0, 1]
  std::string evidence;        // what in the input makes it: "container app: securityContext.privileged: true"
  const Object* object = nullptr;  // the object the evidence is in
  uint32_t line = 0;
};

struct BuildOptions {
  /** Vulnerability data joined to images; nullptr: none (then no VULN_EXPLOIT edges). */
  const vulns::Database* vulns = nullptr;
  /** Add the RBAC bootstrap policy (cluster-admin for system:masters, ...). */
  bool bootstrap_rbac = true;
  /** Namespaces whose secrets are crown jewels; empty: every namespace. */
  std::vector<std::string> secret_namespaces;
  /** ARNs of admin-equivalent AWS principals (loadAwsAdminPrincipals): their cloud identities are crown jewels. */
  std::vector<std::string> cloud_admin_arns;
};

/**
 * The admin-equivalent principals of `aws iam get-account-authorization-details` JSON: roles and
 * users with AdministratorAccess or a policy (attached customer-managed default version, or inline;
 * documents as objects or URL-encoded text) allowing Action * on Resource *, and users in such groups.
 */
Result<std::vector<std::string>> loadAwsAdminPrincipals(const std::string& path);

class Graph {
 public:
  static std::unique_ptr<Graph> build(const ObjectSet& objects, const BuildOptions& options = {});
  ~Graph();

  const std::vector<Vertex>& vertices() const { return vertices_; }
  const std::vector<Edge>& edges() const { return edges_; }
  /** Edge indices leaving vertex `v`, in build order. */
  const std::vector<uint32_t>& out(uint32_t v) const { return out_[v]; }
  /** Edge indices entering vertex `v`. */
  const std::vector<uint32_t>& in(uint32_t v) const { return in_[v]; }

  /**
   * A value derived from the graph for a set of target vertices (path-search distances), computed
   * once by the first caller and kept while the graph lives. Thread-safe.
   */
  template <typename T, typename Fn>
  std::shared_ptr<const T> cached(const std::vector<uint32_t>& targets, Fn&& compute) const {
    std::vector<uint32_t> key = targets;
    std::sort(key.begin(), key.end());
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      if (cache_.size() >= 64) cache_.clear();  // bounded: at most 64 target sets kept
      it = cache_.emplace(std::move(key), std::make_shared<const T>(compute())).first;
    }
    return std::static_pointer_cast<const T>(it->second);
  }
  /** The vertex named `name`, or nullopt. */
  std::optional<uint32_t> find(std::string_view name) const;
  /** The internet vertex. */
  uint32_t internet() const { return internet_; }
  /** Problems met while building (unreadable vulnerability joins, ...). */
  const std::vector<std::string>& notes() const { return notes_; }

  /** Used while building. */
  uint32_t addVertex(Vertex vertex);
  void addEdge(Edge edge);
  /** Drops repeated (from, to, technique) edges, keeping the first. */
  void dedupe();

 private:
  Graph() = default;
  std::vector<Vertex> vertices_;
  std::vector<Edge> edges_;
  std::vector<std::vector<uint32_t>> out_;
  std::vector<std::vector<uint32_t>> in_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::vector<uint32_t>, std::shared_ptr<const void>> cache_;
  std::vector<std::pair<std::string, uint32_t>> by_name_;  // sorted after build
  uint32_t internet_ = 0;
  std::vector<std::string> notes_;
};

/** A path: edge indices from a source to a target. */
struct Path {
  std::vector<uint32_t> edges;
  double likelihood = 1.0;  // product of the edges' likelihoods
};

struct PathQuery {
  std::vector<uint32_t> sources;   // entry points
  std::vector<uint32_t> targets;   // empty: every crown jewel
  uint32_t k = 3;                  // paths per (source, target) and ranking
  uint32_t max_expansions = 2'000'000;  // cap on the work of each search
  /** Search from all sources at once ("from any pod"): k best paths per target whatever the source. */
  bool combine_sources = false;
};

struct PathResult {
  uint32_t source = 0;
  uint32_t target = 0;
  std::vector<Path> shortest;  // fewest steps first (then likeliest)
  std::vector<Path> riskiest;  // likeliest first (then fewest steps)
};

struct PathAnswer {
  std::vector<PathResult> results;  // by source, then target
  bool capped = false;              // the expansion cap was hit: some paths may be missing
  uint64_t expansions = 0;
  uint32_t searches = 0;            // searches run (one per source, or one for combined sources)
  /** Vulnerability reports that matched no image of the input (filled in by the caller). */
  std::vector<std::string> unmatched_reports;
  /** The vulnerability data used, as (key, value) pairs: reports, KEV catalog version, EPSS score date... */
  std::vector<std::pair<std::string, std::string>> data_sources;
};

/** The k shortest and k likeliest simple paths from each source to each target. */
PathAnswer findPaths(const Graph& graph, const PathQuery& query);

/** Everything reachable from `source`, with the likeliest path's likelihood to each vertex, likeliest first. */
std::vector<std::pair<uint32_t, double>> blastRadius(const Graph& graph, uint32_t source);

/** The blast radius summarised: crown jewels with their likeliest path, then per vertex kind. */
struct BlastRadius {
  uint32_t source = 0;
  struct Jewel {
    uint32_t vertex = 0;
    double likelihood = 0;
    Path path;  // the likeliest
  };
  std::vector<Jewel> jewels;
  struct Kind {
    VertexKind kind = VertexKind::kWorkload;
    size_t count = 0;
    std::vector<std::pair<uint32_t, double>> top;  // likeliest first
  };
  std::vector<Kind> kinds;  // in VertexKind order, only kinds reached
};
BlastRadius summariseBlastRadius(const Graph& graph, uint32_t source, size_t top);

}  // namespace kspm::graph
