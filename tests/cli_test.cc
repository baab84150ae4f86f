// The kspm binary end to end: verbs, help, exit codes, formats, stdin, bad input, determinism.
#include <rapidjson/document.h>

#include <map>
#include <regex>
#include <string>

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

std::string examples() { return "'" + sourceDir() + "/examples'"; }

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset() << " in: " << text.substr(0, 500);
  return d;
}

TEST(CliTest, VersionAndHelpOnEveryVerb) {
  auto v = run(kspm() + " version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("kspm 0."), std::string::npos);
  EXPECT_NE(v.out.find("v1.37"), std::string::npos);
  for (std::string verb : {"scan", "checks", "explain", "version"}) {
    auto h = run(kspm() + " " + verb + " --help");
    EXPECT_EQ(h.exit_code, 0) << verb;
    EXPECT_NE(h.out.find("Usage: kspm " + verb), std::string::npos) << verb;
  }
  auto top = run(kspm() + " --help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("scan"), std::string::npos);
}

TEST(CliTest, UsageErrorsExit2) {
  EXPECT_EQ(run(kspm() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " frobnicate 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan --bogus x 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan -o xml " + examples() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan --pss-version v1.99 " + examples() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan --framework cis,bogus " + examples() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " scan --fail-on severe " + examples() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " explain no-such-check 2>/dev/null").exit_code, 2);
}

TEST(CliTest, ExamplesFailOnHighAndPassWithFailOnNone) {
  auto r = run(kspm() + " scan --color never " + examples());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("pss-privileged"), std::string::npos);
  EXPECT_NE(r.out.find("Findings:"), std::string::npos);
  EXPECT_EQ(r.out.find("\033["), std::string::npos);  // no colour when not a terminal
  EXPECT_EQ(run(kspm() + " scan --fail-on none " + examples() + " >/dev/null").exit_code, 0);
  EXPECT_EQ(run(kspm() + " scan --fail-on critical " + examples() + " >/dev/null").exit_code, 1);
}

TEST(CliTest, FailOnIgnoresSuppressedFindings) {
  TempDir dir;
  std::string f = dir.write("p.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: x
  annotations:
    ignore-check.kspm.dev/pss-privileged: "accepted"
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: x
    securityContext:
      privileged: true
      capabilities: {drop: [ALL]}
)");
  // privileged (critical) is suppressed; the rest (allowPrivilegeEscalation, medium) is below critical.
  EXPECT_EQ(run(kspm() + " scan --fail-on critical " + f + " >/dev/null").exit_code, 0);
  EXPECT_EQ(run(kspm() + " scan --fail-on medium " + f + " >/dev/null").exit_code, 1);
}

TEST(CliTest, JsonReportHasTheDocumentedShape) {
  auto r = run(kspm() + " scan -o json --fail-on none " + examples());
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["schemaVersion"].GetString(), "1.0");
  EXPECT_STREQ(d["policy"]["pssVersion"].GetString(), "v1.37");
  EXPECT_STREQ(d["policy"]["pssVersionRequested"].GetString(), "latest");
  const auto& findings = d["findings"];
  ASSERT_TRUE(findings.IsArray());
  ASSERT_GT(findings.Size(), 10u);
  std::regex hex16("^[0-9a-f]{16}$");
  bool saw_privileged = false, saw_suppressed = false, saw_helm = false;
  for (const auto& f : findings.GetArray()) {
    ASSERT_TRUE(f["check"].IsString());
    ASSERT_TRUE(f["severity"].IsString());
    ASSERT_TRUE(f["message"].IsString());
    ASSERT_TRUE(f["object"]["kind"].IsString());
    ASSERT_TRUE(f["source"]["file"].IsString());
    ASSERT_GT(f["source"]["line"].GetUint(), 0u);
    ASSERT_TRUE(f["path"].IsString());
    ASSERT_TRUE(f["controls"].IsArray());
    ASSERT_TRUE(std::regex_match(f["fingerprint"].GetString(), hex16));
    if (std::string(f["check"].GetString()) == "pss-privileged") {
      saw_privileged = true;
      EXPECT_STREQ(f["path"].GetString(), "spec.template.spec.containers[0].securityContext.privileged");
      EXPECT_EQ(f["source"]["line"].GetUint(), 27u);
      EXPECT_STREQ(f["object"]["namespace"].GetString(), "shop");
      EXPECT_STREQ(f["container"].GetString(), "api");
      EXPECT_STREQ(f["pssCheck"].GetString(), "privileged");
      EXPECT_STREQ(f["severity"].GetString(), "critical");
    }
    if (f["suppressed"].GetBool()) {
      saw_suppressed = true;
      EXPECT_TRUE(f["suppressionReason"].IsString());
    }
    if (f["source"].HasMember("helmTemplate")) {
      saw_helm = true;
      EXPECT_STREQ(f["source"]["helmTemplate"].GetString(), f["object"]["kind"].GetString() == std::string("Namespace")
                                                                 ? "log-collector/templates/namespace.yaml"
                                                                 : "log-collector/templates/daemonset.yaml");
    }
  }
  EXPECT_TRUE(saw_privileged);
  EXPECT_TRUE(saw_suppressed);
  EXPECT_TRUE(saw_helm);
  const auto& s = d["summary"];
  EXPECT_EQ(s["files"].GetUint(), 6u);
  EXPECT_EQ(s["objects"].GetUint(), 10u);
  EXPECT_EQ(s["findings"].GetUint(), findings.Size());
  EXPECT_EQ(s["suppressed"].GetUint(), 1u);
  EXPECT_EQ(s["errors"].GetUint(), 0u);
  // The summary is the last member (JSON streams findings first).
  EXPECT_STREQ((d.MemberEnd() - 1)->name.GetString(), "summary");
}

