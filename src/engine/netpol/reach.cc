// Evaluating NetworkPolicies for one connection: each direction's isolation and rules, then both
// directions together, then other engines' policies.
#include <algorithm>
#include <string>

#include "engine/netpol/internal.h"

namespace kspm::netpol {

namespace {

constexpr std::string_view kNameLabel = "kubernetes.io/metadata.name";

/** The stronger of two partial matches: yes, then unknown, then depends, then no. */
PeerMatch strongest(PeerMatch a, PeerMatch b) {
  auto rank = [](PeerMatch m) {
    switch (m) {
      case PeerMatch::kYes: return 3;
      case PeerMatch::kUnknown: return 2;
      case PeerMatch::kDepends: return 1;
      case PeerMatch::kNo: return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

View Model::Impl::viewOf(const Endpoint& endpoint, NamespaceInfo* scratch) const {
  View view;
  switch (endpoint.kind) {
    case Endpoint::Kind::kExternal:
      view.external = true;
      view.addresses = &endpoint.addresses;
      return view;
    case Endpoint::Kind::kWorkload: {
      const WorkloadInfo& w = model->workloads()[endpoint.workload];
      view.ns = w.ns;
      view.ns_info = model->namespaceInfo(w.ns);
      view.labels = &w.labels;
      view.ports = &w.ports;
      view.host_network = w.host_network;
      view.workload = endpoint.workload;
      view.facts = &facts[endpoint.workload];
      return view;
    }
    case Endpoint::Kind::kPod:
      view.ns = endpoint.ns;
      view.ns_info = endpoint.unknown_namespace ? nullptr : model->namespaceInfo(endpoint.ns);
      if (view.ns_info == nullptr) {
        scratch->name = endpoint.ns;
        scratch->labels.clear();
        if (!endpoint.ns.empty() && !endpoint.unknown_namespace) scratch->labels.emplace_back(kNameLabel, endpoint.ns);
        scratch->labels_known = false;
        view.ns_info = scratch;
      }
      view.labels = &endpoint.labels;
      view.ports = &endpoint.ports;
      view.unknown_namespace = endpoint.unknown_namespace;
      return view;
  }
  return view;
}

PeerMatch Model::Impl::matchPeer(const PolicyPeer& peer, std::string_view policy_ns, const View& other) const {
  if (peer.kind == PolicyPeer::Kind::kIpBlock) {
    if (other.external) {
      if (peer.block.containsAll(*other.addresses)) return PeerMatch::kYes;
      return peer.block.intersects(*other.addresses) ? PeerMatch::kUnknown : PeerMatch::kNo;
    }
    // A pod (or a hostNetwork pod's node) address: only the network plugin knows whether ipBlock
    // applies to it.
    return peer.block.intersects(model->podNetworks()) ? PeerMatch::kDepends : PeerMatch::kNo;
  }
  if (other.external) return PeerMatch::kNo;
  Tri state = Tri::kNo;
  if (other.facts != nullptr) {
    auto it = std::lower_bound(other.facts->peer_states.begin(), other.facts->peer_states.end(),
                               std::make_pair(peer.id, Tri::kNo));
    if (it != other.facts->peer_states.end() && it->first == peer.id) state = it->second;
  } else {
    Tri ns_state = !peer.namespace_selector
                       ? (other.ns == policy_ns ? Tri::kYes : Tri::kNo)
                       : peer.namespace_selector->matches(other.ns_info->labels, other.ns_info->labels_known);
    if (ns_state != Tri::kNo && (!peer.pod_selector || peer.pod_selector->matches(*other.labels))) state = ns_state;
  }
  if (state == Tri::kNo) return PeerMatch::kNo;
  // Traffic of a hostNetwork pod comes from its node's address: whether pod selectors see it is up
  // to the plugin.
  if (other.host_network) return PeerMatch::kDepends;
  return state == Tri::kYes ? PeerMatch::kYes : PeerMatch::kUnknown;
}

ConnSet Model::Impl::rulePorts(const PolicyRule& rule, const View& dst) {
  if (rule.all_ports) return ConnSet::all();
  ConnSet out;
  for (const PolicyPort& port : rule.ports) {
    if (port.any_port) {
      out.unite(ConnSet::allOf(port.protocol));
    } else if (port.name.empty()) {
      out.unite(ConnSet::ports(port.protocol, port.port, port.end_port));
    } else if (!dst.external && dst.ports != nullptr) {
      for (const ContainerPort& cp : *dst.ports) {
        if (cp.name == port.name && cp.protocol == port.protocol) {
          out.unite(ConnSet::ports(cp.protocol, cp.port, cp.port));
          break;
        }
      }
    }
  }
  return out;
}

DirectionResult Model::Impl::direction(bool egress, const View& subject, const View& other, const View& dst,
                                       bool explain) const {
  DirectionResult out;
  if (subject.external) {
    out.allowed = ConnSet::all();
    return out;
  }
  out.judged = true;
  if (subject.facts != nullptr) {
    out.selecting = egress ? subject.facts->egress_policies : subject.facts->ingress_policies;
  } else if (auto it = policies_by_ns.find(subject.ns); it != policies_by_ns.end()) {
    for (uint32_t p : it->second) {
      const Policy& policy = model->policies()[p];
      if ((egress ? policy.isolates_egress : policy.isolates_ingress) && policy.pod_selector.matches(*subject.labels)) {
        out.selecting.push_back(p);
      }
    }
  }
  if (out.selecting.empty()) {
    out.allowed = ConnSet::all();
    if (explain) out.notes.push_back(std::string("no NetworkPolicy selects it for ") + (egress ? "egress" : "ingress"));
    return out;
  }
  out.isolated = true;
  for (uint32_t p : out.selecting) {
    const Policy& policy = model->policies()[p];
    const std::vector<PolicyRule>& rules = egress ? policy.egress : policy.ingress;
    for (const PolicyRule& rule : rules) {
      PeerMatch match = PeerMatch::kNo;
      const PolicyPeer* deciding = nullptr;
      if (rule.all_peers) {
        match = PeerMatch::kYes;
      } else {
        for (const PolicyPeer& peer : rule.peers) {
          PeerMatch m = matchPeer(peer, policy.ns, other);
          if (strongest(match, m) != match) {
            match = m;
            deciding = &peer;
          }
          if (match == PeerMatch::kYes) break;
        }
      }
      if (match == PeerMatch::kNo) continue;
      ConnSet ports = rulePorts(rule, dst);
      if (ports.empty()) continue;
      Verdict effect = match == PeerMatch::kYes       ? Verdict::kAllowed
                       : match == PeerMatch::kUnknown ? Verdict::kUnknown
                                                      : Verdict::kDepends;
      (effect == Verdict::kAllowed ? out.allowed : effect == Verdict::kUnknown ? out.unknown : out.depends).unite(ports);
      if (explain) {
        RuleEffect e;
        e.policy = p;
        e.rule = rule.index;
        e.effect = effect;
        e.connections = ports;
        if (effect == Verdict::kUnknown) {
          e.reason = (deciding ? deciding->description + ": " : std::string()) +
                     "the input does not show the labels of namespace \"" + std::string(other.ns) + "\"";
        } else if (effect == Verdict::kDepends) {
          e.reason = deciding != nullptr && deciding->kind == PolicyPeer::Kind::kIpBlock
                         ? deciding->description + " may hold pod addresses; whether it applies to pod traffic depends on the network plugin"
                         : "the other side is a hostNetwork pod, whose traffic has its node's address; whether pod selectors see it depends on the network plugin";
        }
        out.effects.push_back(std::move(e));
      }
    }
  }
  if (!egress && !other.external && other.host_network) {
    // From a hostNetwork pod the connection has its node's address, and a pod's own node can
    // always reach it: allowed on the same node, up to the plugin from others.
    out.depends.unite(ConnSet::all());
    if (explain) out.notes.push_back("the source is a hostNetwork pod: its node can always reach pods on that node; from other nodes it depends on the network plugin");
  }
  if (subject.host_network) {
    // NetworkPolicy on hostNetwork pods is left to the plugin; most do not enforce it.
    out.depends.unite(ConnSet::all());
    if (explain) out.notes.push_back("hostNetwork pod: whether NetworkPolicy applies to it depends on the network plugin");
  }
  out.unknown = out.unknown.minus(out.allowed);
  out.depends = out.depends.minus(out.allowed).minus(out.unknown);
  return out;
}

void Model::Impl::combine(Reach& out) {
  const DirectionResult& e = out.egress;
  const DirectionResult& i = out.ingress;
  out.allowed = e.allowed.intersect(i.allowed);
  ConnSet e_possible = e.allowed;
  e_possible.unite(e.depends).unite(e.unknown);
  ConnSet i_possible = i.allowed;
  i_possible.unite(i.depends).unite(i.unknown);
  ConnSet possible = e_possible.intersect(i_possible);
  ConnSet unknown_any = e.unknown;
  unknown_any.unite(i.unknown);
  out.unknown = possible.intersect(unknown_any).minus(out.allowed);
  out.depends = possible.minus(out.allowed).minus(out.unknown);
}

void Model::Impl::applyForeign(Reach& out, const View& src, const View& dst, bool explain) const {
  // Other engines: egress policies apply at the source, ingress ones at the destination.
  auto add_foreign = [&](const View& v, bool source) {
    if (v.external) return;
    for (const ForeignPolicy* f : model->foreignPoliciesFor(v.ns)) {
      if (source && !f->may_allow) continue;  // Istio authorizes at the server only
      if (std::find(out.foreign.begin(), out.foreign.end(), f) == out.foreign.end()) out.foreign.push_back(f);
    }
  };
  add_foreign(src, true);
  add_foreign(dst, false);
  if (!out.foreign.empty()) {
    bool may_allow = std::any_of(out.foreign.begin(), out.foreign.end(), [](const ForeignPolicy* f) { return f->may_allow; });
    if (may_allow) {
      out.unknown = ConnSet::all();
      out.allowed = out.depends = ConnSet();
      if (explain) out.notes.push_back("policies of other engines (" + out.foreign.front()->label() +
                          (out.foreign.size() > 1 ? ", ..." : "") +
                          ") may allow or deny this traffic; kspm does not evaluate them");
    } else {
      out.unknown.unite(out.allowed);
      out.allowed = ConnSet();
      if (explain) out.notes.push_back("Istio AuthorizationPolicy (" + out.foreign.front()->label() +
                          ") may narrow what NetworkPolicy allows; kspm does not evaluate it");
    }
  }
}

Reach Model::reach(const Endpoint& from, const Endpoint& to) const {
  NamespaceInfo scratch_from, scratch_to;
  View src = impl_->viewOf(from, &scratch_from);
  View dst = impl_->viewOf(to, &scratch_to);
  Reach out;
  out.egress = impl_->direction(true, src, dst, dst, true);
  out.ingress = impl_->direction(false, dst, src, dst, true);
  Impl::combine(out);
  if (from.kind == Endpoint::Kind::kWorkload && to.kind == Endpoint::Kind::kWorkload && from.workload == to.workload &&
      workloads_[from.workload].single_pod) {
    out.allowed = ConnSet::all();
    out.depends = out.unknown = ConnSet();
    out.notes.push_back("a pod can always reach itself");
    return out;
  }
  impl_->applyForeign(out, src, dst, true);
  return out;
}

Verdict Reach::verdictFor(Protocol protocol, uint16_t port) const {
  if (allowed.contains(protocol, port)) return Verdict::kAllowed;
  if (unknown.contains(protocol, port)) return Verdict::kUnknown;
  if (depends.contains(protocol, port)) return Verdict::kDepends;
  return Verdict::kDenied;
}

}  // namespace kspm::netpol
