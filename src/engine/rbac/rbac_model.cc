// The RBAC model (include/kspm/rbac.h): roles after aggregation, bindings, and the who-can index.
#include <algorithm>
#include <span>
#include <unordered_set>

#include "checks/common/fields.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/engine.h"
#include "kspm/loader.h"
#include "kspm/object_index.h"
#include "kspm/rbac.h"

namespace kspm::rbac {
namespace {

using checks::field;
namespace rules = checks::rbac;

constexpr std::string_view kAll = "*";
constexpr std::string_view kServiceAccountUserPrefix = "system:serviceaccount:";

std::string roleKey(std::string_view kind, std::string_view ns, std::string_view name) {
  std::string key(kind);
  key.push_back('\n');
  key.append(ns);
  key.push_back('\n');
  key.append(name);
  return key;
}

std::string bucketKey(std::string_view verb, std::string_view resource) {
  std::string key(verb);
  key.push_back('\n');
  key.append(resource);
  return key;
}

const Node* labelsOf(const Object& object) {
  const Node* labels = field(object.root, {"metadata", "labels"});
  return labels != nullptr && labels->isObject() ? labels : nullptr;
}

// The controller aggregates every ClusterRole whose aggregationRule is set, even without selectors.
bool hasAggregationRule(const Object& object) {
  const Node* rule = field(object.root, "aggregationRule");
  return rule != nullptr && rule->isObject();
}

std::span<const Node> selectorsOf(const Object& object) {
  const Node* selectors = field(object.root, {"aggregationRule", "clusterRoleSelectors"});
  return selectors != nullptr && selectors->isArray() ? selectors->items() : std::span<const Node>();
}

// A rule's content as one string, to keep equal rules once in an aggregated role (the controller
// adds a rule only when no equal one is there yet).
std::string ruleContent(const Node& rule) {
  std::string out;
  for (std::string_view key : {"verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"}) {
    for (std::string_view v : rules::ruleList(rule, key)) {
      out.append(v);
      out.push_back('\x1f');
    }
    out.push_back('\x1e');
  }
  return out;
}

// A service account named as a User: system:serviceaccount:NS:NAME -> true with ns and name.
bool serviceAccountUser(std::string_view user, std::string_view* ns, std::string_view* name) {
  if (!user.starts_with(kServiceAccountUserPrefix)) return false;
  std::string_view rest = user.substr(kServiceAccountUserPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= rest.size()) return false;
  *ns = rest.substr(0, colon);
  *name = rest.substr(colon + 1);
  return true;
}

bool isNonResourceRule(const Node& rule) { return !rules::ruleList(rule, "nonResourceURLs").empty(); }

// Built-in cluster-scoped resources by API group (Kubernetes 1.33; kubectl api-resources --namespaced=false).
struct ClusterScoped {
  std::string_view group;
  std::string_view resource;
};
constexpr ClusterScoped kClusterScoped[] = {
    {"", "componentstatuses"}, {"", "namespaces"}, {"", "nodes"}, {"", "persistentvolumes"},
    {"admissionregistration.k8s.io", "mutatingwebhookconfigurations"},
    {"admissionregistration.k8s.io", "validatingwebhookconfigurations"},
    {"admissionregistration.k8s.io", "validatingadmissionpolicies"},
    {"admissionregistration.k8s.io", "validatingadmissionpolicybindings"},
    {"admissionregistration.k8s.io", "mutatingadmissionpolicies"},
    {"admissionregistration.k8s.io", "mutatingadmissionpolicybindings"},
    {"apiextensions.k8s.io", "customresourcedefinitions"}, {"apiregistration.k8s.io", "apiservices"},
    {"authentication.k8s.io", "selfsubjectreviews"}, {"authentication.k8s.io", "tokenreviews"},
    {"authorization.k8s.io", "selfsubjectaccessreviews"}, {"authorization.k8s.io", "selfsubjectrulesreviews"},
    {"authorization.k8s.io", "subjectaccessreviews"},
    {"certificates.k8s.io", "certificatesigningrequests"}, {"certificates.k8s.io", "clustertrustbundles"},
    {"flowcontrol.apiserver.k8s.io", "flowschemas"},
    {"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"},
    {"internal.apiserver.k8s.io", "storageversions"},
    {"networking.k8s.io", "ingressclasses"}, {"networking.k8s.io", "ipaddresses"},
    {"networking.k8s.io", "servicecidrs"}, {"node.k8s.io", "runtimeclasses"},
    {"policy", "podsecuritypolicies"}, {"extensions", "podsecuritypolicies"},
    {"rbac.authorization.k8s.io", "clusterrolebindings"}, {"rbac.authorization.k8s.io", "clusterroles"},
    {"resource.k8s.io", "deviceclasses"}, {"resource.k8s.io", "resourceslices"},
    {"scheduling.k8s.io", "priorityclasses"}, {"storage.k8s.io", "csidrivers"}, {"storage.k8s.io", "csinodes"},
    {"storage.k8s.io", "storageclasses"}, {"storage.k8s.io", "volumeattachments"},
    {"storage.k8s.io", "volumeattributesclasses"}, {"storagemigration.k8s.io", "storageversionmigrations"},
};

}  // namespace

bool isClusterScopedResource(std::string_view group, std::string_view resource) {
  size_t slash = resource.find('/');
  if (slash != std::string_view::npos) resource = resource.substr(0, slash);
  for (const ClusterScoped& c : kClusterScoped) {
    if (c.group == group && c.resource == resource) return true;
  }
  return false;
}

std::string Subject::label() const {
  std::string out = kind + " ";
  if (kind == "ServiceAccount" && !ns.empty()) out += ns + "/";  // empty: a RoleBinding of unspecified namespace
  return out + name;
}

const Subject& Model::mastersGroup() {
  static const Subject masters{"Group", std::string(kMastersGroup), ""};
  return masters;
}

bool parseSubject(std::string_view text, Subject* out, std::string* error) {
  size_t colon = text.find(':');
  std::string_view prefix = colon == std::string_view::npos ? text : text.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  Subject s;
  if (prefix == "serviceaccount" || prefix == "sa") {
    size_t sep = rest.find(':');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 >= rest.size() ||
        rest.find(':', sep + 1) != std::string_view::npos) {
      *error = "a service account is serviceaccount:NAMESPACE:NAME, not \"" + std::string(text) + "\"";
      return false;
    }
    s = {"ServiceAccount", std::string(rest.substr(sep + 1)), std::string(rest.substr(0, sep))};
  } else if (prefix == "user" || prefix == "group") {
    if (rest.empty()) {
      *error = "no name in \"" + std::string(text) + "\"";
      return false;
    }
    s = {prefix == "user" ? "User" : "Group", std::string(rest), ""};
    std::string_view ns, name;
    if (prefix == "user" && serviceAccountUser(rest, &ns, &name)) {
      s = {"ServiceAccount", std::string(name), std::string(ns)};
    }
  } else {
    *error = "a subject is serviceaccount:NAMESPACE:NAME, user:NAME or group:NAME, not \"" + std::string(text) + "\"";
    return false;
  }
  *out = std::move(s);
  return true;
}

