// Framework controls and compliance: every mapping in the catalog names a real control, the CIS
// list is v1.12 exactly (sections 1-5), and the passed / failed / not-assessable rules hold.
#include "kspm/frameworks.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

TEST(FrameworksTest, EveryCatalogMappingNamesAKnownControl) {
  for (const Check* check : Catalog::builtin().all()) {
    const CheckInfo& info = check->info();
    for (const ControlRef& ref : info.controls) {
      SCOPED_TRACE(std::string(info.id) + " -> " + std::string(ref.framework) + ":" + std::string(ref.control));
      if (ref.framework == "pss-baseline" || ref.framework == "pss-restricted") {
        EXPECT_EQ(ref.control, info.pss_id);
      } else {
        ASSERT_TRUE(ref.framework == "cis" || ref.framework == "nsa");
        EXPECT_NE(findControl(ref.framework, ref.control), nullptr);
      }
    }
  }
}

TEST(FrameworksTest, CisHasThe131ControlsOfV112InBenchmarkOrder) {
  std::vector<FrameworkControl> cis = frameworkControls(Framework::kCis);
  ASSERT_EQ(cis.size(), 131u);
  EXPECT_EQ(cis.front().id, "1.1.1");
  EXPECT_EQ(cis.back().id, "5.6.4");
  auto count = [&](std::string_view prefix) {
    return std::count_if(cis.begin(), cis.end(), [&](const FrameworkControl& c) { return c.id.starts_with(prefix); });
  };
  // kube-bench cfg/cis-1.12: 21 + 30 + 7 + 2 + 7 + 3 + 2 + 10 + 14 + 1 + 34.
  EXPECT_EQ(count("1.1."), 21);
  EXPECT_EQ(count("1.2."), 30);
  EXPECT_EQ(count("1.3."), 7);
  EXPECT_EQ(count("1.4."), 2);
  EXPECT_EQ(count("2."), 7);
  EXPECT_EQ(count("3.1."), 3);
  EXPECT_EQ(count("3.2."), 2);
  EXPECT_EQ(count("4.1."), 10);
  EXPECT_EQ(count("4.2."), 14);
  EXPECT_EQ(count("4.3."), 1);
  EXPECT_EQ(count("5."), 34);
  // Objects cannot show these; they must never be reported as passed.
  for (std::string_view id : {"1.1.1", "1.1.21", "1.2.20", "1.2.28", "3.1.1", "3.2.2", "4.1.10", "4.2.7", "4.2.8",
                              "5.1.7", "5.3.1", "5.4.2", "5.5.1"}) {
    const FrameworkControl* c = findControl("cis", id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_FALSE(c->not_assessable.empty()) << id;
  }
  // Every other control of sections 1-4 has a check mapped to it.
  for (const FrameworkControl& c : cis) {
    if (c.id.starts_with("5.") || !c.not_assessable.empty()) continue;
    bool mapped = false;
    for (const Check* check : Catalog::builtin().all()) {
      for (const ControlRef& ref : check->info().controls) mapped = mapped || (ref.framework == "cis" && ref.control == c.id);
    }
    EXPECT_TRUE(mapped) << c.id;
  }
}

const ControlResult* control(const FrameworkCompliance& c, std::string_view id) {
  for (const ControlResult& r : c.controls) {
    if (r.control.id == id) return &r;
  }
  return nullptr;
}

FrameworkCompliance complianceOf(const std::string& yaml, Framework framework) {
  ObjectSet set = testing::loadText(yaml);
  ScanPolicy policy;
  policy.frameworks = {framework};
  Engine engine(Catalog::builtin(), policy);
  ScanSummary summary;
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               for (const ObjectFindings& r : batch) summary.add(r);
             });
  std::vector<FrameworkCompliance> all = computeCompliance(engine, summary);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? FrameworkCompliance() : all[0];
}

TEST(FrameworksTest, PassedNeedsAnObjectTheCheckLooksAt) {
  // A privileged pod and nothing else.
  FrameworkCompliance cis = complianceOf(R"(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
)",
                                         Framework::kCis);
  EXPECT_EQ(cis.controls.size(), 131u);
  ASSERT_NE(control(cis, "5.2.2"), nullptr);
  EXPECT_EQ(control(cis, "5.2.2")->status, ControlStatus::kFailed);
  EXPECT_GE(control(cis, "5.2.2")->findings, 1u);
  EXPECT_EQ(control(cis, "5.2.3")->status, ControlStatus::kPassed);  // no hostPID
  EXPECT_EQ(control(cis, "5.1.7")->status, ControlStatus::kNotAssessable);
  EXPECT_FALSE(control(cis, "5.1.7")->reason.empty());
  EXPECT_EQ(cis.passed + cis.failed + cis.not_assessable, 131u);
  EXPECT_NEAR(cis.score, 100.0 * cis.passed / (cis.passed + cis.failed), 0.05);
}

