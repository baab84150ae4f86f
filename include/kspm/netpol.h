// NetworkPolicy reachability of a set of manifests, at workload granularity.
//
// Semantics are those of networking.k8s.io/v1 NetworkPolicy (docs/network.md has the full list):
// - A pod is isolated for ingress (egress) when some policy of its namespace selects it and has
//   Ingress (Egress) in its effective policyTypes (omitted: Ingress, plus Egress when spec.egress
//   has rules). Policies add up: a connection is allowed when an isolating direction has a rule
//   allowing it, and needs both the source's egress and the destination's ingress.
// - Peers: podSelector alone means pods of the policy's namespace; namespaceSelector alone all
//   pods of matching namespaces; both are ANDed; {} matches everything. Ports: protocol (default
//   TCP), number with optional endPort, or a name resolved on the destination pod's containers
//   (matching name and protocol). Empty or missing from/to/ports mean all.
// - Every namespace carries kubernetes.io/metadata.name=<name>. A namespace the input does not
//   define is assumed to carry only that label, so a namespaceSelector on any other label is
//   "unknown" there; the unspecified namespace ("" when manifests give none) has no known label.
//   Objects of the unspecified namespace from different directories are different projects: a
//   policy there selects, and its podSelector-only peers match, only workloads of its directory.
// - Three verdicts plus one: allowed, denied, depends (Kubernetes leaves it to the network plugin:
//   an ipBlock that may hold pod IPs, hostNetwork pods, SNAT-ed NodePort/LoadBalancer traffic) and
//   unknown (the input does not show enough: namespace labels, policies of other engines).
// - Policies of other engines (Calico, Cilium, AdminNetworkPolicy, Istio AuthorizationPolicy)
//   are not evaluated: where they may apply, an allowed or denied verdict becomes unknown (Istio
//   can only narrow, so its denials stand).
//
// Thread safety: a Model is immutable once built and may be queried from any number of threads.
// It points into the ObjectSet it was built from, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/netpol_sets.h"
#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm {
class ObjectIndex;
}

