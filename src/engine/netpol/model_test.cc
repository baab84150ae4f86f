// The NetworkPolicy model (kspm/netpol.h): parsing policies and the problems of invalid ones,
// effective policyTypes, workload and namespace extraction, other engines' policies and the
// explanations a reach query gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "kspm/netpol.h"
#include "test_util.h"

namespace kspm::netpol {
namespace {

/** An ObjectSet and the model built from it (the model points into the set). */
struct Built {
  std::unique_ptr<ObjectSet> set;
  std::unique_ptr<Model> model;
  const Model& operator*() const { return *model; }
  const Model* operator->() const { return model.get(); }
};

Built build(const std::string& yaml, const BuildOptions& options = {}) {
  Built b;
  b.set = std::make_unique<ObjectSet>(kspm::testing::loadText(yaml));
  b.model = Model::build(*b.set, options);
  return b;
}

/** The one workload named `name` in `ns`; fails the test (and returns 0) otherwise. */
uint32_t workload(const Model& model, std::string_view ns, std::string_view name, std::string_view kind = {}) {
  std::vector<uint32_t> found = model.findWorkloads(ns, kind, name);
  EXPECT_EQ(found.size(), 1u) << ns << "/" << kind << "/" << name;
  return found.empty() ? 0 : found[0];
}

/** Index of the policy `ns/name`, or -1. */
int policyIndex(const Model& model, std::string_view ns, std::string_view name) {
  for (size_t i = 0; i < model.policies().size(); ++i) {
    if (model.policies()[i].ns == ns && model.policies()[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Reach reachW(const Model& model, std::string_view from_ns, std::string_view from, std::string_view to_ns,
             std::string_view to) {
  return model.reach(Endpoint::ofWorkload(workload(model, from_ns, from)), Endpoint::ofWorkload(workload(model, to_ns, to)));
}

std::string deployment(std::string_view ns, std::string_view name, std::string_view labels, std::string_view ports = "") {
  std::string out = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + std::string(name) + "\n";
  if (!ns.empty()) out += "  namespace: " + std::string(ns) + "\n";
  out += "spec:\n  template:\n    metadata:\n      labels: " + std::string(labels) +
         "\n    spec:\n      containers:\n      - name: c\n        image: x\n";
  if (!ports.empty()) out += "        ports: " + std::string(ports) + "\n";
  return out + "---\n";
}

std::string nsObject(std::string_view name, std::string_view labels = "{}") {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + std::string(name) + "\n  labels: " + std::string(labels) +
         "\n---\n";
}

std::string policy(std::string_view ns, std::string_view name, std::string_view spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + std::string(name) +
         "\n  namespace: " + std::string(ns) + "\nspec:\n" + std::string(spec) + "---\n";
}

bool contains(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

// ---------------------------------------------------------------------------------------------
// Invalid policies: left out with a Problem naming the policy and the fault; the rest is used.

struct InvalidCase {
  const char* name;
  const char* spec;      // the bad policy's spec (indented two spaces)
  const char* fragment;  // in the problem message
};

const InvalidCase kInvalidCases[] = {
    {"BadCidrPrefix", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n", "invalid CIDR"},
    {"BadCidrText", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: not-a-cidr}\n", "invalid CIDR"},
    {"BareAddressIsNoCidr", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.1.2.3}\n", "invalid CIDR"},
    {"ExceptOutsideCidr",
     "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}\n",
     "not strictly inside"},
    {"ExceptEqualToCidr",
     "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}\n",
     "not strictly inside"},
    {"ExceptWiderThanCidr",
     "  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8]}\n",
     "not strictly inside"},
    {"IpBlockWithPodSelector",
     "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n",
     "ipBlock must not have selectors"},
    {"IpBlockWithNamespaceSelector",
     "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      namespaceSelector: {matchLabels: {a: b}}\n",
     "ipBlock must not have selectors"},
    {"UnknownOperator",
     "  podSelector:\n    matchExpressions:\n    - {key: app, operator: Equals, values: [web]}\n  ingress: []\n", "Equals"},
    {"InWithoutValues",
     "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: app, operator: In}\n",
     "needs values"},
    {"NotInWithEmptyValues",
     "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {key: team, operator: NotIn, values: []}\n",
     "needs values"},
    {"ExistsWithValues",
     "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: app, operator: Exists, values: [web]}\n",
     "must not have values"},
    {"EndPortWithoutPort", "  podSelector: {}\n  ingress:\n  - ports:\n    - {protocol: TCP, endPort: 90}\n", "endPort without port"},
    {"EndPortBelowPort", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 90, endPort: 80}\n", "endPort 80"},
    {"NamedPortWithEndPort", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: http, endPort: 90}\n",
     "endPort with a named port"},
    {"LowerCaseProtocol", "  podSelector: {}\n  ingress:\n  - ports:\n    - {protocol: tcp, port: 80}\n", "protocol \"tcp\""},
    {"UnknownProtocol", "  podSelector: {}\n  egress:\n  - ports:\n    - {protocol: ICMP}\n", "ICMP"},
    {"PortZero", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 0}\n", "port 0"},
    {"PortTooLarge", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 70000}\n", "70000"},
    {"PortDigitsAsString", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: \"80\"}\n", "not a valid port name"},
    {"NamedPortUpperCase", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: HTTP}\n", "not a valid port name"},
    {"NamedPortDoubleHyphen", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: web--http}\n", "not a valid port name"},
    {"NamedPortTooLong", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: abcdefghijklmnop}\n", "not a valid port name"},
    {"MatchLabelsNumber",
     "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {version: 1}}\n", "matchLabels.version"},
    {"PolicyTypeFoo", "  podSelector: {}\n  policyTypes: [Ingress, Foo]\n", "\"Foo\""},
    {"PolicyTypeLowerCase", "  podSelector: {}\n  policyTypes: [ingress]\n", "\"ingress\""},
    {"EmptyPeer", "  podSelector: {}\n  ingress:\n  - from:\n    - {}\n", "needs podSelector, namespaceSelector or ipBlock"},
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class NetpolModelInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(NetpolModelInvalid, LeftOutWithProblemAndRestStillUsed) {
  const InvalidCase& c = GetParam();
  // Line 1..: the workload; the bad policy; a valid default-deny in the same file.
  std::string yaml = deployment("shop", "web", "{app: web}", "[{name: http, containerPort: 8080}]");
  int bad_line = static_cast<int>(std::count(yaml.begin(), yaml.end(), '\n')) + 1;
  yaml += policy("shop", "bad", c.spec);
  yaml += policy("shop", "good", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
  Built b = build(yaml);

  ASSERT_EQ(b->problems().size(), 1u) << c.name;
  const Problem& p = b->problems()[0];
  ASSERT_NE(p.object, nullptr);
  EXPECT_EQ(p.object->name, "bad");
  EXPECT_EQ(p.line, static_cast<uint32_t>(bad_line));
  EXPECT_TRUE(contains(p.message, "shop/bad")) << p.message;
  EXPECT_TRUE(contains(p.message, c.fragment)) << "message: " << p.message << "\nexpected fragment: " << c.fragment;

  // Only the good policy is in the model, and it still isolates the workload both ways.
  ASSERT_EQ(b->policies().size(), 1u);
  EXPECT_EQ(b->policies()[0].name, "good");
  uint32_t web = workload(*b, "shop", "web");
  EXPECT_EQ(b->ingressPolicies(web), std::vector<uint32_t>{0});
  EXPECT_EQ(b->egressPolicies(web), std::vector<uint32_t>{0});
  Reach r = b->reach(Endpoint::ofExternal(internetAddresses(IpFamily::kV4), "internet"), Endpoint::ofWorkload(web));
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 8080), Verdict::kDenied);
}

INSTANTIATE_TEST_SUITE_P(NetpolModel, NetpolModelInvalid, ::testing::ValuesIn(kInvalidCases),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) { return std::string(info.param.name); });

TEST(NetpolModel, ValidEdgeCasesAreAccepted) {
  // What the API server accepts must not be reported: endPort == port, a port name, SCTP, an
  // except strictly inside, IPv6, a CIDR with host bits set, empty selectors.
  std::string yaml = deployment("shop", "web", "{app: web}");
  yaml += policy("shop", "ok",
                 "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.0/24]}\n"
                 "    - ipBlock: {cidr: 2001:db8::/32}\n    - ipBlock: {cidr: 192.168.1.7/24}\n"
                 "    - namespaceSelector: {}\n      podSelector: {}\n"
                 "    - podSelector:\n        matchExpressions:\n        - {key: app, operator: NotIn, values: [db]}\n"
                 "        - {key: tier, operator: DoesNotExist}\n"
                 "    ports:\n    - {port: 80, endPort: 80}\n    - {port: http}\n    - {protocol: SCTP, port: 9000, endPort: 9010}\n"
                 "    - {protocol: UDP}\n");
  Built b = build(yaml);
  EXPECT_TRUE(b->problems().empty()) << b->problems()[0].message;
  ASSERT_EQ(b->policies().size(), 1u);
  const Policy& p = b->policies()[0];
  ASSERT_EQ(p.ingress.size(), 1u);
  const PolicyRule& rule = p.ingress[0];
  EXPECT_FALSE(rule.all_peers);
  EXPECT_FALSE(rule.all_ports);
  ASSERT_EQ(rule.peers.size(), 5u);
  EXPECT_EQ(rule.peers[0].kind, PolicyPeer::Kind::kIpBlock);
  std::string error;
  EXPECT_EQ(rule.peers[0].block, IpSet::parseCidr("10.0.0.0/8", &error)
                                     ->minus(*IpSet::parseCidr("10.1.0.0/16", &error))
                                     .minus(*IpSet::parseCidr("10.2.3.0/24", &error)));
  EXPECT_TRUE(contains(rule.peers[0].description, "10.0.0.0/8")) << rule.peers[0].description;
  EXPECT_TRUE(contains(rule.peers[0].description, "except")) << rule.peers[0].description;
  EXPECT_EQ(rule.peers[2].block.toString(), "192.168.1.0/24");  // host bits: the block
  EXPECT_TRUE(rule.peers[3].namespace_selector.has_value());
  EXPECT_TRUE(rule.peers[3].namespace_selector->matchesAll());
  EXPECT_EQ(rule.peers[3].description, "namespaceSelector {} podSelector {}");
  EXPECT_EQ(rule.peers[4].description, "podSelector {app notin (db),!tier}");
  EXPECT_FALSE(rule.peers[4].namespace_selector.has_value());
  ASSERT_TRUE(rule.peers[4].pod_selector.has_value());
  EXPECT_EQ(rule.peers[4].pod_selector->requirements.size(), 2u);
  ASSERT_EQ(rule.ports.size(), 4u);
  EXPECT_EQ(rule.ports[0].port, 80);
  EXPECT_EQ(rule.ports[0].end_port, 80);
  EXPECT_FALSE(rule.ports[0].any_port);
  EXPECT_EQ(rule.ports[1].name, "http");
  EXPECT_EQ(rule.ports[2].protocol, Protocol::kSCTP);
  EXPECT_EQ(rule.ports[2].end_port, 9010);
  EXPECT_EQ(rule.ports[3].protocol, Protocol::kUDP);
  EXPECT_TRUE(rule.ports[3].any_port);
}

TEST(NetpolModel, SeveralInvalidPoliciesEachReported) {
  std::string yaml = deployment("shop", "web", "{app: web}");
  yaml += policy("shop", "bad1", "  podSelector: {}\n  ingress:\n  - ports:\n    - {port: 0}\n");
  yaml += policy("shop", "allow-web", "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web}}\n");
  yaml += policy("other", "bad2", "  podSelector: {}\n  policyTypes: [Foo]\n");
  Built b = build(yaml);
  ASSERT_EQ(b->problems().size(), 2u);
  EXPECT_TRUE(contains(b->problems()[0].message, "shop/bad1"));
  EXPECT_TRUE(contains(b->problems()[1].message, "other/bad2"));
  ASSERT_EQ(b->policies().size(), 1u);
  uint32_t web = workload(*b, "shop", "web");
  EXPECT_EQ(b->reach(Endpoint::ofWorkload(web), Endpoint::ofWorkload(web)).verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
}

// ---------------------------------------------------------------------------------------------
// Effective policyTypes.

TEST(NetpolModel, PolicyTypesDefaulting) {
  std::string yaml = deployment("shop", "web", "{app: web}");
  yaml += policy("shop", "no-types", "  podSelector: {}\n  ingress:\n  - {}\n");
  yaml += policy("shop", "no-types-egress-rules", "  podSelector: {}\n  egress:\n  - {}\n");
  yaml += policy("shop", "no-types-empty-egress", "  podSelector: {}\n  egress: []\n");
  yaml += policy("shop", "empty-types", "  podSelector: {}\n  policyTypes: []\n  egress:\n  - ports: [{port: 53, protocol: UDP}]\n");
  yaml += policy("shop", "egress-only", "  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}\n");
  yaml += policy("shop", "both", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
  yaml += policy("shop", "no-spec-rules", "  podSelector: {matchLabels: {app: web}}\n");
  Built b = build(yaml);
  ASSERT_TRUE(b->problems().empty());
  struct Want {
    const char* name;
    bool ingress, egress;
  } wants[] = {
      {"no-types", true, false},       {"no-types-egress-rules", true, true}, {"no-types-empty-egress", true, false},
      {"empty-types", true, true},     {"egress-only", false, true},          {"both", true, true},
      {"no-spec-rules", true, false},
  };
  for (const Want& w : wants) {
    int i = policyIndex(*b, "shop", w.name);
    ASSERT_GE(i, 0) << w.name;
    EXPECT_EQ(b->policies()[i].isolates_ingress, w.ingress) << w.name;
    EXPECT_EQ(b->policies()[i].isolates_egress, w.egress) << w.name;
  }
  // The egress-only policy's ingress rule admits nothing: it does not isolate ingress, so it is
  // not among the workload's ingress policies.
  uint32_t web = workload(*b, "shop", "web");
  std::vector<uint32_t> ingress = b->ingressPolicies(web);
  EXPECT_EQ(std::count(ingress.begin(), ingress.end(), static_cast<uint32_t>(policyIndex(*b, "shop", "egress-only"))), 0);
  std::vector<uint32_t> egress = b->egressPolicies(web);
  EXPECT_EQ(std::count(egress.begin(), egress.end(), static_cast<uint32_t>(policyIndex(*b, "shop", "egress-only"))), 1);
  EXPECT_EQ(std::count(egress.begin(), egress.end(), static_cast<uint32_t>(policyIndex(*b, "shop", "no-types"))), 0);
  EXPECT_EQ(ingress.size(), 6u);
  EXPECT_EQ(egress.size(), 4u);
}

TEST(NetpolModel, EgressOnlyPolicyLeavesIngressOpen) {
  std::string yaml = deployment("shop", "web", "{app: web}") + deployment("shop", "api", "{app: api}");
  yaml += policy("shop", "egress-deny", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n");
  Built b = build(yaml);
  EXPECT_EQ(reachW(*b, "shop", "api", "shop", "web").verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
  EXPECT_EQ(reachW(*b, "shop", "web", "shop", "api").verdictFor(Protocol::kTCP, 80), Verdict::kDenied);
}

// ---------------------------------------------------------------------------------------------
// Workloads.

TEST(NetpolModel, WorkloadKindsAndTemplateLabels) {
  std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: dep, namespace: w, labels: {owner-label: dep}}
spec:
  template:
    metadata: {labels: {app: dep}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts, namespace: w}
spec:
  template:
    metadata: {labels: {app: sts}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds, namespace: w}
spec:
  template:
    metadata: {labels: {app: ds}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job, namespace: w}
spec:
  template:
    metadata: {labels: {app: job}}
    spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, namespace: w, labels: {app: wrong}}
spec:
  schedule: "* * * * *"
  jobTemplate:
    metadata: {labels: {app: also-wrong}}
    spec:
      template:
        metadata: {labels: {app: cron}}
        spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod, namespace: w, labels: {app: pod}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: w}
spec:
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc, namespace: w}
spec:
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ro, namespace: w}
spec:
  template:
    metadata: {labels: {app: ro}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl, namespace: w}
template:
  metadata: {labels: {app: tmpl}}
  spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: w}
data: {a: b}
)";
  Built b = build(yaml);
  struct Want {
    const char* kind;
    const char* name;
    const char* app;
    bool single_pod;
  } wants[] = {
      {"Deployment", "dep", "dep", false}, {"StatefulSet", "sts", "sts", false}, {"DaemonSet", "ds", "ds", false},
      {"Job", "job", "job", false},        {"CronJob", "cron", "cron", false},   {"Pod", "pod", "pod", true},
      {"ReplicaSet", "rs", "rs", false},  {"ReplicationController", "rc", "rc", false}, {"Rollout", "ro", "ro", false},
  };
  EXPECT_EQ(b->workloads().size(), std::size(wants));
  for (const Want& w : wants) {
    std::vector<uint32_t> found = b->findWorkloads("w", w.kind, w.name);
    ASSERT_EQ(found.size(), 1u) << w.kind << "/" << w.name;
    const WorkloadInfo& info = b->workloads()[found[0]];
    EXPECT_EQ(info.kind, w.kind);
    EXPECT_EQ(info.ns, "w");
    ASSERT_EQ(info.labels.size(), 1u) << w.name;
    EXPECT_EQ(info.labels[0].first, "app");
    EXPECT_EQ(info.labels[0].second, w.app) << w.name;
    EXPECT_EQ(info.single_pod, w.single_pod) << w.name;
    EXPECT_EQ(info.label(), std::string("w/") + w.kind + "/" + w.name);
    ASSERT_NE(info.object, nullptr);
    EXPECT_EQ(info.object->name, w.name);
  }
  EXPECT_TRUE(b->findWorkloads("w", "", "tmpl").empty()) << "a PodTemplate runs nothing";
  EXPECT_TRUE(b->findWorkloads("w", "", "cm").empty());
}

TEST(NetpolModel, ContainerPortsNamedUdpHostPortAndHostNetwork) {
  std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: w}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: x
        ports:
        - {name: http, containerPort: 8080}
        - {name: dns, containerPort: 53, protocol: UDP}
        - {containerPort: 9000, protocol: SCTP}
        - {name: metrics, containerPort: 9090, hostPort: 19090}
      - name: second
        image: x
        ports: [{name: admin, containerPort: 8081, protocol: TCP}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: w, labels: {app: agent}}
spec:
  hostNetwork: true
  containers:
  - name: c
    image: x
    ports: [{name: scrape, containerPort: 9100}]
)";
  Built b = build(yaml);
  const WorkloadInfo& web = b->workloads()[workload(*b, "w", "web")];
  EXPECT_FALSE(web.host_network);
  ASSERT_EQ(web.ports.size(), 5u);
  EXPECT_EQ(web.ports[0].name, "http");
  EXPECT_EQ(web.ports[0].port, 8080);
  EXPECT_EQ(web.ports[0].protocol, Protocol::kTCP);
  EXPECT_EQ(web.ports[0].host_port, 0);
  EXPECT_EQ(web.ports[1].name, "dns");
  EXPECT_EQ(web.ports[1].port, 53);
  EXPECT_EQ(web.ports[1].protocol, Protocol::kUDP);
  EXPECT_EQ(web.ports[2].name, "");
  EXPECT_EQ(web.ports[2].protocol, Protocol::kSCTP);
  EXPECT_EQ(web.ports[3].host_port, 19090);
  EXPECT_EQ(web.ports[4].name, "admin");
  EXPECT_EQ(web.ports[4].port, 8081);