std::string_view Model::pathOf(const Object& object) const {
  if (isBootstrap(object)) return kBootstrapSource;
  return input_ != nullptr ? std::string_view(input_->pathOf(object)) : std::string_view();
}

bool Model::isBootstrap(const Object& object) const {
  if (bootstrap_ == nullptr || bootstrap_->objects().empty()) return false;
  const std::vector<Object>& list = bootstrap_->objects();
  return &object >= list.data() && &object < list.data() + list.size();
}

std::unique_ptr<Model> Model::build(const ObjectSet& objects, const BuildOptions& options) {
  auto model = std::make_unique<Model>();
  model->input_ = &objects;
  // The bootstrap objects come first, so that input objects of the same kind, namespace and name win.
  std::vector<const ObjectSet*> sources;
  if (options.bootstrap) {
    model->bootstrap_ = std::make_unique<ObjectSet>();
    model->bootstrap_->addFile(
        std::make_unique<SourceFile>(SourceFile{std::string(kBootstrapSource), std::string(bootstrapPolicyYaml())}),
        LoadLimits{});
    sources.push_back(model->bootstrap_.get());
  }
  sources.push_back(&objects);
  std::unordered_map<std::string, uint32_t> role_by_key;
  auto namespaceOf = [&](const ObjectSet& set, const Object& o) {
    return isClusterScopedKind(o.kind) ? std::string_view() : set.namespaceOf(o);
  };

  // Roles with their written rules. Of two objects with the same kind, namespace and name the later one
  // wins, as with kubectl apply of both in input order.
  for (const ObjectSet* set : sources) for (const Object& object : set->objects()) {
    if (!rules::isRole(object) || object.name.empty()) continue;
    Role role;
    role.object = &object;
    role.kind = object.kind;
    role.ns = namespaceOf(*set, object);
    role.name = object.name;
    role.aggregating = role.kind == "ClusterRole" && hasAggregationRule(object);
    auto [slot, added] = role_by_key.emplace(roleKey(role.kind, role.ns, role.name), model->roles_.size());
    const Node* list = field(object.root, "rules");
    if (list != nullptr && list->isArray()) {
      uint32_t i = 0;
      for (const Node& rule : list->items()) role.rules.push_back({&rule, role.kind, role.name, i++});
    }
    if (role.aggregating) role.rules.clear();  // replaced by the aggregation
    if (added) {
      model->roles_.push_back(std::move(role));
    } else {
      model->roles_[slot->second] = std::move(role);
    }
  }

  // Aggregation: candidates of each aggregating role, found through one matchLabels pair when it has one.
  std::unordered_map<std::string, std::vector<uint32_t>> cluster_roles_by_label;
  std::vector<uint32_t> labeled_cluster_roles;
  for (uint32_t i = 0; i < model->roles_.size(); ++i) {
    const Role& role = model->roles_[i];
    const Node* labels = role.kind == "ClusterRole" ? labelsOf(*role.object) : nullptr;
    if (labels == nullptr) continue;
    labeled_cluster_roles.push_back(i);
    for (const Member& m : labels->members()) {
      cluster_roles_by_label[std::string(m.key.str()) + "=" + m.value.scalarText()].push_back(i);
    }
  }
  // role -> the roles it aggregates, in the controller's order: selector by selector, each selector's
  // matches sorted by name (a role matched twice adds nothing the second time: its rules are there).
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> aggregations;
  auto byName = [&](uint32_t x, uint32_t y) { return model->roles_[x].name < model->roles_[y].name; };
  for (uint32_t a = 0; a < model->roles_.size(); ++a) {
    Role& role = model->roles_[a];
    if (!role.aggregating) continue;
    std::vector<uint32_t> members;
    for (const Node& selector : selectorsOf(*role.object)) {
      if (!selector.isObject()) continue;
      const std::vector<uint32_t>* candidates = &labeled_cluster_roles;
      const Node* match_labels = field(&selector, "matchLabels");
      if (match_labels != nullptr && match_labels->isObject() && match_labels->size() > 0) {
        const Member& first = match_labels->members()[0];
        auto it = cluster_roles_by_label.find(std::string(first.key.str()) + "=" + first.value.scalarText());
        static const std::vector<uint32_t> kNone;
        candidates = it == cluster_roles_by_label.end() ? &kNone : &it->second;
      }
      std::vector<uint32_t> matched;
      for (uint32_t c : *candidates) {
        if (c == a || !labelsMatchSelector(&selector, labelsOf(*model->roles_[c].object))) continue;
        matched.push_back(c);
      }
      std::sort(matched.begin(), matched.end(), byName);
      members.insert(members.end(), matched.begin(), matched.end());
    }
    for (uint32_t c : members) {
      if (std::find(role.aggregated.begin(), role.aggregated.end(), model->roles_[c].name) == role.aggregated.end()) {
        role.aggregated.push_back(model->roles_[c].name);
      }
    }
    aggregations.emplace_back(a, std::move(members));
  }
  // To a fixpoint: each round recomputes every aggregating role from the current rules of its members.
  for (size_t round = 0; round <= aggregations.size(); ++round) {
    bool changed = false;
    for (const auto& [a, members] : aggregations) {
      std::vector<EffectiveRule> merged;
      std::unordered_set<std::string> seen;
      for (uint32_t c : members) {
        for (const EffectiveRule& r : model->roles_[c].rules) {
          if (seen.insert(ruleContent(*r.rule)).second) merged.push_back(r);
        }
      }
      std::vector<EffectiveRule>& current = model->roles_[a].rules;
      bool same = merged.size() == current.size() &&
                  std::equal(merged.begin(), merged.end(), current.begin(),
                             [](const EffectiveRule& x, const EffectiveRule& y) { return x.rule == y.rule; });
      if (!same) {
        current = std::move(merged);
        changed = true;
      }
    }
    if (!changed) break;
  }

  // Bindings (the later of duplicates wins).
  std::unordered_map<std::string, uint32_t> binding_by_key;
  for (const ObjectSet* set : sources) for (const Object& object : set->objects()) {
    if (!rules::isBinding(object)) continue;
    Binding binding;
    binding.object = &object;
    binding.kind = object.kind;
    binding.ns = namespaceOf(*set, object);
    binding.name = object.name;
    rules::RoleRef ref;
    if (rules::roleRefOf(object, &ref)) {
      binding.role_kind = ref.kind;
      binding.role_name = ref.name;
      auto it = role_by_key.find(roleKey(ref.kind, ref.kind == "Role" ? binding.ns : std::string_view(), ref.name));
      if (it != role_by_key.end()) binding.role = static_cast<int32_t>(it->second);
    } else {
      binding.malformed_ref = true;
    }
    for (const rules::SubjectRef& s : rules::subjectsOf(object, binding.ns)) {
      Subject subject{std::string(s.kind), std::string(s.name), std::string(s.sa_namespace)};
      std::string_view sa_ns, sa_name;
      if (subject.kind == "User" && serviceAccountUser(s.name, &sa_ns, &sa_name)) {
        subject = {"ServiceAccount", std::string(sa_name), std::string(sa_ns)};
      }
      binding.subjects.push_back(std::move(subject));
    }
    auto [slot, added] = binding_by_key.emplace(roleKey(binding.kind, binding.ns, binding.name), model->bindings_.size());
    if (added) {
      model->bindings_.push_back(std::move(binding));
    } else {
      model->bindings_[slot->second] = std::move(binding);
    }
  }
  // EKS aws-auth: the last kube-system/aws-auth ConfigMap of the input.
  const Object* aws_auth = nullptr;
  for (const Object& object : objects.objects()) {
    if (object.kind == "ConfigMap" && object.group().empty() && object.name == "aws-auth" &&
        objects.namespaceOf(object) == "kube-system") {
      aws_auth = &object;
    }
  }
  if (aws_auth != nullptr) parseAwsAuth(*aws_auth, &model->cloud_identities_, &model->cloud_mapping_errors_);
  model->index();
  return model;
}

