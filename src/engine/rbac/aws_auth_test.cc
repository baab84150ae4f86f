// EKS aws-auth: the model's cloud identities, and `kspm rbac who-can` / `can iam:ARN` over them.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/ingest.h"
#include "kspm/loader.h"
#include "kspm/rbac.h"
#include "test_util.h"

namespace kspm::rbac {
namespace {

std::string fixturePath() { return std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/aws_auth.yaml"; }

std::string describe(const CloudIdentity& c) {
  std::string out = c.kind + " " + c.arn + " -> " + c.username + " [";
  for (size_t i = 0; i < c.groups.size(); ++i) out += (i ? "," : "") + c.groups[i];
  return out + "]";
}

TEST(AwsAuthTest, MappingsAndMalformedEntries) {
  ObjectSet objects = ingestPaths({fixturePath()}, IngestOptions{});
  ASSERT_TRUE(objects.errors().empty());
  auto model = Model::build(objects);
  std::vector<std::string> got;
  for (const CloudIdentity& c : model->cloudIdentities()) got.push_back(describe(c));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "role arn:aws:iam::111122223333:role/eks-nodes -> system:node:{{EC2PrivateDNSName}} "
                     "[system:bootstrappers,system:nodes]",
                     "role arn:aws:iam::111122223333:role/platform-admin -> platform-admin [system:masters]",
                     "role arn:aws:iam::111122223333:role/ci -> ci [deployers]",
                     "user arn:aws:iam::111122223333:user/alice -> alice []",
                 }));
  EXPECT_EQ(model->cloudMappingErrors(), (std::vector<std::string>{
                                              "aws-auth data.mapRoles[3] has no rolearn",
                                              "aws-auth data.mapRoles[4] is not a mapping",
                                              "aws-auth data.mapUsers[0] groups is not a list",
                                          }));
  std::vector<const CloudIdentity*> masters = model->cloudIdentitiesOf(Model::mastersGroup());
  ASSERT_EQ(masters.size(), 1u);
  EXPECT_EQ(masters[0]->arn, "arn:aws:iam::111122223333:role/platform-admin");
  ASSERT_EQ(model->cloudIdentitiesOf({"User", "alice", ""}).size(), 1u);
  EXPECT_TRUE(model->cloudIdentitiesOf({"ServiceAccount", "alice", "web"}).empty());
  EXPECT_EQ(model->findCloudIdentity("arn:aws:iam::111122223333:role/ci")->username, "ci");
  EXPECT_EQ(model->findCloudIdentity("arn:aws:iam::111122223333:role/none"), nullptr);
}

TEST(AwsAuthTest, MalformedDocumentsNeverCrash) {
  for (const char* data : {"mapRoles: 42", "mapRoles: '{not: [closed'", "mapRoles: 'a: b'",
                           "mapRoles: '- rolearn: [x]'", "mapUsers: '- {userarn: u, groups: [1, {a: b}]}'",
                           "mapRoles: ''"}) {
    std::string yaml = std::string("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: "
                                   "kube-system}\ndata:\n  ") + data + "\n";
    ObjectSet objects;
    objects.addFile(std::make_unique<SourceFile>(SourceFile{"x.yaml", yaml}), LoadLimits{});
    auto model = Model::build(objects);
    EXPECT_LE(model->cloudIdentities().size(), 1u) << data;
  }
  ObjectSet objects;
  objects.addFile(std::make_unique<SourceFile>(SourceFile{"x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: "
                                                                    "{name: aws-auth, namespace: kube-system}\n"
                                                                    "data:\n  mapRoles: 42\n"}),
                  LoadLimits{});
  EXPECT_EQ(Model::build(objects)->cloudMappingErrors(),
            (std::vector<std::string>{"aws-auth data.mapRoles is not a string"}));
}

