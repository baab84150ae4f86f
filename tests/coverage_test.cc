// What a scan could not read: checks that read an unreadable kind do not run and are reported not
// assessable; compliance never passes a control on them (ScanPolicy::unreadable, Engine::coverage).
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "kspm/frameworks.h"
#include "kspm/report.h"
#include "test_util.h"

namespace kspm {
namespace {

constexpr const char* kShop = R"(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: db-credentials, namespace: shop}
type: Opaque
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom: [{secretRef: {name: web-credentials}}]
)";

struct Scan {
  std::vector<Finding> findings;
  ScanSummary summary;
};

Scan scan(const Engine& engine, const ObjectSet& set) {
  Scan out;
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) {
               for (const ObjectFindings& r : batch) {
                 out.summary.add(r);
                 out.findings.insert(out.findings.end(), r.findings.begin(), r.findings.end());
               }
             });
  return out;
}

bool hasFinding(const Scan& s, std::string_view check) {
  for (const Finding& f : s.findings) {
    if (f.check->id == check) return true;
  }
  return false;
}

bool selected(const Engine& engine, std::string_view check) {
  for (const Check* c : engine.checks()) {
    if (c->info().id == check) return true;
  }
  return false;
}

TEST(CoverageTest, EverythingReadableMeansCompleteCoverage) {
  ObjectSet set = testing::loadText(kShop);
  Engine engine(Catalog::builtin(), ScanPolicy{});
  EXPECT_TRUE(engine.coverage().empty());
  Scan s = scan(engine, set);
  // The manifests show no Secret named web-credentials: a missing-secret finding.
  EXPECT_TRUE(hasFinding(s, "workload-missing-secret"));
  EXPECT_TRUE(hasFinding(s, "ns-no-network-policy"));
}

TEST(CoverageTest, SecretsNotListedSkipTheChecksThatReadThem) {
  ObjectSet set = testing::loadText(kShop);
  ScanPolicy policy;
  policy.unreadable.push_back({"", "secrets", "Secret", "", "not listed: secret values are read only with --include-secrets"});
  Engine engine(Catalog::builtin(), policy);
  // Not run: it would call every referenced Secret missing.
  EXPECT_FALSE(selected(engine, "workload-missing-secret"));
  const Engine::CheckCoverage* missing = engine.coverageOf("workload-missing-secret");
  ASSERT_NE(missing, nullptr);
  EXPECT_TRUE(missing->skipped);
  EXPECT_NE(missing->reason.find("secrets: not listed"), std::string::npos) << missing->reason;
  // Runs on what was read (no Secret at all here), but is reported as not fully assessed.
  const Engine::CheckCoverage* with_data = engine.coverageOf("secret-object-with-data");
  ASSERT_NE(with_data, nullptr);
  EXPECT_FALSE(with_data->skipped);
  EXPECT_TRUE(selected(engine, "secret-object-with-data"));
  // Checks that need nothing unreadable are untouched.
  EXPECT_EQ(engine.coverageOf("ns-no-network-policy"), nullptr);

  Scan s = scan(engine, set);
  EXPECT_FALSE(hasFinding(s, "workload-missing-secret"));
  EXPECT_TRUE(hasFinding(s, "ns-no-network-policy"));
}

TEST(CoverageTest, ForbiddenNetworkPoliciesMakeTheControlNotAssessableNotFailedOrPassed) {
  ObjectSet set = testing::loadText(kShop);
  ScanPolicy policy;
  policy.frameworks = {Framework::kCis};
  policy.unreadable.push_back({"networking.k8s.io", "networkpolicies", "NetworkPolicy", "",
                               "forbidden: networkpolicies.networking.k8s.io is forbidden"});
  Engine engine(Catalog::builtin(), policy);
  EXPECT_FALSE(selected(engine, "ns-no-network-policy"));
  Scan s = scan(engine, set);
  EXPECT_FALSE(hasFinding(s, "ns-no-network-policy"));
  std::vector<FrameworkCompliance> compliance = computeCompliance(engine, s.summary);
  ASSERT_EQ(compliance.size(), 1u);
  const ControlResult* networkpolicies = nullptr;
  for (const ControlResult& r : compliance[0].controls) {
    if (r.control.id == "5.3.2") networkpolicies = &r;
  }
  ASSERT_NE(networkpolicies, nullptr);
  EXPECT_EQ(networkpolicies->status, ControlStatus::kNotAssessable);
  EXPECT_NE(networkpolicies->reason.find("networkpolicies: forbidden"), std::string::npos) << networkpolicies->reason;

  // Without the unreadable resource the same input fails 5.3.2.
  ScanPolicy complete;
  complete.frameworks = {Framework::kCis};
  Engine full(Catalog::builtin(), complete);
  Scan t = scan(full, set);
  std::vector<FrameworkCompliance> full_compliance = computeCompliance(full, t.summary);
  ASSERT_EQ(full_compliance.size(), 1u);
  for (const ControlResult& r : full_compliance[0].controls) {
    if (r.control.id == "5.3.2") EXPECT_EQ(r.status, ControlStatus::kFailed);
  }
}

TEST(CoverageTest, JsonAndTableReportsSayWhatCouldNotBeRead) {
  ObjectSet set = testing::loadText(kShop);
  ScanPolicy policy;
  policy.unreadable.push_back({"rbac.authorization.k8s.io", "clusterroles", "ClusterRole", "", "forbidden"});
  Engine engine(Catalog::builtin(), policy);
  for (OutputFormat format : {OutputFormat::kJson, OutputFormat::kTable}) {
    std::unique_ptr<Reporter> reporter = makeReporter(format, engine, set, ReportOptions{});
    std::string text = reporter->begin();
    ScanSummary summary;
    engine.run(set, 1, [&](std::span<const ObjectFindings> b) { return reporter->formatBatch(b); },
               [&](std::span<const ObjectFindings> b, std::string&& t) {
                 for (const ObjectFindings& r : b) summary.add(r);
                 text += reporter->accept(b, std::move(t));
               });
    text += reporter->end(summary, {});
    if (format == OutputFormat::kTable) {
      EXPECT_NE(text.find("cannot read clusterroles.rbac.authorization.k8s.io: forbidden"), std::string::npos) << text;
      EXPECT_NE(text.find("rbac-binding-missing-role (not run)"), std::string::npos) << text;
      continue;
    }
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    ASSERT_FALSE(doc.HasParseError());
    const auto& coverage = doc["coverage"];
    EXPECT_FALSE(coverage["complete"].GetBool());
    ASSERT_EQ(coverage["unreadable"].Size(), 1u);
    EXPECT_STREQ(coverage["unreadable"][0]["resource"].GetString(), "clusterroles");
    bool found = false;
    for (const auto& c : coverage["notAssessable"].GetArray()) {
      if (std::string(c["check"].GetString()) == "rbac-binding-missing-role") {
        found = true;
        EXPECT_FALSE(c["run"].GetBool());
      }
    }
    EXPECT_TRUE(found);
  }
}

}  // namespace
}  // namespace kspm
