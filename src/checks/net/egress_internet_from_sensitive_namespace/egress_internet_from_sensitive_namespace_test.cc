// net-egress-internet-from-sensitive-namespace: anchoring at the rule, messages, and the parameter.
#include <gtest/gtest.h>

#include <string>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

constexpr std::string_view kId = "net-egress-internet-from-sensitive-namespace";

std::vector<Finding> run(const std::string& fixture, const ScanPolicy& policy = ScanPolicy()) {
  std::string path = testing::checkFolder(kId) + "/testdata/" + fixture;
  ObjectSet set = testing::loadText(testing::readFile(path), path);
  return testing::evaluateCheck(*Catalog::builtin().find(kId), set, policy);
}

TEST(EgressInternetFromSensitiveNamespaceTest, AnchorsAtTheRule) {
  std::vector<Finding> open = run("fail_no_destination.yaml");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].path, "spec.egress[1]");
  EXPECT_EQ(open[0].line, 14u);
  EXPECT_EQ(open[0].message,
            "egress rule of NetworkPolicy \"controller\" in sensitive namespace \"kube-system\" allows every "
            "destination on TCP 443");

  std::vector<Finding> except = run("fail_internet_except_private.yaml");
  ASSERT_EQ(except.size(), 1u);
  EXPECT_NE(except[0].message.find("allows every IPv4 internet address on TCP 443, TCP 22"), std::string::npos)
      << except[0].message;

  std::vector<Finding> families = run("fail_ipv6_and_split_blocks.yaml");
  ASSERT_EQ(families.size(), 2u);
  EXPECT_NE(families[0].message.find("every IPv6 internet address on every port"), std::string::npos);
  EXPECT_NE(families[1].message.find("\"cert-manager\" allows every IPv4 internet address"), std::string::npos);
}

TEST(EgressInternetFromSensitiveNamespaceTest, ParameterReplacesTheDefaultList) {
  ScanPolicy policy;
  policy.parameters.set("sensitive-namespaces", {"shop"});
  EXPECT_EQ(run("pass_not_sensitive.yaml", policy).size(), 1u);
  EXPECT_EQ(run("fail_no_destination.yaml", policy).size(), 0u);
  // The label counts whatever the parameter says.
  EXPECT_EQ(run("fail_labelled_namespace.yaml", policy).size(), 1u);
}

}  // namespace
}  // namespace kspm