  const WorkloadInfo& agent = b->workloads()[workload(*b, "w", "agent")];
  EXPECT_TRUE(agent.host_network);
  EXPECT_TRUE(agent.single_pod);
  ASSERT_EQ(agent.ports.size(), 1u);
  EXPECT_EQ(agent.ports[0].port, 9100);
  EXPECT_EQ(agent.ports[0].host_port, 9100) << "hostNetwork: the container port is on the node";
}

TEST(NetpolModel, NamedPortResolvesOnUdpOnlyWithMatchingProtocol) {
  std::string yaml = deployment("w", "dns", "{app: dns}", "[{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]");
  yaml += deployment("w", "client", "{app: client}");
  yaml += policy("w", "dns-udp", "  podSelector: {matchLabels: {app: dns}}\n  ingress:\n  - ports:\n    - {port: dns, protocol: UDP}\n");
  yaml += policy("w", "dns-wrong-protocol", "  podSelector: {matchLabels: {app: dns}}\n  ingress:\n  - ports:\n    - {port: dns}\n");
  Built b = build(yaml);
  Reach r = reachW(*b, "w", "client", "w", "dns");
  EXPECT_EQ(r.verdictFor(Protocol::kUDP, 53), Verdict::kAllowed);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 53), Verdict::kDenied) << "port name dns is UDP; TCP dns resolves to nothing";
  EXPECT_EQ(r.allowed.toString(), "UDP 53");
}

