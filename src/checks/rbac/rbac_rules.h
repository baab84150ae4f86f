// Reading RBAC objects the way the Kubernetes RBAC authorizer does, for the rbac-* checks.
//
// Rules: the matchers are those of k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go
// (VerbMatches, APIGroupMatches, ResourceMatches with `*` and `*/subresource`, ResourceNameMatches,
// NonResourceURLMatches) combined as plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows does. A rule
// list field of the wrong type (a string where a list belongs) makes the rule grant nothing: the API
// server would not have accepted it.
//
// Subjects: who is bound to a Role/ClusterRole in the input (RoleBindings and ClusterRoleBindings
// through their roleRef, plus the bindings of ClusterRoles that aggregate it), classified as
// subjects Kubernetes itself needs (system), broad groups that take in every identity of a kind
// (broad), or everyone else (ordinary). Severity per finding follows from the class.
//
// Thread safety: pure functions of immutable input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "kspm/check.h"
#include "kspm/finding.h"
#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::checks::rbac {

inline constexpr std::string_view kRbacGroup = "rbac.authorization.k8s.io";

// --- Rules ----------------------------------------------------------------------------------

/** A resource request as the authorizer sees it (RequestInfo). */
struct ResourceRequest {
  std::string_view verb;
  std::string_view group;        // "" for the core group
  std::string_view resource;     // e.g. "pods"
  std::string_view subresource;  // e.g. "exec"; "" for none
  std::string_view name;         // "" for requests without a name (create, list, deletecollection)
};

/** VerbMatches: a verb of the rule is `*` or equals `verb`. */
bool verbMatches(const Node& rule, std::string_view verb);
/** APIGroupMatches: an apiGroup of the rule is `*` or equals `group`. */
bool apiGroupMatches(const Node& rule, std::string_view group);
/**
 * ResourceMatches: a resource of the rule is `*`, equals `combined` ("pods" or "pods/exec"), or is
 * "*" followed by "/<subresource>" when a subresource is requested.
 */
bool resourceMatches(const Node& rule, std::string_view combined, std::string_view subresource);
/** ResourceNameMatches: the rule has no resourceNames, or one equals `name`. */
bool resourceNameMatches(const Node& rule, std::string_view name);
/** NonResourceURLMatches: a URL of the rule is `*`, equals `path`, or ends in `*` and prefixes `path`. */
bool nonResourceURLMatches(const Node& rule, std::string_view path);

/** RuleAllows for a resource request. False for a malformed rule. */
bool ruleAllows(const Node& rule, const ResourceRequest& request);
/** RuleAllows for a non-resource request (verb on a URL path such as /metrics). */
bool ruleAllowsNonResource(const Node& rule, std::string_view verb, std::string_view path);

/** How much of a resource a rule grants one verb on. */
enum class Grant : uint8_t {
  kNone,   // nothing
  kNamed,  // only the objects listed in resourceNames
  kAll,    // every object
};

/**
 * What `rule` grants for `verb` on `group`/`resource` (which may be "resource/subresource"), over
 * all object names: kAll without resourceNames, kNamed when resourceNames limit it, kNone when the
 * rule does not match. Requests without a name (create on a resource itself, list without a name
 * selector, deletecollection) are never allowed by a rule with resourceNames, so those are kNone.
 */
Grant ruleGrants(const Node& rule, std::string_view verb, std::string_view group, std::string_view resource);

/** True when the rule has the list field `key` and it holds the string `value`. */
bool ruleListHas(const Node& rule, std::string_view key, std::string_view value);
/** The strings of the rule's list field `key`, or empty when missing or malformed. */
std::vector<std::string_view> ruleList(const Node& rule, std::string_view key);

// --- Subjects --------------------------------------------------------------------------------

enum class SubjectClass : uint8_t {
  // Needed by Kubernetes: system:* users and groups, service accounts in kube-system, and the
  // Group kubeadm:cluster-admins.
  kSystem,
  // Everyone else.
  kOrdinary,
  // system:authenticated, system:unauthenticated, system:serviceaccounts[:<ns>], system:anonymous.
  kBroad,
};

/**
 * The class of a subject. `sa_namespace` is the effective namespace of a ServiceAccount subject
 * (its own namespace, else the RoleBinding's). A User named system:serviceaccount:<ns>:<name> is
 * that service account.
 */
SubjectClass classifySubject(std::string_view kind, std::string_view name, std::string_view sa_namespace);

