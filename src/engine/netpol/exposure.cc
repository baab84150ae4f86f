// How far each workload is exposed, and through what: the pod network, Services (LoadBalancer,
// NodePort, externalIPs), Ingress and Gateway API routes, hostNetwork and hostPort; each narrowed by
// the NetworkPolicies that select the workload.
#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>

#include "checks/common/fields.h"
#include "engine/netpol/internal.h"
#include "kspm/object_index.h"

namespace kspm::netpol {

using checks::field;
using checks::quoted;

namespace {

std::string_view annotationOf(const Object& object, std::string_view key) {
  const Node* value = field(object.metadata(), {"annotations", key});
  return value != nullptr && value->isString() ? value->str() : std::string_view();
}

/** The pod port a Service port's targetPort reaches on workload `w`; 0 when it does not resolve. */
std::pair<uint16_t, Protocol> targetOn(const Node& service_port, const WorkloadInfo& w) {
  Protocol protocol = Protocol::kTCP;
  if (const Node* p = field(&service_port, "protocol"); p != nullptr && p->isString()) {
    if (auto parsed = parseProtocol(p->str())) protocol = *parsed;
  }
  const Node* target = field(&service_port, "targetPort");
  if (target == nullptr) target = field(&service_port, "port");
  if (target == nullptr) return {0, protocol};
  if (target->isInt()) {
    int64_t n = target->integer();
    return {static_cast<uint16_t>(n >= 1 && n <= 65535 ? n : 0), protocol};
  }
  if (target->isString()) {
    for (const ContainerPort& cp : w.ports) {
      if (cp.name == target->str() && cp.protocol == protocol) return {cp.port, protocol};
    }
  }
  return {0, protocol};
}

/** The pod ports `service` reaches on `w`; when `service_port` names one port (number or name), only it. */
ConnSet servicePorts(const Object& service, const WorkloadInfo& w, const Node* service_port = nullptr) {
  ConnSet out;
  const Node* ports = field(service.root, {"spec", "ports"});
  if (ports == nullptr || !ports->isArray()) return out;
  for (const Node& p : ports->items()) {
    if (service_port != nullptr) {
      const Node* number = field(&p, "port");
      const Node* name = field(&p, "name");
      bool same = service_port->isInt() ? (number != nullptr && number->isInt() && number->integer() == service_port->integer())
                                        : (name != nullptr && name->isString() && name->str() == service_port->str());
      if (!same) continue;
    }
    auto [port, protocol] = targetOn(p, w);
    if (port != 0) out.unite(ConnSet::ports(protocol, port, port));
  }
  return out;
}

/** Known ingress controllers and gateways, by pod label. */
bool isIngressController(const WorkloadInfo& w) {
  // One lookup per label key, then its marker values.
  static constexpr std::string_view kNames[] = {"ingress-nginx", "nginx-ingress", "traefik", "haproxy-ingress",
                                                "contour",       "envoy-gateway", "kong",    "envoy"};
  if (const std::string_view* v = findLabel(w.labels, "app.kubernetes.io/name"); v != nullptr) {
    for (std::string_view name : kNames) {
      if (*v == name) return true;
    }
  }
  const std::string_view* app = findLabel(w.labels, "app");
  if (app != nullptr && *app == "istio-ingressgateway") return true;
  const std::string_view* istio = findLabel(w.labels, "istio");
  return istio != nullptr && *istio == "ingressgateway";
}

struct Ranking {
  ExposureLevel level;
  Confidence confidence;
};
bool wider(const ExposurePath& a, const Ranking& b) {
  if (a.level != b.level) return a.level > b.level;
  return static_cast<int>(a.confidence) < static_cast<int>(b.confidence);
}

}  // namespace

std::string_view exposureLevelName(ExposureLevel level) {
  switch (level) {
    case ExposureLevel::kNone: return "none";
    case ExposureLevel::kNamespace: return "namespace";
    case ExposureLevel::kCluster: return "cluster";
    case ExposureLevel::kInternet: return "internet";
  }
  return "none";
}

std::string_view confidenceName(Confidence confidence) {
  switch (confidence) {
    case Confidence::kExposed: return "exposed";
    case Confidence::kPotentiallyExposed: return "potentially exposed";
    case Confidence::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view internalLoadBalancerAnnotation(const Object& object) {
  struct Marker {
    std::string_view key;
    std::string_view value;  // "" = any value except "false"
  };
  static constexpr Marker kMarkers[] = {
      {"service.beta.kubernetes.io/aws-load-balancer-internal", ""},
      {"service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"},
      {"networking.gke.io/load-balancer-type", "internal"},
      {"cloud.google.com/load-balancer-type", "internal"},
      {"service.beta.kubernetes.io/azure-load-balancer-internal", "true"},
      {"service.beta.kubernetes.io/oci-load-balancer-internal", "true"},
      {"oci-network-load-balancer.oraclecloud.com/internal", "true"},
      {"service.beta.kubernetes.io/openstack-internal-load-balancer", "true"},
      {"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type", "private"},
      {"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type", "intranet"},
  };
  for (const Marker& m : kMarkers) {
    std::string_view value = annotationOf(object, m.key);
    if (value.empty()) continue;
    if (m.value.empty() ? !equalsIgnoreCase(value, "false") : equalsIgnoreCase(value, m.value)) return m.key;
  }
  return {};
}

const IpSet& internetAddresses() {
  static const IpSet kInternet = [] {
    std::string error;
    IpSet out = IpSet::all();
    for (std::string_view cidr : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                                  "169.254.0.0/16", "0.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128"}) {
      out = out.minus(*IpSet::parseCidr(cidr, &error));
    }
    return out;
  }();
  return kInternet;
}

const IpSet& internetAddresses(IpFamily family) {
  static const IpSet kV4 = internetAddresses().intersect(IpSet::allOf(IpFamily::kV4));
  static const IpSet kV6 = internetAddresses().intersect(IpSet::allOf(IpFamily::kV6));
  return family == IpFamily::kV4 ? kV4 : kV6;
}

std::vector<Exposure> computeExposure(const Model& model) {
  const Model::Impl& impl = model.impl();
  const ObjectIndex& index = model.index();
  const ObjectSet& objects = model.objects();
  std::vector<Exposure> out(model.workloads().size());

  // What reaches each workload through the pod network, from a pod of an unknown namespace with
  // unknown labels (anyone), from a pod of its own namespace, and from the internet.
  auto add = [&](uint32_t w, ExposurePath path) { out[w].paths.push_back(std::move(path)); };
  // From the internet: per address family, since a policy admitting 0.0.0.0/0 exposes a workload
  // to the IPv4 internet whatever it says of IPv6. Allowed = what either family's whole internet
  // may open.
  // Computed on first use (only the workloads behind an externally reachable Service need it), in
  // a cache per thread: reach() is a pure function of the model, so the cache changes no answer.
  Endpoint internet4 = Endpoint::ofExternal(internetAddresses(IpFamily::kV4), "internet");
  Endpoint internet6 = Endpoint::ofExternal(internetAddresses(IpFamily::kV6), "internet");
  using ReachCache = std::unordered_map<uint32_t, Reach>;
  auto internetReach = [&](uint32_t w, ReachCache& cache) -> const Reach& {
    auto [it, inserted] = cache.try_emplace(w);
    Reach& r = it->second;
    if (!inserted) return r;
    if (model.ingressPolicies(w).empty() && model.foreignPoliciesFor(model.workloads()[w].ns).empty()) {
      // Nothing narrows its ingress: the internet (like everyone) may open anything.
      r.allowed = ConnSet::all();
      r.ingress.judged = true;
    } else {
      r = model.reach(internet4, Endpoint::ofWorkload(w));
      Reach v6 = model.reach(internet6, Endpoint::ofWorkload(w));
      r.allowed.unite(v6.allowed);
      r.unknown.unite(v6.unknown);
      r.unknown = r.unknown.minus(r.allowed);
      r.depends.unite(v6.depends);
      r.depends = r.depends.minus(r.allowed).minus(r.unknown);
    }
    return r;
  };
  // Per workload, in chunks on several threads (each writes only its own workloads' entries).
  const size_t workload_count = model.workloads().size();
  std::vector<uint8_t> is_controller(workload_count, 0);
  runChunks(workload_count, chunkCount(workload_count, 4096), [&](size_t, size_t begin, size_t end) {
    for (uint32_t w = static_cast<uint32_t>(begin); w < end; ++w) {
      is_controller[w] = isIngressController(model.workloads()[w]) ? 1 : 0;
      const WorkloadInfo& info = model.workloads()[w];
      out[w].workload = w;
      const std::vector<uint32_t>& selecting = model.ingressPolicies(w);

      ExposurePath pod;
      pod.via = info.object;
      pod.channel = "pod network";
      if (!model.foreignPoliciesFor(info.ns).empty()) {
        pod.level = ExposureLevel::kCluster;
        pod.confidence = Confidence::kUnknown;
        pod.ports = ConnSet::all();
        pod.reason = "policies of other engines (" + model.foreignPoliciesFor(info.ns).front()->label() +
                     ") may narrow or widen who reaches it; kspm does not evaluate them";
      } else if (selecting.empty()) {
        pod.level = ExposureLevel::kCluster;
        pod.ports = ConnSet::all();
        pod.reason = "no NetworkPolicy selects it for ingress: every pod in the cluster can connect";
      } else {
        pod.narrowed_by = selecting;
        View self = impl.viewOf(Endpoint::ofWorkload(w), nullptr);
        std::string widest_reason;
        for (uint32_t p : selecting) {
          const Policy& policy = model.policies()[p];
          for (const PolicyRule& rule : policy.ingress) {
            ConnSet ports = Model::Impl::rulePorts(rule, self);
            if (ports.empty()) continue;
            ExposureLevel level = ExposureLevel::kNone;
            Confidence confidence = Confidence::kExposed;
            std::string reason;
            if (rule.all_peers) {
              level = ExposureLevel::kCluster;
              reason = "NetworkPolicy " + policy.label() + " admits every source";
            }
            for (const PolicyPeer& peer : rule.peers) {
              ExposureLevel l = ExposureLevel::kNamespace;
              Confidence c = Confidence::kExposed;
              if (peer.kind == PolicyPeer::Kind::kIpBlock) {
                // External addresses are judged on the Service paths; here only whether pods may match.
                if (!peer.block.intersects(model.podNetworks())) continue;
                l = ExposureLevel::kCluster;
                c = Confidence::kUnknown;
              } else if (peer.namespace_selector) {
                // A namespaceSelector exposes to other namespaces unless it can only match this one.
                bool only_own = false;
                for (const LabelRequirement& r : peer.namespace_selector->requirements) {
                  if (r.key == "kubernetes.io/metadata.name" && r.op == LabelRequirement::Op::kIn && r.values.size() == 1 &&
                      r.values[0] == info.ns) {
                    only_own = true;
                  }
                }
                l = only_own ? ExposureLevel::kNamespace : ExposureLevel::kCluster;
              }
              if (l > level || (l == level && c < confidence)) {
                level = l;
                confidence = c;
                reason = "NetworkPolicy " + policy.label() + " admits " + peer.description +
                         (peer.kind == PolicyPeer::Kind::kIpBlock
                              ? ", which may hold pod addresses: whether pods match it depends on the network plugin"
                              : "");
              }
            }
            if (level > pod.level || (level == pod.level && level != ExposureLevel::kNone && confidence < pod.confidence)) {
              pod.level = level;
              pod.confidence = confidence;
              widest_reason = reason;
            }
            if (level != ExposureLevel::kNone) pod.ports.unite(ports);
          }
        }
        pod.reason = pod.level == ExposureLevel::kNone
                         ? "NetworkPolicies select it for ingress and admit no pod"
                         : widest_reason;
      }
      if (info.host_network) {
        pod.reason += "; hostNetwork pod: NetworkPolicy may not apply to it";
        if (pod.level != ExposureLevel::kNone) pod.confidence = Confidence::kUnknown;
      }
      add(w, std::move(pod));

      // hostNetwork and hostPort: the node's addresses, which may be public.
      ConnSet node_ports;
      for (const ContainerPort& cp : info.ports) {
        if (cp.host_port != 0) node_ports.unite(ConnSet::ports(cp.protocol, cp.port, cp.port));
      }
      if (info.host_network || !node_ports.empty()) {
        ExposurePath node;
        node.level = ExposureLevel::kInternet;
        node.confidence = Confidence::kPotentiallyExposed;
        node.via = info.object;
        node.channel = info.host_network ? "hostNetwork" : "hostPort";
        node.ports = info.host_network && node_ports.empty() ? ConnSet::all() : node_ports;
        node.reason = info.host_network
                          ? "it listens on the node's network; reachable wherever the node is (public if the node has a public address)"
                          : "its hostPort opens the port on the node; reachable wherever the node is (public if the node has a public address)";
        add(w, std::move(node));
      }
    }
  });
  std::vector<uint32_t> controllers;
  for (uint32_t w = 0; w < workload_count; ++w) {
    if (is_controller[w] != 0) controllers.push_back(w);
  }

  // Services that select workloads: each chunk of the Services collects its paths in order, then
  // they are added chunk by chunk, so every workload gets them in Service order.
  using Emitted = std::vector<std::pair<uint32_t, ExposurePath>>;
  auto judge_external = [&](uint32_t w, ExposurePath& path, const Object& service, ReachCache& cache) {
    const Reach& r = internetReach(w, cache);
    const WorkloadInfo& info = model.workloads()[w];
    if (!r.foreign.empty()) {
      path.confidence = Confidence::kUnknown;
      path.reason += "; policies of other engines (" + r.foreign.front()->label() + ") may narrow it";
      return;
    }
    if (!r.ingress.isolated) return;
    path.narrowed_by = r.ingress.selecting;
    ConnSet allowed = r.allowed.intersect(path.ports);
    ConnSet unknown = r.unknown.intersect(path.ports);
    if (allowed == path.ports && !allowed.empty()) return;
    bool preserves_client = checks::text(field(service.root, {"spec", "externalTrafficPolicy"})) == "Local";
    if (!allowed.empty() || !unknown.empty()) {
      path.confidence = Confidence::kPotentiallyExposed;
      path.reason += "; NetworkPolicy admits only part of the internet or of its ports (" +
                     (allowed.empty() ? unknown : allowed).toString() + ")";
      return;
    }
    if (preserves_client && !info.host_network) {
      path.level = ExposureLevel::kNone;
      path.reason += "; but NetworkPolicy admits no internet address (externalTrafficPolicy Local keeps the client address)";
    } else {
      path.confidence = Confidence::kUnknown;
      path.reason += "; NetworkPolicy admits no internet address, but the traffic reaches the pod from a node address "
                     "(source NAT with externalTrafficPolicy Cluster): whether it is allowed depends on the network plugin";
    }
  };
  auto expose_service = [&](const Object* service, Emitted& emitted, ReachCache& cache) {
    auto add = [&](uint32_t w, ExposurePath path) { emitted.emplace_back(w, std::move(path)); };
    auto judge = [&](uint32_t w, ExposurePath& path, const Object& via) { judge_external(w, path, via, cache); };
    if (!service->group().empty()) return;
    const Node* spec = field(service->root, "spec");
    std::string type = checks::text(field(spec, "type"));
    if (type.empty()) type = "ClusterIP";
    const Node* selector = field(spec, "selector");
    const Node* external_ips = field(spec, "externalIPs");
    bool has_external_ips = external_ips != nullptr && external_ips->isArray() && external_ips->size() > 0;
    if (type != "LoadBalancer" && type != "NodePort" && !has_external_ips) return;
    std::string_view ns = objects.namespaceOf(*service);
    std::string_view service_dir = directoryOf(objects.pathOf(*service));
    for (const Workload& backend : index.workloadsMatchingMap(ns, selector)) {
      // Map the index's workload to the model's.
      std::vector<uint32_t> ids = model.findWorkloads(ns, backend.object->kind, backend.object->name);
      for (uint32_t w : ids) {
        if (model.workloads()[w].object != backend.object) continue;
        if (!sameNamespaceScope(ns, service_dir, model.workloads()[w].directory)) continue;
        ConnSet ports = servicePorts(*service, model.workloads()[w]);
        if (ports.empty()) continue;
        auto base = [&](ExposureLevel level, Confidence confidence, std::string channel, std::string reason) {
          ExposurePath path;
          path.level = level;
          path.confidence = confidence;
          path.via = service;
          path.channel = std::move(channel);
          path.ports = ports;
          path.reason = std::move(reason);
          return path;
        };
        std::string service_label = "Service " + quoted(service->name);
        if (type == "LoadBalancer") {
          std::string_view internal = internalLoadBalancerAnnotation(*service);
          if (!internal.empty()) {
            add(w, base(ExposureLevel::kCluster, Confidence::kExposed, "internal LoadBalancer Service",
                        service_label + " is an internal load balancer (" + std::string(internal) +
                            "): reachable from the private network"));
          } else {
            ExposurePath path = base(ExposureLevel::kInternet, Confidence::kExposed, "LoadBalancer Service",
                                     service_label + " of type LoadBalancer");
            // Cloud providers read spec.loadBalancerSourceRanges, else the annotation.
            std::vector<std::string> ranges;
            if (const Node* list = field(spec, "loadBalancerSourceRanges"); list != nullptr && list->isArray()) {
              for (const Node& r : list->items()) ranges.push_back(checks::text(&r));
            }
            if (ranges.empty()) {
              std::string_view annotated = annotationOf(*service, "service.beta.kubernetes.io/load-balancer-source-ranges");
              while (!annotated.empty()) {
                size_t comma = annotated.find(',');
                std::string_view item = annotated.substr(0, comma);
                while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
                while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
                if (!item.empty()) ranges.emplace_back(item);
                annotated = comma == std::string_view::npos ? std::string_view() : annotated.substr(comma + 1);
              }
            }
            if (!ranges.empty()) {
              IpSet allowed_sources;
              bool parsed = true;
              for (const std::string& r : ranges) {
                std::string error;
                std::optional<IpSet> cidr = IpSet::parseCidr(r, &error);
                if (cidr) allowed_sources.unite(*cidr); else parsed = false;
              }
              bool whole_family = allowed_sources.containsAll(internetAddresses(IpFamily::kV4)) ||
                                  allowed_sources.containsAll(internetAddresses(IpFamily::kV6));
              if (parsed && !allowed_sources.intersects(internetAddresses())) {
                path.level = ExposureLevel::kCluster;
                path.channel = "LoadBalancer Service (private source ranges)";
                path.reason += " whose loadBalancerSourceRanges admit only private addresses";
              } else if (!whole_family) {
                path.confidence = Confidence::kPotentiallyExposed;
                path.reason += " limited to loadBalancerSourceRanges";
              }
            }
            if (path.level != ExposureLevel::kNone) judge(w, path, *service);
            add(w, std::move(path));
          }
        }
        if (type == "NodePort" || (type == "LoadBalancer" && !checks::isFalse(field(spec, "allocateLoadBalancerNodePorts")))) {
          ExposurePath path = base(ExposureLevel::kInternet, Confidence::kPotentiallyExposed, "NodePort",
                                   service_label + " opens a port on every node (internet-facing only if nodes have public addresses)");
          judge(w, path, *service);
          if (path.confidence == Confidence::kExposed) path.confidence = Confidence::kPotentiallyExposed;
          add(w, std::move(path));
        }
        if (has_external_ips) {
          ExposurePath path = base(ExposureLevel::kInternet, Confidence::kPotentiallyExposed, "externalIPs",
                                   service_label + " accepts traffic on its externalIPs");
          judge(w, path, *service);
          if (path.confidence == Confidence::kExposed) path.confidence = Confidence::kPotentiallyExposed;
          add(w, std::move(path));
        }
      }
    }
  };
  const std::vector<const Object*>& services = index.ofKind("Service");
  size_t service_chunks = chunkCount(services.size(), 4096);
  std::vector<Emitted> emitted(service_chunks);
  runChunks(services.size(), service_chunks, [&](size_t chunk, size_t begin, size_t end) {
    ReachCache cache;
    for (size_t i = begin; i < end; ++i) expose_service(services[i], emitted[chunk], cache);
  });
  for (Emitted& list : emitted) {
    for (auto& [w, path] : list) add(w, std::move(path));
    Emitted().swap(list);
  }

  // Ingress and Gateway API routes: the controller reaches the backends. With the controller's pods
  // in the input, judge from them; otherwise from a pod of an unknown namespace.
  auto through_controller = [&](uint32_t w, ExposurePath& path) {
    std::vector<Endpoint> sources;
    for (uint32_t c : controllers) sources.push_back(Endpoint::ofWorkload(c));
    if (sources.empty()) {
      // A controller the input does not show runs in a namespace of its own (as ingress-nginx,
      // Traefik and the cloud controllers do), whose labels are not known.
      Endpoint anyone = Endpoint::ofPod("<ingress controller>", {}, {}, "the ingress controller");
      anyone.unknown_namespace = true;
      sources.push_back(std::move(anyone));
    }
    ConnSet allowed, possible;
    std::vector<uint32_t> narrowing;
    for (const Endpoint& source : sources) {
      Reach r = model.reach(source, Endpoint::ofWorkload(w));
      allowed.unite(r.allowed.intersect(path.ports));
      possible.unite(r.unknown.intersect(path.ports)).unite(r.depends.intersect(path.ports));
      if (r.ingress.isolated) narrowing = r.ingress.selecting;
    }
    path.narrowed_by = narrowing;
    if (!allowed.empty()) return;
    if (!possible.empty()) {
      path.confidence = Confidence::kUnknown;
      path.reason += "; whether NetworkPolicy admits the ingress controller is not known from the input";
    } else {
      path.level = ExposureLevel::kNone;
      path.reason += "; but NetworkPolicy admits no traffic from the ingress controller";
    }
  };
  auto route_to = [&](const Object& route, std::string_view channel, std::string_view ns, std::string_view service_name,
                      const Node* port) {
    // In the unspecified namespace, the route's own directory's Service and workloads.
    std::string_view route_dir = directoryOf(objects.pathOf(route));
    const Object* service = nullptr;
    for (const Object* candidate : index.ofKindIn("Service", ns)) {
      if (candidate->name == service_name && candidate->group().empty() &&
          sameNamespaceScope(ns, route_dir, directoryOf(objects.pathOf(*candidate)))) {
        service = candidate;
        break;
      }
    }
    if (service == nullptr) return;
    for (const Workload& backend : index.workloadsMatchingMap(ns, field(service->root, {"spec", "selector"}))) {
      for (uint32_t w : model.findWorkloads(ns, backend.object->kind, backend.object->name)) {
        if (model.workloads()[w].object != backend.object) continue;
        if (!sameNamespaceScope(ns, route_dir, model.workloads()[w].directory)) continue;
        ExposurePath path;
        path.level = ExposureLevel::kInternet;
        path.confidence = Confidence::kExposed;
        path.via = &route;
        path.channel = std::string(channel);
        path.ports = servicePorts(*service, model.workloads()[w], port);
        if (path.ports.empty()) continue;
        path.reason = std::string(channel) + " " + quoted(route.name) + " routes to Service " + quoted(service_name);
        through_controller(w, path);
        add(w, std::move(path));
      }
    }
  };
  for (const Object* ingress : index.ofKind("Ingress")) {
    std::string_view ns = objects.namespaceOf(*ingress);
    const Node* spec = field(ingress->root, "spec");
    auto backend = [&](const Node* b) {
      if (b == nullptr) return;
      if (const Node* svc = field(b, "service"); svc != nullptr) {
        const Node* port = field(svc, {"port", "number"});
        if (port == nullptr) port = field(svc, {"port", "name"});
        route_to(*ingress, "Ingress", ns, checks::text(field(svc, "name")), port);
      } else if (const Node* name = field(b, "serviceName"); name != nullptr) {
        route_to(*ingress, "Ingress", ns, checks::text(name), field(b, "servicePort"));
      }
    };
    backend(field(spec, "defaultBackend"));
    backend(field(spec, "backend"));
    if (const Node* rules = field(spec, "rules"); rules != nullptr && rules->isArray()) {
      for (const Node& rule : rules->items()) {
        const Node* paths = field(&rule, {"http", "paths"});
        if (paths == nullptr || !paths->isArray()) continue;
        for (const Node& p : paths->items()) backend(field(&p, "backend"));
      }
    }
  }
  for (std::string_view kind : {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}) {
    for (const Object* route : index.ofKind(kind)) {
      if (route->group() != "gateway.networking.k8s.io") continue;
      std::string_view ns = objects.namespaceOf(*route);
      const Node* rules = field(route->root, {"spec", "rules"});
      if (rules == nullptr || !rules->isArray()) continue;
      for (const Node& rule : rules->items()) {
        const Node* refs = field(&rule, "backendRefs");
        if (refs == nullptr || !refs->isArray()) continue;
        for (const Node& ref : refs->items()) {
          std::string ref_kind = checks::text(field(&ref, "kind"));
          std::string ref_group = checks::text(field(&ref, "group"));
          if ((!ref_kind.empty() && ref_kind != "Service") || !ref_group.empty()) continue;
          // A cross-namespace reference needs a ReferenceGrant; kspm assumes it is there.
          const Node* ns_node = field(&ref, "namespace");
          const Node* name = field(&ref, "name");
          if (name == nullptr || !name->isString()) continue;
          route_to(*route, kind, ns_node != nullptr && ns_node->isString() ? ns_node->str() : ns, name->str(),
                   field(&ref, "port"));
        }
      }
    }
  }

  for (Exposure& e : out) {
    Ranking best{ExposureLevel::kNone, Confidence::kExposed};
    for (const ExposurePath& p : e.paths) {
      if (p.level != ExposureLevel::kNone && wider(p, best)) best = {p.level, p.confidence};
    }
    e.level = best.level;
    e.confidence = best.confidence;
  }
  return out;
}

}  // namespace kspm::netpol