namespace kspm::netpol {

enum class Verdict : uint8_t { kAllowed, kDenied, kDepends, kUnknown };
/** "allowed", "denied", "depends" (on the network plugin), "unknown". */
std::string_view verdictName(Verdict verdict);

/** The directory part of a path ("" for a bare file name or "-"). */
std::string_view directoryOf(std::string_view path);

/** True when objects of namespace `ns` from these directories are in the same namespace. */
inline bool sameNamespaceScope(std::string_view ns, std::string_view dir_a, std::string_view dir_b) {
  return !ns.empty() || dir_a == dir_b;
}

/** Three-valued match. */
enum class Tri : uint8_t { kNo, kYes, kUnknown };

/** Labels as sorted (key, value) pairs; views into the input or into storage the caller keeps. */
using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

/** A container port of a pod. */
struct ContainerPort {
  std::string_view name;  // "" when unnamed
  uint16_t port = 0;
  Protocol protocol = Protocol::kTCP;
  uint16_t host_port = 0;  // 0 when none
};

/** A workload: an object with a pod spec (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ...). */
struct WorkloadInfo {
  const Object* object = nullptr;
  std::string_view ns;    // effective namespace ("" when unspecified)
  std::string_view kind;
  std::string_view name;
  Labels labels;          // pod (template) labels
  std::vector<ContainerPort> ports;
  bool host_network = false;
  bool single_pod = false;  // a bare Pod, which can always reach itself
  std::string_view directory;  // of its file: keeps unrelated projects apart in the unspecified namespace
  /** "NS/Kind/name" ("Kind/name" in the unspecified namespace). */
  std::string label() const;
};

/** A namespace as the model knows it. */
struct NamespaceInfo {
  std::string_view name;
  const Object* object = nullptr;  // the Namespace object; nullptr when only referenced
  Labels labels;                   // includes kubernetes.io/metadata.name unless the name is ""
  bool labels_known = false;       // true when `object` is set
};

/** A metav1.LabelSelector, parsed. An empty selector matches everything. */
struct LabelRequirement {
  enum class Op : uint8_t { kIn, kNotIn, kExists, kDoesNotExist };
  std::string_view key;
  Op op = Op::kIn;
  std::vector<std::string_view> values;
};
struct Selector {
  std::vector<LabelRequirement> requirements;
  bool matchesAll() const { return requirements.empty(); }
  /** Exact match on complete labels. */
  bool matches(const Labels& labels) const;
  /**
   * Three-valued match. With `complete` false only the keys present in `labels` are known (a
   * namespace the input does not define): a requirement on any other key gives kUnknown, unless
   * some requirement on a known key already fails (kNo).
   */
  Tri matches(const Labels& labels, bool complete) const;
  /** "app=web,tier in (a,b)" in kubectl's selector syntax; "" when it matches everything. */
  std::string toString() const;
};

struct PolicyPort {
  Protocol protocol = Protocol::kTCP;
  bool any_port = true;      // no port given: every port of the protocol
  std::string_view name;     // a named port, resolved on the destination; "" for numbers
  uint16_t port = 0;         // first port when numeric
  uint16_t end_port = 0;     // last port (== port unless endPort is given)
};

struct PolicyPeer {
  enum class Kind : uint8_t { kPods, kIpBlock };
  Kind kind = Kind::kPods;
  std::optional<Selector> namespace_selector;  // kPods: absent = the policy's namespace
  std::optional<Selector> pod_selector;        // kPods: absent = every pod
  IpSet block;                                 // kIpBlock: cidr minus except
  std::string description;                     // "namespaceSelector {team=a} podSelector {app=x}", "ipBlock 10.0.0.0/8 except ..."
  uint32_t id = 0;                             // model-wide peer number
};

struct PolicyRule {
  uint32_t index = 0;          // position in spec.ingress / spec.egress
  bool all_peers = true;       // from/to empty or missing
  std::vector<PolicyPeer> peers;
  bool all_ports = true;       // ports empty or missing
  std::vector<PolicyPort> ports;
  uint32_t line = 0;
};

struct Policy {
  const Object* object = nullptr;
  std::string_view ns;
  std::string_view name;
  Selector pod_selector;
  bool isolates_ingress = false;  // effective policyTypes
  bool isolates_egress = false;
  std::vector<PolicyRule> ingress;
  std::vector<PolicyRule> egress;
  std::string_view directory;  // of its file (see WorkloadInfo::directory)
  /** "NS/name". */
  std::string label() const;
};

/** A policy of another engine, not evaluated, that may change the verdicts in its scope. */
struct ForeignPolicy {
  const Object* object = nullptr;
  std::string_view kind;    // "GlobalNetworkPolicy", "CiliumNetworkPolicy", "AdminNetworkPolicy", "AuthorizationPolicy", ...
  std::string_view ns;      // "" when cluster-wide
  bool cluster_wide = false;
  bool may_allow = true;    // false when it can only narrow (Istio AuthorizationPolicy)
  /** "Kind NS/name". */
  std::string label() const;
};

/** A problem with the input that made kspm skip part of a policy (the API server would reject it). */
struct Problem {
  const Object* object = nullptr;
  uint32_t line = 0;
  std::string message;
};

/** One side of a connection: a workload of the model, a hypothetical pod, or external addresses. */
struct Endpoint {
  enum class Kind : uint8_t { kWorkload, kPod, kExternal };
  Kind kind = Kind::kWorkload;
  uint32_t workload = 0;               // kWorkload: index into Model::workloads()
  std::string_view ns;                 // kPod
  bool unknown_namespace = false;      // kPod: the namespace's labels are not known, and `ns` is not its name
  Labels labels;                       // kPod (sorted)
  std::vector<ContainerPort> ports;    // kPod
  IpSet addresses;                     // kExternal
  std::string name;                    // kPod / kExternal: how results name it

