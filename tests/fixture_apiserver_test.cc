// The fixture API server, exercised with libcurl and with real kubectl: it must speak the protocol the way
// kube-apiserver does, or the cluster client tests built on it prove nothing.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_apiserver/fixture.h"

namespace {

const std::string kSmallCluster = std::string(KSPM_SOURCE_DIR) + "/tests/testdata/cluster/small.json";

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

struct HttpOptions {
  std::string token;
  bool clientCertificate = false;
  std::vector<std::string> headers;
  bool decodeGzip = false;
  std::string method;
};

size_t appendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t collectHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

HttpResult httpGet(const FixtureServer& server, const std::string& pathAndQuery, const HttpOptions& options = {}) {
  HttpResult result;
  CURL* curl = curl_easy_init();
  const std::string url = server.url() + pathAndQuery;
  const std::string ca = server.dir() + "/ca.crt";
  const std::string cert = server.dir() + "/client.crt";
  const std::string key = server.dir() + "/client.key";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (options.method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
  else if (!options.method.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, options.method.c_str());
  if (options.clientCertificate) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, key.c_str());
  }
  if (options.decodeGzip) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_slist* headers = nullptr;
  if (!options.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + options.token).c_str());
  for (const auto& header : options.headers) headers = curl_slist_append(headers, header.c_str());
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) result.error = curl_easy_strerror(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

HttpResult tokenGet(const FixtureServer& server, const std::string& path, std::vector<std::string> headers = {}) {
  HttpOptions options;
  options.token = "t0k";
  options.headers = std::move(headers);
  return httpGet(server, path, options);
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  return document;
}

std::string str(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return "";
  return object[name].GetString();
}

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "namespace/name" of every item of `kind` in a content file, in etcd (sorted) order.
std::vector<std::string> contentKeys(const std::string& file, const std::string& kind) {
  std::ifstream in(file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto document = parse(buffer.str());
  std::vector<std::string> keys;
  for (const auto& item : document["items"].GetArray()) {
    if (str(item, "kind") != kind) continue;
    const std::string ns = str(item["metadata"], "namespace");
    keys.push_back((ns.empty() ? "" : ns + "/") + str(item["metadata"], "name"));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<FixtureServer> startSmall(std::vector<std::string> extra = {}, std::string* error = nullptr) {
  std::vector<std::string> args = {"--content", kSmallCluster, "--token", "t0k=alice:devs,ops", "--threads", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string ignored;
  return FixtureServer::start(args, error ? error : &ignored);
}

class FixtureApiServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

TEST_F(FixtureApiServer, RejectsRequestsWithoutValidCredentials) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  auto anonymous = httpGet(*server, "/api/v1/pods");
  ASSERT_EQ(anonymous.error, "");
  EXPECT_EQ(anonymous.status, 401);
  auto status = parse(anonymous.body);
  EXPECT_EQ(str(status, "kind"), "Status");
  EXPECT_EQ(str(status, "reason"), "Unauthorized");
  EXPECT_EQ(status["code"].GetInt(), 401);
  HttpOptions wrong;
  wrong.token = "not-the-token";
  EXPECT_EQ(httpGet(*server, "/api/v1/pods", wrong).status, 401);
  EXPECT_EQ(tokenGet(*server, "/api/v1/pods").status, 200);
}

TEST_F(FixtureApiServer, AuthenticatesClientCertificatesAndLogsIdentities) {
  std::string error;
  const std::string log = std::filesystem::temp_directory_path() / ("kspm-fixture-log-" + std::to_string(getpid()));
  std::filesystem::remove(log);
  auto server = startSmall({"--log", log}, &error);
  ASSERT_TRUE(server) << error;
  HttpOptions cert;
  cert.clientCertificate = true;
  auto result = httpGet(*server, "/api/v1/namespaces", cert);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(str(parse(result.body), "kind"), "NamespaceList");
  EXPECT_EQ(tokenGet(*server, "/api/v1/nodes?limit=500", {"Impersonate-User: bob", "Impersonate-Group: g1",
                                                            "Impersonate-Group: g2"})
                .status,
            200);
  const auto lines = readLines(log);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("GET /api/v1/namespaces 200 identity=cert-user impersonate=- accept=", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("GET /api/v1/nodes?limit=500 200 identity=alice impersonate=bob:g1,g2 accept=", 0), 0u)
      << lines[1];
  std::filesystem::remove(log);
}

TEST_F(FixtureApiServer, ServesPlainDiscoveryDocuments) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  auto version = parse(tokenGet(*server, "/version").body);
  EXPECT_EQ(str(version, "gitVersion"), "v1.30.0");

  auto api = parse(tokenGet(*server, "/api").body);
  EXPECT_EQ(str(api, "kind"), "APIVersions");
  ASSERT_TRUE(api["versions"].IsArray());
  EXPECT_EQ(std::string(api["versions"][0].GetString()), "v1");

  auto groups = parse(tokenGet(*server, "/apis").body);
  EXPECT_EQ(str(groups, "kind"), "APIGroupList");
  std::map<std::string, std::string> preferred;
  for (const auto& group : groups["groups"].GetArray())
    preferred[str(group, "name")] = str(group["preferredVersion"], "groupVersion");
  EXPECT_EQ(preferred["apps"], "apps/v1");
  EXPECT_EQ(preferred["autoscaling"], "autoscaling/v2");
  EXPECT_EQ(preferred["gateway.networking.k8s.io"], "gateway.networking.k8s.io/v1");
  EXPECT_EQ(preferred["cert-manager.io"], "cert-manager.io/v1") << "a CRD in the content adds its group";
  EXPECT_EQ(preferred.count("policy"), 1u);
  EXPECT_EQ(preferred.count("extensions"), 0u);

  auto core = parse(tokenGet(*server, "/api/v1").body);
  EXPECT_EQ(str(core, "kind"), "APIResourceList");
  std::map<std::string, const rapidjson::Value*> resources;
  for (const auto& resource : core["resources"].GetArray()) resources[str(resource, "name")] = &resource;
  ASSERT_TRUE(resources.count("pods"));
  EXPECT_EQ(str(*resources["pods"], "kind"), "Pod");
  EXPECT_EQ(str(*resources["pods"], "singularName"), "pod");
  EXPECT_TRUE((*resources["pods"])["namespaced"].GetBool());
  EXPECT_FALSE((*resources["nodes"])["namespaced"].GetBool());
  EXPECT_EQ(std::string((*resources["pods"])["shortNames"][0].GetString()), "po");
  EXPECT_TRUE(resources.count("pods/log") && resources.count("pods/exec") && resources.count("nodes/proxy"));
  EXPECT_EQ(resources.count("podsecuritypolicies"), 0u);

  auto apps = parse(tokenGet(*server, "/apis/apps/v1").body);
  std::vector<std::string> names;
  for (const auto& resource : apps["resources"].GetArray()) names.push_back(str(resource, "name"));
  EXPECT_NE(std::find(names.begin(), names.end(), "deployments"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "deployments/scale"), names.end());

  auto custom = parse(tokenGet(*server, "/apis/cert-manager.io/v1").body);
  ASSERT_TRUE(custom.IsObject() && custom["resources"].IsArray());
  EXPECT_EQ(str(custom["resources"][0], "name"), "certificates");
  EXPECT_EQ(str(custom["resources"][0], "kind"), "Certificate");
  EXPECT_EQ(str(parse(tokenGet(*server, "/apis/apps").body), "kind"), "APIGroup");
}

TEST_F(FixtureApiServer, ServesAggregatedDiscoveryWhenAskedAndAllowed) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  const std::string accept =
      "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
  auto result = tokenGet(*server, "/apis", {accept});
  EXPECT_EQ(result.headers["content-type"], "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  auto list = parse(result.body);
  EXPECT_EQ(str(list, "kind"), "APIGroupDiscoveryList");
  EXPECT_EQ(str(list, "apiVersion"), "apidiscovery.k8s.io/v2");
  bool sawDeploymentScale = false;
  for (const auto& group : list["items"].GetArray()) {
    if (str(group["metadata"], "name") != "apps") continue;
    EXPECT_EQ(str(group["versions"][0], "version"), "v1");
    EXPECT_EQ(str(group["versions"][0], "freshness"), "Current");
    for (const auto& resource : group["versions"][0]["resources"].GetArray()) {
      if (str(resource, "resource") != "deployments") continue;
      EXPECT_EQ(str(resource, "scope"), "Namespaced");
      EXPECT_EQ(str(resource["responseKind"], "kind"), "Deployment");
      for (const auto& sub : resource["subresources"].GetArray())
        if (str(sub, "subresource") == "scale") {
          sawDeploymentScale = true;
          EXPECT_EQ(str(sub["responseKind"], "group"), "autoscaling");
          EXPECT_EQ(str(sub["responseKind"], "kind"), "Scale");
        }
    }
  }
  EXPECT_TRUE(sawDeploymentScale);

  auto beta = tokenGet(*server, "/api",
                       {"Accept: application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"});
  auto core = parse(beta.body);
  EXPECT_EQ(str(core, "apiVersion"), "apidiscovery.k8s.io/v2beta1");
  ASSERT_EQ(core["items"].Size(), 1u);
  EXPECT_FALSE(core["items"][0]["metadata"].HasMember("name")) << "the core group has no name";
  EXPECT_EQ(str(parse(tokenGet(*server, "/api", {"Accept: application/json"}).body), "kind"), "APIVersions");

  server.reset();
  auto old = startSmall({"--no-aggregated-discovery"}, &error);
  ASSERT_TRUE(old) << error;
  auto plain = tokenGet(*old, "/apis", {accept});
  EXPECT_EQ(plain.headers["content-type"], "application/json");
  EXPECT_EQ(str(parse(plain.body), "kind"), "APIGroupList");
}

TEST_F(FixtureApiServer, PaginatesEveryItemExactlyOnceInEtcdOrder) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  for (const std::string& base : {std::string("/api/v1/pods"), std::string("/api/v1/namespaces/kube-system/pods")}) {
    std::vector<std::string> seen;
    std::string continueToken;
    int pages = 0;
    long previousRemaining = 1 << 30;
    do {
      std::string path = base + "?limit=4";
      if (!continueToken.empty()) path += "&continue=" + continueToken;
      auto result = tokenGet(*server, path);
      ASSERT_EQ(result.status, 200) << result.body;
      auto list = parse(result.body);
      EXPECT_EQ(str(list, "kind"), "PodList");
      EXPECT_EQ(str(list, "apiVersion"), "v1");
      EXPECT_FALSE(str(list["metadata"], "resourceVersion").empty());
      for (const auto& item : list["items"].GetArray()) {
        EXPECT_FALSE(item.HasMember("apiVersion") || item.HasMember("kind")) << "list items carry no TypeMeta";
        seen.push_back(str(item["metadata"], "namespace") + "/" + str(item["metadata"], "name"));
      }
      continueToken = str(list["metadata"], "continue");
      if (!continueToken.empty()) {
        EXPECT_EQ(list["items"].Size(), 4u);
        const long remaining = list["metadata"]["remainingItemCount"].GetInt64();
        EXPECT_LT(remaining, previousRemaining);
        previousRemaining = remaining;
      } else {
        EXPECT_FALSE(list["metadata"].HasMember("remainingItemCount"));
      }
      ASSERT_LT(++pages, 100);
    } while (!continueToken.empty());
    auto expected = contentKeys(kSmallCluster, "Pod");
    if (base.find("kube-system") != std::string::npos)
      expected.erase(std::remove_if(expected.begin(), expected.end(),
                                    [](const std::string& key) { return key.rfind("kube-system/", 0) != 0; }),
                     expected.end());
    EXPECT_EQ(seen, expected) << base;
    EXPECT_GT(pages, 1) << base;
  }
  auto invalid = tokenGet(*server, "/api/v1/pods?limit=4&continue=bm90LWEtdG9rZW4=");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(str(parse(invalid.body), "reason"), "BadRequest");
  EXPECT_EQ(tokenGet(*server, "/api/v1/pods?limit=4&continue=%%%").status, 400);
}

TEST_F(FixtureApiServer, ServesSingleObjectsAndKubernetesErrors) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  auto pod = parse(tokenGet(*server, "/api/v1/namespaces/kube-system/pods/kube-apiserver-cp1").body);
  EXPECT_EQ(str(pod, "kind"), "Pod");
  EXPECT_EQ(str(pod, "apiVersion"), "v1");
  EXPECT_EQ(str(pod["metadata"], "name"), "kube-apiserver-cp1");
  auto node = parse(tokenGet(*server, "/api/v1/nodes/worker1").body);
  EXPECT_EQ(str(node["status"]["nodeInfo"], "kubeletVersion"), "v1.30.1");
  auto certificate = parse(tokenGet(*server, "/apis/cert-manager.io/v1/namespaces/shop/certificates/shop-tls").body);
  EXPECT_EQ(str(certificate, "apiVersion"), "cert-manager.io/v1");

  auto missing = tokenGet(*server, "/apis/apps/v1/namespaces/shop/deployments/nope");
  EXPECT_EQ(missing.status, 404);
  auto status = parse(missing.body);
  EXPECT_EQ(str(status, "reason"), "NotFound");
  EXPECT_EQ(str(status, "message"), "deployments.apps \"nope\" not found");
  EXPECT_EQ(tokenGet(*server, "/apis/nonexistent.example/v1/things").status, 404);
  EXPECT_EQ(tokenGet(*server, "/api/v1/namespaces/shop/nodes").status, 404) << "nodes are cluster-scoped";
  EXPECT_EQ(tokenGet(*server, "/apis/policy/v1beta1/podsecuritypolicies").status, 404);
  HttpOptions post;
  post.token = "t0k";
  post.method = "POST";
  auto notAllowed = httpGet(*server, "/api/v1/namespaces/shop/pods", post);
  EXPECT_EQ(notAllowed.status, 405);
  EXPECT_EQ(str(parse(notAllowed.body), "reason"), "MethodNotAllowed");
  EXPECT_EQ(tokenGet(*server, "/api/v1/pods?limit=abc").status, 400);
}

TEST_F(FixtureApiServer, InjectsFaultsAsConfigured) {
  std::string error;
  auto server = startSmall({"--fault", "/api/v1/pods=410x1", "--fault", "/api/v1/namespaces$=429x2", "--fault",
                            "/api/v1/secrets=403", "--fault", "/apis/apps/v1/deployments=500x1", "--fault",
                            "/api/v1/services=503x1"},
                           &error);
  ASSERT_TRUE(server) << error;
  // 410 only hits requests that carry a continue token: the first page passes, the second fails once.
  auto first = tokenGet(*server, "/api/v1/pods?limit=5");
  ASSERT_EQ(first.status, 200);
  const std::string token = str(parse(first.body)["metadata"], "continue");
  ASSERT_FALSE(token.empty());
  auto expired = tokenGet(*server, "/api/v1/pods?limit=5&continue=" + token);
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(str(parse(expired.body), "reason"), "Expired");
  EXPECT_EQ(str(parse(expired.body), "message").rfind("The provided continue parameter is too old", 0), 0u);
  EXPECT_EQ(tokenGet(*server, "/api/v1/pods?limit=5&continue=" + token).status, 200);

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto throttled = tokenGet(*server, "/api/v1/namespaces");
    EXPECT_EQ(throttled.status, 429);
    EXPECT_EQ(throttled.headers["retry-after"], "1");
    EXPECT_EQ(str(parse(throttled.body), "reason"), "TooManyRequests");
  }
  EXPECT_EQ(tokenGet(*server, "/api/v1/namespaces").status, 200);

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto forbidden = tokenGet(*server, "/api/v1/secrets");
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(str(parse(forbidden.body), "message"),
              "secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" at the "
              "cluster scope");
  }
  EXPECT_EQ(tokenGet(*server, "/apis/apps/v1/deployments").status, 500);
  EXPECT_EQ(tokenGet(*server, "/apis/apps/v1/deployments").status, 200);
  auto unavailable = tokenGet(*server, "/api/v1/services");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.headers["retry-after"], "1");
  EXPECT_EQ(tokenGet(*server, "/api/v1/services").status, 200);
}

