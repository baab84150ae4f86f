// Exposure of workloads (kspm/netpol.h computeExposure): the pod network, Services (LoadBalancer,
// internal load balancers, NodePort, externalIPs), Ingress and Gateway API routes, hostNetwork and
// hostPort, each narrowed by the NetworkPolicies that select the workload.
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

struct Result {
  std::unique_ptr<ObjectSet> set;
  std::unique_ptr<Model> model;
  std::vector<Exposure> exposure;

  const Exposure& of(std::string_view ns, std::string_view name) const {
    std::vector<uint32_t> found = model->findWorkloads(ns, "", name);
    EXPECT_EQ(found.size(), 1u) << ns << "/" << name;
    static const Exposure kEmpty;
    if (found.empty()) return kEmpty;
    return exposure[found[0]];
  }
  /** The paths of `ns/name` through `channel`. */
  std::vector<const ExposurePath*> paths(std::string_view ns, std::string_view name, std::string_view channel) const {
    std::vector<const ExposurePath*> out;
    for (const ExposurePath& p : of(ns, name).paths) {
      if (p.channel == channel) out.push_back(&p);
    }
    return out;
  }
  /** The one path of `ns/name` through `channel` (fails the test when there is not exactly one). */
  const ExposurePath& path(std::string_view ns, std::string_view name, std::string_view channel) const {
    std::vector<const ExposurePath*> found = paths(ns, name, channel);
    EXPECT_EQ(found.size(), 1u) << ns << "/" << name << " via " << channel << "\n" << describe(ns, name);
    static const ExposurePath kEmpty;
    return found.empty() ? kEmpty : *found[0];
  }
  std::vector<std::string> narrowedBy(const ExposurePath& p) const {
    std::vector<std::string> out;
    for (uint32_t i : p.narrowed_by) out.push_back(model->policies()[i].label());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string describe(std::string_view ns, std::string_view name) const {
    std::string out;
    for (const ExposurePath& p : of(ns, name).paths) {
      out += "  " + std::string(exposureLevelName(p.level)) + " (" + std::string(confidenceName(p.confidence)) + ") " + p.channel +
             " " + (p.via ? std::string(p.via->kind) + "/" + std::string(p.via->name) : "-") + " " + p.ports.toString() + ": " +
             p.reason + "\n";
    }
    return out;
  }
};

Result expose(const std::string& yaml) {
  Result r;
  r.set = std::make_unique<ObjectSet>(kspm::testing::loadText(yaml));
  r.model = Model::build(*r.set);
  EXPECT_TRUE(r.model->problems().empty()) << r.model->problems()[0].message;
  r.exposure = computeExposure(*r.model);
  return r;
}

/** Deployment `name` in `ns` labelled app=<name> with container port http 8080 (and optional extras). */
std::string web(std::string_view ns = "shop", std::string_view name = "web", std::string_view extra_ports = "",
                std::string_view pod_spec_extra = "") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + std::string(name) + "\n  namespace: " + std::string(ns) +
         "\nspec:\n  template:\n    metadata:\n      labels: {app: " + std::string(name) + "}\n    spec:\n" +
         std::string(pod_spec_extra) + "      containers:\n      - name: c\n        image: x\n        ports:\n" +
         "        - {name: http, containerPort: 8080}\n" + std::string(extra_ports) + "---\n";
}

std::string policy(std::string_view ns, std::string_view name, std::string_view spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + std::string(name) +
         "\n  namespace: " + std::string(ns) + "\nspec:\n" + std::string(spec) + "---\n";
}

/** A Service selecting app=<app> in `ns`; `spec` lines (indented two spaces) follow the selector. */
std::string service(std::string_view ns, std::string_view name, std::string_view app, std::string_view spec,
                    std::string_view annotations = "") {
  std::string out = "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + std::string(name) + "\n  namespace: " + std::string(ns) + "\n";
  if (!annotations.empty()) out += "  annotations:\n" + std::string(annotations);
  return out + "spec:\n  selector: {app: " + std::string(app) + "}\n" + std::string(spec) + "---\n";
}

constexpr std::string_view kHttpPort = "  ports:\n  - {name: http, port: 80, targetPort: 8080}\n";

// ---------------------------------------------------------------------------------------------
// The pod network.