  static Endpoint ofWorkload(uint32_t index);
  static Endpoint ofPod(std::string_view ns, Labels labels, std::vector<ContainerPort> ports, std::string name);
  static Endpoint ofExternal(IpSet addresses, std::string name);
};

/** How one rule contributes to a direction's result. */
struct RuleEffect {
  uint32_t policy = 0;       // index into Model::policies()
  uint32_t rule = 0;         // index into the policy's ingress or egress rules
  Verdict effect = Verdict::kAllowed;  // allowed, depends or unknown
  ConnSet connections;       // what it allows (or may allow)
  std::string reason;        // for depends/unknown: why
};

/** The verdict of one direction: the source's egress or the destination's ingress. */
struct DirectionResult {
  bool judged = false;     // false for the external side, which no NetworkPolicy governs
  bool isolated = false;   // some policy selects the pod for this direction
  std::vector<uint32_t> selecting;   // those policies
  ConnSet allowed;
  ConnSet depends;          // disjoint from allowed
  ConnSet unknown;          // disjoint from allowed
  std::vector<RuleEffect> effects;
  std::vector<std::string> notes;
};

/** The result of a reachability query. */
struct Reach {
  DirectionResult egress;    // of the source
  DirectionResult ingress;   // of the destination
  ConnSet allowed;           // connections allowed end to end
  ConnSet depends;           // not allowed, but may be, depending on the network plugin
  ConnSet unknown;           // not allowed, but may be: the input does not show enough
  std::vector<const ForeignPolicy*> foreign;  // other engines' policies that may apply
  std::vector<std::string> notes;
  /** The verdict for one connection. */
  Verdict verdictFor(Protocol protocol, uint16_t port) const;
};

struct BuildOptions {
  std::vector<checks::WorkloadKind> workload_kinds = checks::defaultWorkloadKinds();
  /** Where pod IPs may come from: an ipBlock intersecting it makes pod-to-pod verdicts "depends". */
  IpSet pod_networks = defaultPodNetworks();
  /** An index of the same ObjectSet to reuse; the model builds its own when null. */
  const ObjectIndex* index = nullptr;
};

class Model {
 public:
  static std::unique_ptr<Model> build(const ObjectSet& objects, const BuildOptions& options = {});
  ~Model();

  const ObjectSet& objects() const { return *objects_; }
  const ObjectIndex& index() const { return *index_; }
  const std::vector<WorkloadInfo>& workloads() const { return workloads_; }
  const std::vector<Policy>& policies() const { return policies_; }
  const std::vector<ForeignPolicy>& foreignPolicies() const { return foreign_; }
  const std::vector<Problem>& problems() const { return problems_; }
  const IpSet& podNetworks() const { return pod_networks_; }
  /** The namespace `name` (defined or only referenced), or nullptr when the model never saw it. */
  const NamespaceInfo* namespaceInfo(std::string_view name) const;
  /** Every namespace the model knows, sorted by name. */
  const std::vector<NamespaceInfo>& namespaces() const { return namespaces_; }

  /** Workloads named `name` in `ns`, of kind `kind` (case-insensitive) unless `kind` is empty. */
  std::vector<uint32_t> findWorkloads(std::string_view ns, std::string_view kind, std::string_view name) const;

  /** Policies selecting workload `index` for ingress and for egress. */
  const std::vector<uint32_t>& ingressPolicies(uint32_t workload) const;
  const std::vector<uint32_t>& egressPolicies(uint32_t workload) const;

  /** Other engines' policies that may apply to pods of `ns`. */
  std::vector<const ForeignPolicy*> foreignPoliciesFor(std::string_view ns) const;

  /** What `from` may open to `to`, with the policies and rules that decide it. */
  Reach reach(const Endpoint& from, const Endpoint& to) const;

