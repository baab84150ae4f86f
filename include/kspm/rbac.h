// The RBAC model of a set of manifests: effective roles, bindings, who-can and per-subject permissions.
//
// Semantics are those of the Kubernetes RBAC authorizer (plugin/pkg/auth/authorizer/rbac) with the
// rule matcher of src/checks/rbac/rbac_rules.h:
// - ClusterRoles with an aggregationRule get the union of the rules of every other ClusterRole whose
//   labels match one of its clusterRoleSelectors, to a fixpoint (as the aggregation controller would);
//   rules written on an aggregating role are replaced. Equal rules are kept once.
// - ClusterRoleBinding -> ClusterRole grants cluster-wide; RoleBinding -> ClusterRole grants only in the
//   binding's namespace; RoleBinding -> Role grants in the namespace of both. nonResourceURLs rules grant
//   only through a ClusterRoleBinding. A binding whose role is not in the input grants nothing and is
//   listed as dangling.
// - A ServiceAccount subject without namespace takes the RoleBinding's. A service account is in the groups
//   system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated; any other authenticated
//   identity is in system:authenticated; system:anonymous is in system:unauthenticated. Other groups come
//   from the authenticator and must be given by the caller.
// - Group system:masters bypasses authorization: its members can do everything, whatever RBAC says.
//
// - A RoleBinding grants no cluster-scoped resource (nodes, persistentvolumes, clusterroles, ...): the API
//   server never asks for them in a namespace. A RoleBinding granting "namespaces" lets get, update, patch
//   and delete the binding's own Namespace object (its request carries that namespace).
//
// Thread safety: a Model is immutable once built and reads from any number of threads. It points into the
// ObjectSet it was built from, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::rbac {

inline constexpr std::string_view kMastersGroup = "system:masters";

/** An identity: kind User, Group or ServiceAccount; `ns` only for a ServiceAccount. */
struct Subject {
  std::string kind;
  std::string name;
  std::string ns;
  /** "ServiceAccount web/api", "User alice", "Group dev". */
  std::string label() const;
  bool operator==(const Subject&) const = default;
};

/**
 * Parses "serviceaccount:NS:NAME" (or "sa:NS:NAME"), "user:NAME", "group:NAME"; a User named
 * system:serviceaccount:NS:NAME is that service account. False with *error set when malformed.
 */
bool parseSubject(std::string_view text, Subject* out, std::string* error);

/** One rule of a role's effective rules, and where it is written. */
struct EffectiveRule {
  const Node* rule = nullptr;
  std::string_view source_kind;   // the role that holds the rule in the input ("Role" / "ClusterRole")
  std::string_view source_name;   // differs from the role's own name for aggregated rules
  uint32_t source_index = 0;      // index in the source role's rules
};

struct Role {
  const Object* object = nullptr;
  std::string_view kind;  // "Role" or "ClusterRole"
  std::string_view ns;    // "" for a ClusterRole
  std::string_view name;
  bool aggregating = false;                   // has aggregationRule.clusterRoleSelectors
  std::vector<EffectiveRule> rules;           // after aggregation
  std::vector<std::string_view> aggregated;   // names of the ClusterRoles it aggregates
};

struct Binding {
  const Object* object = nullptr;
  std::string_view kind;  // "RoleBinding" or "ClusterRoleBinding"
  std::string_view ns;    // "" for a ClusterRoleBinding
  std::string_view name;
  std::string_view role_kind;
  std::string_view role_name;
  int32_t role = -1;               // index in Model::roles(); -1 when dangling or malformed
  bool malformed_ref = false;      // roleRef missing or invalid
  std::vector<Subject> subjects;   // the subjects that can match someone
};

/** A resource or non-resource request. `resource` starting with '/' is a non-resource URL path. */
struct Request {
  std::string verb;
  std::string group;        // "" core
  std::string resource;     // "pods", or a URL path such as "/metrics"
  std::string subresource;  // "exec", "" for none
  std::string ns;           // "" = any scope (each answer says its scope)
  std::string name;         // "" = no object name given
};