TEST(NetpolExposure, NoPolicyIsClusterExposed) {
  Result r = expose(web());
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kCluster);
  EXPECT_EQ(e.confidence, Confidence::kExposed);
  ASSERT_EQ(e.paths.size(), 1u) << r.describe("shop", "web");
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kCluster);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "all");
  EXPECT_TRUE(p.narrowed_by.empty());
  ASSERT_NE(p.via, nullptr);
  EXPECT_EQ(p.via->name, "web");
  EXPECT_FALSE(p.reason.empty());
}

TEST(NetpolExposure, DefaultDenyIsNone) {
  Result r = expose(web() + policy("shop", "deny", "  podSelector: {}\n  policyTypes: [Ingress]\n"));
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kNone);
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kNone);
  EXPECT_TRUE(p.ports.empty()) << p.ports.toString();
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/deny"});
}

TEST(NetpolExposure, EgressOnlyPolicyDoesNotNarrowIngress) {
  Result r = expose(web() + policy("shop", "egress", "  podSelector: {}\n  policyTypes: [Egress]\n"));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster);
  EXPECT_TRUE(r.path("shop", "web", "pod network").narrowed_by.empty());
}

TEST(NetpolExposure, OwnNamespaceByPodSelectorIsNamespace) {
  Result r = expose(web() + policy("shop", "same-ns",
                                   "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - podSelector: {}\n"
                                   "    ports: [{port: http}]\n"));
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kNamespace);
  EXPECT_EQ(e.confidence, Confidence::kExposed);
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kNamespace);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/same-ns"});
}

TEST(NetpolExposure, NamespaceSelectorOnOwnNameIsNamespace) {
  Result r = expose(web() + policy("shop", "by-name",
                                   "  podSelector: {}\n  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}\n"));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kNamespace);
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kNamespace);
  EXPECT_EQ(p.ports.toString(), "all");
}

TEST(NetpolExposure, OtherNamespacesAreCluster) {
  Result r = expose(web() + policy("shop", "team",
                                   "  podSelector: {}\n  ingress:\n  - from:\n"
                                   "    - namespaceSelector: {matchLabels: {team: a}}\n    ports: [{port: 8080}, {port: 9090, protocol: UDP}]\n"));
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kCluster);
  EXPECT_EQ(e.confidence, Confidence::kExposed);
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kCluster);
  EXPECT_EQ(p.ports.toString(), "TCP 8080; UDP 9090");
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/team"});

  Result other = expose(web() + policy("shop", "from-frontend",
                                       "  podSelector: {}\n  ingress:\n  - from:\n"
                                       "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}\n"));
  EXPECT_EQ(other.path("shop", "web", "pod network").level, ExposureLevel::kCluster);
}

TEST(NetpolExposure, IpBlockOverPodAddressesIsNotNone) {
  // An ipBlock over 10/8 may admit pods of any namespace (the network plugin decides): the pod
  // network path cannot be "none", nor a certain "exposed".
  Result r = expose(web() + policy("shop", "from-10", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8}\n"));
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kCluster) << p.reason;
  EXPECT_NE(p.confidence, Confidence::kExposed) << p.reason;
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/from-10"});
}

TEST(NetpolExposure, AllowAllRuleIsCluster) {
  Result r = expose(web() + policy("shop", "all", "  podSelector: {}\n  ingress:\n  - {}\n"));
  const ExposurePath& p = r.path("shop", "web", "pod network");
  EXPECT_EQ(p.level, ExposureLevel::kCluster);
  EXPECT_EQ(p.ports.toString(), "all");
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/all"});
}

// ---------------------------------------------------------------------------------------------
// Services.

TEST(NetpolExposure, LoadBalancerIsInternetExposedWithNodePortPath) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)));
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kInternet);
  EXPECT_EQ(e.confidence, Confidence::kExposed);
  const ExposurePath& lb = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(lb.level, ExposureLevel::kInternet);
  EXPECT_EQ(lb.confidence, Confidence::kExposed);
  EXPECT_EQ(lb.ports.toString(), "TCP 8080") << "the pod port, not the Service port";
  ASSERT_NE(lb.via, nullptr);
  EXPECT_EQ(lb.via->kind, "Service");
  EXPECT_EQ(lb.via->name, "web-lb");
  EXPECT_TRUE(lb.narrowed_by.empty());
  const ExposurePath& np = r.path("shop", "web", "NodePort");
  EXPECT_EQ(np.level, ExposureLevel::kInternet);
  EXPECT_EQ(np.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(np.ports.toString(), "TCP 8080");
}

