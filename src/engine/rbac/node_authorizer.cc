// The Node authorizer model (include/kspm/rbac.h nodeAccess).
//
// Upstream: plugin/pkg/auth/authorizer/node/node_authorizer.go and graph_populator.go. A kubelet
// (user system:node:NAME in group system:nodes) may get secrets, configmaps, persistentvolumeclaims and
// persistentvolumes reachable from the pods bound to its node (secrets and configmaps also list/watch
// with a metadata.name field selector), create tokens of those pods' service accounts, and change its
// own Node and the status of its pods (NodeRestriction).
#include <algorithm>
#include <set>
#include <string>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "kspm/rbac.h"

namespace kspm::rbac {
namespace {

using checks::field;

constexpr std::string_view kReadVerbs = "get, list, watch";

std::string stringAt(const Node* node, std::initializer_list<std::string_view> path) {
  const Node* value = field(node, path);
  return value != nullptr && value->isString() ? std::string(value->str()) : std::string();
}

class Collector {
 public:
  explicit Collector(NodeAccess* out) : out_(out) {}
  void add(std::string verbs, std::string group, std::string resource, std::string ns, std::string name,
           std::string reason) {
    if (!seen_.insert(verbs + "\n" + group + "\n" + resource + "\n" + ns + "\n" + name).second) return;
    out_->grants.push_back({std::move(verbs), std::move(group), std::move(resource), std::move(ns), std::move(name),
                            std::move(reason)});
  }

