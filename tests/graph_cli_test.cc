// The security graph through the binary: kspm scan --vulns (risk-toxic-combination), kspm paths,
// kspm blast-radius.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

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

}  // namespace
}  // namespace kspm