TEST(FrameworksTest, PodSecurityFrameworkControlsAreTheUpstreamChecks) {
  FrameworkCompliance baseline = complianceOf(R"(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  hostNetwork: true
  containers: [{name: c, image: nginx}]
)",
                                              Framework::kPssBaseline);
  ASSERT_NE(control(baseline, "hostNamespaces"), nullptr);
  EXPECT_EQ(control(baseline, "hostNamespaces")->status, ControlStatus::kFailed);
  EXPECT_EQ(control(baseline, "privileged")->status, ControlStatus::kPassed);
  EXPECT_EQ(control(baseline, "runAsNonRoot"), nullptr);  // a restricted control
  EXPECT_EQ(baseline.failed, 1u);
}

TEST(FrameworksTest, ControlsWhoseObjectsAreAbsentAreNotAssessable) {
  // A ConfigMap alone: no pod spec and no RBAC object, so pod and RBAC controls cannot pass.
  FrameworkCompliance nsa = complianceOf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", Framework::kNsa);
  for (std::string_view id : {"non-root", "privileged", "host-path", "rbac", "sa-token"}) {
    ASSERT_NE(control(nsa, id), nullptr) << id;
    EXPECT_EQ(control(nsa, id)->status, ControlStatus::kNotAssessable) << id;
  }
}

// A check that looks at one kind of Pod only (the kube-apiserver mirror pod) and reports every pod
// it is given that has the annotation "bad".
bool isApiServerPod(const Object& object) {
  const Node* component = object.root->find({"metadata", "labels", "component"});
  return component != nullptr && component->isString() && component->str() == "kube-apiserver";
}

class ApiServerOnlyCheck : public Check {
 public:
  ApiServerOnlyCheck() {
    info_.id = "test-apiserver-only";
    info_.title = "Test check for applies_to";
    info_.description = "Reports kube-apiserver pods annotated bad.";
    info_.remediation = "Do not.";
    info_.controls = {{"cis", "5.1.1"}};
    info_.scope = Scope::kKinds;
    info_.kinds = {"Pod"};
    info_.applies_to = &isApiServerPod;
    info_.not_applicable_reason = "no kube-apiserver pod is visible";
  }
  const CheckInfo& info() const override { return info_; }
  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    // Deliberately no applies_to test here: the engine must not call it for other pods.
    if (object.root->find({"metadata", "annotations", "bad"}) != nullptr || !isApiServerPod(object)) {
      sink.add(*object.root, "bad", "metadata", "metadata");
    }
  }

 private:
  CheckInfo info_;
};

struct AppliesToRun {
  FrameworkCompliance cis;
  uint64_t applied = 0;
  uint64_t findings = 0;
};

AppliesToRun runAppliesTo(const std::string& yaml) {
  Catalog catalog;
  catalog.add(std::make_unique<ApiServerOnlyCheck>());
  ObjectSet set = testing::loadText(yaml);
  ScanPolicy policy;
  policy.frameworks = {Framework::kCis};
  Engine engine(catalog, policy);
  ScanSummary summary;
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               for (const ObjectFindings& r : batch) summary.add(r);
             });
  AppliesToRun out;
  out.applied = engine.appliedCount(*catalog.find("test-apiserver-only"));
  out.findings = summary.findings;
  std::vector<FrameworkCompliance> all = computeCompliance(engine, summary);
  EXPECT_EQ(all.size(), 1u);
  if (!all.empty()) out.cis = all[0];
  return out;
}

constexpr char kWorkloadPod[] = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: c, image: nginx}]}
)";

constexpr char kApiServerPod[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-cp1
  namespace: kube-system
  labels: {component: kube-apiserver, tier: control-plane}
spec: {containers: [{name: kube-apiserver, image: registry.k8s.io/kube-apiserver:v1.30.0}]}
)";

TEST(FrameworksTest, AppliesToWithNoMatchingObjectIsNotAssessableWithTheCheckReason) {
  AppliesToRun run = runAppliesTo(kWorkloadPod);
  EXPECT_EQ(run.applied, 0u);
  EXPECT_EQ(run.findings, 0u);  // the check was never called for the workload pod
  const ControlResult* r = control(run.cis, "5.1.1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ControlStatus::kNotAssessable);
  EXPECT_EQ(r->reason, "no kube-apiserver pod is visible");
}

TEST(FrameworksTest, AppliesToWithAMatchingObjectPasses) {
  AppliesToRun run = runAppliesTo(std::string(kWorkloadPod) + "---\n" + kApiServerPod);
  EXPECT_EQ(run.applied, 1u);
  EXPECT_EQ(run.findings, 0u);
  const ControlResult* r = control(run.cis, "5.1.1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ControlStatus::kPassed);
  EXPECT_TRUE(r->reason.empty());
}

TEST(FrameworksTest, AppliesToWithAFindingFails) {
  std::string bad = kApiServerPod;
  bad.replace(bad.find("  labels:"), 0, "  annotations: {bad: \"yes\"}\n");
  AppliesToRun run = runAppliesTo(std::string(kWorkloadPod) + "---\n" + bad);
  EXPECT_EQ(run.applied, 1u);
  EXPECT_EQ(run.findings, 1u);
  EXPECT_EQ(control(run.cis, "5.1.1")->status, ControlStatus::kFailed);
}

}  // namespace
}  // namespace kspm
