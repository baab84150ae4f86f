// Building the NetworkPolicy model: workloads, namespaces, parsed policies, other engines' policies,
// and per-workload facts (selecting policies, matching peers) computed once.
#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "engine/netpol/internal.h"
#include "kspm/object_index.h"

namespace kspm::netpol {

using checks::field;

namespace {

constexpr std::string_view kNameLabel = "kubernetes.io/metadata.name";

Labels labelsOf(const Node* mapping) {
  Labels labels;
  if (mapping == nullptr || !mapping->isObject()) return labels;
  for (const Member& m : mapping->members()) {
    if (m.value.isString()) labels.emplace_back(m.key.str(), m.value.str());
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::string_view asString(const Node* node) { return node != nullptr && node->isString() ? node->str() : std::string_view(); }

/** Parses a metav1.LabelSelector; false with *error when the API server would reject it. */
bool parseSelector(const Node* node, Selector* out, std::string* error) {
  out->requirements.clear();
  if (node == nullptr || node->isNull()) return true;
  if (!node->isObject()) {
    *error = "is not a label selector";
    return false;
  }
  if (const Node* labels = field(node, "matchLabels"); labels != nullptr) {
    if (!labels->isObject()) {
      *error = "matchLabels is not a mapping";
      return false;
    }
    for (const Member& m : labels->members()) {
      if (!m.value.isString()) {
        *error = "matchLabels." + std::string(m.key.str()) + " is not a string";
        return false;
      }
      out->requirements.push_back({m.key.str(), LabelRequirement::Op::kIn, {m.value.str()}});
    }
  }
  if (const Node* expressions = field(node, "matchExpressions"); expressions != nullptr) {
    if (!expressions->isArray()) {
      *error = "matchExpressions is not a list";
      return false;
    }
    for (const Node& e : expressions->items()) {
      LabelRequirement r;
      r.key = asString(field(&e, "key"));
      std::string_view op = asString(field(&e, "operator"));
      if (r.key.empty()) {
        *error = "a matchExpressions entry has no key";
        return false;
      }
      if (op == "In") r.op = LabelRequirement::Op::kIn;
      else if (op == "NotIn") r.op = LabelRequirement::Op::kNotIn;
      else if (op == "Exists") r.op = LabelRequirement::Op::kExists;
      else if (op == "DoesNotExist") r.op = LabelRequirement::Op::kDoesNotExist;
      else {
        *error = "matchExpressions operator \"" + std::string(op) + "\" is not In, NotIn, Exists or DoesNotExist";
        return false;
      }
      if (const Node* values = field(&e, "values"); values != nullptr) {
        if (!values->isArray()) {
          *error = "matchExpressions values is not a list";
          return false;
        }
        for (const Node& v : values->items()) {
          if (!v.isString()) {
            *error = "matchExpressions value is not a string";
            return false;
          }
          r.values.push_back(v.str());
        }
      }
      bool needs_values = r.op == LabelRequirement::Op::kIn || r.op == LabelRequirement::Op::kNotIn;
      if (needs_values && r.values.empty()) {
        *error = "matchExpressions " + std::string(op) + " on \"" + std::string(r.key) + "\" needs values";
        return false;
      }
      if (!needs_values && !r.values.empty()) {
        *error = "matchExpressions " + std::string(op) + " on \"" + std::string(r.key) + "\" must not have values";
        return false;
      }
      out->requirements.push_back(std::move(r));
    }
  }
  return true;
}

/** The API server's IsValidPortName (IANA_SVC_NAME). */
bool isValidPortName(std::string_view name) {
  if (name.empty() || name.size() > 15 || name.front() == '-' || name.back() == '-') return false;
  if (name.find("--") != std::string_view::npos) return false;
  bool letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-') return false;
  }
  return letter;
}

bool parsePort(const Node& node, PolicyPort* out, std::string* error) {
  *out = PolicyPort{};
  if (const Node* protocol = field(&node, "protocol"); protocol != nullptr) {
    std::optional<Protocol> p = protocol->isString() ? parseProtocol(protocol->str()) : std::nullopt;
    // The API server accepts only the upper-case names.
    if (!p || protocol->str() != protocolName(*p)) {
      *error = "protocol \"" + checks::text(protocol) + "\" is not TCP, UDP or SCTP";
      return false;
    }
    out->protocol = *p;
  }
  const Node* port = field(&node, "port");
  const Node* end_port = field(&node, "endPort");
  if (port == nullptr) {
    if (end_port != nullptr) {
      *error = "endPort without port";
      return false;
    }
    return true;
  }
  out->any_port = false;
  if (port->isString()) {
    // An IntOrString: a string of digits is still a name to the API server's validation, which
    // rejects it (a port name must contain a letter).
    out->name = port->str();
    if (!isValidPortName(out->name)) {
      *error = "port \"" + std::string(out->name) + "\" is not a valid port name (IANA_SVC_NAME: at most 15 of a-z, 0-9 "
               "and '-', a letter, no '--', no '-' at either end)";
      return false;
    }
    if (end_port != nullptr) {
      *error = "endPort with a named port";
      return false;
    }
    return true;
  }
  if (!port->isInt() || port->integer() < 1 || port->integer() > 65535) {
    *error = "port " + checks::text(port) + " is not a number in 1-65535 or a port name";
    return false;
  }
  out->port = static_cast<uint16_t>(port->integer());
  out->end_port = out->port;
  if (end_port != nullptr) {
    if (!end_port->isInt() || end_port->integer() < out->port || end_port->integer() > 65535) {
      *error = "endPort " + checks::text(end_port) + " is not a number in port-65535";
      return false;
    }
    out->end_port = static_cast<uint16_t>(end_port->integer());
  }
  return true;
}

bool parsePeer(const Node& node, PolicyPeer* out, std::string* error) {
  const Node* ip_block = field(&node, "ipBlock");
  const Node* ns_selector = node.get("namespaceSelector");
  const Node* pod_selector = node.get("podSelector");
  bool has_ns = ns_selector != nullptr && !ns_selector->isNull();
  bool has_pod = pod_selector != nullptr && !pod_selector->isNull();
  if (ip_block != nullptr) {
    if (has_ns || has_pod) {
      *error = "a peer with ipBlock must not have selectors";
      return false;
    }
    out->kind = PolicyPeer::Kind::kIpBlock;
    std::string_view cidr_text = asString(field(ip_block, "cidr"));
    std::optional<IpSet> cidr = IpSet::parseCidr(cidr_text, error);
    if (!cidr) return false;
    out->block = *cidr;
    out->description = "ipBlock " + std::string(cidr_text);
    if (const Node* except = field(ip_block, "except"); except != nullptr) {
      if (!except->isArray()) {
        *error = "ipBlock.except is not a list";
        return false;
      }
      std::string listed;
      for (const Node& e : except->items()) {
        std::optional<IpSet> hole = IpSet::parseCidr(asString(&e), error);
        if (!hole) return false;
        if (!cidr->containsAll(*hole) || *hole == *cidr) {
          *error = "ipBlock.except " + std::string(asString(&e)) + " is not strictly inside cidr " + std::string(cidr_text);
          return false;
        }
        out->block = out->block.minus(*hole);
        listed += (listed.empty() ? "" : ",") + std::string(asString(&e));
      }
      if (!listed.empty()) out->description += " except " + listed;
    }
    return true;
  }
  if (!has_ns && !has_pod) {
    *error = "a peer needs podSelector, namespaceSelector or ipBlock";
    return false;
  }
  out->kind = PolicyPeer::Kind::kPods;
  if (has_ns) {
    Selector s;
    if (!parseSelector(ns_selector, &s, error)) {
      *error = "namespaceSelector: " + *error;
      return false;
    }
    out->namespace_selector = std::move(s);
    out->description = "namespaceSelector {" + out->namespace_selector->toString() + "}";
  }
  if (has_pod) {
    Selector s;
    if (!parseSelector(pod_selector, &s, error)) {
      *error = "podSelector: " + *error;
      return false;
    }
    out->pod_selector = std::move(s);
    out->description += (out->description.empty() ? "" : " ") + std::string("podSelector {") +
                        out->pod_selector->toString() + "}";
  }
  return true;
}

bool parseRules(const Node* rules, std::string_view peers_key, std::string_view what, std::vector<PolicyRule>* out,
                std::string* error) {
  if (rules == nullptr) return true;
  if (!rules->isArray()) {
    *error = "spec." + std::string(what) + " is not a list";
    return false;
  }
  uint32_t index = 0;
  for (const Node& r : rules->items()) {
    PolicyRule rule;
    rule.index = index++;
    rule.line = r.line();
    if (!r.isObject() && !r.isNull()) {
      *error = "spec." + std::string(what) + "[" + std::to_string(rule.index) + "] is not a mapping";
      return false;
    }
    if (const Node* peers = field(&r, peers_key); peers != nullptr && peers->isArray() && peers->size() > 0) {
      rule.all_peers = false;
      for (const Node& p : peers->items()) {
        PolicyPeer peer;
        if (!parsePeer(p, &peer, error)) {
          *error = "spec." + std::string(what) + "[" + std::to_string(rule.index) + "]." + std::string(peers_key) + ": " + *error;
          return false;
        }
        rule.peers.push_back(std::move(peer));
      }
    }
    if (const Node* ports = field(&r, "ports"); ports != nullptr && ports->isArray() && ports->size() > 0) {
      rule.all_ports = false;
      for (const Node& p : ports->items()) {
        PolicyPort port;
        if (!parsePort(p, &port, error)) {
          *error = "spec." + std::string(what) + "[" + std::to_string(rule.index) + "].ports: " + *error;
          return false;
        }
        rule.ports.push_back(port);
      }
    }
    out->push_back(std::move(rule));
  }
  return true;
}

/** Other engines' policy kinds, by API group. */
struct ForeignKind {
  std::string_view group;
  std::string_view kind;
  bool cluster_wide;
  bool may_allow;
};
constexpr ForeignKind kForeignKinds[] = {
    {"crd.projectcalico.org", "NetworkPolicy", false, true},
    {"projectcalico.org", "NetworkPolicy", false, true},
    {"crd.projectcalico.org", "GlobalNetworkPolicy", true, true},
    {"projectcalico.org", "GlobalNetworkPolicy", true, true},
    {"cilium.io", "CiliumNetworkPolicy", false, true},
    {"cilium.io", "CiliumClusterwideNetworkPolicy", true, true},
    {"policy.networking.k8s.io", "AdminNetworkPolicy", true, true},
    {"policy.networking.k8s.io", "BaselineAdminNetworkPolicy", true, true},
    {"policy.networking.k8s.io", "ClusterNetworkPolicy", true, true},
    {"crd.antrea.io", "ClusterNetworkPolicy", true, true},
    {"crd.antrea.io", "NetworkPolicy", false, true},
    {"security.istio.io", "AuthorizationPolicy", false, false},
};
/** Istio's root namespace: an AuthorizationPolicy there applies to the whole mesh. */
constexpr std::string_view kIstioRootNamespace = "istio-system";

uint16_t portNumber(const Node* node) {
  return node != nullptr && node->isInt() && node->integer() >= 1 && node->integer() <= 65535
             ? static_cast<uint16_t>(node->integer())
             : 0;
}

/** The workload `object` is, or nullopt when it has no pod spec (or is a PodTemplate: nothing runs it). */
std::optional<WorkloadInfo> readWorkload(const ObjectSet& objects, const Object& object,
                                         const std::vector<checks::WorkloadKind>& workload_kinds) {
  if (object.kind == "PodTemplate") return std::nullopt;  // nothing runs it
  // Only the spec and metadata: the containers are walked below without building their paths.
  std::optional<checks::PodSpecRef> pod = checks::podSpecOf(object, workload_kinds, false);
  if (!pod) return std::nullopt;
  WorkloadInfo w;
  w.object = &object;
  w.ns = objects.namespaceOf(object);
  w.kind = object.kind;
  w.name = object.name;
  w.labels = labelsOf(field(pod->metadata, "labels"));
  w.host_network = checks::isTrue(field(pod->spec, "hostNetwork"));
  w.single_pod = object.kind == "Pod" && object.group().empty();
  w.directory = directoryOf(objects.pathOf(object));
  // Ports are served by the app containers and by restartable init containers (sidecars), as the
  // API's FindPort resolves named ports; other init containers have exited by then, and ephemeral
  // containers may not declare ports.
  std::vector<const Node*> serving;
  for (std::string_view list : {"containers", "initContainers"}) {
    const Node* containers = field(pod->spec, list);
    if (containers == nullptr || !containers->isArray()) continue;
    for (const Node& c : containers->items()) {
      const Node* restart = field(&c, "restartPolicy");
      if (list == "initContainers" && (restart == nullptr || !restart->is("Always"))) continue;
      serving.push_back(&c);
    }
  }
  for (const Node* c : serving) {
    const Node* ports = field(c, "ports");
    if (ports == nullptr || !ports->isArray()) continue;
    for (const Node& p : ports->items()) {
      ContainerPort cp;
      cp.port = portNumber(field(&p, "containerPort"));
      if (cp.port == 0) continue;
      cp.name = asString(field(&p, "name"));
      if (const Node* protocol = field(&p, "protocol"); protocol != nullptr) {
        std::optional<Protocol> parsed = protocol->isString() ? parseProtocol(protocol->str()) : std::nullopt;
        if (!parsed) continue;
        cp.protocol = *parsed;
      }
      cp.host_port = portNumber(field(&p, "hostPort"));
      if (w.host_network && cp.host_port == 0) cp.host_port = cp.port;  // hostNetwork: the port is on the node
      w.ports.push_back(cp);
    }
  }
  return w;
}

}  // namespace

std::string_view directoryOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

const std::string_view* findLabel(const Labels& labels, std::string_view key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const std::pair<std::string_view, std::string_view>& l, std::string_view k) { return l.first < k; });
  return it != labels.end() && it->first == key ? &it->second : nullptr;
}

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllowed: return "allowed";
    case Verdict::kDenied: return "denied";
    case Verdict::kDepends: return "depends";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