void Model::index() {
  bindings_of_role_.assign(roles_.size(), {});
  for (uint32_t b = 0; b < bindings_.size(); ++b) {
    const Binding& binding = bindings_[b];
    if (binding.role < 0) continue;
    bindings_of_role_[binding.role].push_back({binding.ns, b});
    for (const Subject& subject : binding.subjects) {
      std::vector<uint32_t>& list = bindings_of_subject_[roleKey(subject.kind, subject.ns, subject.name)];
      if (list.empty() || list.back() != b) list.push_back(b);
    }
  }
  for (auto& list : bindings_of_role_) {
    std::stable_sort(list.begin(), list.end(),
                     [](const RoleBindingRef& x, const RoleBindingRef& y) { return x.ns < y.ns; });
  }
  for (uint32_t r = 0; r < roles_.size(); ++r) {
    if (bindings_of_role_[r].empty()) continue;  // an unbound role grants nobody anything
    const Role& role = roles_[r];
    for (uint32_t i = 0; i < role.rules.size(); ++i) {
      const Node& rule = *role.rules[i].rule;
      if (isNonResourceRule(rule)) {
        non_resource_rules_.push_back({r, i});
        continue;
      }
      std::vector<std::string_view> verbs = rules::ruleList(rule, "verbs");
      std::vector<std::string_view> resources = rules::ruleList(rule, "resources");
      std::sort(verbs.begin(), verbs.end());
      verbs.erase(std::unique(verbs.begin(), verbs.end()), verbs.end());
      std::sort(resources.begin(), resources.end());
      resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
      for (std::string_view verb : verbs) {
        for (std::string_view resource : resources) by_verb_resource_[bucketKey(verb, resource)].push_back({r, i});
      }
    }
  }
}

