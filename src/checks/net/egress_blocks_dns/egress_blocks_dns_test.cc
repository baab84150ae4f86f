// net-egress-blocks-dns: which protocol is denied and by whom, and several DNS workloads.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

constexpr std::string_view kId = "net-egress-blocks-dns";

std::string fixture(const std::string& name) {
  return testing::readFile(testing::checkFolder(kId) + "/testdata/" + name);
}

std::vector<Finding> runText(const std::string& text) {
  ObjectSet set = testing::loadText(text);
  return testing::evaluateCheck(*Catalog::builtin().find(kId), set);
}

TEST(EgressBlocksDnsTest, SaysWhichProtocolAndWhichPolicies) {
  std::vector<Finding> deny = runText(fixture("fail_default_deny_egress.yaml"));
  ASSERT_EQ(deny.size(), 1u);
  EXPECT_EQ(deny[0].message,
            "DNS to the cluster DNS (kube-system pods labelled k8s-app=kube-dns) is denied on UDP and TCP port 53: NetworkPolicy "
            "\"shop/default-deny\" isolates these pods for egress and admits no such connection");
  EXPECT_EQ(deny[0].path, "spec.template.metadata.labels");

  std::vector<Finding> tcp = runText(fixture("fail_only_udp_allowed.yaml"));
  ASSERT_EQ(tcp.size(), 1u);
  EXPECT_NE(tcp[0].message.find("(kube-system/Deployment/coredns) is denied on TCP port 53: NetworkPolicy \"shop/api-egress\""),
            std::string::npos)
      << tcp[0].message;

  std::vector<Finding> ingress = runText(fixture("fail_dns_ingress_refuses.yaml"));
  ASSERT_EQ(ingress.size(), 1u);
  EXPECT_NE(ingress[0].message.find("denied on UDP and TCP port 53: the DNS pods' NetworkPolicy "
                                    "\"kube-system/coredns\" admits no connection from them"),
            std::string::npos)
      << ingress[0].message;
}

TEST(EgressBlocksDnsTest, DeniedOnlyWhenEveryDnsWorkloadIsDenied) {
  // A second DNS workload (say, a kube-dns Deployment beside CoreDNS) that the policy admits.
  std::string text = fixture("fail_only_udp_allowed.yaml") +
                     "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: dns-tcp\n  namespace: kube-system\n"
                     "  labels: {k8s-app: kube-dns, app: db}\nspec:\n  containers:\n  - name: c\n    image: x:1\n";
  // The pod is in kube-system, the db rule admits app=db in shop only: still denied.
  EXPECT_EQ(runText(text).size(), 1u);
  std::string admitted = text + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                                "  name: tcp-to-dns-pod\n  namespace: shop\nspec:\n  podSelector: {}\n"
                                "  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {}\n"
                                "      podSelector:\n        matchLabels: {app: db}\n";
  EXPECT_EQ(runText(admitted).size(), 0u);
}

TEST(EgressBlocksDnsTest, ClusterFirstAndJobsAreJudged) {
  std::string text =
      "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\n  namespace: shop\nspec:\n"
      "  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n"
      "          labels: {app: report}\n        spec:\n          dnsPolicy: ClusterFirst\n"
      "          restartPolicy: Never\n          containers:\n          - name: c\n            image: x:1\n"
      "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: shop\n"
      "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports:\n    - port: 53\n      protocol: UDP\n";
  std::vector<Finding> findings = runText(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("denied on TCP port 53"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].path, "spec.jobTemplate.spec.template.metadata.labels");
}

}  // namespace
}  // namespace kspm

namespace kspm {
namespace {

ObjectSet twoFiles(const std::string& path_a, const std::string& a, const std::string& path_b, const std::string& b) {
  ObjectSet set;
  for (const auto& [path, text] : {std::pair{path_a, a}, std::pair{path_b, b}}) {
    auto file = std::make_unique<SourceFile>();
    file->path = path;
    file->content = text;
    set.addFile(std::move(file), LoadLimits{});
  }
  return set;
}

TEST(EgressBlocksDnsTest, UnspecifiedNamespaceNeedsAPolicyOfTheSameDirectory) {
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x:1\n";
  const std::string deny =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {}\n"
      "  policyTypes: [Egress]\n";
  const Check& check = *Catalog::builtin().find(kId);
  EXPECT_EQ(testing::evaluateCheck(check, twoFiles("a/pod.yaml", pod, "a/deny.yaml", deny)).size(), 1u);
  EXPECT_EQ(testing::evaluateCheck(check, twoFiles("a/pod.yaml", pod, "b/deny.yaml", deny)).size(), 0u);
}

}  // namespace
}  // namespace kspm
