// Technique metadata, k best paths and blast radius.
//
// Paths: a best-first search over partial paths from the sources, where each vertex is expanded at
// most 4k times (the k-shortest-walks bound with slack, since a simple path may need a worse prefix)
// and a path never revisits a vertex, so each target gets up to k simple paths in order of cost.
// Not exact in theory (a vertex may need more expansions still); GraphPaths.MatchesBruteForce-
// OnSmallGraphs compares it with exhaustive enumeration on 300 random graphs. Two costs: steps (then -log likelihood) for
// the shortest, -log likelihood (then steps) for the riskiest. Work is capped globally.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>
#include <queue>
#include <unordered_map>

#include "kspm/graph.h"

namespace kspm::graph {

namespace {

struct TechniqueInfo {
  Technique technique;
  std::string_view id;
  std::string_view mitre;
};

constexpr TechniqueInfo kTechniques[] = {
    {Technique::kCeModuleLoad, "CE_MODULE_LOAD", "T1611"},
    {Technique::kCeNsenter, "CE_NSENTER", "T1611"},
    {Technique::kCePrivMount, "CE_PRIV_MOUNT", "T1611"},
    {Technique::kCeSysPtrace, "CE_SYS_PTRACE", "T1611"},
    {Technique::kCeUmhCorePattern, "CE_UMH_CORE_PATTERN", "T1611"},
    {Technique::kCeVarLogSymlink, "CE_VAR_LOG_SYMLINK", "T1611"},
    {Technique::kContainerAttach, "CONTAINER_ATTACH", "T1609"},
    {Technique::kEndpointExploit, "ENDPOINT_EXPLOIT", "T1210"},
    {Technique::kExploitContainerdSock, "EXPLOIT_CONTAINERD_SOCK", "T1611"},
    {Technique::kExploitHostRead, "EXPLOIT_HOST_READ", "T1611"},
    {Technique::kExploitHostTraverse, "EXPLOIT_HOST_TRAVERSE", "T1552"},
    {Technique::kExploitHostWrite, "EXPLOIT_HOST_WRITE", "T1611"},
    {Technique::kIdentityAssume, "IDENTITY_ASSUME", "T1078"},
    {Technique::kIdentityImpersonate, "IDENTITY_IMPERSONATE", "T1134"},
    {Technique::kPermissionDiscover, "PERMISSION_DISCOVER", "T1069"},
    {Technique::kPodAttach, "POD_ATTACH", "T1609"},
    {Technique::kPodCreate, "POD_CREATE", "T1053.007"},
    {Technique::kPodExec, "POD_EXEC", "T1609"},
    {Technique::kPodPatch, "POD_PATCH", "T1609"},
    {Technique::kRoleBind, "ROLE_BIND", "T1098"},
    {Technique::kSharePsNamespace, "SHARE_PS_NAMESPACE", "T1080"},
    {Technique::kTokenBruteforce, "TOKEN_BRUTEFORCE", "T1528"},
    {Technique::kTokenList, "TOKEN_LIST", "T1528"},
    {Technique::kTokenSteal, "TOKEN_STEAL", "T1528"},
    {Technique::kVolumeAccess, "VOLUME_ACCESS", ""},
    {Technique::kVolumeDiscover, "VOLUME_DISCOVER", ""},
    {Technique::kNetworkReach, "NETWORK_REACH", "T1046"},
    {Technique::kVulnExploit, "VULN_EXPLOIT", "T1190"},
    {Technique::kSecretRead, "SECRET_READ", "T1552.007"},
    {Technique::kTokenRequest, "TOKEN_REQUEST", "T1528"},
    {Technique::kMemberOf, "MEMBER_OF", ""},
    {Technique::kNodeCredential, "NODE_CREDENTIAL", "T1552"},
    {Technique::kCloudIdentityAssume, "CLOUD_IDENTITY_ASSUME", "T1078.004"},
    {Technique::kClusterAdmin, "CLUSTER_ADMIN", ""},
    {Technique::kCloudAdmin, "CLOUD_ADMIN", "T1078.004"},
};

const TechniqueInfo& infoOf(Technique t) {
  for (const TechniqueInfo& i : kTechniques) {
    if (i.technique == t) return i;
  }
  return kTechniques[0];
}

/** How many times more than k a vertex may be expanded (see search()). */
constexpr uint32_t kExpansionSlack = 4;

/** A partial path: its last edge and the partial path it extends (an index into the arena). */
struct Step {
  uint32_t vertex;
  int32_t edge;    // -1 at a source
  int32_t parent;  // -1 at a source
  uint32_t hops;
  double cost;     // -log likelihood
  uint32_t sibling = 0;  // position of `edge` in the parent vertex's ordered out-edges
};

struct Key {
  double primary;
  double secondary;
  uint32_t step;
  bool operator>(const Key& o) const {
    if (primary != o.primary) return primary > o.primary;
    if (secondary != o.secondary) return secondary > o.secondary;
    return step > o.step;
  }
};

bool onPath(const std::vector<Step>& arena, int32_t at, uint32_t vertex) {
  for (int32_t i = at; i >= 0; i = arena[i].parent) {
    if (arena[i].vertex == vertex) return true;
  }
  return false;
}

Path pathOf(const std::vector<Step>& arena, int32_t at) {
  Path p;
  p.likelihood = std::exp(-arena[at].cost);
  for (int32_t i = at; arena[i].edge >= 0; i = arena[i].parent) p.edges.push_back(static_cast<uint32_t>(arena[i].edge));
  std::reverse(p.edges.begin(), p.edges.end());
  return p;
}

/** Up to k paths per target from `sources` (searched together), by the chosen cost. */
/**
 * Exact remaining cost from every vertex to the nearest target, by steps and by -log likelihood:
 * a reverse BFS and a reverse Dijkstra from the targets. As A* heuristics they are consistent, so
 * paths still come out in cost order, and vertices that reach no target are never queued.
 */
struct ToTarget {
  std::vector<uint32_t> hops;  // UINT32_MAX: no target reachable
  std::vector<double> cost;
};

ToTarget distancesToTargets(const Graph& graph, const std::vector<uint32_t>& targets) {
  const size_t n = graph.vertices().size();
  ToTarget to;
  to.hops.assign(n, UINT32_MAX);
  to.cost.assign(n, std::numeric_limits<double>::infinity());
  std::vector<uint32_t> frontier;
  for (uint32_t t : targets) {
    to.hops[t] = 0;
    to.cost[t] = 0;
    frontier.push_back(t);
  }
  for (size_t i = 0; i < frontier.size(); ++i) {
    uint32_t v = frontier[i];
    for (uint32_t e : graph.in(v)) {
      uint32_t u = graph.edges()[e].from;
      if (to.hops[u] == UINT32_MAX) {
        to.hops[u] = to.hops[v] + 1;
        frontier.push_back(u);
      }
    }
  }
  using Item = std::pair<double, uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
  for (uint32_t t : targets) queue.push({0.0, t});
  while (!queue.empty()) {
    auto [c, v] = queue.top();
    queue.pop();
    if (c > to.cost[v]) continue;
    for (uint32_t e : graph.in(v)) {
      const Edge& edge = graph.edges()[e];
      double d = c - std::log(std::max(edge.likelihood, 1e-9));
      if (d < to.cost[edge.from]) {
        to.cost[edge.from] = d;
        queue.push({d, edge.from});
      }
    }
  }
  return to;
}

void search(const Graph& graph, const std::vector<uint32_t>& sources, const std::vector<char>& is_target, uint32_t k,
            bool by_likelihood, uint64_t budget, uint64_t* spent, bool* capped,
            std::unordered_map<uint32_t, std::vector<Path>>* out, const ToTarget& to) {
  std::vector<Step> arena;
  std::vector<uint32_t> expanded(graph.vertices().size(), 0);
  // Each vertex is expanded at most `bound` times. k would be exact for walks; a simple path may
  // need a worse prefix when a better one already holds a vertex further on, so allow more.
  const uint32_t bound = k * kExpansionSlack;
  auto step_cost = [](const Edge& edge) { return -std::log(std::max(edge.likelihood, 1e-9)); };
  // A vertex's out-edges that lead to a target, ordered by what they add to the estimate (the edge
  // plus the exact rest), computed once per vertex: siblings then enter the queue one at a time, the
  // next when the previous leaves it, instead of all at once (hubs have tens of thousands).
  std::vector<std::vector<uint32_t>> ordered(graph.vertices().size());
  std::vector<char> ordered_done(graph.vertices().size(), 0);
  auto children = [&](uint32_t v) -> const std::vector<uint32_t>& {
    if (!ordered_done[v]) {
      ordered_done[v] = 1;
      std::vector<uint32_t>& list = ordered[v];
      for (uint32_t e : graph.out(v)) {
        if (to.hops[graph.edges()[e].to] != UINT32_MAX) list.push_back(e);
      }
      auto add_hops = [&](uint32_t e) { return 1.0 + to.hops[graph.edges()[e].to]; };
      auto add_cost = [&](uint32_t e) { return step_cost(graph.edges()[e]) + to.cost[graph.edges()[e].to]; };
      std::stable_sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
        return by_likelihood ? std::make_pair(add_cost(a), add_hops(a)) < std::make_pair(add_cost(b), add_hops(b))
                             : std::make_pair(add_hops(a), add_cost(a)) < std::make_pair(add_hops(b), add_cost(b));
      });
    }
    return ordered[v];
  };
  std::priority_queue<Key, std::vector<Key>, std::greater<Key>> queue;
  auto push = [&](Step s) {
    arena.push_back(s);
    uint32_t id = static_cast<uint32_t>(arena.size() - 1);
    double hops = static_cast<double>(s.hops) + to.hops[s.vertex];
    double cost = s.cost + to.cost[s.vertex];
    queue.push(by_likelihood ? Key{cost, hops, id} : Key{hops, cost, id});
  };
  // Queues the child at `position` (or the next one after it that may still be taken) of `parent`.
  auto push_child = [&](int32_t parent, uint32_t position) {
    const Step& p = arena[parent];
    const std::vector<uint32_t>& list = children(p.vertex);
    for (; position < list.size(); ++position) {
      const Edge& edge = graph.edges()[list[position]];
      if (expanded[edge.to] >= bound || onPath(arena, parent, edge.to)) continue;
      Step child{edge.to, static_cast<int32_t>(list[position]), parent, p.hops + 1, p.cost + step_cost(edge), position};
      push(child);
      return;
    }
  };
  for (uint32_t s : sources) {
    if (to.hops[s] != UINT32_MAX) push({s, -1, -1, 0, 0.0, 0});
  }
  size_t targets_left = std::count(is_target.begin(), is_target.end(), 1);
  uint64_t used = 0;
  while (!queue.empty() && targets_left > 0) {
    Key key = queue.top();
    queue.pop();
    Step step = arena[key.step];
    // Its next sibling takes its turn in the queue, whatever happens to this one.
    if (step.parent >= 0) push_child(step.parent, step.sibling + 1);
    if (expanded[step.vertex] >= bound) continue;
    if (used >= budget) {
      *capped = true;
      break;
    }
    ++used;
    ++expanded[step.vertex];
    if (is_target[step.vertex] && step.edge >= 0) {
      std::vector<Path>& list = (*out)[step.vertex];
      if (list.size() < k) {
        list.push_back(pathOf(arena, static_cast<int32_t>(key.step)));
        if (list.size() == k) --targets_left;  // every target full: nothing left to find
      }
    }
    push_child(static_cast<int32_t>(key.step), 0);
  }
  *spent += used;
}

}  // namespace