TEST(NetpolModel, EgressNamedPortResolvesOnTheDestination) {
  std::string yaml = deployment("w", "web", "{app: web}", "[{name: pg, containerPort: 1111}]");
  yaml += deployment("w", "db", "{app: db}", "[{name: pg, containerPort: 5432}]");
  yaml += deployment("w", "cache", "{app: cache}", "[{name: redis, containerPort: 6379}]");
  yaml += policy("w", "web-out", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: pg}]\n");
  Built b = build(yaml);
  Reach db = reachW(*b, "w", "web", "w", "db");
  EXPECT_EQ(db.allowed.toString(), "TCP 5432") << "the name resolves on the destination, not on the source";
  ASSERT_EQ(db.egress.effects.size(), 1u);
  EXPECT_EQ(db.egress.effects[0].connections.toString(), "TCP 5432");
  Reach cache = reachW(*b, "w", "web", "w", "cache");
  EXPECT_TRUE(cache.allowed.empty()) << cache.allowed.toString();
  EXPECT_EQ(cache.verdictFor(Protocol::kTCP, 6379), Verdict::kDenied);
  std::string error;
  Reach out = b->reach(Endpoint::ofWorkload(workload(*b, "w", "web")),
                       Endpoint::ofExternal(*IpSet::parseAddress("8.8.8.8", &error), "8.8.8.8"));
  EXPECT_TRUE(out.allowed.empty()) << "a named port matches nothing outside the cluster: " << out.allowed.toString();
}

