// The API version table at several target versions, and --k8s-version parsing.
#include "checks/api/api_versions.h"

#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "test_util.h"

namespace kspm::checks::api {
namespace {

const Check& checkById(std::string_view id) {
  for (const Check* c : Catalog::builtin().all()) {
    if (c->info().id == id) return *c;
  }
  ADD_FAILURE() << "no check " << id;
  return *Catalog::builtin().all().front();
}

std::vector<Finding> run(std::string_view id, const std::string& yaml, uint32_t minor) {
  ObjectSet set = testing::loadText(yaml);
  ScanPolicy policy;
  policy.k8s_minor = minor;
  policy.k8s_default = false;
  return testing::evaluateCheck(checkById(id), set, policy);
}

const std::string kExtensionsIngress =
    "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  backend:\n"
    "    serviceName: web\n    servicePort: 80\n";

TEST(ApiVersionsTest, ExtensionsIngressAcrossVersions) {
  EXPECT_TRUE(run("api-deprecated", kExtensionsIngress, 13).empty());
  EXPECT_TRUE(run("api-removed", kExtensionsIngress, 13).empty());

  std::vector<Finding> deprecated = run("api-deprecated", kExtensionsIngress, 14);
  ASSERT_EQ(deprecated.size(), 1u);
  EXPECT_EQ(deprecated[0].line, 1u);
  EXPECT_EQ(deprecated[0].path, "apiVersion");
  EXPECT_NE(deprecated[0].message.find("1.22"), std::string::npos) << deprecated[0].message;
  EXPECT_TRUE(run("api-removed", kExtensionsIngress, 21).empty());

  EXPECT_TRUE(run("api-deprecated", kExtensionsIngress, 22).empty());
  std::vector<Finding> removed = run("api-removed", kExtensionsIngress, 22);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].message.find("networking.k8s.io/v1"), std::string::npos) << removed[0].message;
}

TEST(ApiVersionsTest, ReplacementsFollowTheTargetVersion) {
  const ApiVersionEntry* flow = findApiVersion("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema");
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(migrationAdvice(*flow, 27), "migrate to flowcontrol.apiserver.k8s.io/v1beta3");
  EXPECT_EQ(migrationAdvice(*flow, 37), "migrate to flowcontrol.apiserver.k8s.io/v1");

  const ApiVersionEntry* psp = findApiVersion("extensions/v1beta1", "PodSecurityPolicy");
  ASSERT_NE(psp, nullptr);
  EXPECT_EQ(migrationAdvice(*psp, 16), "migrate to policy/v1beta1");
  EXPECT_NE(migrationAdvice(*psp, 25).find("Pod Security Admission"), std::string::npos);

  const ApiVersionEntry* endpoints = findApiVersion("v1", "Endpoints");
  ASSERT_NE(endpoints, nullptr);
  EXPECT_EQ(migrationAdvice(*endpoints, 33), "migrate to discovery.k8s.io/v1 EndpointSlice");
  EXPECT_EQ(apiStatusAt(*endpoints, 32), ApiStatus::kServed);
  EXPECT_EQ(apiStatusAt(*endpoints, 37), ApiStatus::kDeprecated);
}

TEST(ApiVersionsTest, PodSecurityPolicyOfAnyVersionIsRemoved) {
  const ApiVersionEntry* psp = findApiVersion("policy/v1", "PodSecurityPolicy");
  ASSERT_NE(psp, nullptr);
  EXPECT_EQ(apiStatusAt(*psp, 25), ApiStatus::kRemoved);
  EXPECT_EQ(findApiVersion("example.com/v1", "PodSecurityPolicy"), nullptr);
}

