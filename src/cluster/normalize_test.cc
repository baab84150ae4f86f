#include <gtest/gtest.h>

#include "kspm/cluster_read.h"
#include "kspm/loader.h"
#include "kspm/object.h"

namespace kspm::cluster {
namespace {

NormalizeOptions opts() { return NormalizeOptions{LoadLimits{}, "/api/v1/pods"}; }

// Loads normalised text the way readCluster does; fails the test on any loader error or duplicate key.
void expectCleanLoad(const std::string& json, ObjectSet* set) {
  auto file = std::make_unique<SourceFile>();
  file->path = "page";
  file->content = json;
  set->addFile(std::move(file), LoadLimits{});
  EXPECT_TRUE(set->errors().empty()) << describeInputError(set->errors()[0]);
}

TEST(NormalizePage, InjectsApiVersionAndKindAndDropsManagedFields) {
  const std::string body = R"({"kind":"PodList","apiVersion":"v1",
    "metadata":{"resourceVersion":"812","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":3},
    "items":[
      {"metadata":{"name":"a","namespace":"shop","managedFields":[{"manager":"kubelet","fieldsV1":{"f:status":{}}}],
                   "labels":{"app":"web"}},
       "spec":{"containers":[{"name":"c","image":"nginx","resources":{"limits":{"cpu":1.50}}}],"priority":12345678901234567890}},
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"b","namespace":"shop"},"spec":{"hostNetwork":true,"x":null}}
    ]})";
  Result<NormalizedPage> page = normalizeListPage(body, "v1", "Pod", opts());
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page.value().items, 2u);
  EXPECT_EQ(page.value().continue_token, "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
  EXPECT_EQ(page.value().resource_version, "812");
  const std::string& json = page.value().json;
  EXPECT_EQ(json.rfind(R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":)", 0), 0u) << json;
  EXPECT_EQ(json.find("managedFields"), std::string::npos);
  EXPECT_EQ(json.find("kubelet"), std::string::npos);
  // Numbers are copied as written.
  EXPECT_NE(json.find(R"("cpu":1.50)"), std::string::npos) << json;
  EXPECT_NE(json.find("12345678901234567890"), std::string::npos);

  ObjectSet set;
  expectCleanLoad(json, &set);
  ASSERT_EQ(set.objects().size(), 2u);
  for (const Object& o : set.objects()) {
    EXPECT_EQ(o.kind, "Pod");
    EXPECT_EQ(o.api_version, "v1");
    EXPECT_EQ(o.namespace_, "shop");
    EXPECT_TRUE(o.document->keyDiagnostics().empty()) << "duplicate key " << o.document->keyDiagnostics()[0].key;
  }
  EXPECT_EQ(set.objects()[0].name, "a");
  EXPECT_EQ(set.objects()[1].name, "b");
  EXPECT_TRUE(set.objects()[1].root->find({"spec", "hostNetwork"})->boolean());
  EXPECT_EQ(set.objects()[0].root->find({"metadata", "labels", "app"})->str(), "web");
}