std::vector<uint32_t> Model::dangling() const {
  std::vector<uint32_t> out;
  for (uint32_t b = 0; b < bindings_.size(); ++b) {
    if (bindings_[b].role < 0) out.push_back(b);
  }
  return out;
}

Model::RequestScope Model::scopeOf(const Request& request) {
  RequestScope scope;
  scope.cluster_scoped = !request.resource.starts_with('/') && isClusterScopedResource(request.group, request.resource);
  // get/update/patch/delete of namespaces/NAME are requests in namespace NAME (apiserver RequestInfo).
  scope.own_namespace = scope.cluster_scoped && request.group.empty() && request.resource == "namespaces" &&
                        (request.verb == "get" || request.verb == "update" || request.verb == "patch" ||
                         request.verb == "delete");
  return scope;
}

void Model::addAccess(const Request& request, const RequestScope& scope, const RuleRef& ref, bool named_only,
                      std::vector<Access>* out) const {
  bool non_resource = request.resource.starts_with('/');
  bool cluster_scoped = scope.cluster_scoped;
  bool own_namespace = scope.own_namespace;
  auto add = [&](const RoleBindingRef& bref) {
    const Binding& binding = bindings_[bref.binding];
    bool cluster_wide = binding.kind == "ClusterRoleBinding";
    // nonResourceURLs hold only through a ClusterRoleBinding (RoleBinding scope is one namespace).
    if (non_resource && !cluster_wide) return;
    // Nor do cluster-scoped resources, but a RoleBinding's own Namespace object (named by its namespace).
    if (cluster_scoped && !cluster_wide) {
      if (!own_namespace) return;
      if (!request.name.empty() && !binding.ns.empty() && request.name != binding.ns) return;
    }
    for (const Subject& subject : binding.subjects) {
      Access access;
      access.subject = &subject;
      access.binding = static_cast<int32_t>(bref.binding);
      access.role = static_cast<int32_t>(ref.role);
      access.rule = ref.rule;
      access.cluster_wide = cluster_wide;
      access.ns = cluster_wide ? std::string_view() : binding.ns;
      access.named_only = named_only;
      out->push_back(std::move(access));
    }
  };
  const std::vector<RoleBindingRef>& refs = bindings_of_role_[ref.role];
  if (request.ns.empty()) {
    for (const RoleBindingRef& bref : refs) add(bref);
    return;
  }
  // Sorted by namespace: the "" range (ClusterRoleBindings, and RoleBindings whose namespace the input
  // leaves unspecified: they hold wherever they are applied), then the request's namespace.
  auto byNamespace = [](const RoleBindingRef& x, std::string_view ns) { return x.ns < ns; };
  auto first_named = std::partition_point(refs.begin(), refs.end(),
                                          [](const RoleBindingRef& x) { return x.ns.empty(); });
  for (auto it = refs.begin(); it != first_named; ++it) add(*it);
  for (auto it = std::lower_bound(first_named, refs.end(), std::string_view(request.ns), byNamespace);
       it != refs.end() && it->ns == request.ns; ++it) {
    add(*it);
  }
}