bool Selector::matches(const Labels& labels) const { return matches(labels, true) == Tri::kYes; }

Tri Selector::matches(const Labels& labels, bool complete) const {
  bool unknown = false;
  for (const LabelRequirement& r : requirements) {
    const std::string_view* value = findLabel(labels, r.key);
    if (value == nullptr && !complete) {
      unknown = true;
      continue;
    }
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::Op::kIn:
        ok = value != nullptr && std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
        break;
      case LabelRequirement::Op::kNotIn:
        ok = value == nullptr || std::find(r.values.begin(), r.values.end(), *value) == r.values.end();
        break;
      case LabelRequirement::Op::kExists: ok = value != nullptr; break;
      case LabelRequirement::Op::kDoesNotExist: ok = value == nullptr; break;
    }
    if (!ok) return Tri::kNo;
  }
  return unknown ? Tri::kUnknown : Tri::kYes;
}

std::string Selector::toString() const {
  if (requirements.empty()) return "";
  std::string out;
  for (const LabelRequirement& r : requirements) {
    if (!out.empty()) out += ",";
    auto list = [&] {
      std::string s = "(";
      for (size_t i = 0; i < r.values.size(); ++i) s += (i ? "," : "") + std::string(r.values[i]);
      return s + ")";
    };
    switch (r.op) {
      case LabelRequirement::Op::kIn:
        out += r.values.size() == 1 ? std::string(r.key) + "=" + std::string(r.values[0]) : std::string(r.key) + " in " + list();
        break;
      case LabelRequirement::Op::kNotIn: out += std::string(r.key) + " notin " + list(); break;
      case LabelRequirement::Op::kExists: out += std::string(r.key); break;
      case LabelRequirement::Op::kDoesNotExist: out += "!" + std::string(r.key); break;
    }
  }
  return out;
}