TEST_F(FixtureApiServer, DelaysMatchingRequests) {
  std::string error;
  auto server = startSmall({"--delay", "/api/v1/configmaps=400"}, &error);
  ASSERT_TRUE(server) << error;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(tokenGet(*server, "/api/v1/configmaps").status, 200);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(400));
}

TEST_F(FixtureApiServer, ServesKubeletConfigzOnlyForConfiguredNodes) {
  const std::string file = std::filesystem::temp_directory_path() / ("kspm-configz-" + std::to_string(getpid()));
  std::ofstream(file) << R"({"authentication":{"anonymous":{"enabled":false}},"readOnlyPort":0})";
  std::string error;
  auto server = startSmall({"--configz", "cp1=" + file}, &error);
  std::filesystem::remove(file);
  ASSERT_TRUE(server) << error;
  auto result = tokenGet(*server, "/api/v1/nodes/cp1/proxy/configz");
  ASSERT_EQ(result.status, 200);
  auto document = parse(result.body);
  ASSERT_TRUE(document.IsObject() && document.HasMember("kubeletconfig"));
  EXPECT_FALSE(document["kubeletconfig"]["authentication"]["anonymous"]["enabled"].GetBool());
  EXPECT_EQ(tokenGet(*server, "/api/v1/nodes/worker1/proxy/configz").status, 404);
}

