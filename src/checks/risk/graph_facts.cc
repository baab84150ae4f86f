#include "checks/risk/graph_facts.h"

#include <cmath>
#include <cstdio>
#include <queue>
#include <tuple>

#include "kspm/engine.h"

namespace kspm::checks::risk {

const GraphFacts& graphFacts(const EvalContext& context) {
  return context.scan->derived<GraphFacts>("risk/graph", [&] {
    GraphFacts facts;
    graph::BuildOptions options;
    options.vulns = context.scan->vulns;
    options.cloud_admin_arns = context.scan->cloud_admin_arns;
    facts.graph = graph::Graph::build(*context.objects, options);
    const graph::Graph& g = *facts.graph;
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      const graph::Vertex& x = g.vertices()[v];
      if (x.kind == graph::VertexKind::kWorkload && x.object != nullptr) facts.workloads[x.object].vertex = v;
    }
    for (uint32_t e = 0; e < g.edges().size(); ++e) {
      const graph::Edge& edge = g.edges()[e];
      const graph::Vertex& to = g.vertices()[edge.to];
      if (edge.technique == graph::Technique::kNetworkReach && edge.from == g.internet() && to.object != nullptr) {
        facts.workloads[to.object].exposure = e;
      } else if (edge.technique == graph::Technique::kVulnExploit && to.object != nullptr) {
        facts.workloads[to.object].exploit = e;
      }
    }
    // Likeliest path to any crown jewel, for every vertex: a max-product Dijkstra from the jewels
    // over reversed edges.
    std::vector<std::vector<uint32_t>> in(g.vertices().size());
    for (uint32_t e = 0; e < g.edges().size(); ++e) in[g.edges()[e].to].push_back(e);
    facts.jewel_likelihood.assign(g.vertices().size(), 0.0);
    facts.jewel_of.assign(g.vertices().size(), 0);
    // Among equally likely jewels the widest wins: cluster-admin, cloud admin, node, all secrets, a namespace's.
    auto rank = [&](uint32_t jewel) {
      const std::string& name = g.vertices()[jewel].name;
      if (name == "cluster-admin") return 5;
      if (name == "cloud admin") return 4;
      if (g.vertices()[jewel].kind == graph::VertexKind::kNode) return 3;
      if (name == "secrets (every namespace)") return 2;
      return 1;
    };
    std::priority_queue<std::tuple<double, int, uint32_t>> queue;
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      if (!g.vertices()[v].jewel) continue;
      facts.jewel_likelihood[v] = 1.0;
      facts.jewel_of[v] = v;
      queue.push({1.0, rank(v), v});
    }
    while (!queue.empty()) {
      auto [p, r, v] = queue.top();
      queue.pop();
      if (p < facts.jewel_likelihood[v] || (p == facts.jewel_likelihood[v] && r < rank(facts.jewel_of[v]))) continue;
      for (uint32_t e : in[v]) {
        const graph::Edge& edge = g.edges()[e];
        double q = p * edge.likelihood;
        double& best = facts.jewel_likelihood[edge.from];
        if (q > best || (q == best && q > 0 && r > rank(facts.jewel_of[edge.from]))) {
          best = q;
          facts.jewel_of[edge.from] = facts.jewel_of[v];
          queue.push({q, r, edge.from});
        }
      }
    }
    for (uint32_t v = 0; v < g.vertices().size(); ++v) {
      const graph::Vertex& x = g.vertices()[v];
      if (x.object == nullptr) continue;
      if (x.kind == graph::VertexKind::kWorkload || x.kind == graph::VertexKind::kPermissionSet ||
          x.kind == graph::VertexKind::kIdentity) {
        facts.vertex_of.emplace(x.object, v);
      }
    }
    return facts;
  });
}

Risk riskOf(const GraphFacts& facts, const Object& object, Severity severity) {
  static constexpr double kWeight[] = {1, 2, 4, 7, 9};  // info .. critical
  const graph::Graph& g = *facts.graph;
  double exposure = 0, exploit = 0, blast = 0;
  Risk risk;
  risk.factors = std::string(severityName(severity));
  if (auto w = facts.workloads.find(&object); w != facts.workloads.end()) {
    if (w->second.exposure >= 0) {
      exposure = g.edges()[w->second.exposure].likelihood;
      risk.factors += exposure >= 1 ? "; internet-exposed" : "; possibly internet-exposed";
    }
    if (w->second.exploit >= 0) {
      exploit = g.edges()[w->second.exploit].likelihood;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", exploit);
      risk.factors += std::string("; exploitable (") + buf + ")";
    }
  }
  if (auto v = facts.vertex_of.find(&object); v != facts.vertex_of.end() && facts.jewel_likelihood[v->second] > 0) {
    blast = facts.jewel_likelihood[v->second];
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", blast);
    risk.factors += "; reaches " + g.vertices()[facts.jewel_of[v->second]].name + " (" + buf + ")";
  }
  double raw = kWeight[static_cast<int>(severity)] * (1 + exposure) * (1 + exploit) * (1 + 2 * blast);
  risk.score = static_cast<int16_t>(std::min(100.0, std::round(100.0 * raw / 108.0)));
  return risk;
}

}  // namespace kspm::checks::risk
