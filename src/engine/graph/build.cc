// Building the security graph from manifests (docs/graph.md lists every technique and its
// preconditions).
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "kspm/graph.h"
#include "kspm/netpol.h"
#include "kspm/object_index.h"
#include "kspm/rbac.h"
#include "kspm/vulns.h"

namespace kspm::graph {

using checks::field;

namespace {

// Likelihoods: what Kubernetes grants is certain; what needs the pod on the same node as another
// (placement is unknown) or the network plugin's cooperation is not.
constexpr double kCertain = 1.0;
constexpr double kSameNodeUnknown = 0.5;
constexpr double kPluginDependent = 0.5;
constexpr double kAdmissionUnknown = 0.5;

/** hostPath prefixes whose read access KubeHound counts as a host read (UnsafeReadMountlist). */
constexpr std::array<std::string_view, 5> kUnsafeRead = {"/", "/home", "/root", "/proc", "/etc"};
/** Writable hostPaths that do not give the host away (KubeHound's SafeWriteMountList, abridged). */
constexpr std::array<std::string_view, 5> kSafeWrite = {"/var/run/", "/tmp", "/mnt/", "/run/udev", "/dev/shm"};
/** Container runtime sockets (EXPLOIT_CONTAINERD_SOCK). */
constexpr std::array<std::string_view, 6> kRuntimeSockets = {
    "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/var/run/docker.sock",
    "/run/docker.sock", "/var/run/crio/crio.sock", "/var/run/cri-dockerd.sock"};

/** True when `path` is `prefix` or below it (both absolute, no trailing slash except "/"). */
bool isAtOrBelow(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return true;
  return path == prefix || (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/');
}
/** True when `path` is `target` or one of its parents (mounting it exposes target). */
bool exposes(std::string_view path, std::string_view target) { return isAtOrBelow(target, path); }

std::string normalise(std::string_view path) {
  std::string out(path);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool hasCapability(const Node* sc, std::string_view cap) {
  const Node* add = field(sc, {"capabilities", "add"});
  if (add == nullptr || !add->isArray()) return false;
  for (const Node& c : add->items()) {
    if (c.isString() && (c.str() == cap || c.str() == "CAP_" + std::string(cap) || c.str() == "ALL")) return true;
  }
  return false;
}

/** How likely an attacker exploits `v`: known exploited (KEV) first, then EPSS, then severity. */
double exploitLikelihood(const vulns::Vulnerability& v) {
  if (v.kev) return 0.95;
  if (v.epss) return std::max(*v.epss, 0.01);
  switch (v.severity) {
    case vulns::VulnSeverity::kCritical: return 0.3;
    case vulns::VulnSeverity::kHigh: return 0.2;
    case vulns::VulnSeverity::kMedium: return 0.1;
    case vulns::VulnSeverity::kLow: return 0.03;
    default: return 0.01;
  }
}

std::string describe(const vulns::Vulnerability& v) {
  std::string out = v.id + " (" + std::string(vulns::vulnSeverityName(v.severity));
  if (v.kev) out += v.kev_ransomware ? ", known exploited, used by ransomware" : ", known exploited";
  if (v.epss) out += ", EPSS " + std::to_string(*v.epss).substr(0, 5);
  out += ") in " + v.package + " " + v.installed_version;
  if (!v.fixed_version.empty()) out += ", fixed in " + v.fixed_version;
  return out;
}

struct Builder {
  Graph& graph;
  const ObjectSet& objects;
  const BuildOptions& options;
  std::unique_ptr<rbac::Model> rbac;
  std::unique_ptr<netpol::Model> net;
  std::unordered_map<std::string, uint32_t> by_name;

  uint32_t vertex(VertexKind kind, std::string name, const Object* object = nullptr, std::string_view ns = {},
                  bool jewel = false) {
    auto it = by_name.find(name);
    if (it != by_name.end()) return it->second;
    Vertex v;
    v.kind = kind;
    v.name = name;
    v.object = object;
    v.ns = ns;
    v.jewel = jewel;
    uint32_t id = graph.addVertex(std::move(v));
    by_name.emplace(std::move(name), id);
    return id;
  }
  /** Adds an edge; Graph::build keeps the first of equal (from, to, technique) edges. */
  void edge(uint32_t from, uint32_t to, Technique technique, double likelihood, std::string evidence,
            const Object* object = nullptr, uint32_t line = 0) {
    if (from == to) return;
    graph.addEdge({from, to, technique, likelihood, std::move(evidence), object, line});
  }

  // Named vertices.
  uint32_t node() { return vertex(VertexKind::kNode, "node", nullptr, {}, true); }
  uint32_t clusterAdmin() { return vertex(VertexKind::kCrownJewel, "cluster-admin", nullptr, {}, true); }
  uint32_t nodeTokens() { return vertex(VertexKind::kVolume, "service account tokens on the node"); }
  bool secretsAreJewels(std::string_view ns) const {
    return options.secret_namespaces.empty() ||
           std::find(options.secret_namespaces.begin(), options.secret_namespaces.end(), ns) !=
               options.secret_namespaces.end();
  }
  /** The crown jewel "every secret of the cluster". */
  uint32_t allSecrets() { return vertex(VertexKind::kCrownJewel, "secrets (every namespace)", nullptr, {}, true); }
  /** The secrets of one namespace ("" is the unspecified namespace of the input, not "every"). */
  uint32_t secrets(std::string_view ns) {
    std::string name = ns.empty() ? "secrets in the unspecified namespace" : "secrets in " + std::string(ns);
    return vertex(VertexKind::kCrownJewel, std::move(name), nullptr, ns, secretsAreJewels(ns));
  }
  uint32_t serviceAccount(std::string_view ns, std::string_view name) {
    std::string label = "ServiceAccount " + std::string(ns) + "/" + std::string(name);
    const Object* object = rbacIndex().find("ServiceAccount", ns, name);
    uint32_t v = vertex(VertexKind::kIdentity, label, object, ns);
    // Groups every service account is in.
    for (const std::string& g : {std::string("system:serviceaccounts"), "system:serviceaccounts:" + std::string(ns),
                                 std::string("system:authenticated")}) {
      auto it = by_name.find("Group " + g);
      if (it != by_name.end() && sa_groups_done.insert(label + "\n" + g).second) {
        edge(v, it->second, Technique::kMemberOf, kCertain, "every service account of " + std::string(ns) + " is in " + g);
      }
    }
    return v;
  }
  std::set<std::string> sa_groups_done;
  const ObjectIndex& rbacIndex() { return net->index(); }

  /** Namespaces a grant holds in: its own, or every namespace the input shows. */
  /** Namespaces a grant holds in: its own, or every namespace the input shows plus those every cluster has. */
  std::vector<std::string_view> scopeOf(const rbac::Access& a) {
    if (!a.cluster_wide) return {a.ns};
    std::vector<std::string_view> all;
    for (const netpol::NamespaceInfo& n : net->namespaces()) {
      if (!n.name.empty()) all.push_back(n.name);
    }
    for (std::string_view always : {"default", "kube-system"}) {
      if (std::find(all.begin(), all.end(), always) == all.end()) all.push_back(always);
    }
    return all;
  }

  /** Whether a privileged, host-mounting pod would be admitted in `ns`: its PSA enforce label. */
  double privilegedPodAdmitted(std::string_view ns) {
    const netpol::NamespaceInfo* info = net->namespaceInfo(ns);
    if (info == nullptr || info->object == nullptr) return kAdmissionUnknown;
    const Node* level = field(info->object->metadata(), {"labels", "pod-security.kubernetes.io/enforce"});
    if (level == nullptr) return kCertain;  // no label: the admission default, privileged unless configured
    if (!level->isString()) return kAdmissionUnknown;
    return level->str() == "privileged" ? kCertain : 0.0;
  }

  void groups();
  void workloads();
  void rbacEdges();
  void nodeEdges();
  void cloudIdentities();
  void network();

  std::vector<uint32_t> workload_vertex;               // per netpol workload
  std::vector<std::pair<uint32_t, uint32_t>> token_holders;  // (workload index, its SA identity vertex)
  std::unordered_map<std::string_view, std::vector<uint32_t>> sa_by_ns;  // SA vertices per namespace
  std::unordered_map<std::string_view, std::vector<uint32_t>> workloads_by_ns;
};

void Builder::workloads() {
  const auto& list = net->workloads();
  workload_vertex.resize(list.size());
  for (uint32_t w = 0; w < list.size(); ++w) {
    const netpol::WorkloadInfo& info = list[w];
    uint32_t v = vertex(VertexKind::kWorkload, info.label(), info.object, info.ns);
    workload_vertex[w] = v;
    workloads_by_ns[info.ns].push_back(v);
    std::optional<checks::PodSpecRef> pod = checks::podSpecOf(*info.object);
    if (!pod) continue;
    const Node* spec = pod->spec;
    bool host_pid = checks::isTrue(field(spec, "hostPID"));
    uint32_t n = node();
    // May the container run as root: neither runAsNonRoot nor a non-zero runAsUser (its own, else the pod's).
    auto may_run_as_root = [&](const checks::ContainerRef& c) {
      const Node* sc = field(c.node, "securityContext");
      const Node* run_as_user = field(sc, "runAsUser");
      if (run_as_user == nullptr) run_as_user = field(spec, {"securityContext", "runAsUser"});
      const Node* non_root = field(sc, "runAsNonRoot");
      if (non_root == nullptr) non_root = field(spec, {"securityContext", "runAsNonRoot"});
      return !(checks::isTrue(non_root) || (run_as_user != nullptr && run_as_user->isInt() && run_as_user->integer() != 0));
    };

    for (const checks::ContainerRef& c : pod->containers) {
      const Node* sc = field(c.node, "securityContext");
      std::string who = "container " + std::string(c.name);
      bool privileged = checks::isTrue(field(sc, "privileged"));
      uint32_t line = field(sc, "privileged") != nullptr ? field(sc, "privileged")->line() : c.node->line();
      if (privileged) {
        edge(v, n, Technique::kCePrivMount, kCertain, who + ": securityContext.privileged: true (mount the host's disk)", info.object, line);
        edge(v, n, Technique::kCeModuleLoad, kCertain, who + ": privileged (load a kernel module)", info.object, line);
        if (host_pid) edge(v, n, Technique::kCeNsenter, kCertain, who + ": privileged with hostPID (nsenter into PID 1)", info.object, line);
      } else if (hasCapability(sc, "SYS_MODULE")) {
        edge(v, n, Technique::kCeModuleLoad, kCertain, who + ": capability SYS_MODULE", info.object, c.node->line());
      }
      if (host_pid && !privileged && hasCapability(sc, "SYS_PTRACE") && hasCapability(sc, "SYS_ADMIN")) {
        const Node* apparmor = field(sc, {"appArmorProfile", "type"});
        if (apparmor == nullptr) apparmor = field(spec, {"securityContext", "appArmorProfile", "type"});
        double likelihood = apparmor != nullptr && apparmor->is("Unconfined") ? kCertain : kPluginDependent;
        edge(v, n, Technique::kCeSysPtrace, likelihood,
             who + ": hostPID with SYS_PTRACE and SYS_ADMIN" + (likelihood < 1 ? " (blocked by the default AppArmor profile where it is enforced)" : ""),
             info.object, c.node->line());
      }
    }

    // hostPath volumes, and whether some container mounts them writable.
    if (const Node* volumes = field(spec, "volumes"); volumes != nullptr && volumes->isArray()) {
      for (const Node& vol : volumes->items()) {
        const Node* host_path = field(&vol, {"hostPath", "path"});
        if (host_path == nullptr || !host_path->isString()) continue;
        std::string_view name = checks::text(field(&vol, "name")).empty() ? std::string_view() : field(&vol, "name")->str();
        std::string path = normalise(host_path->str());
        bool mounted = false, writable = false, writable_as_root = false;
        for (const checks::ContainerRef& c : pod->containers) {
          const Node* mounts = field(c.node, "volumeMounts");
          if (mounts == nullptr || !mounts->isArray()) continue;
          for (const Node& m : mounts->items()) {
            if (!field(&m, "name") || field(&m, "name")->str() != name) continue;
            mounted = true;
            if (!checks::isTrue(field(&m, "readOnly"))) {
              writable = true;
              writable_as_root = writable_as_root || may_run_as_root(c);
            }
          }
        }
        if (!mounted) continue;
        uint32_t vv = vertex(VertexKind::kVolume, info.label() + " volume " + std::string(name) + " (hostPath " + path + ")",
                             info.object, info.ns);
        edge(v, vv, Technique::kVolumeDiscover, kCertain, "volume " + std::string(name) + " mounts hostPath " + path,
             info.object, host_path->line());
        std::string ev = "hostPath " + path + (writable ? " (writable)" : " (read-only)");
        if (std::any_of(kRuntimeSockets.begin(), kRuntimeSockets.end(), [&](std::string_view s) { return exposes(path, s); })) {
          edge(vv, n, Technique::kExploitContainerdSock, kCertain, ev + ": the container runtime's socket", info.object, host_path->line());
        }
        // core_pattern is root-owned 0644, and the log symlink must be created: both need a
        // container that mounts the path writable and may run as root.
        if (writable_as_root && exposes(path, "/proc/sys/kernel")) {
          edge(vv, n, Technique::kCeUmhCorePattern, kCertain, ev + " as root: /proc/sys/kernel/core_pattern", info.object, host_path->line());
        }
        if (writable_as_root && exposes(path, "/var/log")) {
          edge(vv, n, Technique::kCeVarLogSymlink, kCertain, ev + " as root: a log symlink reads any host file", info.object, host_path->line());
        }
        if (exposes(path, "/var/lib/kubelet/pods")) {
          edge(vv, nodeTokens(), Technique::kExploitHostTraverse, kCertain, ev + ": the kubelet's pod directories hold every pod's token",
               info.object, host_path->line());
        }
        bool safe_write = std::any_of(kSafeWrite.begin(), kSafeWrite.end(), [&](std::string_view s) {
          return s.back() == '/' ? path.starts_with(s) : isAtOrBelow(path, s);
        });
        if (writable && !safe_write) {
          edge(vv, n, Technique::kExploitHostWrite, kCertain, ev, info.object, host_path->line());
        } else if (std::any_of(kUnsafeRead.begin(), kUnsafeRead.end(), [&](std::string_view s) { return s == "/" ? path == "/" : isAtOrBelow(path, s); })) {
          edge(vv, n, Technique::kExploitHostRead, kCertain, ev, info.object, host_path->line());
        }
      }
    }

    // Its service account's token (automounted unless the pod or the account says otherwise).
    std::string sa_name = checks::text(field(spec, "serviceAccountName"));
    if (sa_name.empty()) sa_name = checks::text(field(spec, "serviceAccount"));
    if (sa_name.empty()) sa_name = "default";
    const Node* automount = field(spec, "automountServiceAccountToken");
    const Object* sa_object = rbacIndex().find("ServiceAccount", info.ns, sa_name);
    if (automount == nullptr && sa_object != nullptr) automount = field(sa_object->root, "automountServiceAccountToken");
    // A projected token volume counts only when some container mounts it.
    bool projected = false;
    if (const Node* volumes = field(spec, "volumes"); volumes != nullptr && volumes->isArray()) {
      for (const Node& vol : volumes->items()) {
        const Node* sources = field(&vol, {"projected", "sources"});
        if (sources == nullptr || !sources->isArray()) continue;
        bool token = false;
        for (const Node& s : sources->items()) token = token || field(&s, "serviceAccountToken") != nullptr;
        if (!token) continue;
        std::string_view volume_name = checks::text(field(&vol, "name")).empty() ? std::string_view() : field(&vol, "name")->str();
        for (const checks::ContainerRef& c : pod->containers) {
          const Node* mounts = field(c.node, "volumeMounts");
          if (mounts == nullptr || !mounts->isArray()) continue;
          for (const Node& m : mounts->items()) {
            const Node* mount_name = field(&m, "name");
            projected = projected || (mount_name != nullptr && mount_name->isString() && mount_name->str() == volume_name);
          }
        }
      }
    }
    if (!checks::isFalse(automount) || projected) {
      uint32_t sa = serviceAccount(info.ns, sa_name);
      edge(v, sa, Technique::kIdentityAssume, kCertain,
           "its pods hold a token of ServiceAccount " + sa_name + (projected ? " (projected volume)" : " (automounted)"),
           info.object, info.object->line);
      token_holders.emplace_back(w, sa);
    }
  }
}

void Builder::groups() {
  // Groups that bindings name, before any service account, so that service accounts link to them.
  for (const rbac::Binding& b : rbac->bindings()) {
    for (const rbac::Subject& s : b.subjects) {
      if (s.kind == "Group") vertex(VertexKind::kIdentity, "Group " + s.name);
    }
  }
  uint32_t masters = vertex(VertexKind::kIdentity, "Group " + std::string(rbac::kMastersGroup));
  edge(masters, clusterAdmin(), Technique::kClusterAdmin, kCertain, "system:masters bypasses authorization");
}

void Builder::rbacEdges() {
  std::vector<uint32_t> binding_vertex(rbac->bindings().size(), UINT32_MAX);
  uint32_t masters = vertex(VertexKind::kIdentity, "Group " + std::string(rbac::kMastersGroup));
  for (uint32_t i = 0; i < rbac->bindings().size(); ++i) {
    const rbac::Binding& b = rbac->bindings()[i];
    if (b.role < 0) continue;
    std::string label = std::string(b.kind) + " " + (b.ns.empty() ? "" : std::string(b.ns) + "/") + std::string(b.name) +
                        " -> " + std::string(b.role_kind) + " " + std::string(b.role_name);
    uint32_t ps = vertex(VertexKind::kPermissionSet, label, rbac->isBootstrap(*b.object) ? nullptr : b.object, b.ns);
    binding_vertex[i] = ps;
    for (const rbac::Subject& s : b.subjects) {
      uint32_t id;
      if (s.kind == "ServiceAccount") id = serviceAccount(s.ns, s.name);
      else id = vertex(VertexKind::kIdentity, s.kind + " " + s.name);
      edge(id, ps, Technique::kPermissionDiscover, kCertain, "bound by " + label,
           rbac->isBootstrap(*b.object) ? nullptr : b.object, b.object->line);
    }
    // Cluster-admin equivalence: a ClusterRoleBinding to a role with * verbs on * resources.
    if (b.kind == "ClusterRoleBinding") {
      const rbac::Role& role = rbac->roles()[b.role];
      for (const rbac::EffectiveRule& r : role.rules) {
        auto has_star = [&](std::string_view key) {
          const Node* list = field(r.rule, key);
          if (list == nullptr || !list->isArray()) return false;
          for (const Node& x : list->items()) if (x.is("*")) return true;
          return false;
        };
        if (has_star("verbs") && has_star("resources") && has_star("apiGroups")) {
          edge(ps, clusterAdmin(), Technique::kClusterAdmin, kCertain, "every verb on every resource, cluster-wide",
               rbac->isBootstrap(*b.object) ? nullptr : b.object, b.object->line);
          break;
        }
      }
    }
  }
  // Service accounts of each namespace (the input's, plus those workloads use).
  for (const Object* sa : rbacIndex().ofKind("ServiceAccount")) {
    if (sa->group().empty()) serviceAccount(objects.namespaceOf(*sa), sa->name);
  }
  for (uint32_t id = 0; id < graph.vertices().size(); ++id) {
    const Vertex& v = graph.vertices()[id];
    if (v.kind == VertexKind::kIdentity && v.name.starts_with("ServiceAccount ")) sa_by_ns[v.ns].push_back(id);
  }
  // Legacy token secrets: which service accounts a secret reader gets.
  std::unordered_map<std::string_view, std::vector<std::pair<std::string_view, const Object*>>> token_secrets;
  for (const Object* s : rbacIndex().ofKind("Secret")) {
    const Node* type = field(s->root, "type");
    const Node* sa = field(s->metadata(), {"annotations", "kubernetes.io/service-account.name"});
    if (type != nullptr && type->is("kubernetes.io/service-account-token") && sa != nullptr && sa->isString()) {
      token_secrets[objects.namespaceOf(*s)].emplace_back(sa->str(), s);
    }
  }

  auto each = [&](const rbac::Request& request, auto&& fn) {
    for (const rbac::Access& a : rbac->whoCan(request)) {
      if (a.masters || a.binding < 0 || binding_vertex[a.binding] == UINT32_MAX) continue;
      fn(a, binding_vertex[a.binding]);
    }
  };
  auto evidence = [&](const rbac::Access& a, std::string_view what) {
    return std::string(what) + (a.cluster_wide ? " cluster-wide" : " in namespace " + std::string(a.ns)) +
           (a.named_only ? " (only named objects)" : "");
  };
  auto object_of = [&](const rbac::Access& a) -> const Object* {
    const Object* o = rbac->bindings()[a.binding].object;
    return rbac->isBootstrap(*o) ? nullptr : o;
  };

  // POD_CREATE: run a pod as any service account of the namespace, and a privileged one where admission lets it in.
  std::vector<rbac::Request> creators = {{"create", "", "pods", "", "", ""},
                                         {"create", "apps", "deployments", "", "", ""},
                                         {"create", "apps", "daemonsets", "", "", ""},
                                         {"create", "apps", "statefulsets", "", "", ""},
                                         {"create", "apps", "replicasets", "", "", ""},
                                         {"create", "batch", "jobs", "", "", ""},
                                         {"create", "batch", "cronjobs", "", "", ""},
                                         {"create", "", "replicationcontrollers", "", "", ""}};
  std::set<std::pair<uint32_t, std::string_view>> pod_create_done;
  for (const rbac::Request& request : creators) {
    each(request, [&](const rbac::Access& a, uint32_t ps) {
      if (a.named_only) return;
      for (std::string_view ns : scopeOf(a)) {
        if (!pod_create_done.insert({ps, ns}).second) continue;
        std::string ev = evidence(a, "create " + request.resource);
        double admitted = privilegedPodAdmitted(ns);
        if (admitted > 0) {
          edge(ps, node(), Technique::kPodCreate, admitted,
               ev + ": a privileged pod in " + std::string(ns) +
                   (admitted < 1 ? " (its Pod Security level is not in the input)" : " (Pod Security admits it)"),
               object_of(a));
        }
        for (uint32_t sa : sa_by_ns[ns]) edge(ps, sa, Technique::kPodCreate, kCertain, ev + ": a pod running as this service account", object_of(a));
        edge(ps, secrets(ns), Technique::kPodCreate, kCertain, ev + ": a pod that mounts any secret of the namespace", object_of(a));
      }
    });
  }
  // POD_EXEC / POD_PATCH: the workloads in scope.
  for (const auto& [request, technique] : std::vector<std::pair<rbac::Request, Technique>>{
           {{"create", "", "pods", "exec", "", ""}, Technique::kPodExec},
           {{"create", "", "pods", "attach", "", ""}, Technique::kPodExec},
           {{"patch", "", "pods", "", "", ""}, Technique::kPodPatch},
           {{"update", "", "pods", "", "", ""}, Technique::kPodPatch}}) {
    each(request, [&](const rbac::Access& a, uint32_t ps) {
      if (a.named_only) return;
      std::string what = request.verb + " pods" + (request.subresource.empty() ? "" : "/" + request.subresource);
      for (std::string_view ns : scopeOf(a)) {
        for (uint32_t wv : workloads_by_ns[ns]) edge(ps, wv, technique, kCertain, evidence(a, what), object_of(a));
      }
    });
  }
  // Secrets: read them (crown jewels), and the legacy service account tokens among them.
  for (const auto& [verb, technique] : std::vector<std::pair<std::string, Technique>>{{"list", Technique::kTokenList},
                                                                                       {"watch", Technique::kTokenList},
                                                                                       {"get", Technique::kTokenBruteforce}}) {
    each(rbac::Request{verb, "", "secrets", "", "", ""}, [&](const rbac::Access& a, uint32_t ps) {
      if (a.named_only) return;
      std::string ev = evidence(a, verb + " secrets");
      edge(ps, a.cluster_wide ? allSecrets() : secrets(a.ns), Technique::kSecretRead, kCertain, ev, object_of(a));
      for (std::string_view ns : scopeOf(a)) {
        for (const auto& [sa, secret] : token_secrets[ns]) {
          edge(ps, serviceAccount(ns, sa), technique, kCertain, ev + ": token secret " + std::string(secret->name), object_of(a));
        }
      }
    });
  }
  // Token requests and impersonation of service accounts.
  each(rbac::Request{"create", "", "serviceaccounts", "token", "", ""}, [&](const rbac::Access& a, uint32_t ps) {
    if (a.named_only) return;  // only the named accounts: not modelled per name
    for (std::string_view ns : scopeOf(a)) {
      for (uint32_t sa : sa_by_ns[ns]) edge(ps, sa, Technique::kTokenRequest, kCertain, evidence(a, "create serviceaccounts/token"), object_of(a));
    }
  });
  each(rbac::Request{"impersonate", "", "serviceaccounts", "", "", ""}, [&](const rbac::Access& a, uint32_t ps) {
    if (a.named_only) return;
    for (std::string_view ns : scopeOf(a)) {
      for (uint32_t sa : sa_by_ns[ns]) edge(ps, sa, Technique::kIdentityImpersonate, kCertain, evidence(a, "impersonate serviceaccounts"), object_of(a));
    }
  });
  // Impersonating a group needs impersonating a user too (the API server rejects Impersonate-Group alone).
  std::set<int32_t> user_impersonators;
  for (const rbac::Access& a : rbac->whoCan({"impersonate", "", "users", "", "", ""})) {
    if (a.cluster_wide && !a.named_only && a.binding >= 0) user_impersonators.insert(a.binding);
  }
  each(rbac::Request{"impersonate", "", "groups", "", "", std::string(rbac::kMastersGroup)}, [&](const rbac::Access& a, uint32_t ps) {
    if (a.cluster_wide && user_impersonators.count(a.binding)) {
      edge(ps, masters, Technique::kIdentityImpersonate, kCertain, evidence(a, "impersonate users and group system:masters"), object_of(a));
    }
  });
  // ROLE_BIND: create bindings and bind (or escalate) roles: any role, so cluster-admin when cluster-wide.
  std::map<uint32_t, std::vector<const rbac::Access*>> can_bind_create;
  std::vector<rbac::Access> create_crb = rbac->whoCan({"create", "rbac.authorization.k8s.io", "clusterrolebindings", "", "", ""});
  std::vector<rbac::Access> bind_cr = rbac->whoCan({"bind", "rbac.authorization.k8s.io", "clusterroles", "", "", "cluster-admin"});
  std::set<int32_t> binders;
  for (const rbac::Access& a : bind_cr) if (a.cluster_wide && a.binding >= 0) binders.insert(a.binding);
  std::set<int32_t> creators_of_bindings;
  for (const rbac::Access& a : create_crb) {
    if (!a.cluster_wide || a.binding < 0 || binding_vertex[a.binding] == UINT32_MAX) continue;
    creators_of_bindings.insert(a.binding);
    if (binders.count(a.binding)) {
      edge(binding_vertex[a.binding], clusterAdmin(), Technique::kRoleBind, kCertain,
           "create clusterrolebindings and bind clusterrole cluster-admin, cluster-wide", object_of(a));
    }
  }
  // RBAC is the union of a subject's bindings: one binding may give create, another bind.
  std::map<std::string, std::pair<std::set<int32_t>, std::set<int32_t>>> by_subject;
  for (int32_t b : creators_of_bindings) {
    for (const rbac::Subject& s : rbac->bindings()[b].subjects) by_subject[s.label()].first.insert(b);
  }
  for (int32_t b : binders) {
    for (const rbac::Subject& s : rbac->bindings()[b].subjects) by_subject[s.label()].second.insert(b);
  }
  for (const auto& [label, sets] : by_subject) {
    if (sets.first.empty() || sets.second.empty()) continue;
    bool same = std::any_of(sets.first.begin(), sets.first.end(), [&](int32_t b) { return sets.second.count(b) > 0; });
    if (same) continue;  // already an edge from that binding
    auto it = by_name.find(label);
    if (it == by_name.end()) continue;
    const rbac::Binding& create = rbac->bindings()[*sets.first.begin()];
    const rbac::Binding& bind = rbac->bindings()[*sets.second.begin()];
    edge(it->second, clusterAdmin(), Technique::kRoleBind, kCertain,
         "create clusterrolebindings (" + std::string(create.kind) + " " + std::string(create.name) + ") and bind clusterrole cluster-admin (" +
             std::string(bind.kind) + " " + std::string(bind.name) + "), cluster-wide",
         rbac->isBootstrap(*create.object) ? nullptr : create.object);
  }
}

void Builder::nodeEdges() {
  uint32_t n = node();
  uint32_t tokens = nodeTokens();
  edge(n, tokens, Technique::kVolumeAccess, kCertain, "root on the node reads /var/lib/kubelet/pods");
  for (uint32_t w = 0; w < workload_vertex.size(); ++w) {
    const netpol::WorkloadInfo& info = net->workloads()[w];
    bool everywhere = info.kind == "DaemonSet";
    edge(n, workload_vertex[w], Technique::kPodAttach, everywhere ? kCertain : kSameNodeUnknown,
         everywhere ? "a DaemonSet runs on every node" : "if it runs on the same node", info.object, info.object->line);
  }
  for (const auto& [w, sa] : token_holders) {
    const netpol::WorkloadInfo& info = net->workloads()[w];
    bool everywhere = info.kind == "DaemonSet";
    edge(tokens, sa, Technique::kTokenSteal, everywhere ? kCertain : kSameNodeUnknown,
         "token of " + info.label() + (everywhere ? " (a DaemonSet runs on every node)" : " (if it runs on the same node)"),
         info.object, info.object->line);
  }
  // The kubelet's own credentials: the Node authorizer lets it read the secrets of its pods.
  auto nodes_group = by_name.find("Group system:nodes");
  if (nodes_group != by_name.end()) {
    edge(n, nodes_group->second, Technique::kIdentityAssume, kCertain, "the kubelet's credentials (group system:nodes)");
  }
  edge(n, allSecrets(), Technique::kNodeCredential, kSameNodeUnknown,
       "the Node authorizer lets the kubelet read the secrets its pods reference (those of pods on this node)");
}

void Builder::cloudIdentities() {
  static constexpr std::pair<std::string_view, std::string_view> kAnnotations[] = {
      {"eks.amazonaws.com/role-arn", "IAM role"},
      {"iam.gke.io/gcp-service-account", "GCP service account"},
      {"azure.workload.identity/client-id", "Azure managed identity"},
  };
  auto cloud_vertex = [&](std::string name, std::string_view arn, const Object* object) {
    uint32_t v = vertex(VertexKind::kCloudIdentity, std::move(name), object);
    if (!arn.empty() && std::find(options.cloud_admin_arns.begin(), options.cloud_admin_arns.end(), arn) !=
                            options.cloud_admin_arns.end()) {
      edge(v, vertex(VertexKind::kCrownJewel, "cloud admin", nullptr, {}, true), Technique::kCloudAdmin, kCertain,
           std::string(arn) + " is admin-equivalent in the cloud account (--cloud-iam)");
    }
    return v;
  };
  for (const Object* sa : rbacIndex().ofKind("ServiceAccount")) {
    for (const auto& [key, what] : kAnnotations) {
      const Node* value = field(sa->metadata(), {"annotations", key});
      if (value == nullptr || !value->isString() || value->str().empty()) continue;
      uint32_t cloud = cloud_vertex(std::string(what) + " " + std::string(value->str()),
                                    key == "eks.amazonaws.com/role-arn" ? value->str() : std::string_view(), sa);
      edge(serviceAccount(objects.namespaceOf(*sa), sa->name), cloud, Technique::kCloudIdentityAssume, kCertain,
           "annotation " + std::string(key), sa, value->line());
    }
  }
  // aws-auth: IAM principals authenticate as Kubernetes users and groups.
  for (const rbac::CloudIdentity& c : rbac->cloudIdentities()) {
    if (c.kind == "account") continue;
    uint32_t cloud = cloud_vertex(std::string(c.kind == "role" ? "IAM role " : "IAM user ") + c.arn, c.arn, nullptr);
    if (!c.username.empty()) {
      edge(cloud, vertex(VertexKind::kIdentity, "User " + c.username), Technique::kIdentityAssume, kCertain,
           "kube-system/aws-auth maps it to user " + c.username, nullptr, c.line);
    }
    for (const std::string& g : c.groups) {
      edge(cloud, vertex(VertexKind::kIdentity, "Group " + g), Technique::kIdentityAssume,
           kCertain, "kube-system/aws-auth maps it to group " + g, nullptr, c.line);
    }
  }
}

void Builder::network() {
  // The internet reaches exposed workloads' endpoints; a vulnerability (from a report) opens them.
  std::vector<netpol::Exposure> exposure = netpol::computeExposure(*net);
  std::vector<uint32_t> endpoint(workload_vertex.size(), UINT32_MAX);
  auto endpoint_of = [&](uint32_t w) {
    if (endpoint[w] == UINT32_MAX) {
      const netpol::WorkloadInfo& info = net->workloads()[w];
      endpoint[w] = vertex(VertexKind::kEndpoint, info.label() + " endpoints", info.object, info.ns);
    }
    return endpoint[w];
  };
  std::vector<double> exploit(workload_vertex.size(), 0.0);
  std::vector<std::string> exploit_text(workload_vertex.size());
  if (options.vulns != nullptr) {
    for (uint32_t w = 0; w < workload_vertex.size(); ++w) {
      const netpol::WorkloadInfo& info = net->workloads()[w];
      std::optional<checks::PodSpecRef> pod = checks::podSpecOf(*info.object);
      if (!pod) continue;
      for (const checks::ContainerRef& c : pod->containers) {
        const Node* image = field(c.node, "image");
        if (image == nullptr || !image->isString()) continue;
        const vulns::ImageReport* report = options.vulns->match(image->str());
        if (report == nullptr) continue;
        for (const vulns::Vulnerability& v : report->vulns) {
          double p = exploitLikelihood(v);
          if (p > exploit[w]) {
            exploit[w] = p;
            exploit_text[w] = "container " + std::string(c.name) + " image " + std::string(image->str()) + ": " +
                              describe(v);
          }
        }
      }
    }
  }
  for (uint32_t w = 0; w < workload_vertex.size(); ++w) {
    const netpol::Exposure& e = exposure[w];
    if (e.level != netpol::ExposureLevel::kInternet) continue;
    double p = e.confidence == netpol::Confidence::kExposed ? kCertain : kPluginDependent;
    std::string via;
    for (const netpol::ExposurePath& path : e.paths) {
      if (path.level == netpol::ExposureLevel::kInternet) {
        via = path.channel + (path.via ? " " + std::string(path.via->name) : "") + " (" + path.ports.toString() + ")";
        break;
      }
    }
    edge(graph.internet(), endpoint_of(w), Technique::kNetworkReach, p, "exposed to the internet through " + via,
         net->workloads()[w].object, net->workloads()[w].object->line);
  }
  // Lateral movement: workloads reach the endpoints of vulnerable workloads (by matrix class).
  bool any_vulnerable = std::any_of(exploit.begin(), exploit.end(), [](double p) { return p > 0; });
  if (any_vulnerable) {
    netpol::Matrix matrix = netpol::computeMatrix(*net, 2);
    std::vector<uint32_t> class_of(workload_vertex.size());
    for (uint32_t c = 0; c < matrix.classes.size(); ++c) {
      for (uint32_t w : matrix.classes[c].workloads) class_of[w] = c;
    }
    // Two hubs keep the edge count at (matrix edges to vulnerable classes) + workloads: a
    // "position" per source class and a "vulnerable endpoints" vertex per target class.
    std::vector<uint32_t> class_vertex(matrix.classes.size(), UINT32_MAX);
    std::vector<uint32_t> target_vertex(matrix.classes.size(), UINT32_MAX);
    std::vector<std::vector<uint32_t>> vulnerable_in_class(matrix.classes.size());
    for (uint32_t w = 0; w < workload_vertex.size(); ++w) {
      if (exploit[w] > 0) vulnerable_in_class[class_of[w]].push_back(w);
    }
    std::vector<std::string> connectivity_text(matrix.connectivities.size());
    for (size_t i = 0; i < matrix.connectivities.size(); ++i) {
      const netpol::Matrix::Connectivity& c = matrix.connectivities[i];
      connectivity_text[i] = "NetworkPolicy " + (!c.allowed.empty() ? "allows " + c.allowed.toString()
                                                                     : "may allow (depends on the network plugin) " +
                                                                           (c.depends.empty() ? c.unknown : c.depends).toString());
    }
    for (const netpol::Matrix::Edge& e : matrix.edges) {
      if (e.from.external || e.to.external || vulnerable_in_class[e.to.index].empty()) continue;
      const netpol::Matrix::Connectivity& c = matrix.connectivities[e.connectivity];
      double p = !c.allowed.empty() ? kCertain : kPluginDependent;
      if (class_vertex[e.from.index] == UINT32_MAX) {
        class_vertex[e.from.index] =
            vertex(VertexKind::kEndpoint, "pod network position c" + std::to_string(e.from.index + 1));
        for (uint32_t w : matrix.classes[e.from.index].workloads) {
          edge(workload_vertex[w], class_vertex[e.from.index], Technique::kNetworkReach, kCertain,
               "its pods share this network position (NetworkPolicy treats them alike)");
        }
      }
      if (target_vertex[e.to.index] == UINT32_MAX) {
        target_vertex[e.to.index] =
            vertex(VertexKind::kEndpoint, "vulnerable endpoints of network position c" + std::to_string(e.to.index + 1));
        for (uint32_t w : vulnerable_in_class[e.to.index]) {
          edge(target_vertex[e.to.index], endpoint_of(w), Technique::kNetworkReach, kCertain,
               "its pods are at this network position");
        }
      }
      edge(class_vertex[e.from.index], target_vertex[e.to.index], Technique::kNetworkReach, p, connectivity_text[e.connectivity]);
    }
  }
  for (uint32_t w = 0; w < workload_vertex.size(); ++w) {
    if (endpoint[w] != UINT32_MAX && exploit[w] > 0) {
      edge(endpoint[w], workload_vertex[w], Technique::kVulnExploit, exploit[w], exploit_text[w],
           net->workloads()[w].object, net->workloads()[w].object->line);
    }
  }
}

}  // namespace

std::string_view vertexKindName(VertexKind kind) {
  switch (kind) {
    case VertexKind::kInternet: return "internet";
    case VertexKind::kWorkload: return "workload";
    case VertexKind::kEndpoint: return "endpoint";
    case VertexKind::kVolume: return "volume";
    case VertexKind::kNode: return "node";
    case VertexKind::kIdentity: return "identity";
    case VertexKind::kPermissionSet: return "permission-set";
    case VertexKind::kCloudIdentity: return "cloud-identity";
    case VertexKind::kCrownJewel: return "crown-jewel";
  }
  return "unknown";
}

Graph::~Graph() = default;

uint32_t Graph::addVertex(Vertex vertex) {
  vertices_.push_back(std::move(vertex));
  out_.emplace_back();
  in_.emplace_back();
  return static_cast<uint32_t>(vertices_.size() - 1);
}

void Graph::addEdge(Edge edge) {
  out_[edge.from].push_back(static_cast<uint32_t>(edges_.size()));
  in_[edge.to].push_back(static_cast<uint32_t>(edges_.size()));
  edges_.push_back(std::move(edge));
}

void Graph::dedupe() {
  // Per vertex, the first edge of each (to, technique) is kept; the others are dropped and the
  // edge indices renumbered.
  std::vector<char> keep(edges_.size(), 1);
  std::vector<std::pair<uint64_t, uint32_t>> seen;
  for (std::vector<uint32_t>& list : out_) {
    if (list.size() < 2) continue;
    seen.clear();
    for (uint32_t e : list) seen.emplace_back((uint64_t{edges_[e].to} << 8) | static_cast<uint8_t>(edges_[e].technique), e);
    std::sort(seen.begin(), seen.end());
    for (size_t i = 1; i < seen.size(); ++i) {
      if (seen[i].first == seen[i - 1].first) keep[seen[i].second] = 0;
    }
  }
  if (std::all_of(keep.begin(), keep.end(), [](char k) { return k != 0; })) return;
  std::vector<uint32_t> renumber(edges_.size(), UINT32_MAX);
  std::vector<Edge> kept;
  kept.reserve(edges_.size());
  for (uint32_t e = 0; e < edges_.size(); ++e) {
    if (!keep[e]) continue;
    renumber[e] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(edges_[e]));
  }
  edges_ = std::move(kept);
  for (auto* lists : {&out_, &in_}) {
    for (std::vector<uint32_t>& list : *lists) {
      std::erase_if(list, [&](uint32_t e) { return renumber[e] == UINT32_MAX; });
      for (uint32_t& e : list) e = renumber[e];
    }
  }
}

std::optional<uint32_t> Graph::find(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [](const std::pair<std::string, uint32_t>& e, std::string_view n) { return e.first < n; });
  if (it == by_name_.end() || it->first != name) return std::nullopt;
  return it->second;
}

std::unique_ptr<Graph> Graph::build(const ObjectSet& objects, const BuildOptions& options) {
  std::unique_ptr<Graph> graph(new Graph());
  Builder b{*graph, objects, options, nullptr, nullptr, {}};
  rbac::BuildOptions rbac_options;
  rbac_options.bootstrap = options.bootstrap_rbac;
  b.rbac = rbac::Model::build(objects, rbac_options);
  b.net = netpol::Model::build(objects);
  graph->internet_ = b.vertex(VertexKind::kInternet, "internet");
  b.groups();
  b.workloads();
  b.rbacEdges();
  b.nodeEdges();
  b.cloudIdentities();
  b.network();
  graph->dedupe();
  for (uint32_t v = 0; v < graph->vertices_.size(); ++v) graph->by_name_.emplace_back(graph->vertices_[v].name, v);
  std::sort(graph->by_name_.begin(), graph->by_name_.end());
  // Keep what the graph needs alive: evidence points into the input only.
  return graph;
}

}  // namespace kspm::graph
