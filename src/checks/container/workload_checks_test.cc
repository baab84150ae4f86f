// Semantics of the container, pod and image checks beyond "fires or not" (which the fixture folders
// cover): per-finding severities, effective values, capability spelling and defaulting rules.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checks/common/security_context.h"
#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

std::vector<Finding> run(std::string_view id, const std::string& yaml, const ScanPolicy& policy = ScanPolicy()) {
  const Check* check = Catalog::builtin().find(id);
  EXPECT_NE(check, nullptr) << id;
  if (check == nullptr) return {};
  ObjectSet set = testing::loadText(yaml);
  EXPECT_TRUE(set.errors().empty());
  return testing::evaluateCheck(*check, set, policy);
}

std::string pod(const std::string& spec) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n" + spec;
}

TEST(WorkloadChecksTest, CapabilityNamesAsRuntimesCompareThem) {
  EXPECT_EQ(checks::canonicalCapability("net_raw"), "NET_RAW");
  EXPECT_EQ(checks::canonicalCapability("CAP_SYS_ADMIN"), "SYS_ADMIN");
  EXPECT_EQ(checks::canonicalCapability("cap_bpf"), "BPF");
  EXPECT_EQ(checks::canonicalCapability("CAP_ALL"), "CAP_ALL");
  EXPECT_TRUE(checks::isAllCapabilities("all"));
  EXPECT_FALSE(checks::isAllCapabilities("CAP_ALL"));
  EXPECT_TRUE(checks::hasCapPrefix("cap_net_raw"));
  EXPECT_FALSE(checks::hasCapPrefix("NET_RAW"));
}

TEST(WorkloadChecksTest, RunAsRootUserFollowsInheritanceAndUserNamespaces) {
  std::vector<Finding> f = run("container-run-as-root-user",
                               pod("  securityContext:\n    runAsUser: 0\n  containers:\n  - name: a\n    image: x:1\n"
                                   "  - name: b\n    image: x:1\n    securityContext:\n      runAsUser: 1000\n"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].container, "a");
  EXPECT_EQ(f[0].path, "spec.securityContext.runAsUser");
  EXPECT_EQ(f[0].severity, Severity::kHigh);

  f = run("container-run-as-root-user",
          pod("  hostUsers: false\n  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      runAsUser: 0\n"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kLow);
}

TEST(WorkloadChecksTest, NetRawDropSpellings) {
  auto caps = [](const std::string& body) {
    return pod("  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      capabilities:\n" + body);
  };
  std::vector<Finding> f = run("container-net-raw", caps("        drop: [CAP_NET_RAW]\n"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("containerd ignores"), std::string::npos) << f[0].message;
  EXPECT_TRUE(run("container-net-raw", caps("        drop: [net_raw]\n")).empty());
  EXPECT_TRUE(run("container-net-raw", caps("        drop: [All]\n")).empty());
  EXPECT_EQ(run("container-net-raw", caps("        drop: [CAP_ALL]\n")).size(), 1u);
  // Drops apply after adds: add ALL then drop NET_RAW leaves no NET_RAW.
  EXPECT_TRUE(run("container-net-raw", caps("        add: [ALL]\n        drop: [NET_RAW]\n")).empty());
  // drop ALL applies before named adds: NET_RAW added back.
  EXPECT_EQ(run("container-net-raw", caps("        drop: [ALL]\n        add: [NET_RAW]\n")).size(), 1u);
}

TEST(WorkloadChecksTest, AddingAllCapabilitiesIsCritical) {
  std::vector<Finding> f =
      run("container-dangerous-capabilities",
          pod("  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      capabilities:\n"
              "        add: [SYS_PTRACE, ALL]\n"));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  EXPECT_EQ(f[1].severity, Severity::kCritical);
}

TEST(WorkloadChecksTest, SensitiveHostPathSeverityFollowsTheMounts) {
  auto volume = [](const std::string& path, const std::string& mount) {
    return pod("  containers:\n  - name: a\n    image: x:1\n" + mount + "  volumes:\n  - name: v\n    hostPath:\n      path: " +
               path + "\n");
  };
  const std::string writable = "    volumeMounts:\n    - name: v\n      mountPath: /h\n";
  const std::string read_only = "    volumeMounts:\n    - name: v\n      mountPath: /h\n      readOnly: true\n";
  std::vector<Finding> f = run("pod-sensitive-host-path", volume("/etc/kubernetes/pki", writable));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_EQ(f[0].container, "a");
  f = run("pod-sensitive-host-path", volume("/var/log", read_only));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  f = run("pod-sensitive-host-path", volume("/root", ""));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kHigh);
  f = run("pod-sensitive-host-path", volume("/var/run/xtables.lock", writable));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kMedium);
  EXPECT_TRUE(run("pod-sensitive-host-path", volume("/etcd-data", writable)).empty());
  EXPECT_TRUE(run("pod-sensitive-host-path", volume("/run/containerd/containerd.sock", writable)).empty());
  EXPECT_EQ(run("pod-container-runtime-socket", volume("/run/containerd/containerd.sock", read_only)).size(), 1u);
  EXPECT_EQ(run("pod-container-runtime-socket", volume("/var/run", read_only)).size(), 1u);
  EXPECT_TRUE(run("pod-container-runtime-socket", volume("/var", read_only)).empty());
  EXPECT_TRUE(run("pod-container-runtime-socket", volume("/run/calico", read_only)).empty());
}

