#include "checks/net/cross_object.h"

#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

// Custom resources whose operators create pods (and the Services in front of them) in the
// resource's own namespace. Kinds match in any API group; a false "may create" only makes a
// check quieter.
constexpr std::string_view kPodCreatingCustomKinds[] = {
    // Prometheus operator
    "Prometheus",
    "PrometheusAgent",
    "Alertmanager",
    "ThanosRuler",
    // Elastic Cloud on Kubernetes
    "Elasticsearch",
    "Kibana",
    "ApmServer",
    "EnterpriseSearch",
    "Beat",
    "Agent",
    "Logstash",
    "ElasticMapsServer",
    // Strimzi and Confluent for Kafka
    "Kafka",
    "KafkaConnect",
    "KafkaMirrorMaker2",
    "KafkaBridge",
    "KafkaNodePool",
    "Zookeeper",
    "SchemaRegistry",
    "KafkaRestProxy",
    "Connect",
    "ControlCenter",
    "KsqlDB",
    "ZookeeperCluster",
    // Databases and queues
    "Cluster",
    "Pooler",
    "postgresql",
    "PostgresCluster",
    "PerconaXtraDBCluster",
    "PerconaServerMongoDB",
    "PerconaPGCluster",
    "RabbitmqCluster",
    "RedisFailover",
    "RedisCluster",
    "Redis",
    "RedisReplication",
    "RedisEnterpriseCluster",
    "MongoDBCommunity",
    "MongoDB",
    "InnoDBCluster",
    "MysqlCluster",
    "CassandraDatacenter",
    "K8ssandraCluster",
    "ClickHouseInstallation",
    "VitessCluster",
    "Tenant",
    "NatsCluster",
    "SolrCloud",
    "Keycloak",
    // Observability
    "Jaeger",
    "OpenTelemetryCollector",
    "Grafana",
    "LokiStack",
    "TempoStack",
    "TempoMonolithic",
    // Platform operators, gateways (Istio and Envoy Gateway deploy one per Gateway), VMs
    "ArgoCD",
    "IstioOperator",
    "Istio",
    "Installation",
    "Gateway",
    "VirtualMachine",
    "VirtualMachineInstance",
    "VirtualMachineInstanceReplicaSet",
    // Batch, data and ML
    "SparkApplication",
    "ScheduledSparkApplication",
    "RayCluster",
    "RayJob",
    "RayService",
    "FlinkDeployment",
    "FlinkSessionJob",
    "Notebook",
    "TFJob",
    "PyTorchJob",
    "MPIJob",
    "XGBoostJob",
    "PaddleJob",
    "TrainJob",
    "InferenceService",
    "SeldonDeployment",
    "TaskRun",
    "PipelineRun",
    // Argo Events
    "EventSource",
    "Sensor",
    "EventBus",
};

constexpr std::string_view kClusterWidePolicyKinds[] = {
    "GlobalNetworkPolicy", "CiliumClusterwideNetworkPolicy", "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"};

}  // namespace

bool isIngress(const Object& object) {
  if (object.kind != "Ingress") return false;
  std::string_view group = object.group();
  return group == "networking.k8s.io" || group == "extensions";
}

bool isKubernetesNetworkPolicy(const Object& object) {
  if (object.kind != "NetworkPolicy") return false;
  std::string_view group = object.group();
  return group == "networking.k8s.io" || group == "extensions";
}

bool isPodDisruptionBudget(const Object& object) {
  return object.kind == "PodDisruptionBudget" && object.group() == "policy";
}

std::string objectLabel(const Object& object) {
  std::string out(object.kind);
  out.push_back('/');
  out.append(object.name.empty() ? std::string_view("<unnamed>") : object.name);
  return out;
}

std::string_view annotation(const Object& object, std::string_view key) {
  const Node* annotations = field(object.metadata(), "annotations");
  const Node* value = annotations != nullptr ? annotations->get(key) : nullptr;
  return value != nullptr ? value->str() : std::string_view();
}

bool mayCreateUnseenObjects(const ObjectIndex& index, std::string_view ns) {
  for (std::string_view kind : kPodCreatingCustomKinds) {
    if (index.ofKind(kind).empty()) continue;  // cheap test first: most inputs have none
    if (!index.ofKindIn(kind, ns).empty()) return true;
  }
  return false;
}