TEST_F(FixtureApiServer, GzipsLargeBodiesOnlyWhenAccepted) {
  // 300 ConfigMaps of 1 KiB each: a list well above the 128 KiB threshold.
  const std::string file = std::filesystem::temp_directory_path() / ("kspm-big-" + std::to_string(getpid()));
  {
    std::ofstream out(file);
    out << R"({"apiVersion":"v1","kind":"List","items":[)";
    for (int i = 0; i < 300; ++i)
      out << (i ? "," : "") << R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-)" << i
          << R"(","namespace":"big"},"data":{"blob":")" << std::string(1024, 'x') << "\"}}";
    out << "]}";
  }
  std::string error;
  auto server = FixtureServer::start({"--content", file, "--token", "t0k"}, &error);
  std::filesystem::remove(file);
  ASSERT_TRUE(server) << error;
  auto raw = tokenGet(*server, "/api/v1/configmaps", {"Accept-Encoding: gzip"});
  EXPECT_EQ(raw.headers["content-encoding"], "gzip");
  ASSERT_GE(raw.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(raw.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(raw.body[1]), 0x8b);
  EXPECT_LT(raw.body.size(), 128u * 1024);

  HttpOptions decode;
  decode.token = "t0k";
  decode.decodeGzip = true;
  auto decoded = httpGet(*server, "/api/v1/configmaps", decode);
  EXPECT_EQ(parse(decoded.body)["items"].Size(), 300u);

  EXPECT_EQ(tokenGet(*server, "/api/v1/configmaps").headers.count("content-encoding"), 0u);
  auto small = tokenGet(*server, "/api/v1/configmaps?limit=2", {"Accept-Encoding: gzip"});
  EXPECT_EQ(small.headers.count("content-encoding"), 0u) << "small bodies go uncompressed";
  EXPECT_EQ(parse(small.body)["items"].Size(), 2u);
}