TEST(NetpolExposure, LoadBalancerWithoutNodePorts) {
  Result r = expose(web() + service("shop", "web-lb", "web",
                                    "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n" + std::string(kHttpPort)));
  EXPECT_EQ(r.path("shop", "web", "LoadBalancer Service").level, ExposureLevel::kInternet);
  EXPECT_TRUE(r.paths("shop", "web", "NodePort").empty()) << r.describe("shop", "web");
}

struct InternalCase {
  const char* name;
  const char* annotation;  // "key: value"
  const char* key;
};
const InternalCase kInternalCases[] = {
    {"Aws", "service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"", "service.beta.kubernetes.io/aws-load-balancer-internal"},
    {"AwsScheme", "service.beta.kubernetes.io/aws-load-balancer-scheme: internal", "service.beta.kubernetes.io/aws-load-balancer-scheme"},
    {"Gke", "networking.gke.io/load-balancer-type: Internal", "networking.gke.io/load-balancer-type"},
    {"GkeLegacy", "cloud.google.com/load-balancer-type: Internal", "cloud.google.com/load-balancer-type"},
    {"Azure", "service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"", "service.beta.kubernetes.io/azure-load-balancer-internal"},
};

void PrintTo(const InternalCase& c, std::ostream* os) { *os << c.name; }

class NetpolExposureInternal : public ::testing::TestWithParam<InternalCase> {};

TEST_P(NetpolExposureInternal, InternalLoadBalancerIsCluster) {
  const InternalCase& c = GetParam();
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n" +
                                                                 std::string(kHttpPort),
                                    "    " + std::string(c.annotation) + "\n"));
  const Object* svc = r.set->objects().size() > 1 ? &r.set->objects()[1] : nullptr;
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(internalLoadBalancerAnnotation(*svc), c.key);
  EXPECT_TRUE(r.paths("shop", "web", "LoadBalancer Service").empty()) << r.describe("shop", "web");
  const ExposurePath& p = r.path("shop", "web", "internal LoadBalancer Service");
  EXPECT_EQ(p.level, ExposureLevel::kCluster);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster);
}

INSTANTIATE_TEST_SUITE_P(NetpolExposure, NetpolExposureInternal, ::testing::ValuesIn(kInternalCases),
                         [](const ::testing::TestParamInfo<InternalCase>& info) { return std::string(info.param.name); });

TEST(NetpolExposure, InternalAnnotationSetToFalseIsInternet) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort),
                                    "    service.beta.kubernetes.io/aws-load-balancer-internal: \"false\"\n"
                                    "    service.beta.kubernetes.io/azure-load-balancer-internal: \"false\"\n"));
  EXPECT_EQ(internalLoadBalancerAnnotation(r.set->objects()[1]), "");
  EXPECT_EQ(r.path("shop", "web", "LoadBalancer Service").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kExposed);
}

TEST(NetpolExposure, LoadBalancerSourceRanges) {
  Result limited = expose(web() + service("shop", "web-lb", "web",
                                          "  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]\n" +
                                              std::string(kHttpPort)));
  const ExposurePath& p = limited.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  Result open = expose(web() + service("shop", "web-lb", "web",
                                       "  type: LoadBalancer\n  loadBalancerSourceRanges: [0.0.0.0/0]\n" + std::string(kHttpPort)));
  EXPECT_EQ(open.path("shop", "web", "LoadBalancer Service").confidence, Confidence::kExposed);
}

TEST(NetpolExposure, LoadBalancerSourceRangesAllPrivateIsNotInternet) {
  // Only private addresses may use the load balancer: like an internal one, it is reachable from
  // the private network, not from the internet.
  Result r = expose(web() + service("shop", "web-lb", "web",
                                    "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n"
                                    "  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.0.0/16]\n" +
                                        std::string(kHttpPort)));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster) << r.describe("shop", "web");
  for (const ExposurePath& p : r.of("shop", "web").paths) {
    EXPECT_NE(p.level, ExposureLevel::kInternet) << p.channel << ": " << p.reason;
  }
  // A range that reaches into public space keeps it on the internet (potentially).
  Result mixed = expose(web() + service("shop", "web-lb", "web",
                                        "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n"
                                        "  loadBalancerSourceRanges: [10.0.0.0/8, 198.51.100.0/24]\n" +
                                            std::string(kHttpPort)));
  EXPECT_EQ(mixed.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(mixed.of("shop", "web").confidence, Confidence::kPotentiallyExposed);
}

