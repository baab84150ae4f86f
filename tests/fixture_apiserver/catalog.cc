#include "catalog.h"

namespace kspm_fixture {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

Subresource status(const std::string& group, const std::string& version, const std::string& kind) {
  return {"status", group, version, kind, {"get", "patch", "update"}};
}
Subresource scale() { return {"scale", "autoscaling", "v1", "Scale", {"get", "patch", "update"}}; }

ResourceType type(std::string group, std::string version, std::string kind, std::string plural, std::string singular,
                  bool namespaced, std::vector<std::string> shortNames = {},
                  std::vector<std::string> categories = {}) {
  ResourceType resourceType;
  resourceType.group = std::move(group);
  resourceType.version = std::move(version);
  resourceType.kind = std::move(kind);
  resourceType.plural = std::move(plural);
  resourceType.singular = std::move(singular);
  resourceType.namespaced = namespaced;
  resourceType.verbs = kAllVerbs;
  resourceType.shortNames = std::move(shortNames);
  resourceType.categories = std::move(categories);
  return resourceType;
}

ResourceType withStatus(ResourceType resourceType) {
  resourceType.subresources.push_back(status(resourceType.group, resourceType.version, resourceType.kind));
  return resourceType;
}

}  // namespace

std::vector<std::string> builtinGroupOrder() {
  return {"",
          "apiregistration.k8s.io",
          "apps",
          "events.k8s.io",
          "authentication.k8s.io",
          "authorization.k8s.io",
          "autoscaling",
          "batch",
          "certificates.k8s.io",
          "networking.k8s.io",
          "policy",
          "rbac.authorization.k8s.io",
          "storage.k8s.io",
          "admissionregistration.k8s.io",
          "apiextensions.k8s.io",
          "scheduling.k8s.io",
          "coordination.k8s.io",
          "node.k8s.io",
          "discovery.k8s.io",
          "flowcontrol.apiserver.k8s.io",
          "gateway.networking.k8s.io"};
}