TEST(NetpolModel, MatchExpressionsOnReferencedNamespace) {
  std::string yaml = deployment("ref", "client", "{app: client}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-in",
                 "  podSelector: {}\n  ingress:\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions: [{key: team, operator: NotIn, values: [b]}]\n    ports: [{port: 1}]\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]\n    ports: [{port: 2}]\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [x, z]}]\n    ports: [{port: 3}]\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions: [{key: team, operator: DoesNotExist}]\n    ports: [{port: 4}]\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions: [{key: kubernetes.io/metadata.name, operator: Exists}]\n    ports: [{port: 5}]\n"
                 "  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {key: kubernetes.io/metadata.name, operator: In, values: [x]}\n"
                 "        - {key: team, operator: Exists}\n    ports: [{port: 6}]\n");
  Built b = build(yaml);
  ASSERT_TRUE(b->problems().empty()) << b->problems()[0].message;
  Reach r = reachW(*b, "ref", "client", "app", "db");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 1), Verdict::kUnknown) << "team may be b";
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 2), Verdict::kAllowed);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 3), Verdict::kDenied);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 4), Verdict::kUnknown);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5), Verdict::kAllowed);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 6), Verdict::kDenied) << "the name fails: no need to know team";
}

TEST(NetpolModel, InitContainerPortsOnlyFromRestartableSidecars) {
  // A sidecar (an init container with restartPolicy Always) runs beside the app and serves its
  // ports; a plain init container has exited before the app starts, so nothing listens on its
  // ports and a named port must not resolve to it (as kube-proxy's FindPort does).
  std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: w}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - name: proxy
        image: x
        restartPolicy: Always
        ports: [{name: proxy, containerPort: 15001}]
      - name: migrate
        image: x
        ports: [{name: migrate, containerPort: 7000}]
      containers:
      - name: main
        image: x
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: w}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named, namespace: w}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: proxy}, {port: migrate}, {port: http}]
)";
  Built b = build(yaml);
  const WorkloadInfo& web = b->workloads()[workload(*b, "w", "web")];
  auto has = [&](uint16_t port) {
    return std::any_of(web.ports.begin(), web.ports.end(), [&](const ContainerPort& cp) { return cp.port == port; });
  };
  EXPECT_TRUE(has(8080));
  EXPECT_TRUE(has(15001)) << "a restartable sidecar serves its ports";
  EXPECT_FALSE(has(7000)) << "a plain init container does not serve ports while the pod runs";
  Reach r = reachW(*b, "w", "client", "w", "web");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 15001), Verdict::kAllowed);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 8080), Verdict::kAllowed);
  EXPECT_EQ(r.allowed.toString(), "TCP 8080,15001");
}

// ---------------------------------------------------------------------------------------------
// Namespaces.