std::string WorkloadInfo::label() const {
  std::string out;
  if (!ns.empty()) out = std::string(ns) + "/";
  return out + std::string(kind) + "/" + std::string(name);
}

std::string Policy::label() const { return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name); }

std::string ForeignPolicy::label() const {
  return std::string(kind) + " " + (ns.empty() ? std::string() : std::string(ns) + "/") + std::string(object->name);
}

Endpoint Endpoint::ofWorkload(uint32_t index) {
  Endpoint e;
  e.kind = Kind::kWorkload;
  e.workload = index;
  return e;
}

Endpoint Endpoint::ofPod(std::string_view ns, Labels labels, std::vector<ContainerPort> ports, std::string name) {
  Endpoint e;
  e.kind = Kind::kPod;
  e.ns = ns;
  std::sort(labels.begin(), labels.end());
  e.labels = std::move(labels);
  e.ports = std::move(ports);
  e.name = std::move(name);
  return e;
}

Endpoint Endpoint::ofExternal(IpSet addresses, std::string name) {
  Endpoint e;
  e.kind = Kind::kExternal;
  e.addresses = std::move(addresses);
  e.name = std::move(name);
  return e;
}

Model::~Model() = default;

const NamespaceInfo* Model::namespaceInfo(std::string_view name) const {
  auto it = impl_->namespace_index.find(name);
  return it == impl_->namespace_index.end() ? nullptr : &namespaces_[it->second];
}

