// The scan's policy inputs end to end: config file discovery and errors, exceptions files, JUnit
// output, compliance in JSON, and `kspm checks --framework`.
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/catalog_docs.h"
#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;
using testing::sourceDir;
using testing::TempDir;

struct Output {
  int exit_code = -1;
  std::string out, err;
};

/** Runs a command capturing stdout and stderr apart. */
Output runCapture(const std::string& command) {
  TempDir tmp;
  std::string err_path = tmp.path() + "/stderr";
  auto r = run(command + " 2>'" + err_path + "'");
  Output o;
  o.exit_code = r.exit_code;
  o.out = r.out;
  o.err = testing::readFile(err_path);
  return o;
}

constexpr const char* kPrivilegedPod = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
)";

TEST(CliPolicyTest, ConfigIsFoundUpwardAndAppliesAndFlagsOverrideIt) {
  TempDir dir;
  dir.write(".kspm.yaml", "checks:\n  disable: [pss-privileged]\nfailOn: none\n");
  std::filesystem::create_directories(dir.path() + "/sub");
  std::string pod = dir.write("sub/pod.yaml", kPrivilegedPod);
  std::string cd = "cd '" + dir.path() + "/sub' && ";
  auto r = runCapture(cd + kspm() + " scan -o json pod.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;  // failOn: none from the config
  EXPECT_EQ(r.out.find("\"check\":\"pss-privileged\""), std::string::npos);
  r = runCapture(cd + kspm() + " scan -o json --fail-on low pod.yaml");
  EXPECT_EQ(r.exit_code, 1);  // the flag overrides the config
  r = runCapture(cd + kspm() + " scan -o json --no-config pod.yaml");
  EXPECT_NE(r.out.find("\"check\":\"pss-privileged\""), std::string::npos);
}

TEST(CliPolicyTest, InvalidConfigStopsTheScanNamingFileLineAndKey) {
  TempDir dir;
  std::string config = dir.write("bad.yaml", "checks:\n  severity:\n    pss-privileged: urgent\nnamespace: {}\n");
  std::string pod = dir.write("pod.yaml", kPrivilegedPod);
  auto r = runCapture(kspm() + " scan --config '" + config + "' '" + pod + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:3: checks.severity.pss-privileged: expected info, low"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.yaml:4: namespace: unknown key"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliPolicyTest, ExceptionsSuppressAndWarnWhenExpiredOrUnused) {
  TempDir dir;
  std::string pod = dir.write("pod.yaml", kPrivilegedPod);
  std::string exceptions = dir.write("exceptions.yaml", R"(exceptions:
- checks: ["pss-*"]
  objects: [{kind: Pod, namespace: shop, name: "w*"}]
  reason: accepted by security (TICKET-1)
- checks: [pss-host-ports]
  objects: [{namespace: elsewhere}]
  reason: old
  expires: "2001-01-01"
)");
  auto r = runCapture(kspm() + " scan -o json --exceptions '" + exceptions + "' '" + pod + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError());
  size_t suppressed = 0;
  for (const auto& f : doc["findings"].GetArray()) {
    if (std::string(f["check"].GetString()).starts_with("pss-")) {
      EXPECT_TRUE(f["suppressed"].GetBool());
      EXPECT_STREQ(f["suppressedBy"].GetString(), "exception");
      EXPECT_STREQ(f["suppressionReason"].GetString(), "accepted by security (TICKET-1)");
      ++suppressed;
    }
  }
  EXPECT_GE(suppressed, 1u);
  ASSERT_EQ(doc["exceptions"].Size(), 2u);
  EXPECT_STREQ(doc["exceptions"][0]["status"].GetString(), "active");
  EXPECT_STREQ(doc["exceptions"][1]["status"].GetString(), "expired");
  EXPECT_NE(r.err.find("exceptions.yaml:5 expired on 2001-01-01"), std::string::npos) << r.err;
}

TEST(CliPolicyTest, JunitHasOneCasePerObjectAndFailsAtTheThreshold) {
  TempDir dir;
  std::string pods = dir.write("pods.yaml", std::string(kPrivilegedPod) +
                                                "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n");
  auto r = runCapture(kspm() + " scan -o junit '" + pods + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_NE(r.out.find("<testsuite name=\"" + pods + "\" tests=\"2\" failures=\"1\">"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name=\"Pod shop/web\""), std::string::npos);
  EXPECT_NE(r.out.find("<testcase classname=\"ConfigMap\" name=\"ConfigMap shop/c\""), std::string::npos);
  EXPECT_NE(r.out.find("critical pss-privileged"), std::string::npos);
  EXPECT_NE(r.out.find("&quot;c&quot;"), std::string::npos);  // messages are escaped
  EXPECT_EQ(r.out.substr(r.out.size() - 14), "</testsuites>\n");
  auto by_check = runCapture(kspm() + " scan -o junit --junit-group check '" + pods + "'");
  EXPECT_NE(by_check.out.find("<testcase classname=\"kspm.checks\" name=\"pss-privileged: "), std::string::npos);
  EXPECT_NE(by_check.out.find("Pod shop/web: container"), std::string::npos);
  auto none = runCapture(kspm() + " scan -o junit --fail-on none '" + pods + "'");
  EXPECT_EQ(none.out.find("<failure"), std::string::npos);
}

TEST(CliPolicyTest, JsonComplianceAndK8sVersion) {
  TempDir dir;
  std::string pod = dir.write("pod.yaml", kPrivilegedPod);
  auto r = runCapture(kspm() + " scan -o json --framework cis --k8s-version 1.30 '" + pod + "'");
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError());
  EXPECT_STREQ(doc["policy"]["framework"].GetString(), "cis");
  EXPECT_STREQ(doc["policy"]["k8sVersion"].GetString(), "1.30");
  EXPECT_FALSE(doc["policy"]["k8sVersionAssumed"].GetBool());
  ASSERT_EQ(doc["compliance"].Size(), 1u);
  const auto& cis = doc["compliance"][0];
  EXPECT_STREQ(cis["framework"].GetString(), "cis");
  EXPECT_EQ(cis["controls"].Size(), 131u);
  EXPECT_EQ(cis["passed"].GetUint64() + cis["failed"].GetUint64() + cis["notAssessable"].GetUint64(), 131u);
  bool saw_privileged = false;
  for (const auto& c : cis["controls"].GetArray()) {
    if (std::string(c["id"].GetString()) == "5.2.2") {
      EXPECT_STREQ(c["status"].GetString(), "failed");
      saw_privileged = true;
    }
    if (std::string(c["id"].GetString()) == "5.1.7") EXPECT_STREQ(c["status"].GetString(), "not-assessable");
  }
  EXPECT_TRUE(saw_privileged);
  EXPECT_EQ(run(kspm() + " scan --k8s-version 2.1 '" + pod + "'").exit_code, 2);
}

TEST(CliPolicyTest, ChecksFrameworkListsTheMapping) {
  auto r = runCapture(kspm() + " checks --framework cis");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("5.2.2     Minimize the admission of privileged containers"), std::string::npos);
  EXPECT_NE(r.out.find("checks: pss-privileged"), std::string::npos);
  EXPECT_NE(r.out.find("not assessable: membership of system:masters"), std::string::npos);
  EXPECT_EQ(run(kspm() + " checks --framework bogus").exit_code, 2);
}

TEST(DocsTest, ExampleConfigAndExceptionsFilesAreValid) {
  for (const char* file : {"docs/examples/kspm.yaml", "docs/examples/exceptions.yaml"}) {
    std::string path = sourceDir() + "/" + file;
    std::string flag = std::string(file).ends_with("kspm.yaml") ? " --config '" : " --exceptions '";
    auto r = runCapture(kspm() + " scan --fail-on none" + flag + path + "' '" + sourceDir() + "/examples'");
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.err;
  }
}

TEST(DocsTest, GeneratedFrameworkMappingIsCurrent) {
  std::string on_disk = testing::readFile(sourceDir() + "/docs/frameworks.md");
  EXPECT_EQ(on_disk, frameworkMappingMarkdown(Catalog::builtin()))
      << "docs/frameworks.md is stale: run ./build/kspm checks --framework cis,nsa -o markdown > docs/frameworks.md";
}

}  // namespace
}  // namespace kspm
