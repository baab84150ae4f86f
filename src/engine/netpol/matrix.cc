// The workload-to-workload matrix in compact form.
//
// Workloads are grouped into classes that no policy tells apart; external addresses into ranges
// that every ipBlock treats alike. A pair of classes is then judged once, and even that mostly
// hits caches: a destination's ingress result depends on the source only through how the source
// matches the peers of the destination's ingress rules, and a source's egress result on the
// destination only through how it matches the source's egress peers and how the destination
// resolves named ports.
#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>

#include "engine/netpol/internal.h"

namespace kspm::netpol {

namespace {

/** Interned connectivity values, local to one thread. */
class Interner {
 public:
  uint32_t intern(Matrix::Connectivity value) {
    uint64_t h = value.allowed.hash() * 0x9E3779B97F4A7C15ULL ^ value.depends.hash() * 31 ^ value.unknown.hash() * 7;
    auto [begin, end] = by_hash_.equal_range(h);
    for (auto it = begin; it != end; ++it) {
      if (values_[it->second] == value) return it->second;
    }
    uint32_t id = static_cast<uint32_t>(values_.size());
    values_.push_back(std::move(value));
    by_hash_.emplace(h, id);
    return id;
  }
  const Matrix::Connectivity& at(uint32_t id) const { return values_[id]; }
  std::vector<Matrix::Connectivity>& values() { return values_; }

