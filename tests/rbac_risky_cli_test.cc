// `kspm rbac risky` end to end: help, usage errors, JSON fields, --include-system, --k8s-version, exit codes.
#include <rapidjson/document.h>

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;
using testing::sourceDir;

std::string fixture() { return "'" + sourceDir() + "/src/engine/rbac/testdata/risky/cluster.yaml'"; }

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset() << " in: " << text.substr(0, 500);
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "<missing>";
}

std::string label(const rapidjson::Value& subject) {
  std::string out = str(subject, "kind") + " ";
  if (subject.HasMember("namespace")) out += str(subject, "namespace") + "/";
  return out + str(subject, "name");
}

const rapidjson::Value* subjectNamed(const rapidjson::Document& d, const std::string& wanted) {
  for (const auto& s : d["subjects"].GetArray()) {
    if (label(s["subject"]) == wanted) return &s;
  }
  return nullptr;
}

TEST(RbacRiskyCliTest, HelpAndUsageErrors) {
  auto help = run(kspm() + " rbac risky --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: kspm rbac risky"), std::string::npos);
  EXPECT_NE(run(kspm() + " rbac --help").out.find("risky"), std::string::npos);
  EXPECT_EQ(run(kspm() + " rbac risky 2>/dev/null").exit_code, 2);  // no input
  EXPECT_EQ(run(kspm() + " rbac risky -o yaml " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac risky --k8s-version banana " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac risky --bogus " + fixture() + " 2>/dev/null").exit_code, 2);
}

TEST(RbacRiskyCliTest, JsonFields) {
  auto r = run(kspm() + " rbac risky -o json " + fixture());
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_EQ(str(d, "k8s_version"), "1.37");
  // 14 subjects hold something; kube-system/kube-proxy is Kubernetes' own and hidden.
  EXPECT_EQ(d["subjects"].Size(), 13u);
  EXPECT_EQ(d["system_subjects_hidden"].GetUint(), 1u);
  EXPECT_EQ(subjectNamed(d, "ServiceAccount kube-system/kube-proxy"), nullptr);
  EXPECT_EQ(d["dangling_bindings"].Size(), 0u);
  EXPECT_EQ(d["input_errors"].Size(), 0u);
  // Most severe first: the first subject is critical.
  EXPECT_EQ(str(d["subjects"][0], "severity"), "critical");

  const rapidjson::Value* frank = subjectNamed(d, "User frank");
  ASSERT_NE(frank, nullptr);
  EXPECT_EQ(str(*frank, "class"), "ordinary");
  EXPECT_EQ(str(*frank, "severity"), "critical");
  ASSERT_EQ((*frank)["risks"].Size(), 1u);
  const rapidjson::Value& risk = (*frank)["risks"][0];
  EXPECT_EQ(str(risk, "id"), "aws-auth-write");
  EXPECT_EQ(str(risk, "severity"), "critical");
  EXPECT_EQ(str(risk, "request"), "update configmaps (kube-system/aws-auth)");
  EXPECT_NE(str(risk, "why"), "<missing>");
  const rapidjson::Value& ev = risk["evidence"];
  EXPECT_EQ(str(ev, "scope"), "namespace");
  EXPECT_EQ(str(ev, "namespace"), "kube-system");
  EXPECT_EQ(str(ev["binding"], "name"), "frank-aws-auth");
  EXPECT_EQ(str(ev["role"], "name"), "aws-auth-editor");
  EXPECT_EQ(ev["rule"]["index"].GetUint(), 0u);
  EXPECT_FALSE(ev["named_only"].GetBool());  // the request names aws-auth: the rule holds for it

  const rapidjson::Value* everyone = subjectNamed(d, "Group system:authenticated");
  ASSERT_NE(everyone, nullptr);
  EXPECT_EQ(str(*everyone, "class"), "broad");

  const rapidjson::Value* alice = subjectNamed(d, "User alice");
  ASSERT_NE(alice, nullptr);
  ASSERT_EQ((*alice)["chains"].Size(), 1u);
  const rapidjson::Value& chain = (*alice)["chains"][0];
  EXPECT_EQ(str(chain, "kind"), "create-pods");
  EXPECT_EQ(str(chain, "via"), "create-pods");
  EXPECT_EQ(str(chain, "scope"), "namespace");
  EXPECT_EQ(str(chain, "namespace"), "shop");
  EXPECT_EQ(label(chain["reaches"]), "ServiceAccount shop/deployer");
  EXPECT_EQ(str(chain, "severity"), "critical");
  EXPECT_EQ(std::string(chain["reaches_risks"][0].GetString()), "cluster-admin");
  EXPECT_EQ(str(*alice, "severity"), "critical");  // raised by the chain

  // Escalation to "any permission in a namespace" reaches no single subject.
  const rapidjson::Value* harry = subjectNamed(d, "User harry");
  ASSERT_NE(harry, nullptr);
  EXPECT_TRUE((*harry)["chains"][0]["reaches"].IsNull());
}

