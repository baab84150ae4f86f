#include "cluster/exec_credential.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "test_util.h"
#include "kspm/kubeconfig.h"

namespace kspm::cluster {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

const std::string kExecDir = std::string(KSPM_SOURCE_DIR) + "/src/cluster/testdata/exec";
constexpr std::string_view kV1 = "client.authentication.k8s.io/v1";
constexpr std::string_view kV1beta1 = "client.authentication.k8s.io/v1beta1";

using kspm::testing::TempDir;

std::string err(const Result<ExecCredential>& r) {
  return r.ok() ? std::string("<ok>") : describeInputError(r.error());
}

int64_t unixSeconds(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

ExecConfig plugin(const std::string& command, std::string_view version = kV1) {
  ExecConfig e;
  e.api_version = std::string(version);
  e.command = command;
  e.interactive_mode = "Never";
  return e;
}

ExecRunOptions runOptions() {
  ExecRunOptions o;
  o.environment = {"PATH=" + kExecDir + ":/usr/bin:/bin", "HOME=/nonexistent"};
  o.timeout = std::chrono::seconds(20);
  return o;
}

TEST(ExecCredential, ParsesRfc3339) {
  auto t = parseRfc3339("2024-05-01T12:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(unixSeconds(*t), 1714564800);
  t = parseRfc3339("2024-05-01T14:30:00+02:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(unixSeconds(*t), 1714564800);
  t = parseRfc3339("2024-05-01T11:00:00.750-01:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count(), 1714564800750);
  for (const char* bad : {"", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T12:00:00Z", "2024-02-30T12:00:00Z",
                          "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00:00.Z", "2024-05-01T25:00:00Z", "tomorrow"}) {
    EXPECT_FALSE(parseRfc3339(bad)) << bad;
  }
}

TEST(ExecCredential, FreshUntilShortlyBeforeExpiry) {
  ExecCredential c;
  auto now = system_clock::now();
  EXPECT_TRUE(execCredentialFresh(c, now));  // no expiry: until a 401
  c.expiration = now + std::chrono::minutes(5);
  EXPECT_TRUE(execCredentialFresh(c, now));
  EXPECT_FALSE(execCredentialFresh(c, now + std::chrono::minutes(5) - std::chrono::seconds(5)));  // within the margin
  EXPECT_FALSE(execCredentialFresh(c, now + std::chrono::minutes(6)));
}

TEST(ExecCredential, Base64) {
  EXPECT_EQ(encodeBase64(""), "");
  EXPECT_EQ(encodeBase64("f"), "Zg==");
  EXPECT_EQ(encodeBase64("fo"), "Zm8=");
  EXPECT_EQ(encodeBase64("foo"), "Zm9v");
  EXPECT_EQ(encodeBase64(std::string("\xff\x00\xfe", 3)), "/wD+");
}

TEST(ExecCredential, ExecInfoJson) {
  ExecConfig e = plugin("p");
  ClusterInfo c;
  c.server = "https://10.0.0.1:6443/prefix";
  EXPECT_EQ(execInfoJson(e, c, "", false),
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}})");
  e.provide_cluster_info = true;
  e.api_version = std::string(kV1beta1);
  EXPECT_EQ(execInfoJson(e, c, "", true),
            R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"cluster":)"
            R"({"server":"https://10.0.0.1:6443/prefix"},"interactive":true}})");
  c.tls_server_name = "api.internal";
  c.proxy_url = "socks5://proxy:1080";
  c.insecure_skip_tls_verify = true;
  EXPECT_EQ(execInfoJson(e, c, "PEM", false),
            R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"cluster":)"
            R"({"server":"https://10.0.0.1:6443/prefix","tls-server-name":"api.internal","insecure-skip-tls-verify":true,)"
            R"("certificate-authority-data":"UEVN","proxy-url":"socks5://proxy:1080"},"interactive":false}})");
}

TEST(ExecCredential, ParsesTokenCertificateAndExpiry) {
  auto r = parseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2030-01-01T00:00:00Z"}})",
      kV1, "p", "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().token, "abc");
  ASSERT_TRUE(r.value().expiration);
  EXPECT_EQ(unixSeconds(*r.value().expiration), 1893456000);
  r = parseExecCredential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{},"status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}})",
      kV1beta1, "p", "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_TRUE(r.value().token.empty());
  EXPECT_EQ(r.value().client_certificate_data, "CERT");
  EXPECT_EQ(r.value().client_key_data, "KEY");
  EXPECT_FALSE(r.value().expiration);
}

TEST(ExecCredential, RejectsBadCredentialsWithoutPrintingThem) {
  struct Case {
    const char* output;
    const char* expect;
  };
  const Case cases[] = {
      {"SECRETVALUE not json", "not JSON"},
      {R"(["SECRETVALUE"])", "not a JSON object"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Secret","status":{"token":"SECRETVALUE"}})",
       "kind is not ExecCredential"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"SECRETVALUE"}})",
       "expected \"client.authentication.k8s.io/v1\""},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})", "without status"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
       "neither a token nor a client certificate"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"SECRETVALUE"}})",
       "clientCertificateData without clientKeyData"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"SECRETVALUE","expirationTimestamp":"soon"}})",
       "not an RFC 3339 time"},
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"SECRET\nVALUE"}})",
       "line break"},
  };
  for (const Case& c : cases) {
    auto r = parseExecCredential(c.output, kV1, "my-plugin", "/home/u/.kube/config");
    ASSERT_FALSE(r.ok()) << c.output;
    EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
    EXPECT_EQ(r.error().file, "/home/u/.kube/config");
    std::string msg = describeInputError(r.error());
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"my-plugin\""), std::string::npos) << msg;
    EXPECT_EQ(msg.find("SECRET"), std::string::npos) << msg;
  }
}

