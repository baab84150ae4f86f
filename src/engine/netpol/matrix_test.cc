// The compact matrix must say, for every pair of workloads and for external addresses, exactly
// what Model::reach says: checked on randomly generated clusters (fixed seeds) with every kind of
// peer, port, namespace state, hostNetwork pod and other engines' policy.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "kspm/netpol.h"
#include "test_util.h"

namespace kspm::netpol {
namespace {

std::string randomCluster(uint32_t seed, bool with_foreign) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* apps[] = {"web", "api", "db", "cache"};
  const char* teams[] = {"a", "b"};
  std::string out;
  // Namespaces n0, n1 defined with labels; n2 only referenced (its labels are unknown).
  for (int n = 0; n < 2; ++n) {
    out += "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n" + std::to_string(n) + "\n  labels: {team: " +
           teams[n] + "}\n---\n";
  }
  for (int n = 0; n < 3; ++n) {
    for (int w = 0; w < 4; ++w) {
      std::string app = apps[pick(4)];
      bool pod = pick(3) == 0;
      std::string labels = "{app: " + app + (pick(2) ? ", tier: t" + std::to_string(pick(2)) : "") + "}";
      std::string spec = std::string(pick(8) == 0 ? "      hostNetwork: true\n" : "") +
                         "      containers:\n      - name: c\n        image: x\n        ports:\n"
                         "        - {name: http, containerPort: " + std::to_string(80 + pick(2)) + "}\n"
                         "        - {name: dns, containerPort: 53, protocol: UDP}\n";
      std::string name = "w" + std::to_string(w);
      if (pod) {
        out += "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: n" + std::to_string(n) +
               "\n  labels: " + labels + "\nspec:\n";
        // Re-indent the pod spec two levels up.
        std::string s = spec;
        std::string fixed;
        size_t start = 0;
        while (start < s.size()) {
          size_t end = s.find('\n', start);
          std::string line = s.substr(start, end - start);
          fixed += line.substr(4) + "\n";
          start = end + 1;
        }
        out += fixed + "---\n";
      } else {
        out += "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  namespace: n" +
               std::to_string(n) + "\nspec:\n  template:\n    metadata:\n      labels: " + labels + "\n    spec:\n" +
               spec + "---\n";
      }
    }
  }
  auto selector = [&]() -> std::string {
    switch (pick(5)) {
      case 0: return "{}";
      case 1: return std::string("{matchLabels: {app: ") + apps[pick(4)] + "}}";
      case 2: return "{matchExpressions: [{key: tier, operator: Exists}]}";
      case 3: return std::string("{matchExpressions: [{key: app, operator: NotIn, values: [") + apps[pick(4)] + "]}]}";
      default: return "{matchLabels: {tier: t" + std::to_string(pick(2)) + "}}";
    }
  };
  auto ns_selector = [&]() -> std::string {
    switch (pick(4)) {
      case 0: return "{}";
      case 1: return std::string("{matchLabels: {team: ") + teams[pick(2)] + "}}";
      case 2: return "{matchLabels: {kubernetes.io/metadata.name: n" + std::to_string(pick(3)) + "}}";
      default: return "{matchExpressions: [{key: team, operator: DoesNotExist}]}";
    }
  };
  auto peer = [&]() -> std::string {
    switch (pick(5)) {
      case 0: return "podSelector: " + selector();
      case 1: return "namespaceSelector: " + ns_selector();
      case 2: return "namespaceSelector: " + ns_selector() + ", podSelector: " + selector();
      case 3: return "ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}";
      default: return "ipBlock: {cidr: 203.0.113.0/24}";
    }
  };
  auto ports = [&]() -> std::string {
    switch (pick(6)) {
      case 0: return "";
      case 1: return ", ports: [{port: 80}]";
      case 2: return ", ports: [{port: http}]";
      case 3: return ", ports: [{protocol: UDP, port: dns}]";
      case 4: return ", ports: [{port: 80, endPort: 90}, {protocol: SCTP}]";
      default: return ", ports: [{protocol: UDP}]";
    }
  };
  auto rules = [&](const char* direction, const char* peers_key) {
    std::string r = std::string("  ") + direction + ":\n";
    int count = pick(3);
    if (count == 0) return std::string("  ") + direction + ": []\n";
    for (int i = 0; i < count; ++i) {
      std::string ps;
      int np = pick(3);
      for (int k = 0; k < np; ++k) ps += (k ? ", " : "") + std::string("{") + peer() + "}";
      std::string body = np ? std::string(peers_key) + ": [" + ps + "]" : std::string();
      std::string port_part = ports();
      if (body.empty() && !port_part.empty()) port_part = port_part.substr(2);  // drop ", "
      r += "  - {" + body + port_part + "}\n";
    }
    return r;
  };
  for (int p = 0; p < 6; ++p) {
    int type = pick(3);
    out += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p" + std::to_string(p) +
           "\n  namespace: n" + std::to_string(pick(3)) + "\nspec:\n  podSelector: " + selector() + "\n";
    out += type == 0 ? "  policyTypes: [Ingress]\n" : type == 1 ? "  policyTypes: [Egress]\n" : "  policyTypes: [Ingress, Egress]\n";
    if (type != 1) out += rules("ingress", "from");
    if (type != 0) out += rules("egress", "to");
    out += "---\n";
  }
  if (with_foreign) {
    out += "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny, namespace: n1}\nspec: {}\n---\n";
    out += "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: n2}\nspec: {}\n";
  }
  return out;
}

void expectMatrixAgreesWithReach(const std::string& yaml) {
  ObjectSet set = testing::loadText(yaml);
  ASSERT_TRUE(set.errors().empty()) << yaml;
  std::unique_ptr<Model> model = Model::build(set);
  ASSERT_TRUE(model->problems().empty()) << model->problems()[0].message << "\n" << yaml;
  for (int threads : {1, 2}) {
    Matrix matrix = computeMatrix(*model, threads);
    std::map<std::pair<std::pair<bool, uint32_t>, std::pair<bool, uint32_t>>, const Matrix::Connectivity*> edges;
    for (const Matrix::Edge& e : matrix.edges) {
      edges[{{e.from.external, e.from.index}, {e.to.external, e.to.index}}] = &matrix.connectivities[e.connectivity];
    }
    std::vector<uint32_t> class_of(model->workloads().size(), UINT32_MAX);
    for (uint32_t c = 0; c < matrix.classes.size(); ++c) {
      for (uint32_t w : matrix.classes[c].workloads) class_of[w] = c;
    }
    auto lookup = [&](std::pair<bool, uint32_t> from, std::pair<bool, uint32_t> to) {
      auto it = edges.find({from, to});
      return it == edges.end() ? Matrix::Connectivity{} : *it->second;
    };
    for (uint32_t a = 0; a < model->workloads().size(); ++a) {
      ASSERT_NE(class_of[a], UINT32_MAX);
      for (uint32_t b = 0; b < model->workloads().size(); ++b) {
        Reach r = model->reach(Endpoint::ofWorkload(a), Endpoint::ofWorkload(b));
        if (a == b && model->workloads()[a].single_pod) continue;  // loopback: not a matrix edge
        if (class_of[a] == class_of[b] && a != b && matrix.classes[class_of[a]].workloads.size() == 1) continue;
        Matrix::Connectivity got = lookup({false, class_of[a]}, {false, class_of[b]});
        EXPECT_EQ(got.allowed, r.allowed) << model->workloads()[a].label() << " -> " << model->workloads()[b].label();
        EXPECT_EQ(got.depends, r.depends) << model->workloads()[a].label() << " -> " << model->workloads()[b].label();
        EXPECT_EQ(got.unknown, r.unknown) << model->workloads()[a].label() << " -> " << model->workloads()[b].label();
      }
      for (uint32_t e = 0; e < matrix.externals.size(); ++e) {
        const IpRange& range = matrix.externals[e].ranges().front();
        Endpoint address = Endpoint::ofExternal(IpSet::ofRange({range.family, range.lo, range.lo}), "x");
        Reach in = model->reach(address, Endpoint::ofWorkload(a));
        Reach out = model->reach(Endpoint::ofWorkload(a), address);
        Matrix::Connectivity got_in = lookup({true, e}, {false, class_of[a]});
        Matrix::Connectivity got_out = lookup({false, class_of[a]}, {true, e});
        EXPECT_EQ(got_in.allowed, in.allowed) << matrix.externals[e].toString() << " -> " << model->workloads()[a].label();
        EXPECT_EQ(got_in.unknown, in.unknown);
        EXPECT_EQ(got_out.allowed, out.allowed) << model->workloads()[a].label() << " -> " << matrix.externals[e].toString();
        EXPECT_EQ(got_out.depends, out.depends);
        EXPECT_EQ(got_out.unknown, out.unknown);
      }
    }
  }
}

TEST(NetpolMatrix, AgreesWithReachOnRandomClusters) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    expectMatrixAgreesWithReach(randomCluster(seed, false));
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(NetpolMatrix, AgreesWithReachWithOtherEngines) {
  for (uint32_t seed = 100; seed <= 110; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    expectMatrixAgreesWithReach(randomCluster(seed, true));
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(NetpolMatrix, WorkloadsNoPolicyTellsApartShareAClass) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata: {name: a, namespace: n, labels: {app: ex}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: n, labels: {app: ex}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: n, labels: {app: why}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-x, namespace: n}
spec:
  podSelector: {matchLabels: {app: why}}
  ingress: [{from: [{podSelector: {matchLabels: {app: ex}}}]}]
)");
  std::unique_ptr<Model> model = Model::build(set);
  Matrix matrix = computeMatrix(*model);
  ASSERT_EQ(matrix.classes.size(), 2u);
  EXPECT_EQ(matrix.classes[0].workloads, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(matrix.classes[1].workloads, (std::vector<uint32_t>{2}));
  // No ipBlock: the external addresses are one node per family.
  EXPECT_EQ(matrix.externals.size(), 1u);
  EXPECT_TRUE(matrix.externals[0].isAll());
}

}  // namespace
}  // namespace kspm::netpol
