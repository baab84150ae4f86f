// The security graph through the binary: kspm scan --vulns (risk-toxic-combination), kspm paths,
// kspm blast-radius.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;

std::string fixture(const std::string& name) {
  return testing::sourceDir() + "/src/checks/risk/toxic_combination/testdata/" + name;
}

TEST(GraphCli, ScanWithVulnsReportsTheToxicCombination) {
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  std::string report = "'" + fixture("vulns.json") + "'";
  auto with = run(kspm() + " scan -o json --fail-on none --vulns " + report + " " + manifest);
  ASSERT_EQ(with.exit_code, 0);
  rapidjson::Document d;
  d.Parse(with.out.c_str());
  ASSERT_TRUE(d.IsObject());
  int toxic = 0;
  for (const auto& f : d["findings"].GetArray()) {
    if (std::string(f["check"].GetString()) != "risk-toxic-combination") continue;
    ++toxic;
    std::string message = f["message"].GetString();
    EXPECT_NE(message.find("CVE-2024-6387"), std::string::npos) << message;
    EXPECT_NE(message.find("reaches cluster-admin"), std::string::npos) << message;
    EXPECT_STREQ(f["severity"].GetString(), "critical");
  }
  EXPECT_EQ(toxic, 1);
  // Without vulnerability data nothing is exploitable: no finding (not assessable).
  auto without = run(kspm() + " scan -o json --fail-on none " + manifest);
  rapidjson::Document w;
  w.Parse(without.out.c_str());
  ASSERT_TRUE(w.IsObject());
  for (const auto& f : w["findings"].GetArray()) EXPECT_STRNE(f["check"].GetString(), "risk-toxic-combination");
}

TEST(GraphCli, UnreadableReportIsAnInputErrorAndTheScanGoesOn) {
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  auto r = run(kspm() + " scan -o json --fail-on none --vulns /nonexistent/trivy.json " + manifest + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_GT(d["findings"].Size(), 0u);
  EXPECT_EQ(d["summary"]["errors"].GetUint(), 1u);
}

TEST(GraphCli, PathsJsonFromTheInternetAndFromAPod) {
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  std::string report = "'" + fixture("vulns.json") + "'";
  auto r = run(kspm() + " paths -o json -k 2 --to cluster-admin --vulns " + report + " " + manifest);
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  ASSERT_EQ(d["results"].Size(), 1u);
  const auto& result = d["results"][0];
  EXPECT_STREQ(result["from"].GetString(), "internet");
  EXPECT_STREQ(result["to"].GetString(), "cluster-admin");
  const auto& steps = result["shortest"][0]["steps"];
  ASSERT_EQ(steps.Size(), 9u);
  EXPECT_STREQ(steps[0]["technique"].GetString(), "NETWORK_REACH");
  EXPECT_STREQ(steps[1]["technique"].GetString(), "VULN_EXPLOIT");
  EXPECT_STREQ(steps[1]["mitre"].GetString(), "T1190");
  EXPECT_TRUE(steps[1].HasMember("file"));
  EXPECT_STREQ(steps[8]["technique"].GetString(), "CLUSTER_ADMIN");
  EXPECT_FALSE(d["capped"].GetBool());

  auto pod = run(kspm() + " paths -o json --from pod:shop/web --to node " + manifest);
  ASSERT_EQ(pod.exit_code, 0);
  rapidjson::Document p;
  p.Parse(pod.out.c_str());
  ASSERT_EQ(p["results"].Size(), 1u);
  EXPECT_EQ(p["results"][0]["shortest"][0]["steps"].Size(), 3u);  // IDENTITY_ASSUME, PERMISSION_DISCOVER, POD_CREATE

  // A tiny expansion cap is reported.
  auto capped = run(kspm() + " paths -o json --max-expansions 3 --from pod:shop/web " + manifest);
  rapidjson::Document c;
  c.Parse(capped.out.c_str());
  EXPECT_TRUE(c["capped"].GetBool());
}

TEST(GraphCli, UsageErrors) {
  std::string manifest = "'" + fixture("pass_no_privilege.yaml") + "'";
  EXPECT_EQ(run(kspm() + " paths --from pod:shop/nothing " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " paths -k 0 " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " paths -o xml " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " blast-radius " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " graph export -o svg " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " graph 2>/dev/null").exit_code, 2);
  for (const char* help : {" paths --help", " blast-radius --help", " graph export --help"}) {
    EXPECT_EQ(run(kspm() + help + " >/dev/null").exit_code, 0) << help;
  }
}

TEST(GraphCli, BlastRadiusJson) {
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  auto r = run(kspm() + " blast-radius -o json --from pod:shop/web " + manifest);
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["source"].GetString(), "shop/Deployment/web");
  bool admin = false;
  for (const auto& j : d["crown_jewels"].GetArray()) admin = admin || std::string(j["name"].GetString()) == "cluster-admin";
  EXPECT_TRUE(admin);
}