TEST(NormalizePage, ReducesSecretsToKeyNames) {
  const std::string body = R"({"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[
    {"metadata":{"name":"tls","namespace":"shop","uid":"u1","labels":{"team":"web"},
                 "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"tls.key\":\"TEFTVEFQUExJRUQ=\"}}"},
                 "managedFields":[{"manager":"kubectl"}],"ownerReferences":[{"name":"owner"}]},
     "type":"kubernetes.io/tls","immutable":true,
     "data":{"tls.crt":"Q0VSVElGSUNBVEVEQVRB","tls.key":"UFJJVkFURUtFWURBVEE="},
     "stringData":{"password":"hunter2-plaintext"}},
    {"metadata":{"name":"sh.helm.release.v1.shop.v3","namespace":"shop","labels":{"owner":"helm","name":"shop"}},
     "type":"helm.sh/release.v1","data":{"release":"SDRzSUFBQUFBQUFDLzJTUVhXSEVMTVJFTEVBU0U="}},
    {"metadata":{"name":"odd","namespace":"shop"},"type":"Opaque","data":null,"stringData":["not","a","map"]},
    {"metadata":{"name":"builder-token-x7k2p","namespace":"shop",
                 "annotations":{"kubernetes.io/service-account.name":"builder","kubernetes.io/service-account.uid":"u9",
                                "note":"ZXhwb3NlZC1ub3Rl"}},
     "type":"kubernetes.io/service-account-token","data":{"token":"ZXlKaGJHY2lPaUpTVXpJMU5pSX0=","ca.crt":"Q0E="}}
  ]})";
  Result<NormalizedPage> page = normalizeListPage(body, "v1", "Secret", opts());
  ASSERT_TRUE(page.ok()) << page.error().message;
  const std::string& json = page.value().json;
  for (const char* secret : {"Q0VSVElGSUNBVEVEQVRB", "UFJJVkFURUtFWURBVEE=", "hunter2-plaintext", "TEFTVEFQUExJRUQ=",
                             "SDRzSUFBQUFBQUFDLzJTUVhXSEVMTVJFTEVBU0U=", "last-applied-configuration",
                             "managedFields", "ownerReferences", "immutable", "ZXlKaGJHY2lPaUpTVXpJMU5pSX0=",
                             "ZXhwb3NlZC1ub3Rl"}) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret << " in " << json;
  }
  EXPECT_NE(json.find(R"("data":{"tls.crt":"","tls.key":""})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("stringData":{"password":""})"), std::string::npos) << json;

  ObjectSet set;
  expectCleanLoad(json, &set);
  ASSERT_EQ(set.objects().size(), 4u);
  const Object& tls = set.objects()[0];
  EXPECT_EQ(tls.kind, "Secret");
  EXPECT_EQ(tls.name, "tls");
  EXPECT_EQ(tls.root->find({"metadata", "uid"})->str(), "u1");
  EXPECT_EQ(tls.root->find({"metadata", "labels", "team"})->str(), "web");
  EXPECT_EQ(tls.root->get("type")->str(), "kubernetes.io/tls");
  EXPECT_EQ(set.objects()[1].root->get("type")->str(), "helm.sh/release.v1");
  EXPECT_EQ(set.objects()[1].root->find({"data", "release"})->str(), "");
  EXPECT_TRUE(set.objects()[2].root->get("data")->isNull());
  EXPECT_TRUE(set.objects()[2].root->get("stringData")->isNull());
  // A legacy token Secret keeps which service account it belongs to (a name, not a value): the
  // security graph's "read secrets, become that service account".
  const Object& token = set.objects()[3];
  EXPECT_EQ(token.root->find({"metadata", "annotations", "kubernetes.io/service-account.name"})->str(), "builder");
  EXPECT_EQ(token.root->find({"metadata", "annotations", "note"}), nullptr);
  EXPECT_TRUE(tls.root->find({"metadata", "annotations"})->members().empty());
}

TEST(NormalizePage, OnlyCoreSecretsAreReduced) {
  // A custom resource that happens to be called Secret keeps its fields.
  const std::string body = R"({"kind":"SecretList","items":[{"metadata":{"name":"s"},"spec":{"keep":"me"}}]})";
  Result<NormalizedPage> page = normalizeListPage(body, "example.com/v1", "Secret", opts());
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page.value().json.find(R"("spec":{"keep":"me"})"), std::string::npos);
}

TEST(NormalizePage, EmptyAndNullItems) {
  for (const char* body : {R"({"kind":"PodList","metadata":{},"items":[]})", R"({"kind":"PodList","items":null})"}) {
    Result<NormalizedPage> page = normalizeListPage(body, "v1", "Pod", opts());
    ASSERT_TRUE(page.ok()) << body;
    EXPECT_EQ(page.value().items, 0u);
    EXPECT_EQ(page.value().json, R"({"apiVersion":"v1","kind":"List","items":[]})");
  }
}