TEST(NetpolExposure, LoadBalancerSourceRangesAnnotation) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n" + std::string(kHttpPort),
                                    "    service.beta.kubernetes.io/load-balancer-source-ranges: \"203.0.113.0/24, 198.51.100.0/24\"\n"));
  const ExposurePath& p = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  // The field wins over the annotation.
  Result field = expose(web() + service("shop", "web-lb", "web",
                                        "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  loadBalancerSourceRanges: [0.0.0.0/0]\n" +
                                            std::string(kHttpPort),
                                        "    service.beta.kubernetes.io/load-balancer-source-ranges: 203.0.113.0/24\n"));
  EXPECT_EQ(field.path("shop", "web", "LoadBalancer Service").confidence, Confidence::kExposed);
}

TEST(NetpolExposure, NodePortIsPotentiallyInternet) {
  Result r = expose(web() + service("shop", "web-np", "web", "  type: NodePort\n" + std::string(kHttpPort)));
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kInternet);
  EXPECT_EQ(e.confidence, Confidence::kPotentiallyExposed);
  EXPECT_TRUE(r.paths("shop", "web", "LoadBalancer Service").empty());
  const ExposurePath& p = r.path("shop", "web", "NodePort");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(p.via->name, "web-np");
}

TEST(NetpolExposure, ClusterIpIsNoExternalPath) {
  Result r = expose(web() + service("shop", "web", "web", std::string(kHttpPort)));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster);
  EXPECT_EQ(r.of("shop", "web").paths.size(), 1u) << r.describe("shop", "web");
}

TEST(NetpolExposure, ExternalIpsArePotentiallyInternet) {
  Result r = expose(web() + service("shop", "web-ext", "web", "  externalIPs: [198.51.100.7]\n" + std::string(kHttpPort)));
  const ExposurePath& p = r.path("shop", "web", "externalIPs");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kPotentiallyExposed);
  EXPECT_TRUE(r.paths("shop", "web", "NodePort").empty());
}

TEST(NetpolExposure, ServiceSelectingOtherPodsOrOtherNamespaceDoesNotExpose) {
  Result r = expose(web() + service("shop", "api-lb", "api", "  type: LoadBalancer\n" + std::string(kHttpPort)) +
                    service("other", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster);
  EXPECT_EQ(r.of("shop", "web").paths.size(), 1u) << r.describe("shop", "web");
}

TEST(NetpolExposure, ServiceWithoutSelectorSelectsNoPods) {
  // A Service without a selector (or with an empty one) has its endpoints managed elsewhere: it
  // does not select every pod of the namespace.
  for (std::string_view selector : {"", "  selector: {}\n"}) {
    std::string svc = "apiVersion: v1\nkind: Service\nmetadata: {name: external-db, namespace: shop}\nspec:\n" +
                      std::string(selector) + "  type: LoadBalancer\n  ports:\n  - {port: 8080}\n---\n";
    Result r = expose(web() + svc);
    EXPECT_TRUE(r.paths("shop", "web", "LoadBalancer Service").empty()) << "selector: [" << selector << "]\n" << r.describe("shop", "web");
    EXPECT_TRUE(r.paths("shop", "web", "NodePort").empty()) << "selector: [" << selector << "]";
    EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kCluster);
  }
}

TEST(NetpolExposure, NamedTargetPortResolvesOnContainerPort) {
  std::string yaml = web("shop", "web", "        - {name: metrics, containerPort: 9090}\n        - {name: dns, containerPort: 5353, protocol: UDP}\n");
  yaml += service("shop", "web-lb", "web",
                  "  type: LoadBalancer\n  ports:\n  - {name: http, port: 80, targetPort: http}\n"
                  "  - {name: m, port: 9000, targetPort: metrics}\n  - {name: dns, port: 53, targetPort: dns, protocol: UDP}\n"
                  "  - {name: missing, port: 81, targetPort: nothere}\n  - {name: wrongproto, port: 82, targetPort: http, protocol: UDP}\n");
  Result r = expose(yaml);
  const ExposurePath& p = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(p.ports.toString(), "TCP 8080,9090; UDP 5353");
}

