#include <gtest/gtest.h>

#include <algorithm>

#include "cluster/fake_api_test_util.h"
#include "kspm/cluster_read.h"

namespace kspm::cluster {
namespace {

using testing::FakeApi;

void expectCoreAndGroups(const Discovery& d) {
  EXPECT_EQ(d.server_version, "v1.30.2");
  const ApiResource* pods = d.find("", "Pod");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->resource, "pods");
  EXPECT_EQ(pods->version, "v1");
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->listPath(), "/api/v1/pods");
  EXPECT_EQ(pods->listPath("shop"), "/api/v1/namespaces/shop/pods");
  const ApiResource* nodes = d.find("", "Node");
  ASSERT_NE(nodes, nullptr);
  EXPECT_FALSE(nodes->namespaced);
  EXPECT_EQ(nodes->listPath("shop"), "/api/v1/nodes");  // cluster-scoped: no namespace in the path
  const ApiResource* deployments = d.find("apps", "Deployment");
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ(deployments->apiVersion(), "apps/v1");
  EXPECT_EQ(deployments->listPath("a"), "/apis/apps/v1/namespaces/a/deployments");
  const ApiResource* rollouts = d.find("argoproj.io", "Rollout");
  ASSERT_NE(rollouts, nullptr);
  EXPECT_EQ(rollouts->version, "v1alpha1");
  ASSERT_NE(d.find("rbac.authorization.k8s.io", "ClusterRole"), nullptr);
  EXPECT_FALSE(d.find("rbac.authorization.k8s.io", "ClusterRole")->namespaced);
  // Not listable (no "list" verb) or subresources: left out.
  EXPECT_EQ(d.find("", "Binding"), nullptr);
  EXPECT_EQ(d.find("authentication.k8s.io", "TokenReview"), nullptr);
  for (const ApiResource& r : d.resources) {
    EXPECT_EQ(r.resource.find('/'), std::string::npos) << r.resource;
    EXPECT_NE(std::find(r.verbs.begin(), r.verbs.end(), "list"), r.verbs.end()) << r.resource;
  }
  // Each resource once.
  EXPECT_EQ(std::count_if(d.resources.begin(), d.resources.end(), [](const ApiResource& r) { return r.kind == "Pod"; }), 1);
  // Core comes first.
  EXPECT_EQ(d.resources.front().group, "");
}

TEST(Discovery, AggregatedFormat) {
  FakeApi api(true);
  Result<Discovery> d = discover(api.get());
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d.value().aggregated);
  expectCoreAndGroups(d.value());
  // Only /version, /api and /apis: aggregated discovery needs no per-group requests.
  EXPECT_EQ(api.log(), (std::vector<std::string>{"/version", "/api", "/apis"}));
  EXPECT_EQ(d.value().requests, 3u);
}

TEST(Discovery, StaleAggregatedGroupIsFailedNotFatal) {
  FakeApi api(true);
  Result<Discovery> d = discover(api.get());
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d.value().failed_groups.size(), 1u);
  EXPECT_EQ(d.value().failed_groups[0].group, "metrics.k8s.io");
  EXPECT_NE(d.value().failed_groups[0].reason.find("stale"), std::string::npos) << d.value().failed_groups[0].reason;
  EXPECT_EQ(d.value().find("metrics.k8s.io", "PodMetrics"), nullptr);
  EXPECT_NE(d.value().failedGroup("metrics.k8s.io"), nullptr);
  EXPECT_EQ(d.value().failedGroup("apps"), nullptr);
}

TEST(Discovery, LegacyFormat) {
  FakeApi api(false);
  Result<Discovery> d = discover(api.get());
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d.value().aggregated);
  expectCoreAndGroups(d.value());
  EXPECT_EQ(api.count("/api/v1"), 1);
  EXPECT_EQ(api.count("/apis/apps/v1"), 1);
  // The 503 on one group's discovery is recorded, not fatal.
  ASSERT_EQ(d.value().failed_groups.size(), 1u);
  EXPECT_EQ(d.value().failed_groups[0].group, "metrics.k8s.io");
  EXPECT_NE(d.value().failed_groups[0].reason.find("503"), std::string::npos) << d.value().failed_groups[0].reason;
}

TEST(Discovery, AsksForAggregatedDiscoveryFirst) {
  std::vector<std::string> accepts;
  FakeApi api(true);
  ApiGet inner = api.get();
  ApiGet spy = [&](std::string_view path, std::string_view accept) {
    accepts.push_back(std::string(path) + " " + std::string(accept));
    return inner(path, accept);
  };
  ASSERT_TRUE(discover(spy).ok());
  ASSERT_EQ(accepts.size(), 3u);
  EXPECT_EQ(accepts[1], "/api " + std::string(kAggregatedDiscoveryAccept));
  EXPECT_EQ(accepts[2], "/apis " + std::string(kAggregatedDiscoveryAccept));
}

TEST(Discovery, ConnectionErrorOnVersionIsTheError) {
  FakeApi api(true);
  api.fault({"/version", 0});
  Result<Discovery> d = discover(api.get());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kClusterConnection);
}

TEST(Discovery, UnauthorizedIsAnAuthError) {
  FakeApi api(true);
  api.fault({"/version", 401, -1, false, "Unauthorized"});
  Result<Discovery> d = discover(api.get());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kClusterAuth);
}

}  // namespace
}  // namespace kspm::cluster