/** Why a subject holds a permission. Points into the Model. */
struct Access {
  /** The subject as the binding names it (Model::mastersGroup() for the bypass). */
  const Subject* subject = nullptr;
  bool masters = false;        // via group system:masters (no binding, rule or role)
  int32_t binding = -1;        // index in Model::bindings()
  int32_t role = -1;           // index in Model::roles()
  uint32_t rule = 0;           // index in the role's effective rules
  bool cluster_wide = true;    // through a ClusterRoleBinding (or system:masters)
  std::string_view ns;         // else the namespace it holds in ("" if the input leaves it unspecified)
  bool named_only = false;     // only for the objects in the rule's resourceNames
};

/** What one subject can do. */
struct Permissions {
  Subject subject;
  std::vector<std::string> groups;  // groups it is in (known from its kind, plus the given ones)
  bool masters = false;             // in system:masters: can do everything
  /**
   * One per (binding, effective rule): cluster-wide first, then by namespace, then input order. Each
   * access's subject is the binding subject that matched (the subject itself or one of its groups).
   */
  std::vector<Access> grants;
};

/**
 * A cloud identity mapped to a Kubernetes user and groups by the EKS ConfigMap kube-system/aws-auth
 * (data.mapRoles: rolearn, data.mapUsers: userarn; each with username and groups). EKS authenticates the
 * IAM principal as `username` in `groups` (and system:authenticated). data.mapAccounts lists AWS account IDs:
 * every IAM identity of such an account not mapped by mapRoles/mapUsers authenticates as the User named by its
 * own ARN, with no groups; such an entry has kind "account", arn = the account ID and no username.
 */
struct CloudIdentity {
  std::string arn;
  std::string kind;        // "role" (mapRoles), "user" (mapUsers) or "account" (mapAccounts; arn = account ID)
  std::string username;    // may hold templates such as {{EC2PrivateDNSName}}; "" when not given
  std::vector<std::string> groups;
  uint32_t line = 0;       // line of the aws-auth ConfigMap
};

/** Parses the mapRoles / mapUsers of an aws-auth ConfigMap; malformed entries go to *errors (never throws). */
void parseAwsAuth(const Object& config_map, std::vector<CloudIdentity>* out, std::vector<std::string>* errors);

/** One permission the Node authorizer gives the kubelet of a node (plugin/pkg/auth/authorizer/node). */
struct NodeGrant {
  std::string verbs;     // "get, list, watch" (list/watch only with a metadata.name field selector), ...
  std::string group;     // "" core
  std::string resource;  // "secrets", "nodes/status", "serviceaccounts/token", ...
  std::string ns;        // "" for cluster-scoped resources
  std::string name;      // "" when the object's name is not known from the input (pods of a workload)
  std::string reason;    // "pod web/api-0 volume creds", "its own Node object", ...
};

/** What the kubelet of `node` may read and write, from the pods of the input bound to it. */
struct NodeAccess {
  std::string node;
  /** Objects with a pod spec bound to the node (spec.nodeName, or the template's): "Kind ns/name". */
  std::vector<std::string> pods;
  std::vector<NodeGrant> grants;  // own Node first, then per pod in input order; no duplicates
};

/**
 * The Node authorizer's view of node `node`: its Node object and status, and for each pod bound to it the
 * status of the pod, the secrets, configmaps, persistent volume claims (and the PVs bound to them in the
 * input) it references and a token of its service account. Besides these the authorizer grants the rules
 * of the system:node ClusterRole (not listed here); NodeRestriction admission limits writes to the node's
 * own objects.
 */
NodeAccess nodeAccess(const ObjectSet& objects, std::string_view node);

/** What Model::build adds to the input. */
struct BuildOptions {
  /**
   * Adds the roles and bindings the API server creates in every cluster (the RBAC bootstrap policy,
   * src/engine/rbac/bootstrap_policy.cc). An input object of the same kind, namespace and name replaces
   * the bootstrap one (as a live cluster shows the objects as they are).
   */
  bool bootstrap = false;
};

/** The RBAC bootstrap policy as YAML (ClusterRoles, ClusterRoleBindings, Roles, RoleBindings). */
std::string_view bootstrapPolicyYaml();
/** The file name the bootstrap objects are reported under. */
inline constexpr std::string_view kBootstrapSource = "<kubernetes bootstrap policy>";

/**
 * True when group/resource (a built-in resource, subresources included) is cluster-scoped: a RoleBinding
 * never grants it (except "namespaces": a RoleBinding lets get/update/patch/delete its own namespace).
 */
