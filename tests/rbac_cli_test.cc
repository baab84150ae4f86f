// `kspm rbac who-can` and `kspm rbac can` end to end: help, usage errors, JSON fields, exit codes.
#include <rapidjson/document.h>

#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm {
namespace {

using testing::kspm;
using testing::run;
using testing::sourceDir;

std::string fixture() { return "'" + sourceDir() + "/src/engine/rbac/testdata/cluster.yaml'"; }

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset() << " in: " << text.substr(0, 500);
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "<missing>";
}

TEST(RbacCliTest, HelpAndUsageErrors) {
  EXPECT_EQ(run(kspm() + " rbac --help").exit_code, 0);
  auto who = run(kspm() + " rbac who-can --help");
  EXPECT_EQ(who.exit_code, 0);
  EXPECT_NE(who.out.find("Usage: kspm rbac who-can"), std::string::npos);
  auto can = run(kspm() + " rbac can --help");
  EXPECT_EQ(can.exit_code, 0);
  EXPECT_NE(can.out.find("Usage: kspm rbac can"), std::string::npos);
  EXPECT_NE(run(kspm() + " --help").out.find("rbac"), std::string::npos);

  EXPECT_EQ(run(kspm() + " rbac 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac frobnicate 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac who-can get 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac who-can get pods 2>/dev/null").exit_code, 2);  // no input
  EXPECT_EQ(run(kspm() + " rbac who-can get pods/ " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac who-can get pods -o yaml " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac who-can get pods --bogus " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac can robot:x " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac can serviceaccount:ci " + fixture() + " 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(kspm() + " rbac can user:alice 2>/dev/null").exit_code, 2);
}

TEST(RbacCliTest, WhoCanJson) {
  auto r = run(kspm() + " rbac who-can create pods/exec -n web --name api-0 -o json " + fixture());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(str(d["request"], "verb"), "create");
  EXPECT_EQ(str(d["request"], "resource"), "pods");
  EXPECT_EQ(str(d["request"], "subresource"), "exec");
  EXPECT_EQ(str(d["request"], "group"), "");
  EXPECT_EQ(str(d["request"], "namespace"), "web");
  EXPECT_EQ(str(d["request"], "name"), "api-0");
  const auto& subjects = d["subjects"];
  ASSERT_TRUE(subjects.IsArray());
  // masters, ops, alice, web/ci, tools/builder, root (system:masters' binding joins its first entry).
  ASSERT_EQ(subjects.Size(), 6u);
  EXPECT_EQ(str(subjects[0]["subject"], "name"), "system:masters");
  EXPECT_EQ(str(subjects[0]["evidence"][0], "via"), "system:masters");
  EXPECT_EQ(subjects[0]["evidence"].Size(), 2u);
  const auto& ops = subjects[1];
  EXPECT_EQ(str(ops["subject"], "kind"), "Group");
  const auto& e = ops["evidence"][0];
  EXPECT_EQ(str(e, "via"), "rbac");
  EXPECT_EQ(str(e, "scope"), "cluster");
  EXPECT_EQ(str(e["binding"], "kind"), "ClusterRoleBinding");
  EXPECT_EQ(str(e["binding"], "name"), "ops-team");
  EXPECT_EQ(str(e["role"], "name"), "ops");
  EXPECT_EQ(e["rule"]["index"].GetUint(), 0u);
  EXPECT_EQ(str(e["rule"]["defined_in"], "name"), "exec-anything");
  EXPECT_EQ(e["rule"]["defined_index"].GetUint(), 0u);
  EXPECT_FALSE(e["named_only"].GetBool());
  const auto& ci = subjects[3];
  EXPECT_EQ(str(ci["subject"], "kind"), "ServiceAccount");
  EXPECT_EQ(str(ci["subject"], "namespace"), "web");
  EXPECT_EQ(str(ci["subject"], "name"), "ci");
  EXPECT_EQ(str(ci["evidence"][0], "scope"), "namespace");
  EXPECT_EQ(str(ci["evidence"][0], "namespace"), "web");
  EXPECT_EQ(str(ci["evidence"][0]["binding"], "namespace"), "web");
  ASSERT_EQ(d["dangling_bindings"].Size(), 1u);
  EXPECT_EQ(str(d["dangling_bindings"][0]["binding"], "name"), "ghost");
  EXPECT_EQ(str(d["dangling_bindings"][0], "reason"), "role not in the input");
  EXPECT_EQ(d["input_errors"].Size(), 0u);

  // resource.group and named-only without --name.
  auto g = run(kspm() + " rbac who-can get configmaps -n web -o json " + fixture());
  rapidjson::Document dg = parseJson(g.out);
  ASSERT_EQ(dg["subjects"].Size(), 4u);
  EXPECT_TRUE(dg["subjects"][1]["evidence"][0]["named_only"].GetBool());
  auto apps = run(kspm() + " rbac who-can update deployments/scale.apps -n web -o json " + fixture());
  rapidjson::Document da = parseJson(apps.out);
  EXPECT_EQ(str(da["request"], "group"), "apps");
  EXPECT_EQ(str(da["request"], "subresource"), "scale");
  EXPECT_EQ(da["subjects"].Size(), 4u);
  auto kubectl_form = run(kspm() + " rbac who-can update deployments.apps/scale -n web -o json " + fixture());
  EXPECT_EQ(kubectl_form.out, apps.out);
}

TEST(RbacCliTest, CanJsonAndTable) {
  auto r = run(kspm() + " rbac can serviceaccount:web:ci --group dev -o json " + fixture());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  rapidjson::Document d = parseJson(r.out);
  EXPECT_EQ(str(d["subject"], "kind"), "ServiceAccount");
  ASSERT_EQ(d["groups"].Size(), 4u);
  EXPECT_EQ(std::string(d["groups"][0].GetString()), "dev");
  EXPECT_TRUE(d["more_groups_possible"].GetBool());
  EXPECT_FALSE(d["masters"].GetBool());
  ASSERT_EQ(d["grants"].Size(), 6u);
  EXPECT_EQ(str(d["grants"][0], "scope"), "cluster");
  EXPECT_EQ(str(d["grants"][0]["role"], "name"), "metrics-reader");
  EXPECT_EQ(str(d["grants"][5]["role"], "name"), "view-services");

  auto m = run(kspm() + " rbac can user:carol --group system:masters -o json " + fixture());
  rapidjson::Document dm = parseJson(m.out);
  EXPECT_TRUE(dm["masters"].GetBool());
  EXPECT_EQ(str(dm["grants"][0], "via"), "system:masters");

  auto t = run(kspm() + " rbac can user:alice " + fixture());
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("*/exec"), std::string::npos);
  EXPECT_NE(t.out.find("RoleBinding web/exec-in-web -> ClusterRole exec-anything rules[0]"), std::string::npos);
  EXPECT_NE(t.out.find("dangling: RoleBinding web/ghost"), std::string::npos);
}

TEST(RbacCliTest, NonResourceUrlAndDefaultNamespace) {
  auto r = run(kspm() + " rbac who-can get /metrics -o json " + fixture());
  ASSERT_EQ(r.exit_code, 0);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_EQ(str(d["request"], "non_resource_url"), "/metrics");
  ASSERT_EQ(d["subjects"].Size(), 3u);  // system:masters, ops (ClusterRoleBinding), system:authenticated
  EXPECT_EQ(str(d["subjects"][2]["subject"], "name"), "system:authenticated");
  EXPECT_EQ(run(kspm() + " rbac who-can get /metrics -n web " + fixture() + " 2>/dev/null").exit_code, 2);

  testing::TempDir dir;
  std::string path = dir.write("rb.yaml", R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b}
subjects: [{kind: ServiceAccount, name: app}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
)");
  auto plain = parseJson(run(kspm() + " rbac who-can get secrets -o json '" + path + "'").out);
  ASSERT_EQ(plain["subjects"].Size(), 2u);
  EXPECT_EQ(str(plain["subjects"][1]["subject"], "namespace"), "");
  EXPECT_EQ(str(plain["subjects"][1]["evidence"][0], "namespace"), "");
  auto placed = parseJson(run(kspm() + " rbac who-can get secrets --default-namespace shop -n shop -o json '" + path + "'").out);
  ASSERT_EQ(placed["subjects"].Size(), 2u);
  EXPECT_EQ(str(placed["subjects"][1]["subject"], "namespace"), "shop");
  EXPECT_EQ(str(placed["subjects"][1]["evidence"][0], "namespace"), "shop");
  auto can = parseJson(run(kspm() + " rbac can serviceaccount:shop:app --default-namespace shop -o json '" + path + "'").out);
  EXPECT_EQ(can["grants"].Size(), 1u);
}

TEST(RbacCliTest, InputErrorsExitThree) {
  testing::TempDir dir;
  std::string bad = dir.path() + "/bad.yaml";
  {
    std::ofstream f(bad);
    f << "kind: [unclosed\n";
  }
  auto r = run(kspm() + " rbac who-can get secrets -o json " + fixture() + " '" + bad + "' 2>/dev/null");
  EXPECT_EQ(r.exit_code, 3);
  rapidjson::Document d = parseJson(r.out);
  EXPECT_EQ(d["input_errors"].Size(), 1u);
  EXPECT_EQ(d["subjects"].Size(), 3u);  // system:masters, ops, root
  EXPECT_EQ(run(kspm() + " rbac can user:alice /does/not/exist 2>/dev/null").exit_code, 3);
}

}  // namespace
}  // namespace kspm
