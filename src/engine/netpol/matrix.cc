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

  // Judge every pair; sources are split over threads, each with its own caches and interner.
  struct Part {
    Interner interner;
    std::vector<Matrix::Edge> edges;
  };
  int workers = std::max(1, std::min<int>(threads, static_cast<int>(std::max<size_t>(1, class_count / 8))));
  std::vector<Part> parts(workers);
  auto work = [&](int t) {
    Part& part = parts[t];
    std::vector<std::unordered_map<std::string, uint32_t>> ingress_cache(node_count);
    std::unordered_map<uint64_t, uint32_t> combined_cache;
    Interner directions;
    for (size_t s = t; s < node_count; s += workers) {
      const NodeInfo& src = nodes[s];
      std::unordered_map<std::string, uint32_t> egress_cache;
      for (size_t d = 0; d < node_count; ++d) {
        const NodeInfo& dst = nodes[d];
        if (src.view.external && dst.view.external) continue;
        if (s == d && src.self_is_loopback) continue;
        uint32_t egress_id, ingress_id;
        {
          std::string key = matchKey(impl, model, src.egress_peers, dst.view, dst.view.external ? 0 : dst.named_ports + 1);
          auto [it, inserted] = egress_cache.emplace(std::move(key), 0);
          if (inserted) {
            DirectionResult r = impl.direction(true, src.view, dst.view, dst.view, false);
            it->second = directions.intern({std::move(r.allowed), std::move(r.depends), std::move(r.unknown)});
          }
          egress_id = it->second;
        }
        {
          std::string key = matchKey(impl, model, dst.ingress_peers, src.view, 0);
          auto [it, inserted] = ingress_cache[d].emplace(std::move(key), 0);
          if (inserted) {
            DirectionResult r = impl.direction(false, dst.view, src.view, dst.view, false);
            it->second = directions.intern({std::move(r.allowed), std::move(r.depends), std::move(r.unknown)});
          }
          ingress_id = it->second;
        }
        uint8_t foreign = static_cast<uint8_t>((src.view.external ? 0 : src.foreign_may_allow_src) ? 2 : 0);
        if (!dst.view.external) foreign = std::max(foreign, dst.foreign_dst);
        uint64_t combined_key = (static_cast<uint64_t>(egress_id) << 34) | (static_cast<uint64_t>(ingress_id) << 2) | foreign;
        auto [it, inserted] = combined_cache.emplace(combined_key, 0);
        if (inserted) {
          Reach r;
          const Matrix::Connectivity& e = directions.at(egress_id);
          const Matrix::Connectivity& i = directions.at(ingress_id);
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
