// Agentless CIS sections 1-4 end to end: a kubeadm cluster's mirror pods give the verdicts kubeadm's
// defaults are known for; a managed cluster, where the control plane is invisible, is not
// assessable rather than passed; a kubelet config file of defaults gets the defaults' verdicts.
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "kspm/frameworks.h"
#include "test_util.h"

namespace kspm {
namespace {

struct CisRun {
  std::map<std::string, ControlResult> controls;  // by control ID
  std::vector<Finding> findings;
  std::set<std::string> with(ControlStatus status, std::string_view section_prefixes) const {
    std::set<std::string> out;
    for (const auto& [id, r] : controls) {
      if (r.status != status) continue;
      for (std::string_view rest = section_prefixes; !rest.empty();) {
        size_t comma = rest.find(',');
        if (id.starts_with(rest.substr(0, comma))) out.insert(id);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
    return out;
  }
};

CisRun scanFile(const std::string& name) {
  std::string path = testing::sourceDir() + "/src/checks/cis/testdata/" + name;
  ObjectSet set = testing::loadText(testing::readFile(path), path);
  EXPECT_TRUE(set.errors().empty());
  ScanPolicy policy;
  policy.frameworks = {Framework::kCis};
  Engine engine(Catalog::builtin(), policy);
  ScanSummary summary;
  CisRun run;
  engine.run(set, 2, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               for (const ObjectFindings& r : batch) {
                 summary.add(r);
                 run.findings.insert(run.findings.end(), r.findings.begin(), r.findings.end());
               }
             });
  std::vector<FrameworkCompliance> compliance = computeCompliance(engine, summary);
  EXPECT_EQ(compliance.size(), 1u);
  for (const ControlResult& r : compliance.at(0).controls) run.controls[std::string(r.control.id)] = r;
  return run;
}

using Ids = std::set<std::string>;

TEST(CisControlPlaneTest, KubeadmDefaultsFailWhatTheyAreKnownToFail) {
  CisRun run = scanFile("kubeadm_v1_30_cluster.yaml");
  // kubeadm leaves anonymous auth, profiling, auditing, encryption at rest, cipher suites, the
  // kubelet CA and the optional admission plugins at their defaults, and keeps profiling on in the
  // controller manager and scheduler.
  EXPECT_EQ(run.with(ControlStatus::kFailed, "1.,2.,3.,4."),
            (Ids{"1.2.1", "1.2.11", "1.2.15", "1.2.16", "1.2.17", "1.2.18", "1.2.19", "1.2.27", "1.2.29", "1.2.3",
                 "1.2.30", "1.2.5", "1.2.9", "1.3.1", "1.3.2", "1.4.1", "3.2.1"}));
  EXPECT_EQ(run.with(ControlStatus::kPassed, "1.,2.,3.,4."),
            (Ids{"1.2.10", "1.2.12", "1.2.13", "1.2.14", "1.2.2", "1.2.21", "1.2.22", "1.2.23", "1.2.24", "1.2.25",
                 "1.2.26", "1.2.4", "1.2.6", "1.2.7", "1.2.8", "1.3.3", "1.3.4", "1.3.5", "1.3.6", "1.3.7", "1.4.2",
                 "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "4.3.1"}));
  // Every 1.2-1.4 and 2 control a flag shows is assessed: none is left not assessable.
  for (const auto& [id, r] : run.controls) {
    if (!(id.starts_with("1.2.") || id.starts_with("1.3.") || id.starts_with("1.4.") || id.starts_with("2."))) continue;
    if (!r.control.not_assessable.empty()) continue;  // 1.2.20, 1.2.28: no object shows them
    EXPECT_NE(r.status, ControlStatus::kNotAssessable) << id << ": " << r.reason;
  }
  // No kubelet configuration was given: 4.2 says why instead of passing.
  ASSERT_EQ(run.controls.at("4.2.1").status, ControlStatus::kNotAssessable);
  EXPECT_NE(run.controls.at("4.2.1").reason.find("kubelet config"), std::string::npos);

  // Findings point at the flag or, for an absent one, at the container's command.
  const std::string text = testing::readFile(testing::sourceDir() + "/src/checks/cis/testdata/kubeadm_v1_30_cluster.yaml");
  auto lineOf = [&](std::string_view needle, size_t from = 0) {
    size_t at = text.find(needle, from);
    return at == std::string::npos ? 0u : static_cast<uint32_t>(std::count(text.begin(), text.begin() + at, '\n') + 1);
  };
  bool saw_profiling = false, saw_plugins = false;
  for (const Finding& f : run.findings) {
    if (f.check->id == "cis-apiserver-profiling") {
      saw_profiling = true;
      EXPECT_EQ(f.line, lineOf("    - command:"));  // the apiserver's command list (the first pod)
      EXPECT_EQ(f.container, "kube-apiserver");
      EXPECT_NE(f.message.find("defaults to true"), std::string::npos) << f.message;
    }
    if (f.check->id == "cis-apiserver-event-rate-limit") {
      saw_plugins = true;
      EXPECT_EQ(f.line, lineOf("--enable-admission-plugins=NodeRestriction"));
      EXPECT_EQ(f.path, "spec.containers[0].command[5]");
    }
  }
  EXPECT_TRUE(saw_profiling);
  EXPECT_TRUE(saw_plugins);
}

TEST(CisControlPlaneTest, ManagedClusterIsNotAssessableNeverPassed) {
  CisRun run = scanFile("managed_cluster_workloads.yaml");
  EXPECT_TRUE(run.with(ControlStatus::kPassed, "1.,2.,3.,4.").empty());
  EXPECT_TRUE(run.with(ControlStatus::kFailed, "1.,2.,3.,4.").empty());
  int checked = 0;
  for (const auto& [id, r] : run.controls) {
    if (!(id.starts_with("1.2.") || id.starts_with("1.3.") || id.starts_with("1.4.") || id.starts_with("2."))) continue;
    EXPECT_EQ(r.status, ControlStatus::kNotAssessable) << id;
    if (!r.control.not_assessable.empty()) continue;
    ++checked;
    EXPECT_NE(r.reason.find("managed control planes (EKS, GKE, AKS)"), std::string::npos) << id << ": " << r.reason;
  }
  EXPECT_EQ(checked, 28 + 7 + 2 + 7);  // 1.2 without 1.2.20 and 1.2.28, 1.3, 1.4, 2
  EXPECT_NE(run.controls.at("1.3.2").reason.find("kube-controller-manager"), std::string::npos);
  EXPECT_NE(run.controls.at("4.3.1").reason.find("kube-proxy"), std::string::npos);
  // Section 5 still works on the workloads.
  EXPECT_FALSE(run.with(ControlStatus::kPassed, "5.").empty());
}

TEST(CisControlPlaneTest, KubeletConfigFileWithDefaultsOnly) {
  CisRun run = scanFile("kubelet_config_defaults.yaml");
  // v1beta1 config-file defaults: anonymous off, Webhook authorization, no read-only port, 4h idle
  // timeout, iptables chains on, server certificate rotation gate on ...
  EXPECT_EQ(run.with(ControlStatus::kPassed, "4.2."), (Ids{"4.2.1", "4.2.11", "4.2.2", "4.2.4", "4.2.5", "4.2.6"}));
  // ... but no client CA, no TLS files, no client certificate rotation, Go's cipher suites, no PID
  // limit and no default seccomp profile.
  EXPECT_EQ(run.with(ControlStatus::kFailed, "4.2."), (Ids{"4.2.10", "4.2.12", "4.2.13", "4.2.14", "4.2.3", "4.2.9"}));
  EXPECT_EQ(run.with(ControlStatus::kNotAssessable, "4.2."), (Ids{"4.2.7", "4.2.8"}));
  // The control plane was not in the input.
  EXPECT_EQ(run.controls.at("1.2.1").status, ControlStatus::kNotAssessable);
}

TEST(CisControlPlaneTest, StaticPodManifestFileGetsTheSameChecks) {
  // A static pod manifest given as a file (here without metadata.namespace) is the scheduler's pod.
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  labels: {component: kube-scheduler, tier: control-plane}
  name: kube-scheduler
spec:
  containers:
  - command: [kube-scheduler, --bind-address=0.0.0.0, --kubeconfig=/etc/kubernetes/scheduler.conf]
    image: registry.k8s.io/kube-scheduler:v1.30.2
    name: kube-scheduler
  hostNetwork: true
)",
                                    "/etc/kubernetes/manifests/kube-scheduler.yaml");
  ScanPolicy policy;
  policy.frameworks = {Framework::kCis};
  Engine engine(Catalog::builtin(), policy);
  std::vector<Finding> findings;
  ScanContext context = buildScanContext(Catalog::builtin(), set);
  engine.evaluate(set.objects()[0], set, context, &findings);
  std::set<std::string> ids;
  for (const Finding& f : findings) ids.insert(std::string(f.check->id));
  EXPECT_TRUE(ids.count("cis-scheduler-profiling"));
  EXPECT_TRUE(ids.count("cis-scheduler-bind-address"));
  EXPECT_FALSE(ids.count("cis-apiserver-profiling"));
  EXPECT_EQ(engine.appliedCount(*Catalog::builtin().find("cis-scheduler-profiling")), 1u);
  EXPECT_EQ(engine.appliedCount(*Catalog::builtin().find("cis-apiserver-profiling")), 0u);
}

TEST(CisControlPlaneTest, StructuredAuthorizationConfigIsNotAssessableNotPassed) {
  // With --authorization-config the modes live in a file: 1.2.6-1.2.8 cannot pass on this pod, while
  // the flags it does show are still judged.
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-cp1
  namespace: kube-system
  labels: {component: kube-apiserver, tier: control-plane}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.32.0
    command: [kube-apiserver, --authorization-config=/etc/kubernetes/authz.yaml, --profiling=false]
)");
  ScanPolicy policy;
  policy.frameworks = {Framework::kCis};
  Engine engine(Catalog::builtin(), policy);
  ScanSummary summary;
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               for (const ObjectFindings& r : batch) summary.add(r);
             });
  std::map<std::string, ControlResult> controls;
  std::vector<FrameworkCompliance> compliance = computeCompliance(engine, summary);
  ASSERT_EQ(compliance.size(), 1u);
  for (const ControlResult& r : compliance[0].controls) {
    controls[std::string(r.control.id)] = r;
  }
  for (std::string id : {"1.2.6", "1.2.7", "1.2.8"}) {
    EXPECT_EQ(controls.at(id).status, ControlStatus::kNotAssessable) << id;
    EXPECT_NE(controls.at(id).reason.find("--authorization-config"), std::string::npos) << controls.at(id).reason;
  }
  EXPECT_EQ(controls.at("1.2.15").status, ControlStatus::kPassed);
  EXPECT_EQ(controls.at("1.2.1").status, ControlStatus::kFailed);  // --anonymous-auth defaults to true
}

}  // namespace
}  // namespace kspm