std::string_view techniqueId(Technique technique) { return infoOf(technique).id; }
std::string_view techniqueMitre(Technique technique) { return infoOf(technique).mitre; }

std::optional<Technique> parseTechnique(std::string_view id) {
  for (const TechniqueInfo& i : kTechniques) {
    if (i.id.size() != id.size()) continue;
    bool same = true;
    for (size_t c = 0; c < id.size() && same; ++c) {
      same = std::toupper(static_cast<unsigned char>(id[c])) == i.id[c];
    }
    if (same) return i.technique;
  }
  return std::nullopt;
}

PathAnswer findPaths(const Graph& graph, const PathQuery& query) {
  PathAnswer answer;
  std::vector<char> is_target(graph.vertices().size(), 0);
  std::vector<uint32_t> targets = query.targets;
  if (targets.empty()) {
    for (uint32_t v = 0; v < graph.vertices().size(); ++v) {
      if (graph.vertices()[v].jewel) targets.push_back(v);
    }
  }
  for (uint32_t t : targets) is_target[t] = 1;
  // One search per source, or one for all sources together (each result's source is then that of
  // its best path). The work cap holds per search.
  std::vector<std::vector<uint32_t>> groups;
  if (query.combine_sources) {
    groups.push_back(query.sources);
  } else {
    for (uint32_t source : query.sources) groups.push_back({source});
  }
  std::shared_ptr<const ToTarget> to = graph.cached<ToTarget>(targets, [&] { return distancesToTargets(graph, targets); });
  for (const std::vector<uint32_t>& group : groups) {
    if (group.empty()) continue;
    std::unordered_map<uint32_t, std::vector<Path>> shortest, riskiest;
    search(graph, group, is_target, query.k, false, query.max_expansions, &answer.expansions, &answer.capped, &shortest, *to);
    search(graph, group, is_target, query.k, true, query.max_expansions, &answer.expansions, &answer.capped, &riskiest, *to);
    ++answer.searches;
    for (uint32_t t : targets) {
      auto s = shortest.find(t);
      auto r = riskiest.find(t);
      if (s == shortest.end() && r == riskiest.end()) continue;
      PathResult result;
      result.target = t;
      if (s != shortest.end()) result.shortest = std::move(s->second);
      if (r != riskiest.end()) result.riskiest = std::move(r->second);
      const std::vector<Path>& any = !result.shortest.empty() ? result.shortest : result.riskiest;
      result.source = group.size() == 1 || any.empty() || any[0].edges.empty() ? group[0] : graph.edges()[any[0].edges[0]].from;
      answer.results.push_back(std::move(result));
    }
  }
  return answer;
}