TEST(CliTest, SarifIsValid210WithRulesFromTheCatalog) {
  auto r = run(kspm() + " scan -o sarif --fail-on none " + examples());
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_STREQ(d["version"].GetString(), "2.1.0");
  const auto& run0 = d["runs"][0];
  const auto& rules = run0["tool"]["driver"]["rules"];
  ASSERT_TRUE(rules.IsArray());
  EXPECT_GT(rules.Size(), 15u);
  const auto& results = run0["results"];
  ASSERT_GT(results.Size(), 10u);
  for (const auto& res : results.GetArray()) {
    unsigned idx = res["ruleIndex"].GetUint();
    ASSERT_LT(idx, rules.Size());
    EXPECT_STREQ(rules[idx]["id"].GetString(), res["ruleId"].GetString());
    const auto& loc = res["locations"][0]["physicalLocation"];
    EXPECT_NE(std::string(loc["artifactLocation"]["uri"].GetString()).find("examples/"), std::string::npos);
    EXPECT_GE(loc["region"]["startLine"].GetUint(), 1u);
    EXPECT_TRUE(res["partialFingerprints"].IsObject());
  }
  EXPECT_TRUE(run0["invocations"][0]["executionSuccessful"].GetBool());
}

TEST(CliTest, SarifIsCappedAtGithubsLimitWithAWarning) {
  TempDir dir;
  // 2,200 pods x 12 restricted findings each > 25,000 results.
  std::string text;
  for (int i = 0; i < 2200; ++i) {
    text += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p" + std::to_string(i) +
            "}\nspec:\n  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n  containers:\n"
            "  - {name: a, image: x, securityContext: {privileged: true}}\n"
            "  - {name: b, image: x, securityContext: {privileged: true}}\n";
  }
  std::string f = dir.write("many.yaml", text);
  auto r = run(kspm() + " scan -o sarif --fail-on none " + f + " 2>" + dir.path() + "/err");
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_EQ(d["runs"][0]["results"].Size(), 25000u);
  std::string err = testing::readFile(dir.path() + "/err");
  EXPECT_NE(err.find("capped at 25000"), std::string::npos) << err;
  EXPECT_GT(d["runs"][0]["invocations"][0]["toolConfigurationNotifications"].Size(), 0u);
}