TEST(NormalizePage, Errors) {
  struct Case {
    const char* body;
    ErrorCode code;
    const char* words;
  };
  const Case cases[] = {
      {R"({"kind":"PodList","items":[{"metadata":{}},)", ErrorCode::kJsonSyntax, "byte"},
      {R"({"kind":"PodList","items":[{}]} trailing)", ErrorCode::kJsonSyntax, "byte"},
      {R"({"kind":"Pod","metadata":{"name":"x"}})", ErrorCode::kClusterResponse, "Pod, not a list"},
      {R"({"items":[]})", ErrorCode::kClusterResponse, "no kind"},
      {R"({"kind":"PodList","items":[{"metadata":{}},"scalar"]})", ErrorCode::kInvalidListItems, "items[1]"},
      {R"({"kind":"PodList","items":[{},[1]]})", ErrorCode::kInvalidListItems, "items[1]"},
      {R"({"kind":"PodList","items":{"a":{}}})", ErrorCode::kInvalidListItems, "items is a mapping"},
      {R"([{"kind":"PodList"}])", ErrorCode::kClusterResponse, "array"},
      {"{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"\xff\"}}]}", ErrorCode::kJsonSyntax, "byte"},
  };
  for (const Case& c : cases) {
    Result<NormalizedPage> page = normalizeListPage(c.body, "v1", "Pod", opts());
    ASSERT_FALSE(page.ok()) << c.body;
    EXPECT_EQ(page.error().code, c.code) << c.body << ": " << page.error().message;
    EXPECT_NE(page.error().message.find(c.words), std::string::npos) << page.error().message;
    EXPECT_EQ(page.error().file, "/api/v1/pods");
  }
}

TEST(NormalizePage, Limits) {
  std::string deep = R"({"kind":"PodList","items":[{"spec":)";
  for (int i = 0; i < 300; ++i) deep += "[";
  for (int i = 0; i < 300; ++i) deep += "]";
  deep += "}]}";
  Result<NormalizedPage> page = normalizeListPage(deep, "v1", "Pod", opts());
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kDepthLimit);

  NormalizeOptions small = opts();
  small.limits.max_document_bytes = 10;
  page = normalizeListPage(R"({"kind":"PodList","items":[]})", "v1", "Pod", small);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kDocumentTooLarge);
}

TEST(NormalizePage, KubeletConfigzBecomesAnObject) {
  const std::string body = R"({"kubeletconfig":{"kind":"KubeletConfiguration","enableServer":true,
    "authentication":{"anonymous":{"enabled":false},"webhook":{"enabled":true,"cacheTTL":"2m0s"}},
    "authorization":{"mode":"Webhook"},"readOnlyPort":0,"tlsCipherSuites":["A","B"],"eventBurst":100}})";
  Result<std::string> obj = wrapKubeletConfigz(body, "node-1", NormalizeOptions{LoadLimits{}, "configz"});
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  ObjectSet set;
  expectCleanLoad(obj.value(), &set);
  ASSERT_EQ(set.objects().size(), 1u);
  const Object& o = set.objects()[0];
  EXPECT_EQ(o.api_version, "kubelet.config.k8s.io/v1beta1");
  EXPECT_EQ(o.kind, "KubeletConfiguration");
  EXPECT_EQ(o.name, "node-1");
  EXPECT_TRUE(o.document->keyDiagnostics().empty());
  EXPECT_FALSE(o.root->find({"authentication", "anonymous", "enabled"})->boolean());
  EXPECT_EQ(o.root->find({"authorization", "mode"})->str(), "Webhook");
  EXPECT_EQ(o.root->get("readOnlyPort")->integer(), 0);
  EXPECT_EQ(o.root->get("eventBurst")->integer(), 100);
  EXPECT_EQ(o.root->get("tlsCipherSuites")->size(), 2u);

  for (const char* bad : {"[]", R"({"other":{}})", R"({"kubeletconfig":3})", "{"}) {
    EXPECT_FALSE(wrapKubeletConfigz(bad, "n", NormalizeOptions{}).ok()) << bad;
  }
}

}  // namespace
}  // namespace kspm::cluster
