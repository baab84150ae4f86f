// Admin-equivalent AWS principals (--cloud-iam) and the cloud admin crown jewel.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "kspm/graph.h"
#include "test_util.h"

namespace kspm::graph {
namespace {

// The shape of `aws iam get-account-authorization-details`: the CLI prints policy documents as
// objects; the raw API returns them URL-encoded, which the reader also accepts.
constexpr const char* kDetails = R"json({
  "UserDetailList": [
    {"UserName": "ci", "Arn": "arn:aws:iam::111122223333:user/ci", "GroupList": ["admins"],
     "AttachedManagedPolicies": [], "UserPolicyList": []},
    {"UserName": "dev", "Arn": "arn:aws:iam::111122223333:user/dev", "GroupList": ["readers"],
     "AttachedManagedPolicies": []}
  ],
  "GroupDetailList": [
    {"GroupName": "admins", "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
      "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
    {"GroupName": "readers", "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess",
      "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
  ],
  "RoleDetailList": [
    {"RoleName": "platform-admin", "Arn": "arn:aws:iam::111122223333:role/platform-admin",
     "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::111122223333:policy/everything"}], "RolePolicyList": []},
    {"RoleName": "inline-admin", "Arn": "arn:aws:iam::111122223333:role/inline-admin", "AttachedManagedPolicies": [],
     "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}]},
    {"RoleName": "s3-reader", "Arn": "arn:aws:iam::111122223333:role/s3-reader", "AttachedManagedPolicies": [],
     "RolePolicyList": [{"PolicyName": "s3", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]},
    {"RoleName": "denied", "Arn": "arn:aws:iam::111122223333:role/denied", "AttachedManagedPolicies": [],
     "RolePolicyList": [{"PolicyName": "no", "PolicyDocument": {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}}]}
  ],
  "Policies": [
    {"PolicyName": "everything", "Arn": "arn:aws:iam::111122223333:policy/everything", "PolicyVersionList": [
      {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
      {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}}]}
  ]
})json";

TEST(GraphCloudIam, AdminEquivalentPrincipals) {
  testing::TempDir dir;
  std::string path = dir.write("details.json", kDetails);
  auto admins = loadAwsAdminPrincipals(path);
  ASSERT_TRUE(admins.ok()) << admins.error().message;
  std::vector<std::string> got = admins.value();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"arn:aws:iam::111122223333:role/inline-admin",
                                           "arn:aws:iam::111122223333:role/platform-admin",
                                           "arn:aws:iam::111122223333:user/ci"}));
}

TEST(GraphCloudIam, BadFilesAreErrorsNamingTheFile) {
  testing::TempDir dir;
  auto missing = loadAwsAdminPrincipals(dir.path() + "/none.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIoError);
  auto broken = loadAwsAdminPrincipals(dir.write("broken.json", "{\"RoleDetailList\": ["));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kJsonSyntax);
  EXPECT_NE(broken.error().file.find("broken.json"), std::string::npos);
  auto other = loadAwsAdminPrincipals(dir.write("other.json", "{\"Statement\": []}"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidObject);
}

TEST(GraphCloudIam, IrsaRoleThatIsAdminIsACrownJewel) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
  namespace: ci
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/platform-admin
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: ci
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-reader
)");
  BuildOptions options;
  options.cloud_admin_arns = {"arn:aws:iam::111122223333:role/platform-admin"};
  std::unique_ptr<Graph> g = Graph::build(set, options);
  std::optional<uint32_t> jewel = g->find("cloud admin");
  ASSERT_TRUE(jewel.has_value());
  EXPECT_TRUE(g->vertices()[*jewel].jewel);
  for (const char* sa : {"ServiceAccount ci/deployer", "ServiceAccount ci/reader"}) {
    std::optional<uint32_t> source = g->find(sa);
    ASSERT_TRUE(source.has_value()) << sa;
    PathQuery q;
    q.sources = {*source};
    q.targets = {*jewel};
    PathAnswer answer = findPaths(*g, q);
    bool admin = std::string(sa) == "ServiceAccount ci/deployer";
    ASSERT_EQ(answer.results.size(), admin ? 1u : 0u) << sa;
    if (admin) {
      const Path& p = answer.results[0].shortest.at(0);
      ASSERT_EQ(p.edges.size(), 2u);
      EXPECT_EQ(g->edges()[p.edges[0]].technique, Technique::kCloudIdentityAssume);
      EXPECT_EQ(g->edges()[p.edges[1]].technique, Technique::kCloudAdmin);
    }
  }
}

}  // namespace
}  // namespace kspm::graph