TEST_F(FixtureApiServer, RestartReusesTheCertificateAuthority) {
  const std::string dir = std::filesystem::temp_directory_path() / ("kspm-fixture-ca-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto readFile = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  };
  std::string error;
  auto first = startSmall({"--tls-dir", dir}, &error);
  ASSERT_TRUE(first) << error;
  const std::string ca = readFile(dir + "/ca.crt");
  const std::string serverCert = readFile(dir + "/server.crt");
  ASSERT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(readFile(dir + "/kubeconfig").find("server: https://127.0.0.1:" + std::to_string(first->port())),
            std::string::npos);
  EXPECT_EQ(first->terminate(), 0) << "SIGTERM ends the server cleanly";
  auto second = startSmall({"--tls-dir", dir}, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_EQ(readFile(dir + "/ca.crt"), ca);
  EXPECT_NE(readFile(dir + "/server.crt"), serverCert);
  EXPECT_EQ(tokenGet(*second, "/version").status, 200) << "the new server certificate chains to the same CA";
  second.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(FixtureApiServer, RefusesBadCommandLines) {
  std::string error;
  EXPECT_FALSE(FixtureServer::start({"--content", "/nonexistent/content.json"}, &error));
  EXPECT_FALSE(FixtureServer::start({"--content", kSmallCluster, "--fault", "pods=418"}, &error));
  EXPECT_FALSE(FixtureServer::start({"--content", kSmallCluster, "--delay", "([=5"}, &error));
  EXPECT_FALSE(FixtureServer::start({"--content", kSmallCluster, "--bogus"}, &error));
}

TEST_F(FixtureApiServer, MergesContentFilesAndServesCustomResourcesDefinedInAnyOfThem) {
  const std::string dir = std::filesystem::temp_directory_path() / ("kspm-fixture-merge-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/objects.json")
      << R"({"kind":"List","apiVersion":"v1","items":[)"
      << R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"a"},"spec":{"size":3}},)"
      << R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a"}},)"
      << R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a","labels":{"v":"2"}}},)"
      << R"({"apiVersion":"example.com/v1","kind":"Unserved","metadata":{"name":"x"}}]})";
  std::ofstream(dir + "/crds.json")
      << R"({"kind":"List","items":[{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
      << R"("metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","scope":"Namespaced",)"
      << R"("names":{"kind":"Widget","plural":"widgets","singular":"widget","shortNames":["wd"]},)"
      << R"("versions":[{"name":"v1beta1","served":true,"storage":false},{"name":"v1","served":true,"storage":true}]}}]})";
  std::ofstream(dir + "/broken.json") << R"({"kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{)";
  std::string error;
  auto server = FixtureServer::start(
      {"--content", dir + "/objects.json", "--content", dir + "/crds.json", "--token", "t0k"}, &error);
  ASSERT_TRUE(server) << error;
  auto widgets = parse(tokenGet(*server, "/apis/example.com/v1/namespaces/a/widgets").body);
  EXPECT_EQ(str(widgets, "kind"), "WidgetList");
  ASSERT_EQ(widgets["items"].Size(), 1u);
  EXPECT_EQ(widgets["items"][0]["spec"]["size"].GetInt(), 3);
  auto pods = parse(tokenGet(*server, "/api/v1/pods").body);
  ASSERT_EQ(pods["items"].Size(), 1u) << "a later duplicate replaces the earlier object";
  EXPECT_EQ(str(pods["items"][0]["metadata"]["labels"], "v"), "2");
  EXPECT_FALSE(FixtureServer::start({"--content", dir + "/broken.json"}, &error));
  std::filesystem::remove_all(dir);
}