 private:
  NodeAccess* out_;
  std::set<std::string> seen_;
};

// Every env/envFrom reference of a container list: secretKeyRef, configMapKeyRef, secretRef, configMapRef.
template <typename Fn>
void forEachEnvReference(const Node* containers, Fn&& fn) {
  if (containers == nullptr || !containers->isArray()) return;
  for (const Node& c : containers->items()) {
    std::string container = stringAt(&c, {"name"});
    const Node* env = field(&c, "env");
    if (env != nullptr && env->isArray()) {
      for (const Node& e : env->items()) {
        std::string secret = stringAt(&e, {"valueFrom", "secretKeyRef", "name"});
        if (!secret.empty()) fn("secrets", secret, "container " + container + " env");
        std::string config_map = stringAt(&e, {"valueFrom", "configMapKeyRef", "name"});
        if (!config_map.empty()) fn("configmaps", config_map, "container " + container + " env");
      }
    }
    const Node* env_from = field(&c, "envFrom");
    if (env_from != nullptr && env_from->isArray()) {
      for (const Node& e : env_from->items()) {
        std::string secret = stringAt(&e, {"secretRef", "name"});
        if (!secret.empty()) fn("secrets", secret, "container " + container + " envFrom");
        std::string config_map = stringAt(&e, {"configMapRef", "name"});
        if (!config_map.empty()) fn("configmaps", config_map, "container " + container + " envFrom");
      }
    }
  }
}

}  // namespace

NodeAccess nodeAccess(const ObjectSet& objects, std::string_view node) {
  NodeAccess out;
  out.node = std::string(node);
  Collector grants(&out);
  grants.add("get, update, patch", "", "nodes", "", out.node, "its own Node object");
  grants.add("update, patch", "", "nodes/status", "", out.node, "its own Node object");
  grants.add("get, create, update, patch, delete", "coordination.k8s.io", "leases", "kube-node-lease", out.node,
             "its own node lease");

  // PVC ns/name -> the PV it is bound to (spec.volumeName), from the input.
  auto boundVolume = [&](const std::string& ns, const std::string& claim) -> std::string {
    for (const Object& o : objects.objects()) {
      if (o.kind == "PersistentVolumeClaim" && o.group().empty() && o.name == claim && objects.namespaceOf(o) == ns) {
        return stringAt(o.root, {"spec", "volumeName"});
      }
    }
    return {};
  };

  for (const Object& object : objects.objects()) {
    std::optional<checks::PodSpecRef> pod = checks::podSpecOf(object, checks::defaultWorkloadKinds(), false);
    if (!pod) continue;
    const Node* node_name = field(pod->spec, "nodeName");
    if (node_name == nullptr || !node_name->is(node)) continue;
    std::string ns(objects.namespaceOf(object));
    bool is_pod = object.kind == "Pod";
    std::string name(object.name);
    std::string pod_name = is_pod ? name : std::string();
    std::string qualified = (ns.empty() ? "" : ns + "/") + name;
    std::string label = std::string(object.kind) + " " + qualified;
    out.pods.push_back(label);
    std::string via = is_pod ? "pod " + qualified : "pods of " + label;

    grants.add("update, patch", "", "pods/status", ns, pod_name, via);
    std::string account = stringAt(pod->spec, {"serviceAccountName"});
    if (account.empty()) account = stringAt(pod->spec, {"serviceAccount"});
    if (account.empty()) account = "default";
    grants.add("create", "", "serviceaccounts/token", ns, account, via + " service account");

    auto reference = [&](std::string_view resource, const std::string& name, const std::string& where) {
      grants.add(std::string(kReadVerbs), "", std::string(resource), ns, name, via + " " + where);
    };
    auto claim = [&](const std::string& name, const std::string& where) {
      grants.add("get", "", "persistentvolumeclaims", ns, name, via + " " + where);
      std::string volume = name.empty() ? std::string() : boundVolume(ns, name);
      if (!volume.empty()) grants.add("get", "", "persistentvolumes", "", volume, via + " " + where + " (bound PV)");
    };
    const Node* pull = field(pod->spec, "imagePullSecrets");
    if (pull != nullptr && pull->isArray()) {
      for (const Node& s : pull->items()) {
        std::string name = stringAt(&s, {"name"});
        if (!name.empty()) reference("secrets", name, "imagePullSecrets");
      }
    }
    for (std::string_view list : {"containers", "initContainers", "ephemeralContainers"}) {
      forEachEnvReference(field(pod->spec, list), reference);
    }
    checks::forEachVolume(*pod, [&](const Node& volume, uint32_t) {
      std::string where = "volume " + stringAt(&volume, {"name"});
      std::string secret = stringAt(&volume, {"secret", "secretName"});
      if (!secret.empty()) reference("secrets", secret, where);
      std::string config_map = stringAt(&volume, {"configMap", "name"});
      if (!config_map.empty()) reference("configmaps", config_map, where);
      for (std::string_view driver : {"csi", "cephfs", "rbd", "flexVolume", "iscsi", "scaleIO", "storageos",
                                      "azureFile"}) {
        const Node* source = field(&volume, driver);
        if (source == nullptr || !source->isObject()) continue;
        std::string name = stringAt(source, {"nodePublishSecretRef", "name"});
        if (name.empty()) name = stringAt(source, {"secretRef", "name"});
        if (name.empty() && driver == "azureFile") name = stringAt(source, {"secretName"});
        if (!name.empty()) reference("secrets", name, where);
      }
      const Node* sources = field(&volume, {"projected", "sources"});
      if (sources != nullptr && sources->isArray()) {
        for (const Node& s : sources->items()) {
          std::string ps = stringAt(&s, {"secret", "name"});
          if (!ps.empty()) reference("secrets", ps, where);
          std::string pc = stringAt(&s, {"configMap", "name"});
          if (!pc.empty()) reference("configmaps", pc, where);
        }
      }
      std::string claim_name = stringAt(&volume, {"persistentVolumeClaim", "claimName"});
      if (!claim_name.empty()) claim(claim_name, where);
      // A generic ephemeral volume's claim is named <pod>-<volume>.
      if (field(&volume, "ephemeral") != nullptr && is_pod) claim(pod_name + "-" + stringAt(&volume, {"name"}), where);
    });
  }
  return out;
}

}  // namespace kspm::rbac