TEST(CliTest, BadInputIsReportedAndTheRestIsScanned) {
  TempDir dir;
  dir.write("a-good.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  containers:\n  - {name: c, image: x, securityContext: {privileged: true}}\n");
  dir.write("b-bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: after}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n");
  dir.write("c-binary.yaml", std::string("\x7f" "ELF\x00\x01\x02", 7));
  dir.write("d-nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n");
  auto r = run(kspm() + " scan -o json --fail-on none " + dir.path() + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  rapidjson::Document d = parseJson(r.out);
  const auto& errors = d["errors"];
  ASSERT_EQ(errors.Size(), 3u);
  std::string codes;
  for (const auto& e : errors.GetArray()) {
    codes += std::string(e["code"].GetString()) + "@" + std::to_string(e["line"].GetUint()) + " ";
    EXPECT_NE(std::string(e["file"].GetString()).find(dir.path()), std::string::npos);
    EXPECT_FALSE(std::string(e["message"].GetString()).empty());
  }
  EXPECT_NE(codes.find("yaml-syntax@"), std::string::npos) << codes;
  EXPECT_NE(codes.find("binary-input@"), std::string::npos) << codes;
  EXPECT_NE(codes.find("missing-kind@1"), std::string::npos) << codes;
  // The good file and the good document after the broken one were scanned.
  std::string all = r.out;
  EXPECT_NE(all.find("\"name\":\"good\""), std::string::npos);
  EXPECT_NE(all.find("\"name\":\"after\""), std::string::npos);
  EXPECT_EQ(d["summary"]["errors"].GetUint(), 3u);
  // Exit code precedence: input errors (3) win over findings (1).
  EXPECT_EQ(run(kspm() + " scan " + dir.path() + " >/dev/null 2>&1").exit_code, 3);
  // A missing path is an input error too.
  EXPECT_EQ(run(kspm() + " scan /nonexistent/kspm " + examples() + " >/dev/null 2>&1").exit_code, 3);
}

TEST(CliTest, StdinAndNamespaceFlag) {
  auto r = run("printf 'apiVersion: v1\\nkind: Pod\\nmetadata: {name: s}\\nspec:\\n  containers: [{name: c, image: x}]\\n' | " +
               kspm() + " scan -o json --fail-on none -");
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  ASSERT_GT(d["findings"].Size(), 0u);
  EXPECT_TRUE(d["findings"][0]["object"]["namespace"].IsNull());  // unspecified, never "default"
  EXPECT_STREQ(d["findings"][0]["source"]["file"].GetString(), "-");
  auto n = run("printf 'apiVersion: v1\\nkind: Pod\\nmetadata: {name: s}\\nspec:\\n  containers: [{name: c, image: x}]\\n' | " +
               kspm() + " scan -o json --fail-on none -n staging -");
  rapidjson::Document dn = parseJson(n.out);
  EXPECT_STREQ(dn["findings"][0]["object"]["namespace"].GetString(), "staging");
}

TEST(CliTest, OutputFileAndUnwritableOutput) {
  TempDir dir;
  std::string out = dir.path() + "/report.json";
  auto r = run(kspm() + " scan -o json --fail-on none --output-file " + out + " " + examples());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  rapidjson::Document d = parseJson(testing::readFile(out));
  EXPECT_GT(d["findings"].Size(), 0u);
  EXPECT_EQ(run(kspm() + " scan --output-file /nonexistent-dir/x.json " + examples() + " 2>/dev/null").exit_code, 4);
}

TEST(CliTest, PssFrameworkVersionSelectsUpstreamBehaviour) {
  TempDir dir;
  // allowPrivilegeEscalation exists from v1.8: at v1.7 restricted this pod passes.
  std::string f = dir.write("p.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: c
    image: x
)");
  EXPECT_EQ(run(kspm() + " scan --framework pss-restricted --pss-version v1.7 --fail-on info " + f + " >/dev/null").exit_code, 0);
  auto r = run(kspm() + " scan -o json --framework pss-restricted --pss-version v1.8 --fail-on info " + f);
  EXPECT_EQ(r.exit_code, 1);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_STREQ(d["policy"]["pssVersion"].GetString(), "v1.8");
  ASSERT_EQ(d["findings"].Size(), 1u);
  EXPECT_STREQ(d["findings"][0]["pssCheck"].GetString(), "allowPrivilegeEscalation");
}

TEST(CliTest, OutputIsIdenticalWithOneOrTwoThreads) {
  auto one = run(kspm() + " scan -o json --fail-on none --threads 1 " + examples());
  auto two = run(kspm() + " scan -o json --fail-on none --threads 2 " + examples());
  EXPECT_EQ(one.out, two.out);
  EXPECT_FALSE(one.out.empty());
}

TEST(CliTest, ChecksAndExplain) {
  auto table = run(kspm() + " checks");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("pss-privileged"), std::string::npos);
  auto json = run(kspm() + " checks -o json");
  rapidjson::Document d = parseJson(json.out);
  EXPECT_EQ(d["checks"].Size(), Catalog::builtin().all().size());
  auto md = run(kspm() + " checks -o markdown");
  EXPECT_EQ(md.out, catalogMarkdown(Catalog::builtin()));
  auto explain = run(kspm() + " explain pss-run-as-non-root");
  EXPECT_EQ(explain.exit_code, 0);
  EXPECT_NE(explain.out.find("runAsNonRoot"), std::string::npos);
  EXPECT_NE(explain.out.find("Remediation:"), std::string::npos);
}