TEST(NetpolExposure, MissingTargetPortIsThePort) {
  Result r = expose(web() + service("shop", "web-np", "web", "  type: NodePort\n  ports:\n  - {port: 8080, nodePort: 30080}\n"));
  EXPECT_EQ(r.path("shop", "web", "NodePort").ports.toString(), "TCP 8080");
}

TEST(NetpolExposure, ServiceWithoutMatchingTargetPortIsNoPath) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n  ports:\n  - {port: 80, targetPort: nothere}\n"));
  EXPECT_TRUE(r.paths("shop", "web", "LoadBalancer Service").empty()) << r.describe("shop", "web");
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy narrowing of external paths.

TEST(NetpolExposure, LoadBalancerWithPolicyAdmittingEverywhere) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)) +
                    policy("shop", "world", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0}\n"));
  const ExposurePath& p = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/world"});
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kExposed);
}

TEST(NetpolExposure, LoadBalancerLocalWithNoAdmittingRuleIsNone) {
  Result r = expose(web() +
                    service("shop", "web-lb", "web", "  type: LoadBalancer\n  externalTrafficPolicy: Local\n" + std::string(kHttpPort)) +
                    policy("shop", "same-ns", "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"));
  const ExposurePath& lb = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(lb.level, ExposureLevel::kNone) << lb.reason;
  EXPECT_EQ(r.narrowedBy(lb), std::vector<std::string>{"shop/same-ns"});
  const ExposurePath& np = r.path("shop", "web", "NodePort");
  EXPECT_EQ(np.level, ExposureLevel::kNone) << np.reason;
  const Exposure& e = r.of("shop", "web");
  EXPECT_EQ(e.level, ExposureLevel::kNamespace);
  EXPECT_EQ(e.confidence, Confidence::kExposed);
}

TEST(NetpolExposure, LoadBalancerClusterPolicyWithNoAdmittingRuleIsUnknown) {
  for (std::string_view etp : {"", "  externalTrafficPolicy: Cluster\n"}) {
    Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(etp) + std::string(kHttpPort)) +
                      policy("shop", "same-ns", "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"));
    const ExposurePath& lb = r.path("shop", "web", "LoadBalancer Service");
    EXPECT_EQ(lb.level, ExposureLevel::kInternet) << etp;
    EXPECT_EQ(lb.confidence, Confidence::kUnknown) << "SNAT: the pod sees a node address" << etp;
    EXPECT_EQ(r.narrowedBy(lb), std::vector<std::string>{"shop/same-ns"});
    const Exposure& e = r.of("shop", "web");
    EXPECT_EQ(e.level, ExposureLevel::kInternet);
    EXPECT_EQ(e.confidence, Confidence::kUnknown);
  }
}

TEST(NetpolExposure, LoadBalancerWithPolicyAdmittingPartOfInternet) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)) +
                    policy("shop", "office", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 203.0.113.0/24}\n"));
  const ExposurePath& lb = r.path("shop", "web", "LoadBalancer Service");
  EXPECT_EQ(lb.level, ExposureLevel::kInternet);
  EXPECT_EQ(lb.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(r.narrowedBy(lb), std::vector<std::string>{"shop/office"});
}

TEST(NetpolExposure, ForeignPolicyMakesPathsUnknown) {
  Result r = expose(web() + service("shop", "web-lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)) +
                    "apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: calico, namespace: shop}\nspec: {}\n");
  const ExposurePath& pod = r.path("shop", "web", "pod network");
  EXPECT_EQ(pod.level, ExposureLevel::kCluster);
  EXPECT_EQ(pod.confidence, Confidence::kUnknown);
  EXPECT_EQ(r.path("shop", "web", "LoadBalancer Service").confidence, Confidence::kUnknown);
}

// ---------------------------------------------------------------------------------------------
// Ingress and Gateway API routes.

constexpr std::string_view kController = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}
    spec:
      containers: [{name: controller, image: x}]
---
)";

std::string ingress(std::string_view backend_port) {
  return R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port: )" + std::string(backend_port) + "\n---\n";
}

std::string webWithService() {
  return web("shop", "web", "        - {name: admin, containerPort: 9000}\n") +
         service("shop", "web", "web", "  ports:\n  - {name: http, port: 80, targetPort: http}\n  - {name: admin, port: 90, targetPort: 9000}\n");
}