std::vector<uint32_t> Model::findWorkloads(std::string_view ns, std::string_view kind, std::string_view name) const {
  std::vector<uint32_t> out;
  auto it = impl_->workloads_by_ns.find(ns);
  if (it == impl_->workloads_by_ns.end()) return out;
  for (uint32_t w : it->second) {
    if (workloads_[w].name == name && (kind.empty() || equalsIgnoreCase(workloads_[w].kind, kind))) out.push_back(w);
  }
  return out;
}

const std::vector<uint32_t>& Model::ingressPolicies(uint32_t workload) const { return impl_->facts[workload].ingress_policies; }
const std::vector<uint32_t>& Model::egressPolicies(uint32_t workload) const { return impl_->facts[workload].egress_policies; }

std::vector<const ForeignPolicy*> Model::foreignPoliciesFor(std::string_view ns) const {
  std::vector<const ForeignPolicy*> out;
  for (const ForeignPolicy& f : foreign_) {
    if (f.cluster_wide || f.ns == ns) out.push_back(&f);
  }
  return out;
}

std::unique_ptr<Model> Model::build(const ObjectSet& objects, const BuildOptions& options) {
  std::unique_ptr<Model> model(new Model());
  model->objects_ = &objects;
  model->pod_networks_ = options.pod_networks;
  model->impl_ = std::make_unique<Impl>();
  model->impl_->model = model.get();
  if (options.index != nullptr) {
    model->index_ = options.index;
  } else {
    model->own_index_ = std::make_unique<ObjectIndex>(objects, options.workload_kinds);
    model->index_ = model->own_index_.get();
  }
  Impl& impl = *model->impl_;

  // Namespaces: defined ones with their labels, then every namespace something lives in.
  std::vector<NamespaceInfo>& namespaces = model->namespaces_;
  std::unordered_map<std::string_view, size_t> seen;
  auto note_namespace = [&](std::string_view name, const Object* object) {
    auto [it, inserted] = seen.try_emplace(name, namespaces.size());
    if (inserted) {
      NamespaceInfo info;
      info.name = name;
      namespaces.push_back(std::move(info));
    }
    NamespaceInfo& info = namespaces[it->second];
    if (object != nullptr && info.object == nullptr) {
      info.object = object;
      info.labels_known = true;
      info.labels = labelsOf(field(object->metadata(), "labels"));
    }
  };
  const ObjectIndex& index = *model->index_;
  for (const Object* object : index.ofKind("Namespace")) {
    if (object->group().empty() && !object->name.empty()) note_namespace(object->name, object);
  }
  // One pass over the objects, in chunks on several threads (on a large input it mostly waits on
  // memory): each chunk lists the namespaces it sees first and reads its workloads; then the
  // namespaces are noted (the list is sorted below, so only the set counts) and the workloads
  // appended in input order.
  const std::vector<Object>& all = objects.objects();
  auto custom_kind = [&](std::string_view kind) {
    for (const checks::WorkloadKind& k : options.workload_kinds) {
      if (k.kind == kind) return true;
    }
    return false;
  };
  size_t chunks = chunkCount(all.size(), 32768);
  std::vector<std::vector<std::string_view>> lived_in(chunks);
  std::vector<std::vector<WorkloadInfo>> read(chunks);
  runChunks(all.size(), chunks, [&](size_t chunk, size_t begin, size_t end) {
    std::unordered_set<std::string_view> chunk_seen;
    std::string_view last;  // objects come in runs of one namespace: skip the hash lookup for a repeat
    bool any = false;
    for (size_t i = begin; i < end; ++i) {
      const Object& object = all[i];
      if (object.kind == "Namespace") continue;
      std::string_view ns = objects.namespaceOf(object);
      bool pod_bearing = checks::isPodBearingKind(object.kind);
      if (!(any && ns == last) && (!ns.empty() || pod_bearing || object.kind == "NetworkPolicy")) {
        last = ns;
        any = true;
        if (chunk_seen.insert(ns).second) lived_in[chunk].push_back(ns);
      }
      if (!pod_bearing && !custom_kind(object.kind)) continue;  // podSpecOf would find no pod spec
      if (std::optional<WorkloadInfo> w = readWorkload(objects, object, options.workload_kinds)) {
        read[chunk].push_back(std::move(*w));
      }
    }
  });
  for (const std::vector<std::string_view>& list : lived_in) {
    for (std::string_view ns : list) note_namespace(ns, nullptr);
  }
  for (NamespaceInfo& info : namespaces) {
    if (info.name.empty()) continue;
    std::erase_if(info.labels, [](const auto& l) { return l.first == kNameLabel; });
    info.labels.emplace_back(kNameLabel, info.name);
    std::sort(info.labels.begin(), info.labels.end());
  }
  std::sort(namespaces.begin(), namespaces.end(), [](const NamespaceInfo& a, const NamespaceInfo& b) { return a.name < b.name; });
  for (size_t i = 0; i < namespaces.size(); ++i) impl.namespace_index.emplace(namespaces[i].name, static_cast<uint32_t>(i));

  // Workloads, in input order.
  size_t workload_count = 0;
  for (const std::vector<WorkloadInfo>& list : read) workload_count += list.size();
  model->workloads_.reserve(workload_count);
  for (std::vector<WorkloadInfo>& list : read) {
    for (WorkloadInfo& w : list) {
      impl.workloads_by_ns[w.ns].push_back(static_cast<uint32_t>(model->workloads_.size()));
      model->workloads_.push_back(std::move(w));
    }
    std::vector<WorkloadInfo>().swap(list);
  }

  // Policies.
  std::vector<std::string_view> policy_kinds = {"NetworkPolicy"};
  for (const ForeignKind& k : kForeignKinds) policy_kinds.push_back(k.kind);
  std::vector<const Object*> policy_objects;
  for (std::string_view kind : policy_kinds) {
    const std::vector<const Object*>& list = index.ofKind(kind);
    policy_objects.insert(policy_objects.end(), list.begin(), list.end());
  }
  std::sort(policy_objects.begin(), policy_objects.end());  // input order
  policy_objects.erase(std::unique(policy_objects.begin(), policy_objects.end()), policy_objects.end());
  for (const Object* policy_object : policy_objects) {
    const Object& object = *policy_object;
    std::string_view group = object.group();
    if (object.kind == "NetworkPolicy" && (group == "networking.k8s.io" || group == "extensions")) {
      Policy policy;
      policy.object = &object;
      policy.ns = objects.namespaceOf(object);
      policy.name = object.name;
      policy.directory = directoryOf(objects.pathOf(object));
      const Node* spec = field(object.root, "spec");
      std::string error;
      bool ok = spec == nullptr || spec->isObject();
      if (!ok) error = "spec is not a mapping";
      if (ok && !parseSelector(field(spec, "podSelector"), &policy.pod_selector, &error)) {
        error = "spec.podSelector: " + error;
        ok = false;
      }
      if (ok) {
        const Node* types = field(spec, "policyTypes");
        if (types != nullptr && types->isArray() && types->size() > 0) {
          for (const Node& t : types->items()) {
            if (t.is("Ingress")) policy.isolates_ingress = true;
            else if (t.is("Egress")) policy.isolates_egress = true;
            else {
              error = "spec.policyTypes: \"" + checks::text(&t) + "\" is not Ingress or Egress";
              ok = false;
            }
          }
        } else {
          const Node* egress = field(spec, "egress");
          policy.isolates_ingress = true;
          policy.isolates_egress = egress != nullptr && egress->isArray() && egress->size() > 0;
        }
      }
      ok = ok && parseRules(field(spec, "ingress"), "from", "ingress", &policy.ingress, &error) &&
           parseRules(field(spec, "egress"), "to", "egress", &policy.egress, &error);
      if (!ok) {
        model->problems_.push_back({&object, object.line,
                                    "NetworkPolicy " + policy.label() + ": " + error +
                                        "; the API server would reject it, so kspm leaves it out"});
        continue;
      }
      impl.policies_by_ns[policy.ns].push_back(static_cast<uint32_t>(model->policies_.size()));
      model->policies_.push_back(std::move(policy));
      continue;
    }
    for (const ForeignKind& k : kForeignKinds) {
      if (object.kind != k.kind || group != k.group) continue;
      ForeignPolicy f;
      f.object = &object;
      f.kind = object.kind;
      f.cluster_wide = k.cluster_wide;
      f.may_allow = k.may_allow;
      f.ns = k.cluster_wide ? std::string_view() : objects.namespaceOf(object);
      if (f.kind == "AuthorizationPolicy" && f.ns == kIstioRootNamespace) {
        f.cluster_wide = true;
        f.ns = {};
      }
      model->foreign_.push_back(f);
      break;
    }
  }

  // Peer ids (after the policies vector stops moving).
  for (uint32_t p = 0; p < model->policies_.size(); ++p) {
    Policy& policy = model->policies_[p];
    for (auto* rules : {&policy.ingress, &policy.egress}) {
      for (PolicyRule& rule : *rules) {
        for (PolicyPeer& peer : rule.peers) {
          peer.id = static_cast<uint32_t>(impl.peers.size());
          impl.peers.push_back(&peer);
          impl.peer_policy.push_back(p);
        }
      }
    }
  }

  // Per-workload facts. A posting list per (namespace, label key, value) keeps selectors with an
  // exact label requirement off workloads that cannot match.
  impl.facts.resize(model->workloads_.size());
  struct KeyHash {
    size_t operator()(const std::tuple<std::string_view, std::string_view, std::string_view>& k) const noexcept {
      std::hash<std::string_view> h;
      return h(std::get<0>(k)) * 31 + h(std::get<1>(k)) * 17 + h(std::get<2>(k));
    }
  };
  std::unordered_map<std::tuple<std::string_view, std::string_view, std::string_view>, std::vector<uint32_t>, KeyHash> postings;
  // Only the policies read the postings: without any, every workload's facts stay empty.
  for (uint32_t w = 0; !model->policies_.empty() && w < model->workloads_.size(); ++w) {
    const WorkloadInfo& info = model->workloads_[w];
    for (const auto& [key, value] : info.labels) postings[{info.ns, key, value}].push_back(w);
  }
  static const std::vector<uint32_t> kNone;
  auto candidates = [&](std::string_view ns, const Selector* selector) -> const std::vector<uint32_t>& {
    const std::vector<uint32_t>* best = nullptr;
    auto all = impl.workloads_by_ns.find(ns);
    if (all == impl.workloads_by_ns.end()) return kNone;
    best = &all->second;
    if (selector != nullptr) {
      for (const LabelRequirement& r : selector->requirements) {
        if (r.op != LabelRequirement::Op::kIn || r.values.size() != 1) continue;
        auto it = postings.find({ns, r.key, r.values[0]});
        if (it == postings.end()) return kNone;
        if (it->second.size() < best->size()) best = &it->second;
      }
    }
    return *best;
  };
  for (uint32_t p = 0; p < model->policies_.size(); ++p) {
    const Policy& policy = model->policies_[p];
    if (!policy.isolates_ingress && !policy.isolates_egress) continue;
    for (uint32_t w : candidates(policy.ns, &policy.pod_selector)) {
      const WorkloadInfo& info = model->workloads_[w];
      if (!sameNamespaceScope(policy.ns, policy.directory, info.directory)) continue;
      if (!policy.pod_selector.matches(info.labels)) continue;
      if (policy.isolates_ingress) impl.facts[w].ingress_policies.push_back(p);
      if (policy.isolates_egress) impl.facts[w].egress_policies.push_back(p);
    }
  }
  for (const PolicyPeer* peer : impl.peers) {
    if (peer->kind != PolicyPeer::Kind::kPods) continue;
    const Policy& owner = model->policies_[impl.peer_policy[peer->id]];
    std::string_view policy_ns = owner.ns;
    auto add_in = [&](std::string_view ns, Tri ns_state) {
      const Selector* selector = peer->pod_selector ? &*peer->pod_selector : nullptr;
      for (uint32_t w : candidates(ns, selector)) {
        // "The policy's own namespace", when unspecified, is that of its directory.
        if (!peer->namespace_selector && !sameNamespaceScope(ns, owner.directory, model->workloads_[w].directory)) continue;
        if (selector != nullptr && !selector->matches(model->workloads_[w].labels)) continue;
        impl.facts[w].peer_states.emplace_back(peer->id, ns_state);
      }
    };
    if (!peer->namespace_selector) {
      add_in(policy_ns, Tri::kYes);
      continue;
    }
    for (const auto& [ns, list] : impl.workloads_by_ns) {
      const NamespaceInfo& info = namespaces[impl.namespace_index.at(ns)];
      Tri state = peer->namespace_selector->matches(info.labels, info.labels_known);
      if (state != Tri::kNo) add_in(ns, state);
    }
  }
  for (WorkloadFacts& f : impl.facts) std::sort(f.peer_states.begin(), f.peer_states.end());
  return model;
}

}  // namespace kspm::netpol