namespace {

// The kinds of kPodCreatingCustomKinds the input holds, in that order; derived once per scan.
const std::vector<std::string_view>& podCreatingKindsPresent(const EvalContext& context) {
  return context.scan->derived<std::vector<std::string_view>>("net/pod-creating-kinds", [&] {
    std::vector<std::string_view> present;
    for (std::string_view kind : kPodCreatingCustomKinds) {
      if (!context.scan->index.ofKind(kind).empty()) present.push_back(kind);
    }
    return present;
  });
}

}  // namespace

bool mayCreateUnseenObjects(const EvalContext& context, std::string_view ns) {
  for (std::string_view kind : podCreatingKindsPresent(context)) {
    if (!context.scan->index.ofKindIn(kind, ns).empty()) return true;
  }
  return false;
}

namespace {

std::string_view directoryOf(const ObjectSet& objects, const Object& object) {
  std::string_view path = objects.pathOf(object);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool listed(const Node* list, std::string_view a, std::string_view b = {}) {
  if (list == nullptr || !list->isArray()) return false;
  for (const Node& item : list->items()) {
    if (item.is(a) || (!b.empty() && item.is(b))) return true;
  }
  return false;
}

bool rulesCreate(const Object& role, std::string_view resource) {
  const Node* rules = field(role.root, "rules");
  if (rules == nullptr || !rules->isArray()) return false;
  for (const Node& rule : rules->items()) {
    if (listed(field(&rule, "apiGroups"), "", "*") && listed(field(&rule, "resources"), resource, "*") &&
        listed(field(&rule, "verbs"), "create", "*")) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool definesKindNear(const ObjectIndex& index, const ObjectSet& objects, std::string_view kind,
                     std::string_view ns, const Object& referrer) {
  const std::vector<const Object*>& defined = index.ofKindIn(kind, ns);
  if (!ns.empty() || defined.empty()) return !defined.empty();
  std::string_view directory = directoryOf(objects, referrer);
  for (const Object* o : defined) {
    if (directoryOf(objects, *o) == directory) return true;
  }
  return false;
}

bool sameProject(const ObjectSet& objects, std::string_view ns, const Object& a, const Object& b) {
  return !ns.empty() || &a == &b || directoryOf(objects, a) == directoryOf(objects, b);
}

bool podsAssessable(const ObjectIndex& index, const ObjectSet& objects, std::string_view ns,
                    const Object& referrer) {
  const std::vector<Workload>& workloads = index.workloadsIn(ns);
  if (workloads.empty() || mayCreateUnseenObjects(index, ns)) return false;
  if (!ns.empty()) return true;
  std::string_view directory = directoryOf(objects, referrer);
  for (const Workload& w : workloads) {
    if (directoryOf(objects, *w.object) == directory) return true;
  }
  return false;
}

bool podsAssessable(const EvalContext& context, std::string_view ns, const Object& referrer) {
  const std::vector<Workload>& workloads = context.scan->index.workloadsIn(ns);
  if (workloads.empty() || mayCreateUnseenObjects(context, ns)) return false;
  if (!ns.empty()) return true;
  std::string_view directory = directoryOf(*context.objects, referrer);
  for (const Workload& w : workloads) {
    if (directoryOf(*context.objects, *w.object) == directory) return true;
  }
  return false;
}

bool rolesMayCreate(const EvalContext& context, std::string_view ns, std::string_view resource) {
  const ObjectIndex& index = context.scan->index;
  const ObjectSet& objects = *context.objects;
  auto compute = [&] {
    std::unordered_set<std::string_view> out;
    for (const Object* role : index.ofKind("Role")) {
      if (rulesCreate(*role, resource)) out.insert(objects.namespaceOf(*role));
    }
    for (const Object* binding : index.ofKind("RoleBinding")) {
      const Node* ref = field(binding->root, "roleRef");
      const Node* kind = field(ref, "kind");
      const Node* name = field(ref, "name");
      if (kind == nullptr || !kind->is("ClusterRole") || name == nullptr || !name->isString()) continue;
      const Object* role = index.find("ClusterRole", "", name->str());
      if (role != nullptr && rulesCreate(*role, resource)) out.insert(objects.namespaceOf(*binding));
    }
    return out;
  };
  const auto& namespaces = context.scan->derived<std::unordered_set<std::string_view>>(
      std::string("net/roles-may-create/") + std::string(resource), compute);
  return namespaces.count(ns) != 0;
}

bool mayGenerateConfig(const ObjectIndex& index) { return !index.ofKind("Kustomization").empty(); }

PolicyTypes effectivePolicyTypes(const Node* spec) {
  PolicyTypes types;
  const Node* listed = field(spec, "policyTypes");
  if (listed != nullptr && listed->isArray() && listed->size() > 0) {
    for (const Node& t : listed->items()) {
      if (t.is("Ingress")) types.ingress = true;
      if (t.is("Egress")) types.egress = true;
    }
    return types;
  }
  types.ingress = true;
  const Node* egress = field(spec, "egress");
  types.egress = egress != nullptr && egress->isArray() && egress->size() > 0;
  return types;
}

bool policySelects(const Node* spec, const Node* pod_labels) {
  const Node* selector = field(spec, "podSelector");
  if (selector == nullptr) return true;
  return labelsMatchSelector(selector, pod_labels);
}

bool hasClusterWidePolicies(const ObjectIndex& index) {
  for (std::string_view kind : kClusterWidePolicyKinds) {
    if (!index.ofKind(kind).empty()) return true;
  }
  return false;
}

bool hasUnmodelledPolicies(const ObjectIndex& index, std::string_view ns) {
  if (hasClusterWidePolicies(index)) return true;
  if (!index.ofKindIn("CiliumNetworkPolicy", ns).empty()) return true;
  for (const Object* policy : index.ofKindIn("NetworkPolicy", ns)) {
    if (!isKubernetesNetworkPolicy(*policy)) return true;
  }
  return false;
}

namespace {

// The model with lookups from objects to its workloads and policies, derived once per scan.
struct NetpolFacts {
  std::unique_ptr<netpol::Model> model;
  std::unordered_map<const Object*, uint32_t> workload_of;
  std::unordered_map<const Object*, uint32_t> policy_of;
};

const NetpolFacts& netpolFacts(const EvalContext& context) {
  return context.scan->derived<NetpolFacts>("net/netpol-model", [&] {
    NetpolFacts facts;
    netpol::BuildOptions options;
    options.index = &context.scan->index;
    options.workload_kinds = context.scan->workload_kinds;
    facts.model = netpol::Model::build(*context.objects, options);
    const auto& workloads = facts.model->workloads();
    facts.workload_of.reserve(workloads.size());
    for (uint32_t w = 0; w < workloads.size(); ++w) facts.workload_of.emplace(workloads[w].object, w);
    const auto& policies = facts.model->policies();
    for (uint32_t p = 0; p < policies.size(); ++p) facts.policy_of.emplace(policies[p].object, p);
    return facts;
  });
}

}  // namespace

const netpol::Model& netpolModel(const EvalContext& context) { return *netpolFacts(context).model; }

const std::vector<netpol::Exposure>& netpolExposure(const EvalContext& context) {
  // The model first: derived() holds its lock while computing, so the two must not nest.
  return netpolExposure(context, netpolModel(context));
}

const std::vector<netpol::Exposure>& netpolExposure(const EvalContext& context, const netpol::Model& model) {
  return context.scan->derived<std::vector<netpol::Exposure>>("net/netpol-exposure",
                                                              [&] { return netpol::computeExposure(model); });
}

std::optional<uint32_t> netpolWorkload(const EvalContext& context, const Object& object) {
  return netpolWorkloadRef(context, object).workload;
}

NetpolWorkloadRef netpolWorkloadRef(const EvalContext& context, const Object& object) {
  const NetpolFacts& facts = netpolFacts(context);
  NetpolWorkloadRef ref;
  ref.model = facts.model.get();
  if (auto it = facts.workload_of.find(&object); it != facts.workload_of.end()) ref.workload = it->second;
  return ref;
}

const netpol::Policy* netpolPolicy(const EvalContext& context, const Object& object) {
  const NetpolFacts& facts = netpolFacts(context);
  auto it = facts.policy_of.find(&object);
  return it == facts.policy_of.end() ? nullptr : &facts.model->policies()[it->second];
}

}  // namespace kspm::checks::net