TEST(NetpolExposure, IngressByPortNameAndNumber) {
  for (std::string_view port : {"{name: http}", "{number: 80}"}) {
    Result r = expose(webWithService() + ingress(port) + std::string(kController));
    const ExposurePath& p = r.path("shop", "web", "Ingress");
    EXPECT_EQ(p.level, ExposureLevel::kInternet) << port;
    EXPECT_EQ(p.confidence, Confidence::kExposed) << port;
    EXPECT_EQ(p.ports.toString(), "TCP 8080") << "only the routed Service port, at its targetPort; " << port;
    ASSERT_NE(p.via, nullptr);
    EXPECT_EQ(p.via->kind, "Ingress");
    EXPECT_TRUE(p.narrowed_by.empty());
    EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
    EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kExposed);
    // The controller itself is not a backend.
    EXPECT_TRUE(r.paths("ingress-nginx", "ingress-nginx-controller", "Ingress").empty());
  }
}

TEST(NetpolExposure, IngressWithPolicyAdmittingController) {
  Result r = expose(webWithService() + ingress("{name: http}") + std::string(kController) +
                    policy("shop", "from-ingress",
                           "  podSelector: {}\n  ingress:\n  - from:\n"
                           "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n"
                           "    ports: [{port: 8080}]\n"));
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/from-ingress"});
}

TEST(NetpolExposure, IngressWithPolicyDenyingController) {
  Result r = expose(webWithService() + ingress("{name: http}") + std::string(kController) +
                    policy("shop", "same-ns", "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"));
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kNone) << p.reason;
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/same-ns"});
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kNamespace);
}

TEST(NetpolExposure, IngressWithPolicyAdmittingControllerOnOtherPortOnly) {
  Result r = expose(webWithService() + ingress("{name: http}") + std::string(kController) +
                    policy("shop", "admin-only",
                           "  podSelector: {}\n  ingress:\n  - from:\n"
                           "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n"
                           "    ports: [{port: 9000}]\n"));
  EXPECT_EQ(r.path("shop", "web", "Ingress").level, ExposureLevel::kNone);
}

TEST(NetpolExposure, IngressWithoutControllerOwnNamespaceOnlyIsNone) {
  Result r = expose(webWithService() + ingress("{name: http}") +
                    policy("shop", "same-ns", "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n"));
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kNone) << "confidence " << confidenceName(p.confidence) << ": " << p.reason;
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/same-ns"});
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kNamespace);
}

TEST(NetpolExposure, IngressWithoutControllerNamespaceSelectorIsUnknown) {
  Result r = expose(webWithService() + ingress("{name: http}") +
                    policy("shop", "from-edge",
                           "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {role: edge}}\n"));
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kUnknown);
  EXPECT_EQ(r.narrowedBy(p), std::vector<std::string>{"shop/from-edge"});
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kUnknown);
}

TEST(NetpolExposure, IngressWithoutControllerAndNoPolicyIsExposed) {
  Result r = expose(webWithService() + ingress("{number: 90}"));
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 9000");
}

TEST(NetpolExposure, IngressDefaultBackend) {
  Result r = expose(webWithService() +
                    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: default, namespace: shop}\n"
                    "spec:\n  defaultBackend:\n    service: {name: web, port: {number: 90}}\n");
  const ExposurePath& p = r.path("shop", "web", "Ingress");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 9000");
  EXPECT_EQ(p.via->name, "default");
}

std::string httpRoute(std::string_view ns, std::string_view backend) {
  return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web-route, namespace: " + std::string(ns) +
         "}\nspec:\n  parentRefs: [{name: gw, namespace: gateway}]\n  rules:\n  - backendRefs:\n    - " + std::string(backend) +
         "\n---\n";
}

TEST(NetpolExposure, HttpRouteSameNamespace) {
  Result r = expose(webWithService() + httpRoute("shop", "{name: web, port: 80}"));
  const ExposurePath& p = r.path("shop", "web", "HTTPRoute");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  ASSERT_NE(p.via, nullptr);
  EXPECT_EQ(p.via->kind, "HTTPRoute");
  EXPECT_EQ(p.via->name, "web-route");
}