  // Implementation detail shared with the matrix and exposure code.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  Model() = default;
  const ObjectSet* objects_ = nullptr;
  const ObjectIndex* index_ = nullptr;
  std::unique_ptr<ObjectIndex> own_index_;
  std::vector<WorkloadInfo> workloads_;
  std::vector<NamespaceInfo> namespaces_;
  std::vector<Policy> policies_;
  std::vector<ForeignPolicy> foreign_;
  std::vector<Problem> problems_;
  IpSet pod_networks_;
  std::unique_ptr<Impl> impl_;
};

/**
 * The workload-to-workload connectivity in compact form: workloads that no policy tells apart
 * (same namespace facts, same selecting policies, same peer matches, same named ports) form one
 * class, and external addresses are split into ranges that every ipBlock treats alike.
 */
struct Matrix {
  struct Class {
    std::vector<uint32_t> workloads;  // indices into Model::workloads(), ascending
  };
  /** A node of the matrix: a class of workloads or an external address range set. */
  struct NodeRef {
    bool external = false;
    uint32_t index = 0;  // into classes or externals
    bool operator==(const NodeRef&) const = default;
  };
  /** What one node may open to another. */
  struct Connectivity {
    ConnSet allowed;
    ConnSet depends;
    ConnSet unknown;
    bool operator==(const Connectivity&) const = default;
  };
  struct Edge {
    NodeRef from;
    NodeRef to;
    uint32_t connectivity = 0;  // index into connectivities
  };
  std::vector<Class> classes;
  std::vector<IpSet> externals;              // disjoint; together every address
  std::vector<Connectivity> connectivities;  // distinct values, referenced by edges
  /**
   * Pairs with something allowed, depending or unknown, by source then destination. A class to
   * itself means traffic between different pods of the class (a pod always reaches itself).
   */
  std::vector<Edge> edges;
};

/** Computes the matrix with up to `threads` threads. */
Matrix computeMatrix(const Model& model, int threads = 1);

enum class ExposureLevel : uint8_t { kNone, kNamespace, kCluster, kInternet };
/** "none", "namespace", "cluster", "internet". */
std::string_view exposureLevelName(ExposureLevel level);
enum class Confidence : uint8_t { kExposed, kPotentiallyExposed, kUnknown };
/** "exposed", "potentially exposed", "unknown". */
std::string_view confidenceName(Confidence confidence);

/** One way a workload is reachable. */
struct ExposurePath {
  ExposureLevel level = ExposureLevel::kNone;
  Confidence confidence = Confidence::kExposed;
  const Object* via = nullptr;   // the Service, Ingress, route or the workload itself (hostNetwork, hostPort, pod network)
  std::string channel;           // "LoadBalancer Service", "NodePort Service", "Ingress", "HTTPRoute", "hostNetwork", "hostPort", "pod network"
  ConnSet ports;                 // destination (pod) ports reachable this way
  std::string reason;            // why, in one sentence
  std::vector<uint32_t> narrowed_by;  // policies that narrow this path
};

struct Exposure {
  uint32_t workload = 0;
  ExposureLevel level = ExposureLevel::kNone;   // the widest path
  Confidence confidence = Confidence::kExposed; // of the widest path (the most certain among equals)
  std::vector<ExposurePath> paths;
};

/** Exposure of every workload of the model, in workload order. */
std::vector<Exposure> computeExposure(const Model& model);

/**
 * The annotation a cloud provider reads to make a LoadBalancer Service internal (reachable from
 * the private network only: AWS, GKE, Azure, OCI, OpenStack, IBM, Alibaba), or "" when none is set.
 */
std::string_view internalLoadBalancerAnnotation(const Object& service);

/**
 * The addresses treated as "the internet": every address outside the private, shared, loopback and
 * link-local ranges; of both families, or of one.
 */
const IpSet& internetAddresses();
const IpSet& internetAddresses(IpFamily family);

}  // namespace kspm::netpol
