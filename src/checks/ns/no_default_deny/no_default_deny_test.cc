// ns-no-default-deny: what the messages say about egress, which fixtures cannot show.
#include <gtest/gtest.h>

#include <string>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

std::vector<Finding> run(const std::string& fixture) {
  std::string path = testing::checkFolder("ns-no-default-deny") + "/testdata/" + fixture;
  ObjectSet set = testing::loadText(testing::readFile(path), path);
  return testing::evaluateCheck(*Catalog::builtin().find("ns-no-default-deny"), set);
}

TEST(NoDefaultDenyTest, SaysWhetherEgressIsDefaultDenied) {
  std::vector<Finding> none = run("fail_no_policy.yaml");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_NE(none[0].message.find("\"shop\" has no default-deny NetworkPolicy for ingress"), std::string::npos);
  EXPECT_NE(none[0].message.find("nor for egress"), std::string::npos) << none[0].message;
  EXPECT_NE(none[0].message.find("it has no NetworkPolicy"), std::string::npos) << none[0].message;
  EXPECT_EQ(none[0].path, "metadata.name");
  EXPECT_EQ(none[0].severity, Severity::kLow);

  std::vector<Finding> egress = run("fail_policy_selects_some_pods.yaml");
  ASSERT_EQ(egress.size(), 1u);
  EXPECT_NE(egress[0].message.find("egress is default-denied by \"deny-egress\""), std::string::npos)
      << egress[0].message;

  std::vector<Finding> allow_all = run("fail_allow_all_ingress.yaml");
  ASSERT_EQ(allow_all.size(), 1u);
  EXPECT_NE(allow_all[0].message.find("nor for egress"), std::string::npos) << allow_all[0].message;
}

TEST(NoDefaultDenyTest, OneFindingPerNamespace) {
  ObjectSet set = testing::loadText(
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n---\n"
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  containers:\n  - name: c\n    image: x:1\n---\n"
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: b\nspec:\n  containers:\n  - name: c\n    image: x:1\n---\n"
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: b\nspec:\n"
      "  podSelector: {}\n");
  std::vector<Finding> findings = testing::evaluateCheck(*Catalog::builtin().find("ns-no-default-deny"), set);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("\"a\""), std::string::npos);
}

}  // namespace
}  // namespace kspm
