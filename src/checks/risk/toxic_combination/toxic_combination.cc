// risk-toxic-combination: a workload where three risks meet and become one: the internet reaches
// it (kspm net exposure: level internet), a vulnerability report says one of its images is
// exploitable, and from it the security graph reaches a crown jewel (cluster-admin, node root,
// secrets, cloud admin) through its privileges or an escape. The finding names the likeliest such
// path, step by step.
//
// Needs vulnerability data (kspm scan --vulns): without it nothing counts as exploitable and the
// check reports nothing (not assessable, never "passed" silently: docs/graph.md says so).
#include <string>

#include "checks/common/fields.h"
#include "checks/risk/graph_facts.h"
#include "checks/risk/risk_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::risk {
namespace {

class ToxicCombinationCheck final : public Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo kInfo{
        .id = "risk-toxic-combination",
        .title = "Internet-exposed, exploitable workload whose compromise reaches a crown jewel",
        .severity = Severity::kCritical,
        .description =
            "The workload is reachable from the internet, a vulnerability report lists an exploitable "
            "vulnerability in one of its images, and the security graph leads from it to cluster-admin, node "
            "root, secrets or a cloud admin identity through its service account's permissions or a container "
            "escape. Each risk alone may be medium; together they are one attack path. Needs vulnerability "
            "reports (kspm scan --vulns).",
        .remediation =
            "Break the path at its cheapest step: patch or rebuild the image, narrow the exposure (NetworkPolicy, "
            "internal load balancer), or take the privilege away (remove the binding, drop privileged/hostPath, "
            "enforce Pod Security restricted on namespaces the service account can create pods in). "
            "`kspm paths --from pod:NS/NAME` shows every path.",
        .scope = Scope::kPodSpec,
        .reads = {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount", "Service", "Ingress", "NetworkPolicy", "Namespace"},
    };
    return kInfo;
  }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.scan->vulns == nullptr) return;
    const GraphFacts& facts = graphFacts(context);
    auto it = facts.workloads.find(&object);
    if (it == facts.workloads.end() || it->second.exposure < 0 || it->second.exploit < 0) return;
    const graph::Graph& g = *facts.graph;
    graph::PathQuery query;
    query.sources = {it->second.vertex};
    query.k = 1;
    query.max_expansions = 200'000;
    graph::PathAnswer answer = graph::findPaths(g, query);
    const graph::Path* best = nullptr;
    uint32_t target = 0;
    for (const graph::PathResult& r : answer.results) {
      if (!r.riskiest.empty() && (best == nullptr || r.riskiest[0].likelihood > best->likelihood)) {
        best = &r.riskiest[0];
        target = r.target;
      }
    }
    if (best == nullptr) return;
    const graph::Edge& exposure = g.edges()[it->second.exposure];
    const graph::Edge& exploit = g.edges()[it->second.exploit];
    std::string steps;
    for (uint32_t e : best->edges) steps += (steps.empty() ? "" : " -> ") + std::string(graph::techniqueId(g.edges()[e].technique));
    char likelihood[16];
    std::snprintf(likelihood, sizeof likelihood, "%.2f", best->likelihood * exposure.likelihood * exploit.likelihood);
    const Node* anchor = field(object.metadata(), "name");
    sink.add(anchor != nullptr ? *anchor : *object.root,
             exposure.evidence + "; exploitable: " + exploit.evidence + "; and its compromise reaches " +
                 g.vertices()[target].name + " in " + std::to_string(best->edges.size()) + " steps (" + steps +
                 "); likelihood of the whole path " + likelihood,
             "metadata.name", "metadata.name");
  }
};

}  // namespace

std::unique_ptr<Check> makeToxicCombinationCheck() { return std::make_unique<ToxicCombinationCheck>(); }

}  // namespace kspm::checks::risk
