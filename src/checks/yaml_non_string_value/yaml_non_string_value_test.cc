// yaml-non-string-value must not print a number that may be a credential (Secret stringData,
// command/args items, secret-like env and annotation names), and still shows harmless ones.
#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm {
namespace {

TEST(YamlNonStringValueTest, NumbersThatMayBeCredentialsAreRedacted) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Secret
metadata: {name: s, annotations: {api-token: 90817263}}
stringData: {pin: 48213975}
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {tier: 3}}
spec:
  containers:
  - name: c
    image: app
    args: ["--password", 55512345]
    env:
    - {name: DB_PASSWORD, value: 31415926}
    - {name: PORT, value: 8080}
)");
  ASSERT_TRUE(set.errors().empty());
  const Check* check = Catalog::builtin().find("yaml-non-string-value");
  ASSERT_NE(check, nullptr);
  std::vector<Finding> findings = testing::evaluateCheck(*check, set);
  ASSERT_EQ(findings.size(), 6u);
  std::string all;
  for (const Finding& f : findings) all += f.message + "\n";
  for (const char* secret : {"90817263", "48213975", "55512345", "31415926"}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " leaked:\n" << all;
  }
  EXPECT_NE(all.find("a number (8 characters, redacted)"), std::string::npos) << all;
  EXPECT_NE(all.find("the number 8080"), std::string::npos) << all;  // PORT is not secret-like
  EXPECT_NE(all.find("the number 3"), std::string::npos) << all;     // a label
}

}  // namespace
}  // namespace kspm