/** True for the groups and users that take in every identity of a kind (the broad class). */
bool isBroadSubject(std::string_view kind, std::string_view name);
/** Who a broad subject takes in: "every authenticated user", "every service account of namespace web", ... */
std::string broadSubjectMeaning(std::string_view kind, std::string_view name);
/** True for broad subjects anyone can be without credentials: system:unauthenticated, system:anonymous. */
bool isUnauthenticatedSubject(std::string_view kind, std::string_view name);

/** One subject of a binding, as the authorizer reads it. */
struct SubjectRef {
  const Node* node = nullptr;  // the subject mapping
  uint32_t index = 0;          // index in subjects
  std::string_view kind;       // "User", "Group" or "ServiceAccount"
  std::string_view name;
  std::string_view sa_namespace;  // ServiceAccount: effective namespace ("" if the input leaves it unset)
  SubjectClass cls = SubjectClass::kOrdinary;
  /** "ServiceAccount monitoring/prometheus-k8s", "Group system:authenticated", "User jane". */
  std::string label() const;
};

/** A well-formed roleRef: apiGroup rbac.authorization.k8s.io (or empty), kind Role or ClusterRole. */
struct RoleRef {
  const Node* node = nullptr;  // the roleRef mapping
  std::string_view kind;
  std::string_view name;
};

/** True for RoleBinding/ClusterRoleBinding objects of the RBAC API group. */
bool isBinding(const Object& object);
/** True for Role/ClusterRole objects of the RBAC API group. */
bool isRole(const Object& object);

/** The binding's roleRef; false when missing or malformed (a ClusterRoleBinding names a ClusterRole). */
bool roleRefOf(const Object& binding, RoleRef* out);

/**
 * The subjects of a binding that can match anyone (kind User, Group or ServiceAccount with a name;
 * a ServiceAccount needs a namespace, defaulting to the RoleBinding's, which the input may leave
 * unspecified). `binding_namespace` is the binding's effective namespace ("" for a ClusterRoleBinding).
 */
std::vector<SubjectRef> subjectsOf(const Object& binding, std::string_view binding_namespace);

/** Effective namespace of an object for RBAC: "" for cluster-scoped kinds. */
std::string_view namespaceFor(const Object& object, const EvalContext& context);

/** Who the input binds to a role, directly or through aggregation. */
struct RoleSubjects {
  std::vector<SubjectRef> subjects;  // deduplicated by label, in input order
  std::unordered_set<std::string> labels;  // labels of `subjects`, for the deduplication
  bool bound = false;                // some binding in the input names the role (or a role aggregating it)
  /** Built-in ClusterRoles (admin, edit, view) not in the input that aggregate this one by label. */
  std::vector<std::string_view> builtin_aggregators;
  /** ClusterRoles in the input that aggregate this one. */
  std::vector<std::string_view> aggregators;
};

/**
 * The subjects bound to `role` (a Role or ClusterRole of the input): RoleBindings of the Role's
 * namespace naming it; for a ClusterRole, ClusterRoleBindings and RoleBindings of any namespace
 * naming it, and the same for the ClusterRoles in the input whose aggregationRule selects it
 * (followed a few levels deep).
 */
RoleSubjects roleSubjects(const Object& role, const EvalContext& context);

/**
 * True for Kubernetes' own roles: names starting with "system:" and the default roles labeled
 * kubernetes.io/bootstrapping: rbac-defaults (cluster-admin, admin, edit, view in a cluster dump).
 */
bool isKubernetesRole(const Object& role);

/** Severity of a role-grant finding and the words saying to whom it is granted. */
struct GrantVerdict {
  Severity severity = Severity::kMedium;
  std::string to_whom;  // "; bound to ServiceAccount a/b", "; not bound in the input", ...
};

/**
 * The verdict for a grant of `role`: critical when a broad group is bound; `default_severity` when an
 * ordinary subject is, when nobody in the input is, or when the role is aggregated into a built-in
 * admin/edit/view role; low when only subjects Kubernetes needs are bound or the role is one of
 * Kubernetes' own (isKubernetesRole) that nobody else is bound to. `named_only` (the grant is limited to
 * resourceNames) lowers the default one step, never below low.
 */
GrantVerdict grantVerdict(const Object& role, const RoleSubjects& subjects, Severity default_severity,
                          bool named_only);

/** "rules[2]": a list item's path. */
std::string itemPath(std::string_view list, uint32_t index);

/** "a, b and c" (at most `limit` items, then "and N more"). */
std::string joinNames(const std::vector<std::string>& names, size_t limit = 3);

}  // namespace kspm::checks::rbac