TEST(DocsTest, GeneratedCheckReferenceIsCurrent) {
  std::string on_disk = testing::readFile(sourceDir() + "/docs/checks.md");
  EXPECT_EQ(on_disk, catalogMarkdown(Catalog::builtin()))
      << "docs/checks.md is stale: run ./build/kspm checks -o markdown > docs/checks.md";
}

}  // namespace
}  // namespace kspm

namespace kspm {
namespace {

// Hostile input through the whole binary: each is an input error naming the file and line, the
// other files are still scanned, nothing crashes, and the exit code is 3.
TEST(CliHostileInputTest, DeepNestingAliasBombHugeLineAndGarbage) {
  testing::TempDir dir;
  dir.write("deep-flow.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " +
                                  std::string(10000, '[') + std::string(10000, ']') + "\n");
  dir.write("deep-block.yaml", "a:\n" + [] {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += std::string(static_cast<size_t>(i + 1), ' ') + "b" + std::to_string(i) + ":\n";
    return s;
  }());
  std::string bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += "  " + std::string(1, c) + ": &" + std::string(1, c) + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev +
            ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n";
  }
  dir.write("bomb.yaml", bomb);
  dir.write("huge-line.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  x: " +
                                  std::string(80u << 20, 'A') + "\n");
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
  dir.write("garbage.yaml", garbage);
  dir.write("truncated.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": ");
  dir.write("z-good.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: survivor}\nspec:\n  containers: [{name: c, image: x}]\n");
  auto r = run(kspm() + " scan -o json --fail-on none " + dir.path() + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  rapidjson::Document d;
  d.Parse(r.out.c_str(), r.out.size());
  ASSERT_FALSE(d.HasParseError()) << r.out.substr(0, 300);
  std::map<std::string, std::string> code_by_file;
  for (const auto& e : d["errors"].GetArray()) {
    std::string file = e["file"].GetString();
    code_by_file[file.substr(file.rfind('/') + 1)] = e["code"].GetString();
    EXPECT_GT(e["line"].GetUint(), 0u) << file;
  }
  EXPECT_EQ(code_by_file["deep-flow.yaml"], "depth-limit");
  EXPECT_EQ(code_by_file["deep-block.yaml"], "depth-limit");
  EXPECT_EQ(code_by_file["bomb.yaml"], "alias-limit");
  EXPECT_EQ(code_by_file["huge-line.yaml"], "document-too-large");
  EXPECT_EQ(code_by_file["garbage.yaml"], "binary-input");
  EXPECT_TRUE(code_by_file.count("truncated.json")) << "truncated JSON must be an error";
  EXPECT_NE(r.out.find("\"name\":\"survivor\""), std::string::npos);
}

}  // namespace
}  // namespace kspm
