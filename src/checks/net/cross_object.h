// Shared by the net, ns and workload check families: recognising Services, Ingresses and
// NetworkPolicies, NetworkPolicy semantics, and deciding when the input shows enough of a
// namespace to judge a relation between objects. The rule throughout: "not assessable" is never a
// finding, so a check that would report something missing first makes sure the input is the kind
// of input where it would be there.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/common/fields.h"
#include "kspm/check.h"
#include "kspm/netpol.h"
#include "kspm/object.h"
#include "kspm/object_index.h"

namespace kspm::checks::net {

/** A Check whose metadata is fixed at construction. */
class BasicCheck : public Check {
 public:
  explicit BasicCheck(CheckInfo info) : info_(std::move(info)) {}
  const CheckInfo& info() const override { return info_; }

 private:
  CheckInfo info_;
};

/** A core (v1) Service, not a Knative serving.knative.dev Service. */
inline bool isCoreService(const Object& object) { return object.kind == "Service" && object.group().empty(); }
/** An Ingress of networking.k8s.io or the old extensions group. */
bool isIngress(const Object& object);
/** A Kubernetes NetworkPolicy (networking.k8s.io or extensions), not Calico's or Cilium's. */
bool isKubernetesNetworkPolicy(const Object& object);
/** A PodDisruptionBudget of the policy group. */
bool isPodDisruptionBudget(const Object& object);

/** "Deployment/web": how messages name another object. */
std::string objectLabel(const Object& object);

/** metadata.annotations[key] as a string, or "" when absent or not a string. */
std::string_view annotation(const Object& object, std::string_view key);

/**
 * True when objects in `ns` may be created by something the input only describes: a custom
 * resource whose operator creates pods and Services (Prometheus, Alertmanager, Elasticsearch,
 * Kafka, CloudNativePG, KubeVirt, ...). Checks that would report a missing pod or Service skip
 * such namespaces.
 */
bool mayCreateUnseenObjects(const ObjectIndex& index, std::string_view ns);
/**
 * The same answer from the scan's facts: which of those kinds the input holds at all is derived
 * once per scan (ScanContext::derived), so a call costs one lookup per kind present (usually none)
 * instead of one per known kind. Checks that run per object should prefer it.
 */
bool mayCreateUnseenObjects(const EvalContext& context, std::string_view ns);

/**
 * True when the input defines an object of `kind` that belongs with `referrer` (whose effective
 * namespace is `ns`): one in the same namespace and, when the namespace is unspecified, from a
 * file of the same directory. Objects without a namespace from unrelated directories all share the
 * unspecified namespace, so one project's Secrets say nothing about another's.
 */
bool definesKindNear(const ObjectIndex& index, const ObjectSet& objects, std::string_view kind,
                     std::string_view ns, const Object& referrer);

/**
 * True when `a` and `b` may belong together: always when `ns` (their namespace) is named; in the
 * unspecified namespace only when they come from files of the same directory, since unrelated
 * projects' objects without a namespace all land in "" (the NetworkPolicy model does not tell
 * them apart, so checks filter its answers with this).
 */
bool sameProject(const ObjectSet& objects, std::string_view ns, const Object& a, const Object& b);

/**
 * True when the input shows the pods of `referrer`'s namespace `ns`: it holds at least one workload
 * there (from the same directory when the namespace is unspecified) and nothing that creates pods
 * the input does not show (mayCreateUnseenObjects).
 */
bool podsAssessable(const ObjectIndex& index, const ObjectSet& objects, std::string_view ns,
                    const Object& referrer);
/** podsAssessable over the scan's index and objects, with mayCreateUnseenObjects(context, ns): same answer, cheaper. */
bool podsAssessable(const EvalContext& context, std::string_view ns, const Object& referrer);

/**
 * True when a Role of `ns`, or a ClusterRole bound by a RoleBinding of `ns`, lets someone create
 * core `resource` objects ("secrets", "configmaps") there: a component of the input may then create
 * them at run time (Argo CD's redis password, MetalLB's memberlist key). The namespaces where this
 * holds are derived once per scan (ScanContext::derived), so the call is a lookup.
 */
bool rolesMayCreate(const EvalContext& context, std::string_view ns, std::string_view resource);

/** True when the input holds a kustomization, whose generators create ConfigMaps and Secrets. */
bool mayGenerateConfig(const ObjectIndex& index);

/**
 * Effective spec.policyTypes of a NetworkPolicy: as listed when the list is non-empty; otherwise
 * Ingress always and Egress only when spec.egress has rules (the API server's defaulting).
 */
struct PolicyTypes {
  bool ingress = false;
  bool egress = false;
};
PolicyTypes effectivePolicyTypes(const Node* spec);

/**
 * Whether a NetworkPolicy spec selects pods with `pod_labels` (a mapping or null). podSelector is
 * a non-pointer field: missing or null means the empty selector, which selects every pod.
 */
bool policySelects(const Node* spec, const Node* pod_labels);

/** True when the input holds cluster-wide network policies (Calico, Cilium, AdminNetworkPolicy). */
bool hasClusterWidePolicies(const ObjectIndex& index);

/**
 * True when `ns` may be governed by network policies kspm does not model: cluster-wide policies
 * anywhere in the input, or namespaced Calico NetworkPolicy / CiliumNetworkPolicy objects in `ns`.
 */
bool hasUnmodelledPolicies(const ObjectIndex& index, std::string_view ns);

/** True when the namespace `name` is one Kubernetes creates for itself and never runs workloads in. */
inline bool isSystemNamespaceWithoutWorkloads(std::string_view name) {
  return name == "kube-public" || name == "kube-node-lease";
}

/**
 * The NetworkPolicy model of the scan's input (include/kspm/netpol.h), built once per scan
 * (ScanContext::derived) over the scan's ObjectIndex. The model knows the default workload kinds:
 * the scan policy's configured workload custom resources are not reachable from an EvalContext.
 */
const netpol::Model& netpolModel(const EvalContext& context);
/** netpol::computeExposure of netpolModel, computed once per scan; indexed by model workload. */
const std::vector<netpol::Exposure>& netpolExposure(const EvalContext& context);
/** netpolExposure when the caller holds netpolModel(context) already: one lookup instead of two. */
const std::vector<netpol::Exposure>& netpolExposure(const EvalContext& context, const netpol::Model& model);
/** The model's index of the workload `object`, or nullopt when the model does not hold it. */
std::optional<uint32_t> netpolWorkload(const EvalContext& context, const Object& object);
/** netpolModel and netpolWorkload in one lookup. */
struct NetpolWorkloadRef {
  const netpol::Model* model = nullptr;
  std::optional<uint32_t> workload;
};
NetpolWorkloadRef netpolWorkloadRef(const EvalContext& context, const Object& object);
/** The model's parsed form of the Kubernetes NetworkPolicy `object`, or nullptr (not one, or rejected: a problem). */
const netpol::Policy* netpolPolicy(const EvalContext& context, const Object& object);

}  // namespace kspm::checks::net
