// `kspm pss plan` end to end: help, usage errors, JSON fields, exit codes, stdin, -n, output file.
#include <rapidjson/document.h>

#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;
using testing::sourceDir;
using testing::TempDir;

std::string fixtures() { return "'" + sourceDir() + "/src/engine/testdata/pss_plan'"; }
std::string fixture(const std::string& name) { return "'" + sourceDir() + "/src/engine/testdata/pss_plan/" + name + "'"; }

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset() << " in: " << text.substr(0, 500);
  return d;
}

const rapidjson::Value* findNamespace(const rapidjson::Document& d, const char* name) {
  for (const auto& ns : d["namespaces"].GetArray()) {
    if (name == nullptr ? ns["name"].IsNull() : (ns["name"].IsString() && std::string(ns["name"].GetString()) == name)) {
      return &ns;
    }
  }
  return nullptr;
}

TEST(PssPlanCliTest, HelpAndUsageErrors) {
  auto help = run(kspm() + " pss plan --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: kspm pss plan"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  auto pss = run(kspm() + " pss --help");
  EXPECT_EQ(pss.exit_code, 0);
  EXPECT_NE(pss.out.find("plan"), std::string::npos);
  EXPECT_NE(run(kspm() + " --help").out.find("pss plan"), std::string::npos);

  EXPECT_EQ(run(kspm() + " pss 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss frobnicate 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss plan 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss plan --bogus " + fixtures() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss plan -o sarif " + fixtures() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss plan --pss-version v1.99 " + fixtures() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " pss plan -n 2>/dev/null").exit_code, 2);
}

TEST(PssPlanCliTest, JsonFieldsAndExitZeroWhateverThePlanSays) {
  auto r = run(kspm() + " pss plan -o json " + fixtures());
  ASSERT_EQ(r.exit_code, 0) << r.out;  // violated and privileged-only namespaces do not fail the run
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["schemaVersion"].GetString(), "1.0");
  EXPECT_STREQ(d["tool"]["name"].GetString(), "kspm");
  EXPECT_STREQ(d["policy"]["pssVersion"].GetString(), "v1.37");
  EXPECT_STREQ(d["policy"]["pssVersionRequested"].GetString(), "latest");
  ASSERT_EQ(d["namespaces"].Size(), 8u);
  EXPECT_TRUE(d["namespaces"][7]["name"].IsNull());  // unspecified sorts last
  EXPECT_EQ(d["errors"].Size(), 0u);

  const rapidjson::Value* apps = findNamespace(d, "apps");
  ASSERT_NE(apps, nullptr);
  EXPECT_STREQ((*apps)["strictestLevel"].GetString(), "restricted");
  EXPECT_STREQ((*apps)["status"].GetString(), "no-enforce-label");
  EXPECT_TRUE((*apps)["nextLevel"].IsNull());

  const rapidjson::Value* infra = findNamespace(d, "infra");
  ASSERT_NE(infra, nullptr);
  EXPECT_STREQ((*infra)["strictestLevel"].GetString(), "privileged");
  EXPECT_STREQ((*infra)["status"].GetString(), "namespace-not-in-input");
  const auto& breaking = (*infra)["nextLevel"]["breaking"];
  ASSERT_EQ(breaking.Size(), 1u);
  EXPECT_STREQ(breaking[0]["kind"].GetString(), "Pod");
  EXPECT_STREQ(breaking[0]["name"].GetString(), "node-debugger");
  EXPECT_STREQ(breaking[0]["effect"].GetString(), "the API server would reject this Pod");
  EXPECT_NE(std::string(breaking[0]["source"]["file"].GetString()).find("privileged_pod.yaml"), std::string::npos);
  EXPECT_EQ(breaking[0]["source"]["line"].GetUint(), 3u);
  EXPECT_STREQ(breaking[0]["violations"][0]["pssCheck"].GetString(), "privileged");
  EXPECT_STREQ(breaking[0]["violations"][0]["container"].GetString(), "shell");
  EXPECT_EQ(breaking[0]["violations"][0]["line"].GetUint(), 13u);
  EXPECT_FALSE(breaking[0]["violations"][0]["suppressed"].GetBool());

  const rapidjson::Value* shop = findNamespace(d, "shop");
  ASSERT_NE(shop, nullptr);
  EXPECT_STREQ((*shop)["status"].GetString(), "enforce-violated");
  EXPECT_EQ((*shop)["enforceViolations"].Size(), 1u);
  EXPECT_STREQ((*shop)["suggestedLabels"]["pod-security.kubernetes.io/enforce"].GetString(), "baseline");
  EXPECT_STREQ((*shop)["suggestedLabels"]["pod-security.kubernetes.io/audit"].GetString(), "restricted");
}

TEST(PssPlanCliTest, PssVersionChangesTheVerdict) {
  auto old_r = run(kspm() + " pss plan -o json --pss-version v1.33 " + fixture("version_sensitive.yaml"));
  ASSERT_EQ(old_r.exit_code, 0);
  rapidjson::Document old_d = parseJson(old_r.out);
  EXPECT_STREQ(old_d["policy"]["pssVersion"].GetString(), "v1.33");
  EXPECT_STREQ(old_d["namespaces"][0]["strictestLevel"].GetString(), "restricted");
  EXPECT_STREQ(old_d["namespaces"][0]["suggestedLabels"]["pod-security.kubernetes.io/enforce-version"].GetString(),
               "v1.33");
  auto new_r = run(kspm() + " pss plan -o json " + fixture("version_sensitive.yaml"));
  rapidjson::Document new_d = parseJson(new_r.out);
  EXPECT_STREQ(new_d["namespaces"][0]["strictestLevel"].GetString(), "privileged");
  EXPECT_STREQ(new_d["namespaces"][0]["nextLevel"]["breaking"][0]["violations"][0]["pssCheck"].GetString(),
               "hostProbesAndHostLifecycle");
}

TEST(PssPlanCliTest, StdinDashNAndInputErrors) {
  TempDir dir;
  std::string bad = dir.write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
  std::string pod = dir.write("pod.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
)");
  // Input errors: exit 3, the rest is still planned.
  auto r = run(kspm() + " pss plan -o json -n team " + pod + " " + bad + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  rapidjson::Document d = parseJson(r.out);
  ASSERT_EQ(d["namespaces"].Size(), 1u);
  EXPECT_STREQ(d["namespaces"][0]["name"].GetString(), "team");
  EXPECT_STREQ(d["namespaces"][0]["strictestLevel"].GetString(), "baseline");
  EXPECT_GE(d["errors"].Size(), 1u);

  auto table = run(kspm() + " pss plan - < " + pod);
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("(namespace unspecified"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Could enforce:  baseline"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("At restricted (v1.37), 1 of 1 workloads would break"), std::string::npos) << table.out;

  std::string out = dir.path() + "/plan.json";
  EXPECT_EQ(run(kspm() + " pss plan -o json --output-file " + out + " " + pod).exit_code, 0);
  rapidjson::Document written = parseJson(testing::readFile(out));
  EXPECT_TRUE(written.IsObject());
  EXPECT_EQ(run(kspm() + " pss plan --output-file " + dir.path() + "/missing/plan.txt " + pod + " 2>/dev/null").exit_code,
            4);
}

TEST(PssPlanCliTest, DeterministicOutput) {
  auto a = run(kspm() + " pss plan " + fixtures());
  auto b = run(kspm() + " pss plan " + fixtures());
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace kspm