TEST_F(FixtureApiServer, AnswersOddRequestsWithoutFalling) {
  std::string error;
  auto server = startSmall({}, &error);
  ASSERT_TRUE(server) << error;
  for (const std::string& path :
       {std::string("/api/v1/namespaces//pods"), std::string("/apis/apps/v1/namespaces"), std::string("/apis//v1"),
        std::string("/api/v2/pods"), std::string("/api/v1/pods/%00"), std::string("/api/v1/nodes/cp1/proxy/"),
        std::string("/x/") + std::string(4000, 'a'), std::string("/api/v1/pods?limit=-1"),
        std::string("/api/v1/pods?limit=99999999999999"), std::string("/api/v1/pods?continue=")}) {
    auto result = tokenGet(*server, path);
    EXPECT_EQ(result.error, "") << path;
    EXPECT_TRUE(result.status == 200 || (result.status >= 400 && result.status < 500)) << path << " " << result.status;
  }
  EXPECT_EQ(tokenGet(*server, "/version").status, 200);
}

// ---------------------------------------------------------------------------------------------------------------
// Real kubectl against the fixture.

bool haveKubectl() { return std::system("command -v kubectl >/dev/null 2>&1") == 0; }
bool underCi() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

struct Kubectl {
  int exitCode = -1;
  std::string out;
};