 private:
  std::vector<Matrix::Connectivity> values_;
  std::unordered_multimap<uint64_t, uint32_t> by_hash_;
};

/** A matrix node as the evaluator sees it. */
struct NodeInfo {
  View view;
  std::vector<const PolicyPeer*> ingress_peers;  // peers of the rules of its ingress policies
  std::vector<const PolicyPeer*> egress_peers;
  uint32_t named_ports = 0;    // id of how it resolves the named ports policies use
  bool foreign_may_allow_src = false;   // other engines may change its egress
  uint8_t foreign_dst = 0;     // 0 none, 1 narrowing only, 2 may allow or deny (its ingress)
  bool self_is_loopback = false;  // a single bare pod
};

void collectPeers(const Model& model, const std::vector<uint32_t>& policies, bool egress,
                  std::vector<const PolicyPeer*>* out) {
  for (uint32_t p : policies) {
    const Policy& policy = model.policies()[p];
    for (const PolicyRule& rule : egress ? policy.egress : policy.ingress) {
      for (const PolicyPeer& peer : rule.peers) out->push_back(&peer);
    }
  }
}

std::string matchKey(const Model::Impl& impl, const Model& model, const std::vector<const PolicyPeer*>& peers,
                     const View& other, uint32_t extra) {
  std::string key;
  key.reserve(peers.size() + 4);
  for (const PolicyPeer* peer : peers) {
    key.push_back(static_cast<char>(impl.matchPeer(*peer, model.policies()[impl.peer_policy[peer->id]].ns, other)));
  }
  key.append(reinterpret_cast<const char*>(&extra), sizeof(extra));
  return key;
}

}  // namespace

Matrix computeMatrix(const Model& model, int threads) {
  const Model::Impl& impl = model.impl();
  Matrix matrix;

  // Named ports that policies use, and each workload's resolution of them.
  std::vector<std::pair<std::string_view, Protocol>> names;
  for (const Policy& policy : model.policies()) {
    for (const auto* rules : {&policy.ingress, &policy.egress}) {
      for (const PolicyRule& rule : *rules) {
        for (const PolicyPort& port : rule.ports) {
          if (!port.name.empty()) names.emplace_back(port.name, port.protocol);
        }
      }
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::vector<uint16_t>, uint32_t> resolution_ids;
  resolution_ids.emplace(std::vector<uint16_t>(names.size(), 0), 0);  // also externals: nothing resolves
  auto resolution_of = [&](const WorkloadInfo& w) {
    std::vector<uint16_t> numbers(names.size(), 0);
    for (size_t i = 0; i < names.size(); ++i) {
      for (const ContainerPort& cp : w.ports) {
        if (cp.name == names[i].first && cp.protocol == names[i].second) {
          numbers[i] = cp.port;
          break;
        }
      }
    }
    return resolution_ids.emplace(numbers, static_cast<uint32_t>(resolution_ids.size())).first->second;
  };

  // Classes of workloads.
  std::vector<uint32_t> resolution(model.workloads().size());
  std::unordered_map<std::string, uint32_t> class_of_signature;
  std::vector<NodeInfo> nodes;
  for (uint32_t w = 0; w < model.workloads().size(); ++w) {
    const WorkloadInfo& info = model.workloads()[w];
    const WorkloadFacts& facts = impl.facts[w];
    resolution[w] = resolution_of(info);
    std::string signature;
    auto put = [&signature](uint32_t v) { signature.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
    put(static_cast<uint32_t>(facts.ingress_policies.size()));
    for (uint32_t p : facts.ingress_policies) put(p);
    put(static_cast<uint32_t>(facts.egress_policies.size()));
    for (uint32_t p : facts.egress_policies) put(p);
    put(static_cast<uint32_t>(facts.peer_states.size()));
    for (const auto& [peer, state] : facts.peer_states) put(peer * 4 + static_cast<uint32_t>(state));
    put(resolution[w]);
    put(info.host_network ? 1 : 0);
    std::vector<const ForeignPolicy*> foreign = model.foreignPoliciesFor(info.ns);
    put(static_cast<uint32_t>(foreign.size()));
    for (const ForeignPolicy* f : foreign) put(static_cast<uint32_t>(f - model.foreignPolicies().data()));
    // The namespace matters when its labels are not all known (selectors may be "unknown" on it).
    const NamespaceInfo* ns = model.namespaceInfo(info.ns);
    if (ns == nullptr || !ns->labels_known) signature.append(info.ns);
    auto [it, inserted] = class_of_signature.emplace(std::move(signature), static_cast<uint32_t>(matrix.classes.size()));
    if (inserted) {
      matrix.classes.emplace_back();
      NodeInfo node;
      node.view = impl.viewOf(Endpoint::ofWorkload(w), nullptr);
      collectPeers(model, facts.ingress_policies, false, &node.ingress_peers);
      collectPeers(model, facts.egress_policies, true, &node.egress_peers);
      node.named_ports = resolution[w];
      for (const ForeignPolicy* f : foreign) {
        if (f->may_allow) {
          node.foreign_may_allow_src = true;
          node.foreign_dst = 2;
        } else {
          node.foreign_dst = std::max<uint8_t>(node.foreign_dst, 1);
        }
      }
      nodes.push_back(std::move(node));
    }
    matrix.classes[it->second].workloads.push_back(w);
  }
  for (size_t c = 0; c < matrix.classes.size(); ++c) {
    const auto& members = matrix.classes[c].workloads;
    nodes[c].self_is_loopback = members.size() == 1 && model.workloads()[members[0]].single_pod;
  }
  const size_t class_count = matrix.classes.size();

  // External ranges: atoms of the ipBlocks, merged when every ipBlock peer treats them alike.
  std::vector<IpSet> blocks;
  std::vector<const PolicyPeer*> block_peers;
  for (const PolicyPeer* peer : impl.peers) {
    if (peer->kind == PolicyPeer::Kind::kIpBlock) {
      blocks.push_back(peer->block);
      block_peers.push_back(peer);
    }
  }
  std::map<std::vector<bool>, uint32_t> external_of;
  for (const IpRange& range : partitionAddressSpace(blocks)) {
    // Every atom lies wholly inside or outside each block: its first address tells which.
    IpSet first = IpSet::ofRange({range.family, range.lo, range.lo});
    std::vector<bool> inside(blocks.size());
    for (size_t b = 0; b < blocks.size(); ++b) inside[b] = blocks[b].intersects(first);
    auto [it, inserted] = external_of.emplace(std::move(inside), static_cast<uint32_t>(matrix.externals.size()));
    if (inserted) matrix.externals.emplace_back();
    IpSet atom = IpSet::ofRange(range);
    matrix.externals[it->second].unite(atom);
  }
  for (const IpSet& external : matrix.externals) {
    NodeInfo node;
    node.view.external = true;
    node.view.addresses = &external;
    nodes.push_back(std::move(node));
  }
  const size_t node_count = nodes.size();
  auto ref = [&](size_t n) {
    return n < class_count ? Matrix::NodeRef{false, static_cast<uint32_t>(n)}
                           : Matrix::NodeRef{true, static_cast<uint32_t>(n - class_count)};
  };

  // Direction results, all computed up front (so that the pair loop only reads tables):
  // - I0[d]: d's ingress from a source that matches none of its peers; E0[s][r]: s's egress to a
  //   destination that matches none of its peers and resolves named ports as resolution r does.
  //   For a pair where neither side matches the other's peers, these are the answer.
  // - The exceptions: pairs where the source matches a peer of the destination's ingress rules, or
  //   the destination a peer of the source's egress rules, found through peer -> classes lists;
  //   and every pair with an external node.
  Interner directions;
  auto intern = [&](DirectionResult r) {
    return directions.intern({std::move(r.allowed), std::move(r.depends), std::move(r.unknown)});
  };
  const uint32_t not_judged = directions.intern({ConnSet::all(), ConnSet(), ConnSet()});
  std::vector<std::vector<std::pair<uint32_t, Tri>>> peer_classes(impl.peers.size());
  for (size_t c = 0; c < class_count; ++c) {
    for (const auto& [peer, state] : impl.facts[matrix.classes[c].workloads[0]].peer_states) peer_classes[peer].emplace_back(c, state);
  }
  // A pod that matches no pod peer, resolving named ports like each resolution id.
  static const WorkloadFacts kNoFacts;
  static const Labels kNoLabels;
  NamespaceInfo nowhere;
  std::vector<const std::vector<ContainerPort>*> ports_of_resolution(resolution_ids.size(), nullptr);
  for (size_t c = 0; c < class_count; ++c) ports_of_resolution[nodes[c].named_ports] = nodes[c].view.ports;
  static const std::vector<ContainerPort> kNoPorts;
  auto unmatched = [&](uint32_t resolution) {
    View v;
    v.ns_info = &nowhere;
    v.labels = &kNoLabels;
    v.ports = ports_of_resolution[resolution] != nullptr ? ports_of_resolution[resolution] : &kNoPorts;
    v.facts = &kNoFacts;
    return v;
  };
  std::vector<uint32_t> resolutions_used;
  for (size_t c = 0; c < class_count; ++c) resolutions_used.push_back(nodes[c].named_ports);
  std::sort(resolutions_used.begin(), resolutions_used.end());
  resolutions_used.erase(std::unique(resolutions_used.begin(), resolutions_used.end()), resolutions_used.end());

  std::vector<uint32_t> ingress_default(class_count);
  std::vector<std::unordered_map<uint32_t, uint32_t>> egress_default(class_count);  // resolution -> id
  for (size_t c = 0; c < class_count; ++c) {
    View none = unmatched(0);
    ingress_default[c] = intern(impl.direction(false, nodes[c].view, none, nodes[c].view, false));
    for (uint32_t r : resolutions_used) {
      View dst = unmatched(r);
      egress_default[c][r] = intern(impl.direction(true, nodes[c].view, dst, dst, false));
    }
  }
  // Exceptions, as (other node, direction id) lists per node.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> ingress_exceptions(node_count);  // by source: (dst, id)
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> egress_exceptions(node_count);   // by source: (dst, id)
  std::vector<uint32_t> mark(node_count, UINT32_MAX);
  std::vector<uint32_t> host_network_classes;
  for (size_t c = 0; c < class_count; ++c) {
    if (nodes[c].view.host_network) host_network_classes.push_back(static_cast<uint32_t>(c));
  }
  for (size_t d = 0; d < class_count; ++d) {
    std::unordered_map<std::string, uint32_t> cache;
    auto judge = [&](size_t src) {
      std::string key = matchKey(impl, model, nodes[d].ingress_peers, nodes[src].view, 0);
      auto [it, inserted] = cache.emplace(std::move(key), 0);
      if (inserted) it->second = intern(impl.direction(false, nodes[d].view, nodes[src].view, nodes[d].view, false));
      ingress_exceptions[src].emplace_back(d, it->second);
    };
    for (const PolicyPeer* peer : nodes[d].ingress_peers) {
      for (const auto& [c, state] : peer_classes[peer->id]) {
        if (mark[c] == d) continue;
        mark[c] = static_cast<uint32_t>(d);
        judge(c);
      }
    }
    // A hostNetwork source differs from an unmatched one even when it matches no peer.
    for (uint32_t c : host_network_classes) {
      if (mark[c] == d) continue;
      mark[c] = static_cast<uint32_t>(d);
      judge(c);
    }
    for (size_t e = class_count; e < node_count; ++e) judge(e);
  }
  std::fill(mark.begin(), mark.end(), UINT32_MAX);
  for (size_t s = 0; s < class_count; ++s) {
    std::unordered_map<std::string, uint32_t> cache;
    auto judge = [&](size_t dst) {
      std::string key = matchKey(impl, model, nodes[s].egress_peers, nodes[dst].view,
                                 nodes[dst].view.external ? 0 : nodes[dst].named_ports + 1);
      auto [it, inserted] = cache.emplace(std::move(key), 0);
      if (inserted) it->second = intern(impl.direction(true, nodes[s].view, nodes[dst].view, nodes[dst].view, false));
      egress_exceptions[s].emplace_back(dst, it->second);
    };
    for (const PolicyPeer* peer : nodes[s].egress_peers) {
      for (const auto& [c, state] : peer_classes[peer->id]) {
        if (mark[c] == s) continue;
        mark[c] = static_cast<uint32_t>(s);
        judge(c);
      }
    }
    for (size_t e = class_count; e < node_count; ++e) judge(e);
  }

  // Judge every pair from the tables; sources are split over threads, each with its own cache of
  // combined results and its own interner.
  struct Part {
    Interner interner;
    std::vector<Matrix::Edge> edges;
  };
  int workers = std::max(1, std::min<int>(threads, static_cast<int>(std::max<size_t>(1, class_count / 64))));
  std::vector<Part> parts(workers);
  const size_t direction_count = directions.values().size();
  auto work = [&](int t) {
    Part& part = parts[t];
    std::unordered_map<uint64_t, uint32_t> combined_cache;
    std::vector<uint32_t> row_egress(node_count), row_ingress(node_count);
    for (size_t s = t; s < node_count; s += workers) {
      const NodeInfo& src = nodes[s];
      for (size_t d = 0; d < node_count; ++d) {
        const NodeInfo& dst = nodes[d];
        row_egress[d] = src.view.external ? not_judged
                        : dst.view.external ? not_judged  // replaced below: every external pair is an exception
                                            : egress_default[s].at(dst.named_ports);
        row_ingress[d] = dst.view.external ? not_judged : ingress_default[d];
      }
      if (!src.view.external) {
        for (const auto& [d, id] : egress_exceptions[s]) row_egress[d] = id;
      }
      for (const auto& [d, id] : ingress_exceptions[s]) row_ingress[d] = id;
      for (size_t d = 0; d < node_count; ++d) {
        const NodeInfo& dst = nodes[d];
        if (src.view.external && dst.view.external) continue;
        if (s == d && src.self_is_loopback) continue;
        uint8_t foreign = static_cast<uint8_t>((src.view.external ? 0 : src.foreign_may_allow_src) ? 2 : 0);
        if (!dst.view.external) foreign = std::max(foreign, dst.foreign_dst);
        uint64_t key = (static_cast<uint64_t>(row_egress[d]) * direction_count + row_ingress[d]) * 4 + foreign;
        auto [it, inserted] = combined_cache.emplace(key, 0);
        if (inserted) {
          Reach r;
          const Matrix::Connectivity& e = directions.at(row_egress[d]);
          const Matrix::Connectivity& i = directions.at(row_ingress[d]);
          r.egress.allowed = e.allowed;
          r.egress.depends = e.depends;
          r.egress.unknown = e.unknown;
          r.ingress.allowed = i.allowed;
          r.ingress.depends = i.depends;
          r.ingress.unknown = i.unknown;
          Model::Impl::combine(r);
          if (foreign == 2) {
            r.unknown = ConnSet::all();
            r.allowed = r.depends = ConnSet();
          } else if (foreign == 1) {
            r.unknown.unite(r.allowed);
            r.allowed = ConnSet();
          }
          it->second = r.allowed.empty() && r.depends.empty() && r.unknown.empty()
                           ? UINT32_MAX
                           : part.interner.intern({std::move(r.allowed), std::move(r.depends), std::move(r.unknown)});
        }
        if (it->second != UINT32_MAX) part.edges.push_back({ref(s), ref(d), it->second});
      }
    }
  };
  if (workers == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < workers; ++t) pool.emplace_back(work, t);
    for (std::thread& th : pool) th.join();
  }

  // Merge the parts: one interner, edges by source then destination.
  Interner merged;
  for (Part& part : parts) {
    std::vector<uint32_t> remap;
    for (Matrix::Connectivity& c : part.interner.values()) remap.push_back(merged.intern(std::move(c)));
    for (Matrix::Edge& e : part.edges) {
      e.connectivity = remap[e.connectivity];
      matrix.edges.push_back(e);
    }
  }
  auto order = [&](const Matrix::NodeRef& n) { return n.external ? class_count + n.index : n.index; };
  std::sort(matrix.edges.begin(), matrix.edges.end(), [&](const Matrix::Edge& a, const Matrix::Edge& b) {
    return std::make_pair(order(a.from), order(a.to)) < std::make_pair(order(b.from), order(b.to));
  });
  matrix.connectivities = std::move(merged.values());
  return matrix;
}

}  // namespace kspm::netpol