std::vector<Access> Model::whoCan(const Request& request) const {
  std::vector<Access> out;
  Access masters;
  masters.subject = &mastersGroup();
  masters.masters = true;
  out.push_back(masters);

  std::vector<RuleRef> candidates;
  if (request.resource.starts_with('/')) {
    for (const RuleRef& ref : non_resource_rules_) {
      if (rules::ruleAllowsNonResource(*roles_[ref.role].rules[ref.rule].rule, request.verb, request.resource)) {
        candidates.push_back(ref);
      }
    }
  } else {
    std::string combined = request.resource;
    if (!request.subresource.empty()) combined += "/" + request.subresource;
    std::vector<std::string> resource_keys = {combined, std::string(kAll)};
    if (!request.subresource.empty()) resource_keys.push_back("*/" + request.subresource);
    std::vector<std::string_view> verbs = {request.verb};
    if (request.verb != kAll) verbs.push_back(kAll);  // a request for "*" matches only rules that say "*"
    for (std::string_view verb : verbs) {
      for (const std::string& resource : resource_keys) {
        auto it = by_verb_resource_.find(bucketKey(verb, resource));
        if (it != by_verb_resource_.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
      }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const RuleRef& x, const RuleRef& y) { return x.role != y.role ? x.role < y.role : x.rule < y.rule; });
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }

  const RequestScope scope = scopeOf(request);
  // Top-level create and deletecollection never carry a name, whatever the caller gives.
  bool carries_name = !request.subresource.empty() || (request.verb != "create" && request.verb != "deletecollection");
  for (const RuleRef& ref : candidates) {
    const Node& rule = *roles_[ref.role].rules[ref.rule].rule;
    bool named_only = false;
    if (request.resource.starts_with('/')) {
      // Already matched above.
    } else if (request.name.empty()) {
      rules::Grant grant = rules::ruleGrants(rule, request.verb, request.group,
                                             request.subresource.empty() ? request.resource
                                                                         : request.resource + "/" + request.subresource);
      if (grant == rules::Grant::kNone) continue;
      named_only = grant == rules::Grant::kNamed;
    } else {
      rules::ResourceRequest r{request.verb, request.group, request.resource, request.subresource,
                               carries_name ? std::string_view(request.name) : std::string_view()};
      if (!rules::ruleAllows(rule, r)) continue;
    }
    addAccess(request, scope, ref, named_only, &out);
  }
  // Order by binding, then rule. Within one binding the accesses already come in rule order (the
  // candidates are sorted by role and rule, and a binding names one role), so a stable sort by binding
  // alone gives the same order: a counting sort when the answer is large, which keeps big answers linear.
  if (out.size() - 1 > 1024) {
    std::vector<uint32_t> start(bindings_.size() + 1, 0);
    for (size_t i = 1; i < out.size(); ++i) ++start[static_cast<size_t>(out[i].binding) + 1];
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    std::vector<Access> sorted(out.size());
    sorted[0] = out[0];
    for (size_t i = 1; i < out.size(); ++i) sorted[1 + start[static_cast<size_t>(out[i].binding)]++] = out[i];
    out.swap(sorted);
  } else {
    std::stable_sort(out.begin() + 1, out.end(), [](const Access& x, const Access& y) {
      return x.binding != y.binding ? x.binding < y.binding : x.rule < y.rule;
    });
  }
  return out;
}