// ---- real plugins (shell scripts in testdata/exec) through the real exec path ----

TEST(ExecPlugin, V1TokenFoundInPathWithArgsEnvAndExecInfo) {
  TempDir d;
  ExecConfig e = plugin("credential.sh");  // no '/': searched in the environment's PATH
  e.args = {"get-token", "--cluster=prod"};
  e.env = {{"PLUGIN_TOKEN", "from-plugin-env"}, {"PLUGIN_RECORD_DIR", d.path()}};
  e.provide_cluster_info = true;
  ClusterInfo c;
  c.server = "https://127.0.0.1:6443";
  ExecRunOptions o = runOptions();
  o.environment.push_back("PLUGIN_TOKEN=overridden-by-the-plugin-env");
  auto r = runExecPlugin(e, c, "CA-PEM", o, "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().token, "from-plugin-env");
  EXPECT_FALSE(r.value().expiration);
  EXPECT_EQ(d.read("args"), "get-token\n--cluster=prod\n");
  EXPECT_EQ(d.read("exec-info"), execInfoJson(e, c, "CA-PEM", false));
  EXPECT_NE(d.read("exec-info").find(R"("certificate-authority-data":"Q0EtUEVN")"), std::string::npos);
  EXPECT_EQ(d.read("stdin"), "/dev/null\n");  // interactiveMode Never
}

TEST(ExecPlugin, V1beta1WithExpiryAndAbsolutePath) {
  ExecConfig e = plugin(kExecDir + "/credential.sh", kV1beta1);
  e.env = {{"PLUGIN_EXPIRES", "2031-02-03T04:05:06Z"}};
  ExecRunOptions o = runOptions();
  o.environment = {};  // an absolute command needs no PATH
  auto r = runExecPlugin(e, ClusterInfo{}, "", o, "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().token, "plugin-token");
  ASSERT_TRUE(r.value().expiration);
  EXPECT_EQ(*r.value().expiration, *parseRfc3339("2031-02-03T04:05:06Z"));
}

TEST(ExecPlugin, ClientCertificate) {
  TempDir d;
  std::ofstream(d.path("c.pem")) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  std::ofstream(d.path("k.pem")) << "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
  ExecConfig e = plugin("credential.sh");
  e.env = {{"PLUGIN_CERT_FILE", d.path("c.pem")}, {"PLUGIN_KEY_FILE", d.path("k.pem")}};
  auto r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().client_certificate_data, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(r.value().client_key_data, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
}

TEST(ExecPlugin, WrongApiVersionInOutput) {
  ExecConfig e = plugin("credential.sh");
  e.env = {{"PLUGIN_API_VERSION", "client.authentication.k8s.io/v1beta1"}};
  auto r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("apiVersion \"client.authentication.k8s.io/v1beta1\""), std::string::npos) << err(r);
}

TEST(ExecPlugin, InteractiveModes) {
  TempDir d;
  ExecConfig e = plugin("credential.sh");
  e.interactive_mode = "Always";
  auto r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
  EXPECT_NE(r.error().message.find("standard input is not a terminal"), std::string::npos) << err(r);
  // IfAvailable without a terminal: runs non-interactively.
  e.interactive_mode = "IfAvailable";
  e.env = {{"PLUGIN_RECORD_DIR", d.path()}};
  r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_NE(d.read("exec-info").find(R"("interactive":false)"), std::string::npos) << d.read("exec-info");
  EXPECT_EQ(d.read("stdin"), "/dev/null\n");
}

TEST(ExecPlugin, NotFoundShowsInstallHint) {
  ExecConfig e = plugin("gke-gcloud-auth-plugin-not-installed");
  e.install_hint = "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/blog";
  auto r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "/home/u/.kube/config");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
  EXPECT_EQ(r.error().file, "/home/u/.kube/config");
  EXPECT_NE(r.error().message.find("\"gke-gcloud-auth-plugin-not-installed\" not found in PATH"), std::string::npos)
      << err(r);
  EXPECT_NE(r.error().message.find(e.install_hint), std::string::npos) << err(r);
  e.command = kExecDir + "/absent.sh";
  e.install_hint.clear();
  r = runExecPlugin(e, ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not found or not executable"), std::string::npos) << err(r);
}

TEST(ExecPlugin, FailureNamesCommandAndExitCodeNotOutput) {
  auto r = runExecPlugin(plugin("fails.sh"), ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  std::string msg = describeInputError(r.error());
  EXPECT_NE(msg.find("exec plugin \"fails.sh\" failed with exit code 3"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("LEAKED-IF-PRINTED"), std::string::npos) << msg;
}

TEST(ExecPlugin, GarbageOutput) {
  auto r = runExecPlugin(plugin("garbage.sh"), ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not JSON"), std::string::npos) << err(r);
  EXPECT_EQ(r.error().message.find("GARBAGE-SECRET-TOKEN"), std::string::npos) << err(r);
}

TEST(ExecPlugin, TimeoutKillsIt) {
  ExecRunOptions o = runOptions();
  o.timeout = std::chrono::milliseconds(300);
  auto r = runExecPlugin(plugin("sleeps.sh"), ClusterInfo{}, "", o, "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("did not finish within 300 ms and was killed"), std::string::npos) << err(r);
}

TEST(ExecPlugin, OutputLimit) {
  auto r = runExecPlugin(plugin("floods.sh"), ClusterInfo{}, "", runOptions(), "kc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("printed more than 1048576 bytes"), std::string::npos) << err(r);
}

// describeResolvedConfig (kubeconfig.cc) shows exec flag names, never argument values.
TEST(ExecPlugin, DescribeResolvedConfigRedactsArgs) {
  ResolvedConfig c;
  ExecConfig e = plugin("aws");
  e.args = {"eks", "get-token", "--cluster-name", "prod", "--token=ARGSECRET1", "-p", "ARGSECRET2"};
  c.user.exec = e;
  std::string s = describeResolvedConfig(c);
  EXPECT_EQ(s.find("ARGSECRET"), std::string::npos) << s;
  EXPECT_NE(s.find("exec: client.authentication.k8s.io/v1 aws <arg> <arg> --cluster-name <arg> --token=<redacted> -p <arg>"),
            std::string::npos)
      << s;
}

}  // namespace
}  // namespace kspm::cluster