TEST(NetpolModel, NamespacesDefinedReferencedAndUnspecified) {
  std::string yaml = nsObject("prod", "{team: a, kubernetes.io/metadata.name: spoofed}");
  yaml += nsObject("empty-ns");
  yaml += deployment("prod", "web", "{app: web}");
  yaml += deployment("ref", "api", "{app: api}");
  yaml += deployment("", "loose", "{app: loose}");
  yaml += policy("polns", "p", "  podSelector: {}\n");
  Built b = build(yaml);

  const NamespaceInfo* prod = b->namespaceInfo("prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_TRUE(prod->labels_known);
  ASSERT_NE(prod->object, nullptr);
  EXPECT_EQ(prod->object->kind, "Namespace");
  Labels want_prod = {{"kubernetes.io/metadata.name", "prod"}, {"team", "a"}};
  EXPECT_EQ(prod->labels, want_prod) << "kspm sets kubernetes.io/metadata.name to the name, as the API server does";

  const NamespaceInfo* empty = b->namespaceInfo("empty-ns");
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->labels_known);
  Labels want_empty = {{"kubernetes.io/metadata.name", "empty-ns"}};
  EXPECT_EQ(empty->labels, want_empty);

  const NamespaceInfo* ref = b->namespaceInfo("ref");
  ASSERT_NE(ref, nullptr);
  EXPECT_FALSE(ref->labels_known);
  EXPECT_EQ(ref->object, nullptr);
  Labels want_ref = {{"kubernetes.io/metadata.name", "ref"}};
  EXPECT_EQ(ref->labels, want_ref);

  const NamespaceInfo* polns = b->namespaceInfo("polns");
  ASSERT_NE(polns, nullptr) << "a namespace only a NetworkPolicy lives in is referenced too";
  EXPECT_FALSE(polns->labels_known);

  const NamespaceInfo* unspecified = b->namespaceInfo("");
  ASSERT_NE(unspecified, nullptr);
  EXPECT_FALSE(unspecified->labels_known);
  EXPECT_TRUE(unspecified->labels.empty()) << "the unspecified namespace has no known label";
  EXPECT_EQ(b->workloads()[workload(*b, "", "loose")].label(), "Deployment/loose");

  EXPECT_EQ(b->namespaceInfo("never-seen"), nullptr);
  std::vector<std::string> names;
  for (const NamespaceInfo& n : b->namespaces()) names.emplace_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"", "empty-ns", "polns", "prod", "ref"}));
}

TEST(NetpolModel, NamespaceSelectorOnDefinedReferencedAndUnspecified) {
  std::string yaml = nsObject("prod", "{team: a}") + nsObject("dev", "{team: b}");
  yaml += deployment("prod", "p", "{app: c}") + deployment("dev", "d", "{app: c}") + deployment("ref", "r", "{app: c}") +
          deployment("", "u", "{app: c}");
  yaml += deployment("db", "db", "{app: db}");
  yaml += policy("db", "team-a", "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n");
  yaml += policy("db", "by-name",
                 "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ref}}\n"
                 "    ports: [{port: 81}]\n");
  Built b = build(yaml);
  auto verdict = [&](std::string_view ns, std::string_view name, uint16_t port) {
    return reachW(*b, ns, name, "db", "db").verdictFor(Protocol::kTCP, port);
  };
  EXPECT_EQ(verdict("prod", "p", 80), Verdict::kAllowed);
  EXPECT_EQ(verdict("dev", "d", 80), Verdict::kDenied);
  EXPECT_EQ(verdict("ref", "r", 80), Verdict::kUnknown) << "labels of an undefined namespace are unknown";
  EXPECT_EQ(verdict("ref", "r", 81), Verdict::kAllowed) << "its metadata.name label is known";
  EXPECT_EQ(verdict("prod", "p", 81), Verdict::kAllowed);
  EXPECT_EQ(verdict("dev", "d", 81), Verdict::kDenied);
  EXPECT_EQ(verdict("", "u", 80), Verdict::kUnknown) << "the unspecified namespace could be any namespace";
  EXPECT_EQ(verdict("", "u", 81), Verdict::kUnknown);
}