TEST(AwsAuthCliTest, WhoCanNamesMappedIdentitiesAndCanTakesAnArn) {
  std::string file = "'" + fixturePath() + "'";
  auto who = testing::run(testing::kspm() + " rbac who-can create deployments.apps -n web " + file);
  EXPECT_EQ(who.exit_code, 0);
  EXPECT_NE(who.out.find("aws-auth: IAM role arn:aws:iam::111122223333:role/platform-admin authenticates as Group "
                         "system:masters (can do everything)"),
            std::string::npos)
      << who.out;
  EXPECT_NE(who.out.find("aws-auth: IAM role arn:aws:iam::111122223333:role/ci authenticates as Group deployers\n"),
            std::string::npos)
      << who.out;
  EXPECT_NE(who.out.find("aws-auth data.mapRoles[3] has no rolearn\n"), std::string::npos) << who.out;
  auto json = testing::run(testing::kspm() + " rbac who-can create deployments.apps -n web -o json " + file);
  EXPECT_NE(json.out.find(R"("cloud_identities":[{"arn":"arn:aws:iam::111122223333:role/ci","kind":"role",)"
                          R"("username":"ci","groups":["deployers"]}])"),
            std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(R"("aws_auth_errors":["aws-auth data.mapRoles[3] has no rolearn",)"), std::string::npos)
      << json.out;

  auto ci = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::111122223333:role/ci -o json " + file);
  EXPECT_EQ(ci.exit_code, 0);
  EXPECT_NE(ci.out.find(R"("subject":{"kind":"User","name":"ci"})"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find(R"("groups":["deployers","system:authenticated"])"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find(R"("name":"deployers"},"binding_file")"), std::string::npos) << ci.out;
  auto admin = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::111122223333:role/platform-admin -o json " +
                            file);
  EXPECT_NE(admin.out.find(R"("masters":true)"), std::string::npos) << admin.out;
  auto unknown = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::1:role/x " + file + " 2>&1");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("is not mapped by a kube-system/aws-auth ConfigMap"), std::string::npos) << unknown.out;
}

std::string accountsFixturePath() {
  return std::string(KSPM_SOURCE_DIR) + "/src/engine/rbac/testdata/aws_auth_accounts.yaml";
}

TEST(AwsAuthTest, MapAccountsMapsEveryIdentityOfTheAccountToItsArn) {
  ObjectSet objects = ingestPaths({accountsFixturePath()}, IngestOptions{});
  ASSERT_TRUE(objects.errors().empty());
  auto model = Model::build(objects);
  std::vector<std::string> got;
  for (const CloudIdentity& c : model->cloudIdentities()) got.push_back(describe(c));
  EXPECT_EQ(got, (std::vector<std::string>{"role arn:aws:iam::444455556666:role/ops -> ops [operators]",
                                           "account 444455556666 ->  []", "account 777788889999 ->  []"}));
  EXPECT_EQ(model->cloudMappingErrors(),
            (std::vector<std::string>{"aws-auth data.mapAccounts[2] is not an account ID"}));
  // mapRoles wins over mapAccounts; other identities of a mapped account resolve to the account entry.
  EXPECT_EQ(model->findCloudIdentity("arn:aws:iam::444455556666:role/ops")->kind, "role");
  const CloudIdentity* bob = model->findCloudIdentity("arn:aws:iam::444455556666:user/bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(describe(*bob), "account 444455556666 ->  []");
  EXPECT_EQ(model->findCloudIdentity("arn:aws-cn:iam::777788889999:role/build")->arn, "777788889999");
  EXPECT_EQ(model->findCloudIdentity("arn:aws:iam::999999999999:user/eve"), nullptr);
  EXPECT_EQ(model->findCloudIdentity("444455556666"), nullptr);
  EXPECT_EQ(model->findCloudIdentity("arn:aws:s3:::444455556666:bucket"), nullptr);
  EXPECT_EQ(model->findCloudIdentity("arn:aws:iam::444455556666:"), nullptr);
  // Only a User named by an IAM ARN of a mapped account is reached through mapAccounts.
  ASSERT_EQ(model->cloudIdentitiesOf({"User", "arn:aws:iam::444455556666:user/bob", ""}).size(), 1u);
  EXPECT_TRUE(model->cloudIdentitiesOf({"User", "arn:aws:iam::999999999999:user/eve", ""}).empty());
  EXPECT_TRUE(model->cloudIdentitiesOf({"User", "444455556666", ""}).empty());
  EXPECT_TRUE(model->cloudIdentitiesOf({"Group", "arn:aws:iam::777788889999:role/x", ""}).empty());
}

TEST(AwsAuthCliTest, MapAccountsInWhoCanAndCan) {
  std::string file = "'" + accountsFixturePath() + "'";
  auto who = testing::run(testing::kspm() + " rbac who-can create deployments.apps -n web " + file);
  EXPECT_EQ(who.exit_code, 0);
  EXPECT_NE(who.out.find("aws-auth: IAM identities of account 444455556666 authenticate as their ARN: User "
                         "arn:aws:iam::444455556666:user/bob\n"),
            std::string::npos)
      << who.out;
  EXPECT_EQ(who.out.find("identities of account 999999999999"), std::string::npos) << who.out;
  EXPECT_EQ(who.out.find("identities of account 777788889999"), std::string::npos) << who.out;
  EXPECT_NE(who.out.find("aws-auth data.mapAccounts[2] is not an account ID\n"), std::string::npos) << who.out;

  auto bob = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::444455556666:user/bob -o json " + file);
  EXPECT_EQ(bob.exit_code, 0);
  EXPECT_NE(bob.out.find(R"("subject":{"kind":"User","name":"arn:aws:iam::444455556666:user/bob"})"),
            std::string::npos)
      << bob.out;
  EXPECT_NE(bob.out.find(R"("groups":["system:authenticated"])"), std::string::npos) << bob.out;
  EXPECT_NE(bob.out.find(R"("binding":{"kind":"RoleBinding","namespace":"web","name":"deployers"})"), std::string::npos)
      << bob.out;
  auto other = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::777788889999:user/carol -o json " + file);
  EXPECT_EQ(other.exit_code, 0);
  EXPECT_NE(other.out.find(R"("subject":{"kind":"User","name":"arn:aws:iam::777788889999:user/carol"})"),
            std::string::npos)
      << other.out;
  EXPECT_NE(other.out.find(R"("grants":[])"), std::string::npos) << other.out;
  auto ops = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::444455556666:role/ops -o json " + file);
  EXPECT_NE(ops.out.find(R"("subject":{"kind":"User","name":"ops"})"), std::string::npos) << ops.out;
  auto eve = testing::run(testing::kspm() + " rbac can iam:arn:aws:iam::999999999999:user/eve " + file + " 2>&1");
  EXPECT_EQ(eve.exit_code, 2);
  EXPECT_NE(eve.out.find("is not mapped by a kube-system/aws-auth ConfigMap"), std::string::npos) << eve.out;
}

}  // namespace
}  // namespace kspm::rbac