TEST(WorkloadChecksTest, LimitRangeMaxDefaultsTheLimitAndMinOnlyTheRequest) {
  auto with_range = [](const std::string& item) {
    return "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: r\n  namespace: ns\nspec:\n  limits:\n  - type: Container\n" +
           item + "---\n" + pod("  containers:\n  - name: a\n    image: x:1\n");
  };
  EXPECT_TRUE(run("container-memory-limit", with_range("    max:\n      memory: 1Gi\n")).empty());
  EXPECT_TRUE(run("container-memory-request", with_range("    max:\n      memory: 1Gi\n")).empty());
  EXPECT_EQ(run("container-memory-limit", with_range("    min:\n      memory: 1Mi\n")).size(), 1u);
  EXPECT_TRUE(run("container-memory-request", with_range("    min:\n      memory: 1Mi\n")).empty());
  EXPECT_EQ(run("container-cpu-limit", with_range("    default:\n      memory: 1Gi\n")).size(), 1u);
}

TEST(WorkloadChecksTest, PullPolicyDefaultsLikeTheApiServer) {
  auto image = [](const std::string& ref, const std::string& policy) {
    std::string spec = "  containers:\n  - name: a\n    image: \"" + ref + "\"\n";
    if (!policy.empty()) spec += "    imagePullPolicy: " + policy + "\n";
    return pod(spec);
  };
  EXPECT_TRUE(run("image-pull-policy-not-always", image("nginx", "")).empty());          // Always
  EXPECT_TRUE(run("image-pull-policy-not-always", image("nginx:latest", "")).empty());   // Always
  EXPECT_EQ(run("image-pull-policy-not-always", image("nginx:1.27", "")).size(), 1u);    // IfNotPresent
  EXPECT_EQ(run("image-pull-policy-not-always", image("nginx", "Never")).size(), 1u);
  EXPECT_TRUE(run("image-pull-policy-not-always", image("registry:5000/x", "")).empty());  // port, not a tag
}

TEST(WorkloadChecksTest, NotAssessableImagesAreReportedOnceAsInfo) {
  const std::string yaml = pod("  containers:\n  - name: a\n    image: \"{{ .Values.image }}\"\n");
  std::vector<Finding> f = run("image-not-assessable", yaml);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kInfo);
  for (std::string_view id : {"image-latest-tag", "image-not-pinned-by-digest", "image-pull-policy-not-always"}) {
    EXPECT_TRUE(run(id, yaml).empty()) << id;
  }
}

TEST(WorkloadChecksTest, RegistryAllowListNormalisesDockerHub) {
  ScanPolicy policy;
  policy.parameters.set("allowed-registries", {"docker.io"});
  EXPECT_TRUE(run("image-registry-not-allowed", pod("  containers:\n  - name: a\n    image: index.docker.io/x/y:1\n"),
                  policy)
                  .empty());
  EXPECT_EQ(run("image-registry-not-allowed", pod("  containers:\n  - name: a\n    image: docker.io.evil.com/x:1\n"),
                policy)
                .size(),
            1u);
  // Without the parameter nothing is checked.
  EXPECT_TRUE(run("image-registry-not-allowed", pod("  containers:\n  - name: a\n    image: evil.com/x:1\n")).empty());
}

}  // namespace
}  // namespace kspm