TEST(NetpolModel, FindWorkloadsKindCaseInsensitive) {
  std::string yaml = deployment("w", "web", "{app: web}");
  yaml += "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: w}\nspec: {containers: [{name: c, image: x}]}\n---\n";
  yaml += deployment("v", "web", "{app: web}");
  Built b = build(yaml);
  EXPECT_EQ(b->findWorkloads("w", "", "web").size(), 2u);
  ASSERT_EQ(b->findWorkloads("w", "deployment", "web").size(), 1u);
  EXPECT_EQ(b->workloads()[b->findWorkloads("w", "deployment", "web")[0]].kind, "Deployment");
  EXPECT_EQ(b->findWorkloads("w", "DEPLOYMENT", "web"), b->findWorkloads("w", "Deployment", "web"));
  ASSERT_EQ(b->findWorkloads("w", "pod", "web").size(), 1u);
  EXPECT_EQ(b->workloads()[b->findWorkloads("w", "pod", "web")[0]].kind, "Pod");
  EXPECT_TRUE(b->findWorkloads("w", "StatefulSet", "web").empty());
  EXPECT_TRUE(b->findWorkloads("w", "", "Web").empty()) << "names are case-sensitive";
  EXPECT_TRUE(b->findWorkloads("x", "", "web").empty());
  EXPECT_EQ(b->findWorkloads("v", "", "web").size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Other engines' policies.

std::string foreign(std::string_view api_version, std::string_view kind, std::string_view name, std::string_view ns) {
  std::string out = "apiVersion: " + std::string(api_version) + "\nkind: " + std::string(kind) + "\nmetadata:\n  name: " +
                    std::string(name) + "\n";
  if (!ns.empty()) out += "  namespace: " + std::string(ns) + "\n";
  return out + "spec: {}\n---\n";
}

TEST(NetpolModel, ForeignPolicyKinds) {
  std::string yaml = deployment("app", "web", "{app: web}");
  yaml += foreign("crd.projectcalico.org/v1", "NetworkPolicy", "calico", "app");
  yaml += foreign("projectcalico.org/v3", "GlobalNetworkPolicy", "calico-global", "");
  yaml += foreign("cilium.io/v2", "CiliumNetworkPolicy", "cilium", "app");
  yaml += foreign("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "cilium-cw", "");
  yaml += foreign("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "anp", "");
  yaml += foreign("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", "default", "");
  yaml += foreign("crd.antrea.io/v1beta1", "NetworkPolicy", "antrea", "app");
  yaml += foreign("crd.antrea.io/v1beta1", "ClusterNetworkPolicy", "antrea-cw", "");
  yaml += foreign("security.istio.io/v1", "AuthorizationPolicy", "istio", "app");
  yaml += foreign("security.istio.io/v1", "AuthorizationPolicy", "mesh", "istio-system");
  // Not policies of another engine:
  yaml += foreign("example.com/v1", "NetworkPolicy", "lookalike", "app");
  yaml += foreign("security.istio.io/v1", "PeerAuthentication", "mtls", "app");
  yaml += foreign("v1", "ConfigMap", "cm", "app");
  Built b = build(yaml);
  EXPECT_TRUE(b->policies().empty()) << "none of these is a networking.k8s.io NetworkPolicy";
  struct Want {
    const char* name;
    const char* kind;
    bool cluster_wide;
    bool may_allow;
  } wants[] = {
      {"calico", "NetworkPolicy", false, true},
      {"calico-global", "GlobalNetworkPolicy", true, true},
      {"cilium", "CiliumNetworkPolicy", false, true},
      {"cilium-cw", "CiliumClusterwideNetworkPolicy", true, true},
      {"anp", "AdminNetworkPolicy", true, true},
      {"default", "BaselineAdminNetworkPolicy", true, true},
      {"antrea", "NetworkPolicy", false, true},
      {"antrea-cw", "ClusterNetworkPolicy", true, true},
      {"istio", "AuthorizationPolicy", false, false},
      {"mesh", "AuthorizationPolicy", true, false},
  };
  ASSERT_EQ(b->foreignPolicies().size(), std::size(wants));
  for (const Want& w : wants) {
    auto it = std::find_if(b->foreignPolicies().begin(), b->foreignPolicies().end(),
                           [&](const ForeignPolicy& f) { return f.object->name == w.name; });
    ASSERT_NE(it, b->foreignPolicies().end()) << w.name;
    EXPECT_EQ(it->kind, w.kind) << w.name;
    EXPECT_EQ(it->cluster_wide, w.cluster_wide) << w.name;
    EXPECT_EQ(it->may_allow, w.may_allow) << w.name;
    if (w.cluster_wide) EXPECT_EQ(it->ns, "") << w.name;
  }
  auto mesh = std::find_if(b->foreignPolicies().begin(), b->foreignPolicies().end(),
                           [](const ForeignPolicy& f) { return f.object->name == "mesh"; });
  EXPECT_EQ(mesh->label(), "AuthorizationPolicy mesh") << "Istio's root namespace policy is mesh-wide";
  // Cluster-wide ones apply to every namespace, namespaced ones to theirs.
  EXPECT_EQ(b->foreignPoliciesFor("app").size(), 10u);
  EXPECT_EQ(b->foreignPoliciesFor("elsewhere").size(), 6u);
}

TEST(NetpolModel, IstioOnlyNarrows) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}") +
                     deployment("app", "api", "{app: api}");
  yaml += policy("app", "db-deny", "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n");
  yaml += foreign("security.istio.io/v1", "AuthorizationPolicy", "authz", "app");
  Built b = build(yaml);
  Reach denied = reachW(*b, "app", "web", "app", "db");
  EXPECT_EQ(denied.verdictFor(Protocol::kTCP, 80), Verdict::kDenied) << "Istio cannot allow what NetworkPolicy denies";
  EXPECT_TRUE(denied.allowed.empty());
  EXPECT_TRUE(denied.unknown.empty());
  Reach open = reachW(*b, "app", "web", "app", "api");
  EXPECT_EQ(open.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown) << "Istio may deny what NetworkPolicy allows";
  EXPECT_TRUE(open.allowed.empty());
  EXPECT_TRUE(open.unknown.isAll());
  ASSERT_EQ(open.foreign.size(), 1u);
  EXPECT_EQ(open.foreign[0]->object->name, "authz");
  EXPECT_FALSE(open.notes.empty());
}

TEST(NetpolModel, IstioAppliesAtTheServerOnly) {
  // An AuthorizationPolicy in the client's namespace does not judge traffic to another namespace.
  std::string yaml = deployment("client-ns", "client", "{app: client}") + deployment("server-ns", "server", "{app: server}");
  yaml += foreign("security.istio.io/v1", "AuthorizationPolicy", "authz", "client-ns");
  Built b = build(yaml);
  Reach r = reachW(*b, "client-ns", "client", "server-ns", "server");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
  EXPECT_TRUE(r.foreign.empty());
  Reach back = reachW(*b, "server-ns", "server", "client-ns", "client");
  EXPECT_EQ(back.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown);
}

TEST(NetpolModel, IstioInRootNamespaceIsMeshWide) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-deny", "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n");
  yaml += foreign("security.istio.io/v1beta1", "AuthorizationPolicy", "global", "istio-system");
  Built b = build(yaml);
  ASSERT_EQ(b->foreignPoliciesFor("app").size(), 1u);
  EXPECT_EQ(reachW(*b, "app", "db", "app", "web").verdictFor(Protocol::kTCP, 80), Verdict::kUnknown);
  EXPECT_EQ(reachW(*b, "app", "web", "app", "db").verdictFor(Protocol::kTCP, 80), Verdict::kDenied);
}

TEST(NetpolModel, CalicoMakesAllowedAndDeniedUnknown) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += deployment("other", "x", "{app: x}");
  yaml += policy("app", "db-deny", "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n");
  yaml += foreign("crd.projectcalico.org/v1", "NetworkPolicy", "calico", "app");
  Built b = build(yaml);
  Reach denied = reachW(*b, "app", "web", "app", "db");
  EXPECT_EQ(denied.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown) << "Calico may allow what NetworkPolicy denies";
  Reach allowed = reachW(*b, "app", "db", "app", "web");
  EXPECT_EQ(allowed.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown);
  ASSERT_EQ(allowed.foreign.size(), 1u);
  // A Calico policy at the source applies to its egress.
  Reach out = reachW(*b, "app", "web", "other", "x");
  EXPECT_EQ(out.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown);
  Reach in_other = reachW(*b, "other", "x", "other", "x");
  EXPECT_EQ(in_other.verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
}

TEST(NetpolModel, ForeignPolicyInAnotherNamespaceChangesNothing) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-deny", "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n");
  yaml += foreign("crd.projectcalico.org/v1", "NetworkPolicy", "calico", "elsewhere");
  yaml += foreign("cilium.io/v2", "CiliumNetworkPolicy", "cilium", "elsewhere");
  yaml += foreign("security.istio.io/v1", "AuthorizationPolicy", "istio", "elsewhere");
  Built b = build(yaml);
  EXPECT_EQ(b->foreignPolicies().size(), 3u);
  EXPECT_TRUE(b->foreignPoliciesFor("app").empty());
  Reach denied = reachW(*b, "app", "web", "app", "db");
  EXPECT_EQ(denied.verdictFor(Protocol::kTCP, 80), Verdict::kDenied);
  EXPECT_TRUE(denied.foreign.empty());
  Reach allowed = reachW(*b, "app", "db", "app", "web");
  EXPECT_EQ(allowed.verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
  EXPECT_TRUE(allowed.allowed.isAll());
}

// ---------------------------------------------------------------------------------------------
// Reach explanations.

TEST(NetpolModel, ReachExplainsRulesAndSelectingPolicies) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}", "[{name: pg, containerPort: 5432}]");
  yaml += policy("app", "unrelated", "  podSelector: {matchLabels: {app: web}}\n  ingress: []\n");
  yaml += policy("app", "db-in",
                 "  podSelector: {matchLabels: {app: db}}\n  ingress:\n"
                 "  - from:\n    - podSelector: {matchLabels: {app: other}}\n"
                 "  - from:\n    - podSelector: {matchLabels: {app: web}}\n    ports: [{port: pg}, {port: 9187}]\n");
  yaml += policy("app", "db-deny", "  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n");
  Built b = build(yaml);
  int db_in = policyIndex(*b, "app", "db-in");
  int db_deny = policyIndex(*b, "app", "db-deny");
  Reach r = reachW(*b, "app", "web", "app", "db");

  EXPECT_TRUE(r.egress.judged);
  EXPECT_FALSE(r.egress.isolated);
  EXPECT_TRUE(r.egress.selecting.empty());
  EXPECT_TRUE(r.egress.allowed.isAll());
  ASSERT_FALSE(r.egress.notes.empty());
  EXPECT_TRUE(contains(r.egress.notes[0], "no NetworkPolicy selects it for egress")) << r.egress.notes[0];

  EXPECT_TRUE(r.ingress.judged);
  EXPECT_TRUE(r.ingress.isolated);
  std::vector<uint32_t> selecting = r.ingress.selecting;
  std::sort(selecting.begin(), selecting.end());
  std::vector<uint32_t> want = {static_cast<uint32_t>(db_in), static_cast<uint32_t>(db_deny)};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(selecting, want);
  ASSERT_EQ(r.ingress.effects.size(), 1u) << "only rule 1 of db-in admits web";
  const RuleEffect& e = r.ingress.effects[0];
  EXPECT_EQ(e.policy, static_cast<uint32_t>(db_in));
  EXPECT_EQ(e.rule, 1u);
  EXPECT_EQ(e.effect, Verdict::kAllowed);
  EXPECT_EQ(e.connections.toString(), "TCP 5432,9187");
  EXPECT_TRUE(e.reason.empty());
  EXPECT_EQ(r.allowed.toString(), "TCP 5432,9187");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5432), Verdict::kAllowed);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5433), Verdict::kDenied);
  EXPECT_EQ(r.verdictFor(Protocol::kUDP, 5432), Verdict::kDenied);
  EXPECT_TRUE(r.depends.empty());
  EXPECT_TRUE(r.unknown.empty());
}