Kubectl kubectl(const FixtureServer& server, const std::string& home, const std::string& args) {
  const std::string command = "HOME='" + home + "' KUBECACHEDIR='" + home + "/cache' KUBECONFIG='" +
                              server.kubeconfig() + "' kubectl " + args + " 2>&1";
  Kubectl result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, got);
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

class FixtureApiServerKubectl : public FixtureApiServer {
 protected:
  void SetUp() override {
    if (!haveKubectl()) {
      if (underCi()) FAIL() << "kubectl is required under CI=true";
      GTEST_SKIP() << "kubectl is not installed";
    }
    char pattern[] = "/tmp/kspm-kubectl-home-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    home_ = pattern;
    log_ = home_ + "/requests.log";
    std::string error;
    server_ = startSmall({"--log", log_}, &error);
    ASSERT_TRUE(server_) << error;
  }
  void TearDown() override {
    server_.reset();
    if (!home_.empty()) std::filesystem::remove_all(home_);
  }
  std::string home_;
  std::string log_;
  std::optional<FixtureServer> server_;
};

TEST_F(FixtureApiServerKubectl, GetPodsListsExactlyTheContentsPods) {
  auto names = kubectl(*server_, home_, "get pods -A -o name");
  ASSERT_EQ(names.exitCode, 0) << names.out;
  std::vector<std::string> expected;
  for (const auto& key : contentKeys(kSmallCluster, "Pod")) expected.push_back("pod/" + key.substr(key.find('/') + 1));
  EXPECT_EQ(splitLines(names.out), expected);

  // Human-readable output asks for server-side Tables; kubectl falls back to printing the plain list itself.
  auto table = kubectl(*server_, home_, "get pods -A");
  ASSERT_EQ(table.exitCode, 0) << table.out;
  const auto rows = splitLines(table.out);
  ASSERT_EQ(rows.size(), expected.size() + 1) << table.out;
  EXPECT_EQ(rows[0].rfind("NAMESPACE", 0), 0u) << rows[0];
  EXPECT_NE(table.out.find("kube-apiserver-cp1"), std::string::npos);
  bool askedForTable = false;
  for (const auto& line : readLines(log_))
    if (line.rfind("GET /api/v1/pods?limit=500 200 identity=alice", 0) == 0 && line.find("as=Table") != std::string::npos)
      askedForTable = true;
  EXPECT_TRUE(askedForTable);
}