TEST(NetpolExposure, HttpRouteOtherNamespace) {
  Result r = expose(webWithService() + httpRoute("gateway", "{name: web, namespace: shop, port: 90}"));
  const ExposurePath& p = r.path("shop", "web", "HTTPRoute");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.ports.toString(), "TCP 9000");
  ASSERT_NE(p.via, nullptr);
  EXPECT_EQ(r.set->namespaceOf(*p.via), "gateway");
  // A backendRef without namespace stays in the route's namespace: no Service web there.
  Result none = expose(webWithService() + httpRoute("gateway", "{name: web, port: 80}"));
  EXPECT_TRUE(none.paths("shop", "web", "HTTPRoute").empty()) << none.describe("shop", "web");
}

TEST(NetpolExposure, GrpcRoute) {
  Result r = expose(webWithService() +
                    "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: grpc, namespace: shop}\n"
                    "spec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n    - {name: web, port: 90}\n");
  const ExposurePath& p = r.path("shop", "web", "GRPCRoute");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.ports.toString(), "TCP 9000");
}

TEST(NetpolExposure, HttpRouteToNonServiceBackendIgnored) {
  Result r = expose(webWithService() + httpRoute("shop", "{group: example.com, kind: Bucket, name: web}"));
  EXPECT_TRUE(r.paths("shop", "web", "HTTPRoute").empty()) << r.describe("shop", "web");
}

// ---------------------------------------------------------------------------------------------
// hostNetwork and hostPort.

TEST(NetpolExposure, HostNetworkIsPotentiallyInternet) {
  Result r = expose(web("mon", "agent", "", "      hostNetwork: true\n"));
  const ExposurePath& p = r.path("mon", "agent", "hostNetwork");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 8080");
  EXPECT_EQ(r.of("mon", "agent").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("mon", "agent").confidence, Confidence::kPotentiallyExposed);
  // NetworkPolicy may not apply to it: the pod-network path is not certain.
  EXPECT_EQ(r.path("mon", "agent", "pod network").confidence, Confidence::kUnknown);
}

TEST(NetpolExposure, HostNetworkWithoutPortsIsEveryPort) {
  Result r = expose(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: node-agent, namespace: mon}\n"
      "spec: {hostNetwork: true, containers: [{name: c, image: x}]}\n");
  const ExposurePath& p = r.path("mon", "node-agent", "hostNetwork");
  EXPECT_EQ(p.ports.toString(), "all");
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
}

TEST(NetpolExposure, HostPortIsPotentiallyInternet) {
  Result r = expose(web("shop", "web", "        - {name: metrics, containerPort: 9100, hostPort: 19100}\n"));
  const ExposurePath& p = r.path("shop", "web", "hostPort");
  EXPECT_EQ(p.level, ExposureLevel::kInternet);
  EXPECT_EQ(p.confidence, Confidence::kPotentiallyExposed);
  EXPECT_EQ(p.ports.toString(), "TCP 9100") << "the pod port the node's hostPort forwards to";
  EXPECT_TRUE(r.paths("shop", "web", "hostNetwork").empty());
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kPotentiallyExposed);
}

TEST(NetpolExposure, OverallIsTheWidestMostCertainPath) {
  // NodePort (internet, potentially) and LoadBalancer (internet, exposed): exposed wins.
  Result r = expose(web() + service("shop", "np", "web", "  type: NodePort\n" + std::string(kHttpPort)) +
                    service("shop", "lb", "web", "  type: LoadBalancer\n" + std::string(kHttpPort)) +
                    web("shop", "lonely") + policy("shop", "lonely-deny", "  podSelector: {matchLabels: {app: lonely}}\n"));
  EXPECT_EQ(r.of("shop", "web").level, ExposureLevel::kInternet);
  EXPECT_EQ(r.of("shop", "web").confidence, Confidence::kExposed);
  EXPECT_EQ(r.paths("shop", "web", "NodePort").size(), 2u) << r.describe("shop", "web");
  EXPECT_EQ(r.of("shop", "lonely").level, ExposureLevel::kNone);
  // Exposure is in workload order, one per workload.
  ASSERT_EQ(r.exposure.size(), r.model->workloads().size());
  for (uint32_t i = 0; i < r.exposure.size(); ++i) EXPECT_EQ(r.exposure[i].workload, i);
}

}  // namespace
}  // namespace kspm::netpol