std::vector<std::pair<uint32_t, double>> blastRadius(const Graph& graph, uint32_t source) {
  std::vector<double> best(graph.vertices().size(), -1.0);
  using Item = std::pair<double, uint32_t>;  // (likelihood, vertex), likeliest first
  std::priority_queue<Item> queue;
  best[source] = 1.0;
  queue.push({1.0, source});
  while (!queue.empty()) {
    auto [p, v] = queue.top();
    queue.pop();
    if (p < best[v]) continue;
    for (uint32_t e : graph.out(v)) {
      const Edge& edge = graph.edges()[e];
      double q = p * edge.likelihood;
      if (q > best[edge.to]) {
        best[edge.to] = q;
        queue.push({q, edge.to});
      }
    }
  }
  std::vector<std::pair<uint32_t, double>> out;
  for (uint32_t v = 0; v < best.size(); ++v) {
    if (v != source && best[v] > 0) out.emplace_back(v, best[v]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
  return out;
}

}  // namespace kspm::graph

namespace kspm::graph {

BlastRadius summariseBlastRadius(const Graph& graph, uint32_t source, size_t top) {
  BlastRadius out;
  out.source = source;
  std::vector<std::pair<uint32_t, double>> reached = blastRadius(graph, source);
  std::vector<BlastRadius::Kind> kinds(static_cast<size_t>(VertexKind::kCrownJewel) + 1);
  for (size_t k = 0; k < kinds.size(); ++k) kinds[k].kind = static_cast<VertexKind>(k);
  std::vector<uint32_t> jewels;
  for (const auto& [v, p] : reached) {
    const Vertex& x = graph.vertices()[v];
    if (x.jewel) jewels.push_back(v);
    BlastRadius::Kind& k = kinds[static_cast<size_t>(x.kind)];
    ++k.count;
    if (k.top.size() < top) k.top.emplace_back(v, p);
  }
  for (BlastRadius::Kind& k : kinds) {
    if (k.count > 0) out.kinds.push_back(std::move(k));
  }
  if (!jewels.empty()) {
    PathQuery q;
    q.sources = {source};
    q.targets = jewels;
    q.k = 1;
    PathAnswer answer = findPaths(graph, q);
    for (const PathResult& r : answer.results) {
      if (r.riskiest.empty()) continue;
      out.jewels.push_back({r.target, r.riskiest[0].likelihood, r.riskiest[0]});
    }
    std::sort(out.jewels.begin(), out.jewels.end(),
              [](const BlastRadius::Jewel& a, const BlastRadius::Jewel& b) { return a.likelihood > b.likelihood; });
  }
  return out;
}

}  // namespace kspm::graph