bool isClusterScopedResource(std::string_view group, std::string_view resource);

class Model {
 public:
  /** Builds the model from every RBAC object of rbac.authorization.k8s.io in `objects`. */
  static std::unique_ptr<Model> build(const ObjectSet& objects, const BuildOptions& options = {});
  /** The file an object of the model comes from (kBootstrapSource for the bootstrap policy). */
  std::string_view pathOf(const Object& object) const;
  /** True when the object is one of the bootstrap policy's. */
  bool isBootstrap(const Object& object) const;
  /** The subject Group system:masters. */
  static const Subject& mastersGroup();

  /** The identities mapped by kube-system/aws-auth ConfigMaps of the input (the later object wins). */
  const std::vector<CloudIdentity>& cloudIdentities() const { return cloud_identities_; }
  /** Problems found in aws-auth (malformed YAML, entries without an ARN, ...). */
  const std::vector<std::string>& cloudMappingErrors() const { return cloud_mapping_errors_; }
  /**
   * The identities that authenticate as `subject`: a User by username, a Group by one of its groups; a
   * mapAccounts entry for a User whose name is an IAM ARN (arn:PARTITION:iam::ACCOUNT:...) of that account.
   */
  std::vector<const CloudIdentity*> cloudIdentitiesOf(const Subject& subject) const;
  /**
   * The identity mapped from `arn`, or null: its mapRoles/mapUsers entry, else the mapAccounts entry of the
   * account of an IAM ARN (the principal then authenticates as User `arn`, no groups).
   */
  const CloudIdentity* findCloudIdentity(std::string_view arn) const;

  const std::vector<Role>& roles() const { return roles_; }
  const std::vector<Binding>& bindings() const { return bindings_; }
  /** Bindings whose role is not in the input (or whose roleRef is malformed), in input order. */
  std::vector<uint32_t> dangling() const;

  /**
   * Every subject that the request is allowed for, with evidence; the group system:masters first.
   * With request.ns set: grants that hold in that namespace (cluster-wide ones included); without it,
   * every grant with its scope. Without request.name, grants limited by resourceNames are included and
   * marked named_only (create on a resource and deletecollection never are); with a name, they hold only
   * for that name (list/watch: a metadata.name field selector). Ordered by binding, subject, rule.
   */
  std::vector<Access> whoCan(const Request& request) const;

  /** The effective permissions of `subject`, a member of `extra_groups` besides those its kind implies. */
  Permissions permissionsOf(const Subject& subject, const std::vector<std::string>& extra_groups) const;

 private:
  struct RuleRef {
    uint32_t role;
    uint32_t rule;
    bool operator==(const RuleRef&) const = default;
  };
  struct RoleBindingRef {
    std::string_view ns;  // "" for a ClusterRoleBinding
    uint32_t binding;
  };
  void index();
  // How a RoleBinding may grant the request: not at all for a cluster-scoped resource, except its own
  // Namespace object.
  struct RequestScope {
    bool cluster_scoped = false;
    bool own_namespace = false;
  };
  static RequestScope scopeOf(const Request& request);
  void addAccess(const Request& request, const RequestScope& scope, const RuleRef& ref, bool named_only,
                 std::vector<Access>* out) const;

  const ObjectSet* input_ = nullptr;
  std::unique_ptr<ObjectSet> bootstrap_;  // the bootstrap policy objects, when asked for
  std::vector<Role> roles_;
  std::vector<Binding> bindings_;
  std::vector<CloudIdentity> cloud_identities_;
  std::vector<std::string> cloud_mapping_errors_;
  // "verb\n<resource as written>" -> rules naming both (wildcards are their own keys).
  std::unordered_map<std::string, std::vector<RuleRef>> by_verb_resource_;
  std::vector<RuleRef> non_resource_rules_;
  // Per role: its bindings sorted by namespace (ClusterRoleBindings first, namespace "").
  std::vector<std::vector<RoleBindingRef>> bindings_of_role_;
  // "kind\nnamespace\nname" of a subject -> the bindings (with a role) naming it, in input order.
  std::unordered_map<std::string, std::vector<uint32_t>> bindings_of_subject_;
};

}  // namespace kspm::rbac