TEST_F(FixtureApiServerKubectl, ApiResourcesListsResourcesButNotSubresources) {
  auto result = kubectl(*server_, home_, "api-resources --no-headers -o name");
  ASSERT_EQ(result.exitCode, 0) << result.out;
  const auto names = splitLines(result.out);
  for (const char* name : {"pods", "nodes", "deployments.apps", "networkpolicies.networking.k8s.io",
                                  "clusterrolebindings.rbac.authorization.k8s.io", "httproutes.gateway.networking.k8s.io",
                                  "certificates.cert-manager.io"})
    EXPECT_NE(std::find(names.begin(), names.end(), std::string(name)), names.end()) << name << " in\n" << result.out;
  for (const auto& name : names) EXPECT_EQ(name.find('/'), std::string::npos) << name;
  EXPECT_EQ(std::count_if(names.begin(), names.end(),
                          [](const std::string& name) { return name.rfind("podsecuritypolicies", 0) == 0; }),
            0);
  // kubectl took the aggregated discovery document: /api and /apis, no per-group-version requests.
  bool aggregated = false;
  for (const auto& line : readLines(log_)) {
    if (line.rfind("GET /apis?", 0) == 0 && line.find("as=APIGroupDiscoveryList") != std::string::npos)
      aggregated = true;
    EXPECT_NE(line.rfind("GET /apis/apps/v1 ", 0), 0u) << line;
  }
  EXPECT_TRUE(aggregated);
}

TEST_F(FixtureApiServerKubectl, CertContextAuthenticatesWithTheClientCertificate) {
  auto result = kubectl(*server_, home_, "--context cert get namespaces -o name");
  ASSERT_EQ(result.exitCode, 0) << result.out;
  std::vector<std::string> expected;
  for (const auto& key : contentKeys(kSmallCluster, "Namespace")) expected.push_back("namespace/" + key);
  EXPECT_EQ(splitLines(result.out), expected);
  bool certRequest = false;
  for (const auto& line : readLines(log_))
    if (line.rfind("GET /api/v1/namespaces?", 0) == 0 && line.find("identity=cert-user") != std::string::npos)
      certRequest = true;
  EXPECT_TRUE(certRequest);
}

TEST_F(FixtureApiServerKubectl, ChunkSizePaginatesWithContinueTokens) {
  auto result = kubectl(*server_, home_, "get pods -A --chunk-size=2 -o name");
  ASSERT_EQ(result.exitCode, 0) << result.out;
  EXPECT_EQ(splitLines(result.out).size(), contentKeys(kSmallCluster, "Pod").size());
  int continued = 0;
  for (const auto& line : readLines(log_)) {
    if (line.rfind("GET /api/v1/pods?", 0) != 0) continue;
    EXPECT_NE(line.find("limit=2"), std::string::npos) << line;
    if (line.find("continue=") != std::string::npos) ++continued;
  }
  EXPECT_EQ(continued, static_cast<int>((contentKeys(kSmallCluster, "Pod").size() + 1) / 2) - 1);
}

}  // namespace