// The issue's example: a medium vulnerability on an internet-exposed pod whose service account is
// cluster-admin outranks a critical one on an isolated pod with no permissions.
TEST(GraphCli, RiskScoreRanksExposurePrivilegeAndExploitabilityAboveSeverity) {
  testing::TempDir dir;
  std::string manifests = dir.write("apps.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: registry.example.com/web:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: jobs}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: batch, image: registry.example.com/batch:1}]
)");
  auto report = [](const std::string& image, const std::string& cve, const std::string& severity) {
    return R"({"SchemaVersion": 2, "ArtifactName": ")" + image + R"(", "ArtifactType": "container_image",
      "Metadata": {"RepoTags": [")" + image + R"("]}, "Results": [{"Target": "t", "Class": "os-pkgs", "Type": "debian",
      "Vulnerabilities": [{"VulnerabilityID": ")" + cve + R"(", "PkgName": "p", "InstalledVersion": "1", "Severity": ")" +
           severity + R"("}]}]})";
  };
  std::string web = dir.write("web.json", report("registry.example.com/web:1", "CVE-2024-0001", "MEDIUM"));
  std::string batch = dir.write("batch.json", report("registry.example.com/batch:1", "CVE-2024-0002", "CRITICAL"));
  auto r = run(kspm() + " scan -o json --fail-on none --sort risk --vulns " + web + " --vulns " + batch + " " + manifests);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  int web_risk = -1, batch_risk = -1, first_vulnerable = -1;
  for (const auto& f : d["findings"].GetArray()) {
    if (std::string(f["check"].GetString()) != "risk-image-vulnerable") continue;
    ASSERT_TRUE(f.HasMember("risk"));
    int score = f["risk"]["score"].GetInt();
    std::string name = f["object"]["name"].GetString();
    if (first_vulnerable < 0) first_vulnerable = name == "web" ? 1 : 0;
    if (name == "web") {
      web_risk = score;
      EXPECT_STREQ(f["severity"].GetString(), "medium");
      std::string factors = f["risk"]["factors"].GetString();
      EXPECT_NE(factors.find("internet-exposed"), std::string::npos) << factors;
      EXPECT_NE(factors.find("reaches cluster-admin"), std::string::npos) << factors;
    } else {
      batch_risk = score;
      EXPECT_STREQ(f["severity"].GetString(), "critical");
    }
  }
  ASSERT_GE(web_risk, 0);
  ASSERT_GE(batch_risk, 0);
  EXPECT_GT(web_risk, batch_risk);
  EXPECT_EQ(first_vulnerable, 1) << "sorted by risk: web's finding comes first";
}


TEST(GraphCli, ReportsThatMatchNoImageAreNamed) {
  testing::TempDir dir;
  std::string other = dir.write("other.json", R"({"SchemaVersion": 2, "ArtifactName": "other/image:9",
    "ArtifactType": "container_image", "Metadata": {"RepoTags": ["other/image:9"]},
    "Results": [{"Target": "t", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": []}]})");
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  auto scan = run(kspm() + " scan --fail-on none --vulns '" + fixture("vulns.json") + "' --vulns " + other + " " + manifest +
                  " 2>&1 >/dev/null");
  EXPECT_NE(scan.out.find("other/image:9"), std::string::npos) << scan.out;
  EXPECT_EQ(scan.out.find("registry.example.com/shop/web:1.0"), std::string::npos) << scan.out;
  auto paths = run(kspm() + " paths -o json --vulns " + other + " " + manifest);
  rapidjson::Document d;
  d.Parse(paths.out.c_str());
  ASSERT_TRUE(d.IsObject());
  ASSERT_EQ(d["unmatched_reports"].Size(), 1u);
  EXPECT_NE(std::string(d["unmatched_reports"][0].GetString()).find("other/image:9"), std::string::npos);
}


TEST(GraphCli, IdentitySourcesAndSecretNamespaces) {
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  auto r = run(kspm() + " paths -o json -k 1 --from identity:sa:shop:web " + manifest);
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  std::vector<std::string> targets;
  for (const auto& x : d["results"].GetArray()) {
    EXPECT_STREQ(x["from"].GetString(), "ServiceAccount shop/web");
    targets.push_back(x["to"].GetString());
  }
  EXPECT_NE(std::find(targets.begin(), targets.end(), "secrets in shop"), targets.end());
  // Only kube-system's secrets as crown jewels: shop's are no longer a target.
  auto narrowed = run(kspm() + " paths -o json -k 1 --secret-namespace kube-system --from identity:sa:shop:web " + manifest);
  rapidjson::Document n;
  n.Parse(narrowed.out.c_str());
  ASSERT_TRUE(n.IsObject());
  bool shop = false, kube_system = false;
  for (const auto& x : n["results"].GetArray()) {
    shop = shop || std::string(x["to"].GetString()) == "secrets in shop";
    kube_system = kube_system || std::string(x["to"].GetString()) == "secrets in kube-system";
  }
  EXPECT_FALSE(shop);
  EXPECT_TRUE(kube_system);
  EXPECT_EQ(run(kspm() + " paths --from identity:sa:shop " + manifest + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " paths --from identity:robot:x " + manifest + " 2>/dev/null").exit_code, 2);
}


TEST(GraphCli, FeedsAreRecordedWithTheirDates) {
  std::string testdata = testing::sourceDir() + "/src/engine/vulns/testdata/";
  std::string manifest = "'" + fixture("fail_exposed_vulnerable_creates_privileged_pods.yaml") + "'";
  auto r = run(kspm() + " paths -o json -k 1 --to node --vulns '" + fixture("vulns.json") + "' --kev '" + testdata +
               "kev.json' --epss '" + testdata + "epss.csv' " + manifest);
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_TRUE(d.IsObject());
  const auto& sources = d["data_sources"];
  EXPECT_STREQ(sources["vulnerability_reports"].GetString(), "1");
  ASSERT_TRUE(sources.HasMember("epss_score_date"));
  EXPECT_NE(std::string(sources["epss_score_date"].GetString()), "");
  ASSERT_TRUE(sources.HasMember("kev_catalog_version"));
}

}  // namespace
}  // namespace kspm