TEST(NetpolModel, PortRangesSctpAndEgressToAddresses) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-in",
                 "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - ports:\n    - {port: 8000, endPort: 8080}\n"
                 "    - {protocol: SCTP, port: 9000}\n");
  yaml += policy("app", "web-out",
                 "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n"
                 "  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10]}\n"
                 "    ports: [{port: 443}]\n  - to:\n    - podSelector: {matchLabels: {app: db}}\n");
  Built b = build(yaml);
  Reach r = reachW(*b, "app", "web", "app", "db");
  EXPECT_EQ(r.allowed.toString(), "TCP 8000-8080; SCTP 9000");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 7999), Verdict::kDenied);
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 8080), Verdict::kAllowed);
  uint32_t web = workload(*b, "app", "web");
  std::string error;
  Reach out = b->reach(Endpoint::ofWorkload(web), Endpoint::ofExternal(*IpSet::parseAddress("8.8.8.8", &error), "8.8.8.8"));
  EXPECT_EQ(out.allowed.toString(), "TCP 443");
  EXPECT_FALSE(out.ingress.judged);
  Reach lan = b->reach(Endpoint::ofWorkload(web), Endpoint::ofExternal(*IpSet::parseCidr("10.0.0.0/24", &error), "lan"));
  EXPECT_EQ(lan.verdictFor(Protocol::kTCP, 443), Verdict::kDenied);
  // A range wholly inside the block is allowed; one partly inside is neither allowed nor denied.
  Reach mixed = b->reach(Endpoint::ofWorkload(web), Endpoint::ofExternal(*IpSet::parseCidr("8.0.0.0/7", &error), "public"));
  EXPECT_EQ(mixed.verdictFor(Protocol::kTCP, 443), Verdict::kAllowed) << "8.0.0.0/7 is all public";
  Reach straddle = b->reach(Endpoint::ofWorkload(web), Endpoint::ofExternal(*IpSet::parseCidr("0.0.0.0/1", &error), "half"));
  EXPECT_NE(straddle.verdictFor(Protocol::kTCP, 443), Verdict::kAllowed) << "0.0.0.0/1 holds 10/8";
  EXPECT_NE(straddle.verdictFor(Protocol::kTCP, 443), Verdict::kDenied);
}

TEST(NetpolModel, ReachExplainsDependsForIpBlockOnPodAddresses) {
  std::string yaml = deployment("app", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-in", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n    ports: [{port: 5432}]\n");
  {
    Built b = build(yaml);
    Reach r = reachW(*b, "app", "web", "app", "db");
    EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5432), Verdict::kDepends);
    EXPECT_EQ(r.verdictFor(Protocol::kTCP, 80), Verdict::kDenied);
    ASSERT_EQ(r.ingress.effects.size(), 1u);
    const RuleEffect& e = r.ingress.effects[0];
    EXPECT_EQ(e.rule, 0u);
    EXPECT_EQ(e.effect, Verdict::kDepends);
    EXPECT_EQ(e.connections.toString(), "TCP 5432");
    EXPECT_TRUE(contains(e.reason, "ipBlock 10.0.0.0/8")) << e.reason;
    EXPECT_TRUE(contains(e.reason, "network plugin")) << e.reason;
    EXPECT_EQ(r.ingress.depends.toString(), "TCP 5432");
    // From outside: 10.1.2.3 is inside the block, 8.8.8.8 not.
    std::string error;
    Reach inside = b->reach(Endpoint::ofExternal(*IpSet::parseAddress("10.1.2.3", &error), "10.1.2.3"),
                            Endpoint::ofWorkload(workload(*b, "app", "db")));
    EXPECT_EQ(inside.verdictFor(Protocol::kTCP, 5432), Verdict::kAllowed);
    EXPECT_FALSE(inside.egress.judged) << "no NetworkPolicy governs an external source";
    Reach outside = b->reach(Endpoint::ofExternal(*IpSet::parseAddress("8.8.8.8", &error), "8.8.8.8"),
                             Endpoint::ofWorkload(workload(*b, "app", "db")));
    EXPECT_EQ(outside.verdictFor(Protocol::kTCP, 5432), Verdict::kDenied);
  }
  {
    // With the pod network given as 192.168.0.0/16, 10/8 holds no pod address: denied.
    BuildOptions options;
    std::string error;
    options.pod_networks = *IpSet::parseCidr("192.168.0.0/16", &error);
    Built b = build(yaml, options);
    Reach r = reachW(*b, "app", "web", "app", "db");
    EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5432), Verdict::kDenied);
    EXPECT_TRUE(r.ingress.effects.empty());
  }
}