std::vector<ResourceType> builtinResourceTypes() {
  std::vector<ResourceType> types;
  // core/v1
  types.push_back(type("", "v1", "ConfigMap", "configmaps", "configmap", true, {"cm"}));
  types.push_back(type("", "v1", "Endpoints", "endpoints", "endpoints", true, {"ep"}));
  types.push_back(type("", "v1", "Event", "events", "event", true, {"ev"}));
  types.push_back(type("", "v1", "LimitRange", "limitranges", "limitrange", true, {"limits"}));
  {
    ResourceType namespaces = type("", "v1", "Namespace", "namespaces", "namespace", false, {"ns"});
    namespaces.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    namespaces.subresources = {{"finalize", "", "v1", "Namespace", {"update"}}, status("", "v1", "Namespace")};
    types.push_back(namespaces);
  }
  {
    ResourceType nodes = type("", "v1", "Node", "nodes", "node", false, {"no"});
    nodes.subresources = {{"proxy", "", "v1", "NodeProxyOptions", {"create", "delete", "get", "patch", "update"}},
                          status("", "v1", "Node")};
    types.push_back(nodes);
  }
  types.push_back(withStatus(type("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims",
                                  "persistentvolumeclaim", true, {"pvc"})));
  types.push_back(withStatus(type("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false,
                                  {"pv"})));
  {
    ResourceType pods = type("", "v1", "Pod", "pods", "pod", true, {"po"}, {"all"});
    pods.subresources = {
        {"attach", "", "v1", "PodAttachOptions", {"create", "get"}},
        {"binding", "", "v1", "Binding", {"create"}},
        {"ephemeralcontainers", "", "v1", "Pod", {"get", "patch", "update"}},
        {"eviction", "policy", "v1", "Eviction", {"create"}},
        {"exec", "", "v1", "PodExecOptions", {"create", "get"}},
        {"log", "", "v1", "Pod", {"get"}},
        {"portforward", "", "v1", "PodPortForwardOptions", {"create", "get"}},
        {"proxy", "", "v1", "PodProxyOptions", {"create", "delete", "get", "patch", "update"}},
        status("", "v1", "Pod")};
    types.push_back(pods);
  }
  types.push_back(type("", "v1", "PodTemplate", "podtemplates", "podtemplate", true));
  {
    ResourceType controllers = type("", "v1", "ReplicationController", "replicationcontrollers",
                                    "replicationcontroller", true, {"rc"}, {"all"});
    controllers.subresources = {scale(), status("", "v1", "ReplicationController")};
    types.push_back(controllers);
  }
  types.push_back(withStatus(type("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, {"quota"})));
  types.push_back(type("", "v1", "Secret", "secrets", "secret", true));
  {
    ResourceType accounts = type("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, {"sa"});
    accounts.subresources = {{"token", "authentication.k8s.io", "v1", "TokenRequest", {"create"}}};
    types.push_back(accounts);
  }
  {
    ResourceType services = type("", "v1", "Service", "services", "service", true, {"svc"}, {"all"});
    services.subresources = {
        {"proxy", "", "v1", "ServiceProxyOptions", {"create", "delete", "get", "patch", "update"}},
        status("", "v1", "Service")};
    types.push_back(services);
  }
  types.push_back(withStatus(
      type("apiregistration.k8s.io", "v1", "APIService", "apiservices", "apiservice", false, {}, {"api-extensions"})));
  // apps/v1
  types.push_back(type("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", true));
  types.push_back(withStatus(type("apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, {"ds"}, {"all"})));
  struct Workload {
    const char* kind;
    const char* plural;
    const char* singular;
    const char* shortName;
  };
  for (const Workload& workload : {Workload{"Deployment", "deployments", "deployment", "deploy"},
                                   Workload{"ReplicaSet", "replicasets", "replicaset", "rs"},
                                   Workload{"StatefulSet", "statefulsets", "statefulset", "sts"}}) {
    ResourceType resourceType =
        type("apps", "v1", workload.kind, workload.plural, workload.singular, true, {workload.shortName}, {"all"});
    resourceType.subresources = {scale(), status("apps", "v1", workload.kind)};
    types.push_back(resourceType);
  }
  types.push_back(type("events.k8s.io", "v1", "Event", "events", "event", true, {"ev"}));
  types.push_back(withStatus(type("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
                                  "horizontalpodautoscaler", true, {"hpa"}, {"all"})));
  types.push_back(withStatus(type("batch", "v1", "CronJob", "cronjobs", "cronjob", true, {"cj"}, {"all"})));
  types.push_back(withStatus(type("batch", "v1", "Job", "jobs", "job", true, {}, {"all"})));
  types.push_back(type("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", false));
  types.push_back(withStatus(type("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, {"ing"})));
  types.push_back(type("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", true,
                       {"netpol"}));
  types.push_back(withStatus(
      type("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, {"pdb"})));
  types.push_back(type("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
                       "clusterrolebinding", false));
  types.push_back(type("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false));
  types.push_back(type("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true));
  types.push_back(type("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true));
  types.push_back(type("storage.k8s.io", "v1", "CSIDriver", "csidrivers", "csidriver", false));
  types.push_back(type("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", false));
  types.push_back(type("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false, {"sc"}));
  types.push_back(withStatus(
      type("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", false)));
  types.push_back(type("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
                       "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", false, {},
                       {"api-extensions"}));
  types.push_back(type("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy",
                       "validatingadmissionpolicies", "validatingadmissionpolicy", false, {}, {"api-extensions"}));
  types.back().subresources = {status("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy")};
  types.push_back(type("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
                       "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", false, {},
                       {"api-extensions"}));
  types.push_back(type("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                       "validatingwebhookconfigurations", "validatingwebhookconfiguration", false, {},
                       {"api-extensions"}));
  types.push_back(withStatus(type("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                                  "customresourcedefinitions", "customresourcedefinition", false, {"crd", "crds"},
                                  {"api-extensions"})));
  types.push_back(type("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", false, {"pc"}));
  types.push_back(type("coordination.k8s.io", "v1", "Lease", "leases", "lease", true));
  types.push_back(type("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", false));
  types.push_back(type("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", true));
  types.push_back(withStatus(type("gateway.networking.k8s.io", "v1", "GatewayClass", "gatewayclasses",
                                  "gatewayclass", false, {"gc"})));
  types.push_back(withStatus(type("gateway.networking.k8s.io", "v1", "Gateway", "gateways", "gateway", true, {"gtw"})));
  types.push_back(withStatus(type("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes", "httproute", true)));
  return types;
}

}  // namespace kspm_fixture