TEST(RbacRiskyCliTest, IncludeSystemAndVersion) {
  rapidjson::Document all = parseJson(run(kspm() + " rbac risky -o json --include-system " + fixture()).out);
  EXPECT_EQ(all["subjects"].Size(), 14u);
  EXPECT_EQ(all["system_subjects_hidden"].GetUint(), 0u);
  const rapidjson::Value* proxy = subjectNamed(all, "ServiceAccount kube-system/kube-proxy");
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ(str(*proxy, "class"), "system");
  EXPECT_EQ(str((*proxy)["risks"][0], "id"), "nodes-proxy");

  EXPECT_EQ(subjectNamed(all, "ServiceAccount shop/ci"), nullptr);
  rapidjson::Document old = parseJson(run(kspm() + " rbac risky -o json --k8s-version 1.34 " + fixture()).out);
  EXPECT_EQ(str(old, "k8s_version"), "1.34");
  const rapidjson::Value* ci = subjectNamed(old, "ServiceAccount shop/ci");
  ASSERT_NE(ci, nullptr);
  EXPECT_EQ(str((*ci)["risks"][0], "id"), "pods-exec-get-websocket");
  EXPECT_EQ(str((*ci)["risks"][0], "request"), "get pods/exec");
}

TEST(RbacRiskyCliTest, BootstrapRbac) {
  // The bootstrap ClusterRoleBinding cluster-admin binds Group system:masters: Kubernetes' own, listed on demand.
  rapidjson::Document d =
      parseJson(run(kspm() + " rbac risky -o json --bootstrap-rbac --include-system " + fixture()).out);
  const rapidjson::Value* masters = subjectNamed(d, "Group system:masters");
  ASSERT_NE(masters, nullptr);
  EXPECT_EQ(str(*masters, "class"), "system");
  EXPECT_EQ(str((*masters)["risks"][0], "id"), "cluster-admin");
  EXPECT_EQ(str((*masters)["risks"][0]["evidence"]["binding"], "name"), "cluster-admin");
  rapidjson::Document hidden = parseJson(run(kspm() + " rbac risky -o json --bootstrap-rbac " + fixture()).out);
  EXPECT_EQ(subjectNamed(hidden, "Group system:masters"), nullptr);
  EXPECT_GT(hidden["system_subjects_hidden"].GetUint(), 1u);
  EXPECT_EQ(hidden["subjects"].Size(), 13u);  // the input's own subjects are the same
}

TEST(RbacRiskyCliTest, TableAndExitCodes) {
  auto r = run(kspm() + " rbac risky " + fixture());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("SEVERITY"), std::string::npos);
  EXPECT_NE(r.out.find("Escalation chains:"), std::string::npos);
  EXPECT_NE(r.out.find("User alice can create pods in ns shop -> runs as ServiceAccount shop/deployer"),
            std::string::npos);
  EXPECT_NE(r.out.find("1 of Kubernetes' own subjects"), std::string::npos);

  testing::TempDir dir;
  std::string bad = dir.path() + "/bad.yaml";
  {
    std::ofstream f(bad);
    f << "kind: [unclosed\n";
  }
  auto e = run(kspm() + " rbac risky -o json " + fixture() + " '" + bad + "' 2>/dev/null");
  EXPECT_EQ(e.exit_code, 3);
  rapidjson::Document d = parseJson(e.out);
  EXPECT_EQ(d["input_errors"].Size(), 1u);
  EXPECT_EQ(d["subjects"].Size(), 13u);
  EXPECT_EQ(run(kspm() + " rbac risky /does/not/exist 2>/dev/null").exit_code, 3);
  // Standard input.
  auto in = run(kspm() + " rbac risky -o json - < " + fixture());
  EXPECT_EQ(in.exit_code, 0);
  EXPECT_EQ(parseJson(in.out)["subjects"].Size(), 13u);
}

}  // namespace
}  // namespace kspm
