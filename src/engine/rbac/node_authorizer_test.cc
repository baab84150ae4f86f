// The Node authorizer model (nodeAccess) and `kspm rbac can node:NAME`.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/ingest.h"
#include "kspm/rbac.h"
#include "test_util.h"

namespace kspm::rbac {
namespace {

std::string fixturePath() { return std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/node_pods.yaml"; }

std::vector<std::string> describe(const NodeAccess& access) {
  std::vector<std::string> out;
  for (const NodeGrant& g : access.grants) {
    out.push_back(g.verbs + " " + g.resource + (g.group.empty() ? "" : "." + g.group) + " " + g.ns + "/" + g.name +
                  " <- " + g.reason);
  }
  return out;
}

TEST(NodeAuthorizerTest, ObjectsReachableFromBoundPods) {
  ObjectSet objects = ingestPaths({fixturePath()}, IngestOptions{});
  ASSERT_TRUE(objects.errors().empty());
  NodeAccess a = nodeAccess(objects, "node-a");
  EXPECT_EQ(a.pods, (std::vector<std::string>{"Pod web/api-0"}));
  EXPECT_EQ(describe(a), (std::vector<std::string>{
                             "get, update, patch nodes /node-a <- its own Node object",
                             "update, patch nodes/status /node-a <- its own Node object",
                             "get, create, update, patch, delete leases.coordination.k8s.io kube-node-lease/node-a "
                             "<- its own node lease",
                             "update, patch pods/status web/api-0 <- pod web/api-0",
                             "create serviceaccounts/token web/api <- pod web/api-0 service account",
                             "get, list, watch secrets web/regcred <- pod web/api-0 imagePullSecrets",
                             "get, list, watch secrets web/db <- pod web/api-0 container app env",
                             "get, list, watch configmaps web/settings <- pod web/api-0 container app env",
                             "get, list, watch secrets web/api-env <- pod web/api-0 container app envFrom",
                             "get, list, watch secrets web/tls <- pod web/api-0 volume certs",
                             "get, list, watch configmaps web/nginx <- pod web/api-0 volume conf",
                             "get persistentvolumeclaims web/data-api-0 <- pod web/api-0 volume data",
                             "get persistentvolumes /pv-123 <- pod web/api-0 volume data (bound PV)",
                             "get, list, watch secrets web/bundle-secret <- pod web/api-0 volume bundle",
                             "get, list, watch configmaps web/bundle-config <- pod web/api-0 volume bundle",
                         }));
  NodeAccess c = nodeAccess(objects, "node-c");
  EXPECT_TRUE(c.pods.empty());
  EXPECT_EQ(c.grants.size(), 3u);  // its own Node, status and lease only
}

TEST(NodeAuthorizerTest, WorkloadTemplateWithNodeName) {
  ObjectSet objects;
  objects.addFile(std::make_unique<SourceFile>(SourceFile{"d.yaml", R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: pinned, namespace: ops}
spec:
  selector: {matchLabels: {app: pinned}}
  template:
    metadata: {labels: {app: pinned}}
    spec:
      nodeName: node-a
      containers: [{name: c, image: busybox, envFrom: [{configMapRef: {name: cfg}}]}]
)"}),
                  LoadLimits{});
  NodeAccess a = nodeAccess(objects, "node-a");
  EXPECT_EQ(a.pods, (std::vector<std::string>{"Deployment ops/pinned"}));
  std::vector<std::string> got = describe(a);
  EXPECT_EQ(std::vector<std::string>(got.begin() + 3, got.end()),
            (std::vector<std::string>{
                "update, patch pods/status ops/ <- pods of Deployment ops/pinned",
                "create serviceaccounts/token ops/default <- pods of Deployment ops/pinned service account",
                "get, list, watch configmaps ops/cfg <- pods of Deployment ops/pinned container c envFrom",
            }));
}

TEST(NodeAuthorizerCliTest, CanNode) {
  std::string file = "'" + fixturePath() + "'";
  auto none = testing::run(testing::kspm() + " rbac can node:node-c " + file);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("no pods of the input are bound to this node"), std::string::npos) << none.out;
  auto json = testing::run(testing::kspm() + " rbac can node:node-a -o json " + file);
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find(R"("pods":["Pod web/api-0"])"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"({"verbs":["get","list","watch"],"group":"","resource":"secrets","namespace":"web",)"
                          R"("name":"db","reason":"pod web/api-0 container app env"})"),
            std::string::npos)
      << json.out;
  EXPECT_EQ(json.out.find("not-for-node-a"), std::string::npos);
  EXPECT_EQ(testing::run(testing::kspm() + " rbac can node: " + file + " 2>/dev/null").exit_code, 2);
}

}  // namespace
}  // namespace kspm::rbac