TEST(ApiVersionsTest, KnownRemovalsAndDeprecations) {
  struct Case {
    const char* api_version;
    const char* kind;
    uint32_t deprecated_in;
    uint32_t removed_in;
  };
  for (const Case& c : {Case{"apps/v1beta2", "Deployment", 9, 16}, Case{"batch/v1beta1", "CronJob", 21, 25},
                        Case{"policy/v1beta1", "PodDisruptionBudget", 22, 25},
                        Case{"autoscaling/v2beta2", "HorizontalPodAutoscaler", 23, 26},
                        Case{"storage.k8s.io/v1beta1", "CSIStorageCapacity", 24, 27},
                        Case{"flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", 29, 32},
                        Case{"rbac.authorization.k8s.io/v1beta1", "ClusterRole", 17, 22},
                        Case{"rbac.authorization.k8s.io/v1alpha1", "RoleBinding", 17, 23}}) {
    SCOPED_TRACE(std::string(c.api_version) + " " + c.kind);
    const ApiVersionEntry* e = findApiVersion(c.api_version, c.kind);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->deprecated_in, c.deprecated_in);
    EXPECT_EQ(e->removed_in, c.removed_in);
    EXPECT_EQ(apiStatusAt(*e, c.deprecated_in - 1), ApiStatus::kServed);
    EXPECT_EQ(apiStatusAt(*e, c.deprecated_in), ApiStatus::kDeprecated);
    EXPECT_EQ(apiStatusAt(*e, c.removed_in), ApiStatus::kRemoved);
  }
  EXPECT_EQ(findApiVersion("apps/v1", "Deployment"), nullptr);
  EXPECT_EQ(findApiVersion("networking.k8s.io/v1", "Ingress"), nullptr);
}

TEST(ApiVersionsTest, TableIsConsistent) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const ApiVersionEntry& e : apiVersionTable()) {
    SCOPED_TRACE(std::string(e.api_version) + " " + std::string(e.kind));
    EXPECT_TRUE(seen.insert({e.api_version, e.kind}).second) << "duplicate entry";
    EXPECT_TRUE(e.deprecated_in != 0 || e.removed_in != 0) << "neither deprecated nor removed";
    if (e.removed_in != 0) EXPECT_GT(e.removed_in, e.deprecated_in);
    EXPECT_TRUE(!e.replacement.empty() || !e.note.empty()) << "says neither what replaces it nor what to do";
    EXPECT_LE(e.removed_in, 37u);
  }
}

TEST(ApiVersionsTest, RemovedIsHighDeprecatedIsLow) {
  EXPECT_EQ(checkById("api-removed").info().severity, Severity::kHigh);
  EXPECT_EQ(checkById("api-deprecated").info().severity, Severity::kLow);
  std::vector<Finding> f = run("api-removed", "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n"
                                              "  name: p\nspec: {}\n", 37);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("Pod Security Admission"), std::string::npos) << f[0].message;
}

TEST(ApiVersionsTest, ParseK8sVersion) {
  uint32_t minor = 0;
  EXPECT_TRUE(parseK8sVersion("1.32", &minor));
  EXPECT_EQ(minor, 32u);
  EXPECT_TRUE(parseK8sVersion("v1.29", &minor));
  EXPECT_EQ(minor, 29u);
  EXPECT_TRUE(parseK8sVersion("1.30.4", &minor));
  EXPECT_EQ(minor, 30u);
  EXPECT_TRUE(parseK8sVersion("v1.0", &minor));
  EXPECT_EQ(minor, 0u);
  EXPECT_TRUE(parseK8sVersion("1.99", &minor));
  EXPECT_EQ(minor, 99u);
  minor = 7;
  for (const char* bad : {"", "1", "1.", "2.30", "v2.1", "1.100", "1.x", "1.30.", "1.30.4.1", "1.30-rc.1", "v",
                          " 1.30", "1.30 ", "latest", "1..30"}) {
    EXPECT_FALSE(parseK8sVersion(bad, &minor)) << bad;
    EXPECT_EQ(minor, 7u) << bad;
  }
}

}  // namespace
}  // namespace kspm::checks::api
