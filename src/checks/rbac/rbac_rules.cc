#include "checks/rbac/rbac_rules.h"

#include <algorithm>
#include <functional>

#include "checks/common/fields.h"
#include "kspm/engine.h"
#include "kspm/object_index.h"

namespace kspm::checks::rbac {
namespace {

constexpr std::string_view kAll = "*";
constexpr std::string_view kServiceAccountUserPrefix = "system:serviceaccount:";
constexpr std::string_view kServiceAccountsGroupPrefix = "system:serviceaccounts:";
// How many levels of ClusterRole aggregation roleSubjects follows (view -> edit -> admin is two).
constexpr int kMaxAggregationDepth = 4;

// The list field `key` of a rule: nullptr when missing or null (an empty list). Sets *malformed
// when it is present but not a list of strings, which the API server would have refused.
const Node* listField(const Node& rule, std::string_view key, bool* malformed) {
  const Node* list = field(&rule, key);
  if (list == nullptr) return nullptr;
  if (!list->isArray()) {
    *malformed = true;
    return nullptr;
  }
  for (const Node& item : list->items()) {
    if (!item.isString()) {
      *malformed = true;
      return nullptr;
    }
  }
  return list;
}

bool wellFormed(const Node& rule) {
  if (!rule.isObject()) return false;
  bool malformed = false;
  for (std::string_view key : {"verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"}) {
    listField(rule, key, &malformed);
  }
  return !malformed;
}

template <typename Pred>
bool anyItem(const Node& rule, std::string_view key, Pred&& pred) {
  bool malformed = false;
  const Node* list = listField(rule, key, &malformed);
  if (list == nullptr) return false;
  for (const Node& item : list->items()) {
    if (pred(item.str())) return true;
  }
  return false;
}

bool hasLabel(const Node* labels, std::string_view key, std::string_view value) {
  const Node* v = labels != nullptr ? labels->get(key) : nullptr;
  return v != nullptr && v->is(value);
}

const Node* labelsOf(const Object& object) {
  const Node* metadata = object.metadata();
  const Node* labels = metadata != nullptr ? metadata->get("labels") : nullptr;
  return labels != nullptr && labels->isObject() ? labels : nullptr;
}

void addSubject(RoleSubjects* out, const SubjectRef& subject) {
  if (out->labels.insert(subject.label()).second) out->subjects.push_back(subject);
}

// Adds the subjects of every binding in the input whose roleRef names kind/name (a Role only in
// `role_namespace`).
void collectBindings(const EvalContext& context, std::string_view kind, std::string_view role_namespace,
                     std::string_view name, RoleSubjects* out) {
  auto consider = [&](const Object* binding) {
    if (!isBinding(*binding)) return;
    RoleRef ref;
    if (!roleRefOf(*binding, &ref) || ref.kind != kind || ref.name != name) return;
    std::string_view binding_namespace = namespaceFor(*binding, context);
    if (kind == "Role" && binding_namespace != role_namespace) return;
    out->bound = true;
    for (const SubjectRef& subject : subjectsOf(*binding, binding_namespace)) addSubject(out, subject);
  };
  for (const Object* binding :
       context.scan->index.bindingsTo(kind, kind == "Role" ? role_namespace : std::string_view(), name)) {
    consider(binding);
  }
}

// True when `aggregator` (a ClusterRole) has an aggregationRule whose selectors pick `labels`.
bool aggregates(const Object& aggregator, const Node* labels) {
  const Node* selectors = field(aggregator.root, {"aggregationRule", "clusterRoleSelectors"});
  if (selectors == nullptr || !selectors->isArray()) return false;
  for (const Node& selector : selectors->items()) {
    if (selector.isObject() && labelsMatchSelector(&selector, labels)) return true;
  }
  return false;
}

}  // namespace

// --- Rules ----------------------------------------------------------------------------------

bool verbMatches(const Node& rule, std::string_view verb) {
  return anyItem(rule, "verbs", [&](std::string_view v) { return v == kAll || v == verb; });
}

bool apiGroupMatches(const Node& rule, std::string_view group) {
  return anyItem(rule, "apiGroups", [&](std::string_view g) { return g == kAll || g == group; });
}

bool resourceMatches(const Node& rule, std::string_view combined, std::string_view subresource) {
  return anyItem(rule, "resources", [&](std::string_view r) {
    if (r == kAll || r == combined) return true;
    if (subresource.empty()) return false;
    // `*/<subresource>`: the subresource of every resource in the rule's groups.
    return r.size() == subresource.size() + 2 && r.starts_with("*/") && r.ends_with(subresource);
  });
}

bool resourceNameMatches(const Node& rule, std::string_view name) {
  bool malformed = false;
  const Node* names = listField(rule, "resourceNames", &malformed);
  if (malformed) return false;
  if (names == nullptr || names->size() == 0) return true;
  for (const Node& item : names->items()) {
    if (item.str() == name) return true;
  }
  return false;
}

bool nonResourceURLMatches(const Node& rule, std::string_view path) {
  return anyItem(rule, "nonResourceURLs", [&](std::string_view url) {
    if (url == kAll || url == path) return true;
    if (!url.ends_with('*')) return false;
    std::string_view prefix = url;
    while (!prefix.empty() && prefix.back() == '*') prefix.remove_suffix(1);  // strings.TrimRight(url, "*")
    return path.starts_with(prefix);
  });
}

bool ruleAllows(const Node& rule, const ResourceRequest& request) {
  if (!wellFormed(rule)) return false;
  std::string combined(request.resource);
  if (!request.subresource.empty()) {
    combined.push_back('/');
    combined.append(request.subresource);
  }
  return verbMatches(rule, request.verb) && apiGroupMatches(rule, request.group) &&
         resourceMatches(rule, combined, request.subresource) && resourceNameMatches(rule, request.name);
}

bool ruleAllowsNonResource(const Node& rule, std::string_view verb, std::string_view path) {
  if (!wellFormed(rule)) return false;
  return verbMatches(rule, verb) && nonResourceURLMatches(rule, path);
}

Grant ruleGrants(const Node& rule, std::string_view verb, std::string_view group, std::string_view resource) {
  size_t slash = resource.find('/');
  std::string_view subresource =
      slash == std::string_view::npos ? std::string_view() : resource.substr(slash + 1);
  // The resource test first: it rules out most rules, and is safe on malformed ones.
  if (!resourceMatches(rule, resource, subresource) || !wellFormed(rule) || !verbMatches(rule, verb) ||
      !apiGroupMatches(rule, group)) {
    return Grant::kNone;
  }
  const Node* names = field(&rule, "resourceNames");
  if (names == nullptr || names->size() == 0) return Grant::kAll;
  // A request on a subresource names its object (pods/NAME/exec); create on the resource itself and
  // deletecollection never carry a name, so resourceNames cannot allow them.
  bool carries_name = !subresource.empty() || (verb != "create" && verb != "deletecollection");
  return carries_name ? Grant::kNamed : Grant::kNone;
}

bool ruleListHas(const Node& rule, std::string_view key, std::string_view value) {
  return anyItem(rule, key, [&](std::string_view v) { return v == value; });
}

std::vector<std::string_view> ruleList(const Node& rule, std::string_view key) {
  std::vector<std::string_view> out;
  bool malformed = false;
  const Node* list = listField(rule, key, &malformed);
  if (list == nullptr) return out;
  for (const Node& item : list->items()) out.push_back(item.str());
  return out;
}

// --- Subjects --------------------------------------------------------------------------------

bool isBroadSubject(std::string_view kind, std::string_view name) {
  if (kind == "User") return name == "system:anonymous";
  if (kind != "Group") return false;
  return name == "system:authenticated" || name == "system:unauthenticated" ||
         name == "system:serviceaccounts" ||
         (name.starts_with(kServiceAccountsGroupPrefix) && name.size() > kServiceAccountsGroupPrefix.size());
}

std::string broadSubjectMeaning(std::string_view kind, std::string_view name) {
  if (isUnauthenticatedSubject(kind, name)) return "anonymous requests";
  if (name == "system:authenticated") return "every authenticated user";
  if (name == "system:serviceaccounts") return "every service account";
  if (name.starts_with(kServiceAccountsGroupPrefix)) {
    return "every service account of namespace " +
           std::string(name.substr(kServiceAccountsGroupPrefix.size()));
  }
  return "everyone";
}

bool isUnauthenticatedSubject(std::string_view kind, std::string_view name) {
  return (kind == "User" && name == "system:anonymous") ||
         (kind == "Group" && name == "system:unauthenticated");
}

SubjectClass classifySubject(std::string_view kind, std::string_view name, std::string_view sa_namespace) {
  if (isBroadSubject(kind, name)) return SubjectClass::kBroad;
  if (kind == "ServiceAccount") {
    return sa_namespace == "kube-system" ? SubjectClass::kSystem : SubjectClass::kOrdinary;
  }
  if (kind == "User" && name.starts_with(kServiceAccountUserPrefix)) {
    std::string_view rest = name.substr(kServiceAccountUserPrefix.size());
    size_t colon = rest.find(':');
    std::string_view ns = colon == std::string_view::npos ? std::string_view() : rest.substr(0, colon);
    return ns == "kube-system" ? SubjectClass::kSystem : SubjectClass::kOrdinary;
  }
  if ((kind == "User" || kind == "Group") && name.starts_with("system:")) return SubjectClass::kSystem;
  // kubeadm's admin.conf identity since 1.29, bound to cluster-admin in place of system:masters.
  if (kind == "Group" && name == "kubeadm:cluster-admins") return SubjectClass::kSystem;
  return SubjectClass::kOrdinary;
}

std::string SubjectRef::label() const {
  std::string out(kind);
  out.push_back(' ');
  if (kind == "ServiceAccount" && !sa_namespace.empty()) {
    out.append(sa_namespace);
    out.push_back('/');
  }
  out.append(name);
  return out;
}

bool isBinding(const Object& object) {
  return object.group() == kRbacGroup &&
         (object.kind == "RoleBinding" || object.kind == "ClusterRoleBinding");
}

bool isRole(const Object& object) {
  return object.group() == kRbacGroup && (object.kind == "Role" || object.kind == "ClusterRole");
}

bool roleRefOf(const Object& binding, RoleRef* out) {
  const Node* ref = field(binding.root, "roleRef");
  if (ref == nullptr || !ref->isObject()) return false;
  const Node* group = field(ref, "apiGroup");  // defaulted to rbac.authorization.k8s.io when empty
  if (group != nullptr && !group->is(kRbacGroup) && !group->is("")) return false;
  const Node* kind = field(ref, "kind");
  const Node* name = field(ref, "name");
  if (kind == nullptr || name == nullptr || !name->isString() || name->str().empty()) return false;
  if (!kind->is("ClusterRole") && !(kind->is("Role") && binding.kind == "RoleBinding")) return false;
  out->node = ref;
  out->kind = kind->str();
  out->name = name->str();
  return true;
}

std::vector<SubjectRef> subjectsOf(const Object& binding, std::string_view binding_namespace) {
  std::vector<SubjectRef> out;
  const Node* subjects = field(binding.root, "subjects");
  if (subjects == nullptr || !subjects->isArray()) return out;
  uint32_t index = 0;
  for (const Node& s : subjects->items()) {
    uint32_t i = index++;
    const Node* kind = field(&s, "kind");
    const Node* name = field(&s, "name");
    if (kind == nullptr || name == nullptr || !name->isString() || name->str().empty()) continue;
    if (!kind->is("User") && !kind->is("Group") && !kind->is("ServiceAccount")) continue;
    SubjectRef ref;
    ref.node = &s;
    ref.index = i;
    ref.kind = kind->str();
    ref.name = name->str();
    if (ref.kind == "ServiceAccount") {
      const Node* ns = field(&s, "namespace");
      ref.sa_namespace =
          ns != nullptr && ns->isString() && !ns->str().empty() ? ns->str() : binding_namespace;
      // Without any namespace it matches no one (rbac.go appliesTo); a RoleBinding whose namespace
      // the input leaves unspecified gets one when applied, so its subject stays (namespace unknown).
      if (ref.sa_namespace.empty() && binding.kind != "RoleBinding") continue;
    }
    ref.cls = classifySubject(ref.kind, ref.name, ref.sa_namespace);
    out.push_back(ref);
  }
  return out;
}

std::string_view namespaceFor(const Object& object, const EvalContext& context) {
  if (isClusterScopedKind(object.kind)) return {};
  return context.objects != nullptr ? context.objects->namespaceOf(object) : object.namespace_;
}

RoleSubjects roleSubjects(const Object& role, const EvalContext& context) {
  RoleSubjects out;
  if (context.scan == nullptr) return out;
  std::string_view role_namespace = namespaceFor(role, context);
  collectBindings(context, role.kind, role_namespace, role.name, &out);
  if (role.kind != "ClusterRole") return out;

  const ObjectIndex& index = context.scan->index;
  // ClusterRoles in the input that aggregate this one, level by level.
  std::vector<const Object*> level = {&role};
  for (int depth = 0; depth < kMaxAggregationDepth && !level.empty(); ++depth) {
    std::vector<const Object*> next;
    for (const Object* member : level) {
      const Node* labels = labelsOf(*member);
      if (labels == nullptr) continue;
      for (const Object* candidate : index.aggregatingClusterRoles()) {
        if (candidate == &role || !isRole(*candidate) || !aggregates(*candidate, labels)) continue;
        if (std::find(out.aggregators.begin(), out.aggregators.end(), candidate->name) !=
            out.aggregators.end())
          continue;
        out.aggregators.push_back(candidate->name);
        collectBindings(context, "ClusterRole", {}, candidate->name, &out);
        next.push_back(candidate);
      }
    }
    level = std::move(next);
  }
  // The built-in user-facing roles, when the input does not define them: they select by these labels.
  const Node* labels = labelsOf(role);
  for (std::string_view builtin : {"admin", "edit", "view"}) {
    std::string key = "rbac.authorization.k8s.io/aggregate-to-" + std::string(builtin);
    if (hasLabel(labels, key, "true") && index.find("ClusterRole", {}, builtin) == nullptr) {
      out.builtin_aggregators.push_back(builtin);
    }
  }
  return out;
}

bool isKubernetesRole(const Object& role) {
  return role.name.starts_with("system:") ||
         hasLabel(labelsOf(role), "kubernetes.io/bootstrapping", "rbac-defaults");
}

std::string itemPath(std::string_view list, uint32_t index) {
  std::string out(list);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::string joinNames(const std::vector<std::string>& names, size_t limit) {
  std::string out;
  size_t shown = std::min(names.size(), limit);
  if (names.size() > limit && shown > 0) {
    for (size_t i = 0; i < shown; ++i) {
      out += names[i];
      out += ", ";
    }
    out += "and " + std::to_string(names.size() - shown) + " more";
    return out;
  }
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

GrantVerdict grantVerdict(const Object& role, const RoleSubjects& subjects, Severity default_severity,
                          bool named_only) {
  std::vector<std::string> broad, ordinary, system;
  for (const SubjectRef& s : subjects.subjects) {
    switch (s.cls) {
      case SubjectClass::kBroad:
        broad.push_back(s.label() + " (" + broadSubjectMeaning(s.kind, s.name) + ")");
        break;
      case SubjectClass::kOrdinary:
        ordinary.push_back(s.label());
        break;
      case SubjectClass::kSystem:
        system.push_back(s.label());
        break;
    }
  }
  Severity lowered = default_severity;
  if (named_only && lowered > Severity::kLow)
    lowered = static_cast<Severity>(static_cast<uint8_t>(lowered) - 1);

  GrantVerdict verdict;
  if (!broad.empty()) {
    verdict.severity = Severity::kCritical;
    verdict.to_whom = "; bound to " + joinNames(broad);
    return verdict;
  }
  if (!ordinary.empty()) {
    verdict.severity = lowered;
    verdict.to_whom = "; bound to " + joinNames(ordinary);
    if (!subjects.aggregators.empty()) {
      std::vector<std::string> via(subjects.aggregators.begin(), subjects.aggregators.end());
      verdict.to_whom += " through aggregation into " + joinNames(via);
    }
    return verdict;
  }
  // Kubernetes' own edit and view aggregate into admin and edit by design.
  if (!subjects.builtin_aggregators.empty() && !isKubernetesRole(role)) {
    std::vector<std::string> names(subjects.builtin_aggregators.begin(), subjects.builtin_aggregators.end());
    verdict.severity = lowered;
    verdict.to_whom = "; aggregated into the built-in " + joinNames(names) + " ClusterRole" +
                      (names.size() > 1 ? "s" : "") + ", held by whoever is bound to those";
    return verdict;
  }
  if (!system.empty()) {
    verdict.severity = Severity::kLow;
    verdict.to_whom = "; bound only to " + joinNames(system) + " (reported apart: needed by Kubernetes)";
    return verdict;
  }
  if (isKubernetesRole(role)) {
    verdict.severity = Severity::kLow;
    verdict.to_whom = role.name.starts_with("system:")
                          ? "; a system: role (reported apart: needed by Kubernetes)"
                          : "; a Kubernetes default role (reported apart: needed by Kubernetes)";
    return verdict;
  }
  verdict.severity = lowered;
  verdict.to_whom = subjects.bound ? "; bound to no subject" : "; not bound in the input";
  return verdict;
}

}  // namespace kspm::checks::rbac
