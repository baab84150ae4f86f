#include "checks/risk/graph_facts.h"

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
    return facts;
  });
}

}  // namespace kspm::checks::risk