TEST(NetpolModel, ReachExplainsUnknownNamespaceLabels) {
  std::string yaml = deployment("ref", "web", "{app: web}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-in", "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n");
  Built b = build(yaml);
  Reach r = reachW(*b, "ref", "web", "app", "db");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 80), Verdict::kUnknown);
  EXPECT_TRUE(r.unknown.isAll());
  ASSERT_EQ(r.ingress.effects.size(), 1u);
  const RuleEffect& e = r.ingress.effects[0];
  EXPECT_EQ(e.effect, Verdict::kUnknown);
  EXPECT_TRUE(contains(e.reason, "\"ref\"")) << e.reason;
  EXPECT_TRUE(contains(e.reason, "team=a")) << e.reason;
}

TEST(NetpolModel, ReachHostNetworkSourceAndSubjectNotes) {
  std::string yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: app, labels: {app: agent}}\n"
                     "spec: {hostNetwork: true, containers: [{name: c, image: x}]}\n---\n";
  yaml += deployment("app", "db", "{app: db}");
  yaml += policy("app", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
  Built b = build(yaml);
  Reach r = reachW(*b, "app", "agent", "app", "db");
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 80), Verdict::kDepends);
  EXPECT_FALSE(r.ingress.notes.empty());
  EXPECT_FALSE(r.egress.notes.empty());
  // A bare pod always reaches itself, even denied both ways.
  uint32_t agent = workload(*b, "app", "agent");
  EXPECT_EQ(b->reach(Endpoint::ofWorkload(agent), Endpoint::ofWorkload(agent)).verdictFor(Protocol::kTCP, 80), Verdict::kAllowed);
}

TEST(NetpolModel, EndpointOfPodInNamespaceNeverSeen) {
  std::string yaml = deployment("app", "db", "{app: db}", "[{name: pg, containerPort: 5432}]");
  yaml += policy("app", "db-in",
                 "  podSelector: {}\n  ingress:\n"
                 "  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ghost}}\n    ports: [{port: pg}]\n"
                 "  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n    ports: [{port: 81}]\n"
                 "  - from:\n    - podSelector: {}\n    ports: [{port: 82}]\n");
  Built b = build(yaml);
  ASSERT_EQ(b->namespaceInfo("ghost"), nullptr);
  Endpoint ghost = Endpoint::ofPod("ghost", {{"app", "web"}}, {{"http", 8080, Protocol::kTCP, 0}}, "ghost/web");
  uint32_t db = workload(*b, "app", "db");
  Reach r = b->reach(ghost, Endpoint::ofWorkload(db));
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 5432), Verdict::kAllowed) << "the name label of any namespace is known";
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 81), Verdict::kUnknown) << "other labels of a namespace never seen are not";
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 82), Verdict::kDenied) << "a podSelector peer means pods of app only";
  EXPECT_EQ(r.verdictFor(Protocol::kTCP, 80), Verdict::kDenied);
  EXPECT_TRUE(r.egress.judged);
  EXPECT_FALSE(r.egress.isolated);
  // The pod as destination: nothing isolates it; its named port is its own.
  Reach back = b->reach(Endpoint::ofWorkload(db), ghost);
  EXPECT_EQ(back.verdictFor(Protocol::kTCP, 8080), Verdict::kAllowed);
  EXPECT_FALSE(back.ingress.isolated);
  EXPECT_EQ(b->namespaceInfo("ghost"), nullptr) << "a query does not add namespaces to the model";
}

TEST(NetpolModel, EndpointOfPodInKnownNamespaceUsesItsLabels) {
  std::string yaml = nsObject("prod", "{team: a}") + deployment("app", "db", "{app: db}");
  yaml += policy("app", "db-in", "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: a}}\n      podSelector: {matchLabels: {role: client}}\n");
  Built b = build(yaml);
  uint32_t db = workload(*b, "app", "db");
  EXPECT_EQ(b->reach(Endpoint::ofPod("prod", {{"role", "client"}}, {}, "p"), Endpoint::ofWorkload(db)).verdictFor(Protocol::kTCP, 80),
            Verdict::kAllowed);
  EXPECT_EQ(b->reach(Endpoint::ofPod("prod", {{"role", "other"}}, {}, "p"), Endpoint::ofWorkload(db)).verdictFor(Protocol::kTCP, 80),
            Verdict::kDenied);
  EXPECT_EQ(b->reach(Endpoint::ofPod("app", {{"role", "client"}}, {}, "p"), Endpoint::ofWorkload(db)).verdictFor(Protocol::kTCP, 80),
            Verdict::kUnknown)
      << "namespace app is only referenced: team is unknown there";
}

TEST(NetpolModel, SelectorMatchingAndText) {
  std::string yaml = deployment("app", "db", "{app: db}");
  yaml += policy("app", "p",
                 "  podSelector:\n    matchLabels: {app: db}\n    matchExpressions:\n"
                 "    - {key: tier, operator: In, values: [a, b]}\n    - {key: env, operator: NotIn, values: [dev]}\n"
                 "    - {key: team, operator: Exists}\n    - {key: legacy, operator: DoesNotExist}\n");
  Built b = build(yaml);
  ASSERT_EQ(b->policies().size(), 1u);
  const Selector& s = b->policies()[0].pod_selector;
  EXPECT_EQ(s.toString(), "app=db,tier in (a,b),env notin (dev),team,!legacy");
  Labels yes = {{"app", "db"}, {"team", "x"}, {"tier", "b"}};
  EXPECT_TRUE(s.matches(yes));
  Labels dev = {{"app", "db"}, {"env", "dev"}, {"team", "x"}, {"tier", "b"}};
  EXPECT_FALSE(s.matches(dev));
  Labels legacy = {{"app", "db"}, {"legacy", "1"}, {"team", "x"}, {"tier", "a"}};
  EXPECT_FALSE(s.matches(legacy));
  Labels partial = {{"app", "db"}};
  EXPECT_EQ(s.matches(partial, false), Tri::kUnknown);
  Labels wrong = {{"app", "web"}};
  EXPECT_EQ(s.matches(wrong, false), Tri::kNo) << "a failing known key decides";
  EXPECT_EQ(s.matches(partial, true), Tri::kNo);
  EXPECT_EQ(Selector{}.toString(), "") << "netpol.h: \"\" when it matches everything";
  EXPECT_TRUE(Selector{}.matches(Labels{}));
  // The policy selects nothing: db has no tier label.
  EXPECT_TRUE(b->ingressPolicies(workload(*b, "app", "db")).empty());
}

}  // namespace
}  // namespace kspm::netpol
