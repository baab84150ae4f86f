// Risky RBAC permissions and one-step escalation chains (include/kspm/rbac_risky.h).
#include "kspm/rbac_risky.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "checks/rbac/rbac_rules.h"

namespace kspm::rbac {
namespace {

namespace rules = kspm::checks::rbac;

Request req(std::string verb, std::string group, std::string resource, std::string subresource = "",
            std::string ns = "", std::string name = "") {
  return Request{std::move(verb), std::move(group), std::move(resource), std::move(subresource), std::move(ns),
                 std::move(name)};
}

std::vector<Request> verbsOn(std::initializer_list<const char*> verbs, const std::string& group,
                             std::initializer_list<const char*> resources, const std::string& subresource = "") {
  std::vector<Request> out;
  for (const char* r : resources) {
    for (const char* v : verbs) out.push_back(req(v, group, r, subresource));
  }
  return out;
}

std::vector<RiskEntry> buildCatalogue() {
  std::vector<RiskEntry> c;
  auto add = [&](std::string_view id, std::string_view title, Severity severity, std::string_view attack,
                 std::vector<Request> requests, bool all_of = false, uint32_t below_minor = 0) {
    c.push_back(RiskEntry{id, title, attack, severity, std::move(requests), all_of, below_minor});
  };
  const std::string rbac(rules::kRbacGroup);
  add("cluster-admin", "every verb on every resource (* on *)", Severity::kCritical,
      "full control of the cluster (or of the namespace it is bound in), like cluster-admin",
      {req("*", "*", "*")});
  add("escalate", "escalate on roles", Severity::kCritical,
      "can write roles with permissions it does not hold, then use them",
      verbsOn({"escalate"}, rbac, {"clusterroles", "roles"}));
  add("bind", "bind on roles", Severity::kCritical,
      "can bind any role, cluster-admin included, to itself without holding its permissions",
      verbsOn({"bind"}, rbac, {"clusterroles", "roles"}));
  add("impersonate", "impersonate users, groups or service accounts", Severity::kCritical,
      "can act as any user, group (system:masters included) or service account it may impersonate",
      [&] {
        std::vector<Request> r = verbsOn({"impersonate"}, "", {"users", "groups", "serviceaccounts"});
        r.push_back(req("impersonate", "authentication.k8s.io", "uids"));
        return r;
      }());
  add("create-pods", "create pods", Severity::kHigh,
      "can run a pod as any service account of the namespace (taking its permissions), mount its secrets "
      "and, without Pod Security admission, escape to the node",
      verbsOn({"create"}, "", {"pods"}));
  add("create-pod-controllers", "create workloads (deployments, daemonsets, jobs, ...)", Severity::kHigh,
      "can make a controller run pods as any service account of the namespace, as create pods would",
      [] {
        std::vector<Request> r =
            verbsOn({"create"}, "apps", {"deployments", "daemonsets", "statefulsets", "replicasets"});
        for (Request& x : verbsOn({"create"}, "batch", {"jobs", "cronjobs"})) r.push_back(std::move(x));
        r.push_back(req("create", "", "replicationcontrollers"));
        return r;
      }());
  add("pods-exec", "create pods/exec", Severity::kHigh,
      "can run commands in running containers and take their service account tokens and secrets",
      verbsOn({"create"}, "", {"pods"}, "exec"));
  add("pods-attach", "create pods/attach", Severity::kHigh,
      "can attach to the console of running containers and interact with their processes",
      verbsOn({"create"}, "", {"pods"}, "attach"));
  add("pods-portforward", "create pods/portforward", Severity::kMedium,
      "can reach any port of pods, bypassing NetworkPolicies and Services",
      verbsOn({"create"}, "", {"pods"}, "portforward"));
  add("pods-ephemeralcontainers", "update pods/ephemeralcontainers", Severity::kHigh,
      "can add a container of its choosing (with its own image and security context) to running pods",
      verbsOn({"update", "patch"}, "", {"pods"}, "ephemeralcontainers"));
  add("nodes-proxy", "nodes/proxy", Severity::kCritical,
      "reaches the kubelet API of nodes: even get allows exec in every pod of the node over WebSocket",
      verbsOn({"get", "create"}, "", {"nodes"}, "proxy"));
  add("pods-exec-get-websocket", "get on pods/exec, pods/attach or pods/portforward", Severity::kHigh,
      "before Kubernetes 1.35 get is enough to exec, attach or port-forward over WebSocket",
      [] {
        std::vector<Request> r;
        for (const char* sub : {"exec", "attach", "portforward"}) r.push_back(req("get", "", "pods", sub));
        return r;
      }(),
      false, 35);
  add("secrets-read", "get, list or watch secrets", Severity::kHigh,
      "can read secrets: service account tokens, credentials and keys of the scope it holds",
      verbsOn({"get", "list", "watch"}, "", {"secrets"}));
  add("secrets-write", "create or update secrets", Severity::kHigh,
      "can create a service-account-token secret for any service account of the namespace (minting a "
      "long-lived token) or replace credentials others use",
      verbsOn({"create", "update"}, "", {"secrets"}));
  add("serviceaccount-token", "create serviceaccounts/token", Severity::kHigh,
      "can request tokens for service accounts (TokenRequest) and act as them",
      verbsOn({"create"}, "", {"serviceaccounts"}, "token"));
  add("csr-approval", "approve certificate signing requests", Severity::kCritical,
      "can approve its own CSR for any identity (system:masters included) and get a client certificate",
      {req("update", "certificates.k8s.io", "certificatesigningrequests", "approval"),
       req("approve", "certificates.k8s.io", "signers")},
      true);
  add("admission-webhook-write", "write admission webhook configurations", Severity::kHigh,
      "can send every object to a webhook of its choosing (reading secrets in flight) or mutate and block "
      "any request",
      verbsOn({"create", "update", "patch"}, "admissionregistration.k8s.io",
              {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}));
  add("crd-write", "write custom resource definitions", Severity::kMedium,
      "can replace the schema and conversion webhooks of custom resources other components trust",
      verbsOn({"create", "update", "patch"}, "apiextensions.k8s.io", {"customresourcedefinitions"}));
  add("node-status-write", "update nodes/status", Severity::kMedium,
      "can fake node conditions, capacity and addresses to attract or steal pods",
      verbsOn({"update", "patch"}, "", {"nodes"}, "status"));
  add("pod-status-write", "update pods/status", Severity::kMedium,
      "can rewrite pod IPs and readiness to pull Service traffic to endpoints of its choosing",
      verbsOn({"update", "patch"}, "", {"pods"}, "status"));
  add("service-status-write", "update services/status", Severity::kMedium,
      "can set a LoadBalancer ingress IP and intercept cluster traffic to it (CVE-2020-8554)",
      verbsOn({"update", "patch"}, "", {"services"}, "status"));
  add("eviction-cordon", "evict pods and cordon nodes", Severity::kMedium,
      "can drain nodes so that pods are rescheduled onto a node it controls",
      {req("create", "", "pods", "eviction"), req("patch", "", "nodes")}, true);
  add("persistentvolume-write", "write persistent volumes", Severity::kHigh,
      "can create a hostPath persistent volume and mount the node's file system through a claim",
      verbsOn({"create", "update", "patch"}, "", {"persistentvolumes"}));
  add("storageclass-write", "write storage classes", Severity::kMedium,
      "can change how volumes are provisioned (provisioner parameters, mount options)",
      verbsOn({"create", "update", "patch"}, "storage.k8s.io", {"storageclasses"}));
  add("networkpolicy-write", "write network policies", Severity::kMedium,
      "can remove network isolation between workloads",
      verbsOn({"create", "update", "patch", "delete"}, "networking.k8s.io", {"networkpolicies"}));
  add("aws-auth-write", "write the kube-system/aws-auth ConfigMap", Severity::kCritical,
      "on EKS, can map any AWS identity to system:masters",
      {req("update", "", "configmaps", "", "kube-system", "aws-auth"),
       req("patch", "", "configmaps", "", "kube-system", "aws-auth")});
  return c;
}

// Cluster-scoped resources of the catalogue: the API server never asks for them in a namespace, so a
// RoleBinding grants nothing on them. (clusterroles stays out: bind on clusterroles is asked in the namespace
// of the RoleBinding being written.)
bool clusterScoped(std::string_view resource) {
  static constexpr std::string_view kResources[] = {
      "nodes", "certificatesigningrequests", "signers", "mutatingwebhookconfigurations",
      "validatingwebhookconfigurations", "customresourcedefinitions", "persistentvolumes", "storageclasses",
      "users", "groups", "uids", "userextras"};
  return std::find(std::begin(kResources), std::end(kResources), resource) != std::end(kResources);
}

SubjectKind kindOf(const Subject& s) {
  switch (rules::classifySubject(s.kind, s.name, s.ns)) {
    case rules::SubjectClass::kSystem:
      return SubjectKind::kSystem;
    case rules::SubjectClass::kBroad:
      return SubjectKind::kBroad;
    default:
      return SubjectKind::kOrdinary;
  }
}

// Grants listed per subject and catalogue entry (the rest are counted).
constexpr uint32_t kMaxListedGrants = 4;

struct Rank {
  Severity severity = Severity::kInfo;
  size_t count = 0;
  bool operator>(const Rank& o) const { return severity != o.severity ? severity > o.severity : count > o.count; }
};

std::string scopeWords(const Access& a) {
  if (a.cluster_wide) return "cluster-wide";
  return a.ns.empty() ? "in its (unspecified) namespace" : "in ns " + std::string(a.ns);
}

bool isListedName(const Model& model, const Access& a, std::string_view name) {
  if (!a.named_only) return true;
  return rules::ruleListHas(*model.roles()[a.role].rules[a.rule].rule, "resourceNames", name);
}

}  // namespace

const std::vector<RiskEntry>& riskCatalogue() {
  static const std::vector<RiskEntry> catalogue = buildCatalogue();
  return catalogue;
}

std::string requestText(const Request& r) {
  std::string out = r.verb + " " + r.resource;
  if (!r.subresource.empty()) out += "/" + r.subresource;
  if (!r.group.empty()) out += "." + r.group;
  if (!r.name.empty()) out += " (" + (r.ns.empty() ? "" : r.ns + "/") + r.name + ")";
  return out;
}

RiskyReport analyzeRisky(const Model& model, const ObjectSet& objects, const RiskyOptions& options) {
  RiskyReport report;
  // Subjects by binding slot (a binding's subjects are numbered after those of the bindings before it), then
  // by label: the same identity named in many bindings is one RiskySubject.
  std::vector<uint32_t> first_slot(model.bindings().size() + 1, 0);
  for (size_t b = 0; b < model.bindings().size(); ++b) {
    first_slot[b + 1] = first_slot[b] + static_cast<uint32_t>(model.bindings()[b].subjects.size());
  }
  std::vector<int32_t> subject_of_slot(first_slot.back(), -1);
  std::unordered_map<std::string, size_t> index_of;  // subject label -> index in report.subjects
  auto subjectIndex = [&](const Access& a) {
    const Binding& binding = model.bindings()[a.binding];
    const Subject* begin = binding.subjects.data();
    bool in_binding = a.subject >= begin && a.subject < begin + binding.subjects.size();
    uint32_t slot = in_binding ? first_slot[a.binding] + static_cast<uint32_t>(a.subject - begin) : 0;
    if (in_binding && subject_of_slot[slot] >= 0) return static_cast<size_t>(subject_of_slot[slot]);
    auto [it, added] = index_of.emplace(a.subject->label(), report.subjects.size());
    if (added) {
      RiskySubject rs;
      rs.subject = *a.subject;
      rs.cls = kindOf(*a.subject);
      report.subjects.push_back(std::move(rs));
    }
    if (in_binding) subject_of_slot[slot] = static_cast<int32_t>(it->second);
    return it->second;
  };
  // Per subject, for the entry being answered: where its first grant is (-1: none yet) and how many are listed.
  std::vector<int32_t> first_grant;
  std::vector<uint32_t> listed;
  std::vector<size_t> touched;

  // 1. The catalogue, one indexed whoCan() per request.
  for (const RiskEntry& entry : riskCatalogue()) {
    if (entry.below_minor != 0 && options.k8s_minor >= entry.below_minor) continue;
    std::vector<std::vector<Access>> answers;
    for (const Request& r : entry.requests) {
      // whoCan() answers nothing for the verb "*" itself; a verb no rule names is matched only by `*` verbs.
      std::vector<Access> a;
      if (r.verb == "*") {
        Request probe = r;
        probe.verb = "kspm:any-verb";
        a = model.whoCan(probe);
      } else {
        a = model.whoCan(r);
      }
      // A request in a named namespace (kube-system/aws-auth) is not credited to RoleBindings whose namespace
      // the input leaves unspecified: they are meant for the namespace the manifests are applied to.
      bool cluster_only = clusterScoped(r.resource);
      a.erase(std::remove_if(a.begin(), a.end(),
                             [&](const Access& x) {
                               bool elsewhere = !r.ns.empty() && x.ns != r.ns;
                               return x.masters || (!x.cluster_wide && (cluster_only || elsewhere));
                             }),
              a.end());
      answers.push_back(std::move(a));
    }
    std::unordered_set<std::string> holders_of_all;
    if (entry.all_of) {
      std::vector<std::unordered_set<std::string>> holders(answers.size());
      for (size_t i = 0; i < answers.size(); ++i) {
        for (const Access& a : answers[i]) holders[i].insert(a.subject->label());
      }
      for (const std::string& label : holders[0]) {
        bool all = std::all_of(holders.begin() + 1, holders.end(), [&](const auto& h) { return h.count(label) > 0; });
        if (all) holders_of_all.insert(label);
      }
    }
    // Per subject and entry, the first kMaxListedGrants distinct (binding, rule) grants (for all_of: per part);
    // the first listed grant counts the rest in `more`.
    for (size_t i = 0; i < answers.size(); ++i) {
      for (const Access& a : answers[i]) {
        if (entry.all_of && holders_of_all.count(a.subject->label()) == 0) continue;
        size_t s = subjectIndex(a);
        if (s >= first_grant.size()) {
          first_grant.resize(report.subjects.size(), -1);
          listed.resize(report.subjects.size(), 0);
        }
        std::vector<RiskGrant>& grants = report.subjects[s].grants;
        if (first_grant[s] < 0) {
          first_grant[s] = static_cast<int32_t>(grants.size());
          touched.push_back(s);
        }
        bool duplicate = false;
        for (size_t g = static_cast<size_t>(first_grant[s]); g < grants.size() && !duplicate; ++g) {
          const Access& x = grants[g].access;
          duplicate = x.binding == a.binding && x.role == a.role && x.rule == a.rule &&
                      x.subject == a.subject && (!entry.all_of || grants[g].request == i);
        }
        if (duplicate) continue;
        if (listed[s] >= kMaxListedGrants) {
          ++grants[first_grant[s]].more;
          continue;
        }
        ++listed[s];
        grants.push_back(RiskGrant{&entry, static_cast<uint32_t>(i), a});
      }
    }
    for (size_t s : touched) {
      first_grant[s] = -1;
      listed[s] = 0;
    }
    touched.clear();
  }

  // Ranks: the most severe entry and how many entries each subject holds through its own bindings.
  std::vector<Rank> rank(report.subjects.size());
  std::vector<std::vector<std::string_view>> risk_ids(report.subjects.size());
  for (size_t s = 0; s < report.subjects.size(); ++s) {
    for (const RiskGrant& g : report.subjects[s].grants) {
      if (std::find(risk_ids[s].begin(), risk_ids[s].end(), g.entry->id) == risk_ids[s].end()) {
        risk_ids[s].push_back(g.entry->id);
      }
      rank[s].severity = std::max(rank[s].severity, g.entry->severity);
    }
    rank[s].count = risk_ids[s].size();
    report.subjects[s].max_severity = rank[s].severity;
  }

  // 2. Targets of the chains: the two best service accounts per namespace (two: one may be the attacker).
  struct Best {
    size_t first = SIZE_MAX, second = SIZE_MAX;
    void offer(size_t s, const std::vector<Rank>& rank) {
      if (s == first || s == second) return;
      if (first == SIZE_MAX || rank[s] > rank[first]) {
        second = first;
        first = s;
      } else if (second == SIZE_MAX || rank[s] > rank[second]) {
        second = s;
      }
    }
    size_t other(size_t self) const { return first != self ? first : second; }
  };
  std::unordered_map<std::string_view, Best> best_sa_in_ns;
  Best best_sa, best_user, best_group;
  std::unordered_map<std::string, size_t> sa_by_key;              // "ns/name" -> subject
  std::unordered_map<std::string, size_t> user_by_name, group_by_name;
  for (size_t s = 0; s < report.subjects.size(); ++s) {
    const Subject& subj = report.subjects[s].subject;
    if (subj.kind == "ServiceAccount") {
      best_sa_in_ns[report.subjects[s].subject.ns].offer(s, rank);
      best_sa.offer(s, rank);
      sa_by_key[subj.ns + "/" + subj.name] = s;
    } else if (subj.kind == "User") {
      best_user.offer(s, rank);
      user_by_name[subj.name] = s;
    } else if (subj.kind == "Group") {
      best_group.offer(s, rank);
      group_by_name[subj.name] = s;
    }
  }
  // Service-account token secrets of the input, per namespace: (secret name, service account name).
  std::unordered_map<std::string_view, std::vector<std::pair<std::string_view, std::string_view>>> token_secrets;
  for (const Object& o : objects.objects()) {
    if (o.kind != "Secret" || !o.group().empty()) continue;
    const Node* type = o.root->get("type");
    if (type == nullptr || !type->is("kubernetes.io/service-account-token")) continue;
    const Node* sa = o.root->find({"metadata", "annotations", "kubernetes.io/service-account.name"});
    if (sa == nullptr || !sa->isString() || sa->str().empty()) continue;
    token_secrets[objects.namespaceOf(o)].emplace_back(o.name, sa->str());
  }

  auto describeTarget = [&](size_t t) {
    std::string ids;
    for (size_t i = 0; i < risk_ids[t].size() && i < 3; ++i) ids += (i ? ", " : "") + std::string(risk_ids[t][i]);
    if (risk_ids[t].size() > 3) ids += " and " + std::to_string(risk_ids[t].size() - 3) + " more";
    return report.subjects[t].subject.label() + " which holds " + ids + " (" +
           std::string(severityName(rank[t].severity)) + ")";
  };

  // Who can write bindings and roles (companions of bind and escalate): bound subject -> where.
  struct Writers {
    std::unordered_map<std::string, std::pair<bool, std::unordered_set<std::string_view>>> where;
    /** True when `label` may write cluster-wide, or in the namespace of `a` when `a` is namespaced. */
    bool holds(const std::string& label, const Access& a) const {
      auto it = where.find(label);
      if (it == where.end()) return false;
      return it->second.first || (!a.cluster_wide && it->second.second.count(a.ns) > 0);
    }
  };
  auto writers = [&](std::initializer_list<const char*> verbs, const char* resource) {
    Writers w;
    for (const char* verb : verbs) {
      for (const Access& a : model.whoCan(req(verb, std::string(rules::kRbacGroup), resource))) {
        if (a.masters || a.named_only) continue;
        auto& where = w.where[a.subject->label()];
        if (a.cluster_wide) {
          where.first = true;
        } else {
          where.second.insert(a.ns);
        }
      }
    }
    return w;
  };
  const Writers crb_writers = writers({"create"}, "clusterrolebindings");
  const Writers rb_writers = writers({"create"}, "rolebindings");
  const Writers clusterrole_writers = writers({"update", "patch"}, "clusterroles");
  const Writers role_writers = writers({"update", "patch"}, "roles");

  // 3. Chains, one per (kind, scope) and subject.
  for (size_t s = 0; s < report.subjects.size(); ++s) {
    RiskySubject& rs = report.subjects[s];
    struct Done {
      std::string kind;  // chain kind, or "impersonate-<resource>"
      bool cluster_wide;
      std::string_view ns;
    };
    std::vector<Done> done;
    std::vector<Chain> chains;
    auto addChain = [&](std::string_view kind, const RiskGrant& g, size_t target, const std::string& opening,
                        const std::string& reach_words) {
      if (target == SIZE_MAX || target == s || rank[target].severity == Severity::kInfo) return;
      // Nothing gained when the target holds no entry the subject lacks.
      if (std::all_of(risk_ids[target].begin(), risk_ids[target].end(), [&](std::string_view id) {
            return std::find(risk_ids[s].begin(), risk_ids[s].end(), id) != risk_ids[s].end();
          })) {
        return;
      }
      Chain c;
      c.kind = kind;
      c.via = &g;
      c.target = report.subjects[target].subject;
      c.severity = rank[target].severity;
      c.target_risks = risk_ids[target];
      c.text = opening + " -> " + reach_words + describeTarget(target);
      chains.push_back(std::move(c));
    };
    auto once = [&](std::string_view kind, const Access& a) {
      for (const Done& d : done) {
        if (d.kind == kind && d.cluster_wide == a.cluster_wide && (a.cluster_wide || d.ns == a.ns)) return false;
      }
      done.push_back(Done{std::string(kind), a.cluster_wide, a.ns});
      return true;
    };
    auto bestOfNames = [&](const Access& a, const std::unordered_map<std::string, size_t>& by_name,
                           const std::string& prefix) {
      size_t best = SIZE_MAX;
      for (std::string_view n : rules::ruleList(*model.roles()[a.role].rules[a.rule].rule, "resourceNames")) {
        auto it = by_name.find(prefix + std::string(n));
        if (it == by_name.end() || it->second == s) continue;
        if (best == SIZE_MAX || rank[it->second] > rank[best]) best = it->second;
      }
      return best;
    };
    auto bestSaInScope = [&](const Access& a) {
      if (a.cluster_wide) return best_sa.other(s);
      auto it = best_sa_in_ns.find(a.ns);
      return it == best_sa_in_ns.end() ? SIZE_MAX : it->second.other(s);
    };
    // Cluster-wide `*` on `*` already is everything: no chain reaches further.
    bool everything = std::any_of(rs.grants.begin(), rs.grants.end(), [](const RiskGrant& g) {
      return g.entry->id == "cluster-admin" && g.access.cluster_wide && !g.access.named_only;
    });
    for (const RiskGrant& g : rs.grants) {
      if (everything) break;
      const Access& a = g.access;
      std::string_view id = g.entry->id;
      std::string scope = scopeWords(a);
      if (id == "bind" || id == "escalate") {
        // bind needs create on bindings, escalate an update of the role: only with both is "any role" reached.
        if (a.named_only) continue;  // limited to the roles it names
        const std::string& resource = g.entry->requests[g.request].resource;
        const std::string label = rs.subject.label();
        Chain c;
        c.kind = "bind-escalate";
        c.via = &g;
        c.severity = Severity::kCritical;
        c.target_risks = {"cluster-admin"};
        if (id == "bind" && resource == "clusterroles") {
          if (a.cluster_wide && crb_writers.holds(label, a)) {
            c.target = Model::mastersGroup();
            c.text = "can bind clusterroles and create clusterrolebindings cluster-wide -> any permission (can bind "
                     "itself to cluster-admin)";
          } else if (rb_writers.holds(label, a)) {
            c.text = a.cluster_wide ? "can bind clusterroles and create rolebindings cluster-wide -> any permission "
                                      "in every namespace (can bind cluster-admin there)"
                                    : "can bind clusterroles and create rolebindings " + scope +
                                          " -> any permission within that namespace (can bind cluster-admin there)";
          } else {
            continue;
          }
        } else if (id == "escalate") {
          const Writers& writers = resource == "clusterroles" ? clusterrole_writers : role_writers;
          if (!writers.holds(label, a)) continue;
          if (a.cluster_wide && resource == "clusterroles") {
            c.target = Model::mastersGroup();
            c.text = "can escalate and update clusterroles cluster-wide -> any permission (can rewrite the "
                     "ClusterRole bound to it)";
          } else {
            c.text = "can escalate and update " + resource + " " + scope +
                     (a.cluster_wide ? " -> any permission in the namespaces where a Role is bound to it"
                                     : " -> any permission within that namespace (can rewrite the role bound to it)");
          }
        } else {
          continue;  // bind on Roles only reaches what those Roles hold
        }
        if (!once("bind-escalate", a)) continue;
        chains.push_back(std::move(c));
      } else if (id == "create-pods" || id == "create-pod-controllers") {
        if (a.named_only || !once("create-pods", a)) continue;
        addChain("create-pods", g, bestSaInScope(a),
                 "can " + requestText(g.entry->requests[g.request]) + " " + scope, "runs as ");
      } else if (id == "serviceaccount-token") {
        if (!once("token-request", a)) continue;
        size_t t = SIZE_MAX;
        if (a.named_only) {
          if (a.cluster_wide) {
            // A named grant cluster-wide holds for that name in every namespace.
            for (std::string_view n :
                 rules::ruleList(*model.roles()[a.role].rules[a.rule].rule, "resourceNames")) {
              for (const auto& [key, idx] : sa_by_key) {
                if (idx == s || !key.ends_with("/" + std::string(n))) continue;
                if (t == SIZE_MAX || rank[idx] > rank[t]) t = idx;
              }
            }
          } else {
            t = bestOfNames(a, sa_by_key, std::string(a.ns) + "/");
          }
        } else {
          t = bestSaInScope(a);
        }
        addChain("token-request", g, t, "can create serviceaccounts/token " + scope, "gets a token of ");
      } else if (id == "secrets-read" && g.entry->requests[g.request].verb != "watch") {
        if (!once("read-secrets", a)) continue;
        size_t t = SIZE_MAX;
        auto consider = [&](std::string_view ns, const std::pair<std::string_view, std::string_view>& secret) {
          if (!isListedName(model, a, secret.first)) return;
          auto it = sa_by_key.find(std::string(ns) + "/" + std::string(secret.second));
          if (it == sa_by_key.end() || it->second == s) return;
          if (t == SIZE_MAX || rank[it->second] > rank[t]) t = it->second;
        };
        if (a.cluster_wide) {
          for (const auto& [ns, secrets] : token_secrets) {
            for (const auto& secret : secrets) consider(ns, secret);
          }
        } else if (auto it = token_secrets.find(a.ns); it != token_secrets.end()) {
          for (const auto& secret : it->second) consider(a.ns, secret);
        }
        addChain("read-secrets", g, t, "can " + requestText(g.entry->requests[g.request]) + " " + scope,
                 "reads the service-account token of ");
      } else if (id == "impersonate") {
        const Request& r = g.entry->requests[g.request];
        std::string kind = "impersonate-" + r.resource;
        if (!once(kind, a)) continue;
        std::string opening = "can impersonate " + r.resource + " " + scope;
        if (r.resource == "groups") {
          if (!a.named_only || isListedName(model, a, kMastersGroup)) {
            Chain c;
            c.kind = "impersonate";
            c.via = &g;
            c.target = Model::mastersGroup();
            c.severity = Severity::kCritical;
            c.target_risks = {"cluster-admin"};
            c.text = opening + " -> acts as Group system:masters (bypasses authorization)";
            chains.push_back(std::move(c));
          } else {
            addChain("impersonate", g, bestOfNames(a, group_by_name, ""), opening, "acts as ");
          }
        } else if (r.resource == "users") {
          addChain("impersonate", g, a.named_only ? bestOfNames(a, user_by_name, "") : best_user.other(s), opening,
                   "acts as ");
        } else if (r.resource == "serviceaccounts") {
          size_t t = a.named_only ? (a.cluster_wide ? SIZE_MAX : bestOfNames(a, sa_by_key, std::string(a.ns) + "/"))
                                  : bestSaInScope(a);
          addChain("impersonate", g, t, opening, "acts as ");
        }
      }
    }
    for (const Chain& c : chains) rs.max_severity = std::max(rs.max_severity, c.severity);
    // Kinds in the documented order.
    auto order = [](std::string_view k) {
      static constexpr std::string_view kinds[] = {"bind-escalate", "create-pods", "read-secrets", "token-request",
                                                   "impersonate"};
      return std::find(std::begin(kinds), std::end(kinds), k) - std::begin(kinds);
    };
    std::stable_sort(chains.begin(), chains.end(),
                     [&](const Chain& x, const Chain& y) { return order(x.kind) < order(y.kind); });
    rs.chains = std::move(chains);
  }

  // Chains point at grants by address: sort an index, then move the subjects (grants move with them).
  std::vector<size_t> order(report.subjects.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<std::string> labels(report.subjects.size());
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = report.subjects[i].subject.label();
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const RiskySubject& a = report.subjects[x];
    const RiskySubject& b = report.subjects[y];
    if (a.max_severity != b.max_severity) return a.max_severity > b.max_severity;
    return labels[x] < labels[y];
  });
  std::vector<RiskySubject> sorted;
  sorted.reserve(order.size());
  for (size_t i : order) sorted.push_back(std::move(report.subjects[i]));
  report.subjects = std::move(sorted);
  return report;
}

}  // namespace kspm::rbac