namespace {

/**
 * True when a resource rule names only built-in cluster-scoped resources of explicit groups (no `*`):
 * through a RoleBinding it grants nothing (`namespaces` aside: a RoleBinding covers its own Namespace).
 */
bool onlyClusterScoped(const Node& rule) {
  std::vector<std::string_view> groups = rules::ruleList(rule, "apiGroups");
  std::vector<std::string_view> resources = rules::ruleList(rule, "resources");
  if (groups.empty() || resources.empty()) return false;
  for (std::string_view group : groups) {
    if (group == "*") return false;
    for (std::string_view resource : resources) {
      if (resource.starts_with("*") || resource == "namespaces" || resource.starts_with("namespaces/")) return false;
      if (!isClusterScopedResource(group, resource)) return false;
    }
  }
  return true;
}

}  // namespace

Permissions Model::permissionsOf(const Subject& subject, const std::vector<std::string>& extra_groups) const {
  Permissions out;
  out.subject = subject;
  bool anonymous = subject.kind == "User" && subject.name == "system:anonymous";
  if (subject.kind == "Group") out.groups.push_back(subject.name);
  if (subject.kind == "ServiceAccount") {
    out.groups.push_back("system:serviceaccounts");
    out.groups.push_back("system:serviceaccounts:" + subject.ns);
  }
  bool unauthenticated_group = subject.kind == "Group" && subject.name == "system:unauthenticated";
  out.groups.push_back(anonymous || unauthenticated_group ? "system:unauthenticated" : "system:authenticated");
  for (const std::string& g : extra_groups) out.groups.push_back(g);
  std::sort(out.groups.begin(), out.groups.end());
  out.groups.erase(std::unique(out.groups.begin(), out.groups.end()), out.groups.end());
  out.masters = std::find(out.groups.begin(), out.groups.end(), kMastersGroup) != out.groups.end();

  auto applies = [&](const Subject& s) {
    if (s.kind == "Group") return std::binary_search(out.groups.begin(), out.groups.end(), s.name);
    if (subject.kind == "Group") return false;
    return s.kind == subject.kind && s.name == subject.name && (s.kind != "ServiceAccount" || s.ns == subject.ns);
  };
  // The bindings naming the subject or one of its groups, in input order.
  std::vector<uint32_t> candidates;
  auto collect = [&](std::string_view kind, std::string_view ns, std::string_view name) {
    auto it = bindings_of_subject_.find(roleKey(kind, ns, name));
    if (it != bindings_of_subject_.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  };
  if (subject.kind != "Group") collect(subject.kind, subject.kind == "ServiceAccount" ? subject.ns : "", subject.name);
  for (const std::string& group : out.groups) collect("Group", "", group);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t b : candidates) {
    const Binding& binding = bindings_[b];
    auto matched = std::find_if(binding.subjects.begin(), binding.subjects.end(), applies);
    if (matched == binding.subjects.end()) continue;
    const Role& role = roles_[binding.role];
    bool cluster = binding.kind == "ClusterRoleBinding";
    for (uint32_t i = 0; i < role.rules.size(); ++i) {
      if (!cluster && (isNonResourceRule(*role.rules[i].rule) || onlyClusterScoped(*role.rules[i].rule))) continue;
      Access access;
      access.subject = &*matched;
      access.binding = static_cast<int32_t>(b);
      access.role = binding.role;
      access.rule = i;
      access.cluster_wide = cluster;
      access.ns = cluster ? std::string_view() : binding.ns;
      out.grants.push_back(std::move(access));
    }
  }
  std::stable_sort(out.grants.begin(), out.grants.end(),
                   [](const Access& x, const Access& y) {
                     return x.cluster_wide != y.cluster_wide ? x.cluster_wide : x.ns < y.ns;
                   });
  return out;
}

}  // namespace kspm::rbac
