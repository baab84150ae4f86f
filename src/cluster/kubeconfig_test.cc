#include "test_util.h"
#include "kspm/kubeconfig.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace kspm {
namespace {

namespace fs = std::filesystem;

const std::string kTestdata = std::string(KSPM_SOURCE_DIR) + "/src/cluster/testdata";
const std::string kCaPem =
    "-----BEGIN CERTIFICATE-----\nMIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n"
    "cm5ldGVzMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAwMFowFTETMBEGA1UE\n-----END CERTIFICATE-----\n";

using kspm::testing::TempDir;

std::string err(const Result<ResolvedConfig>& r) {
  return r.ok() ? std::string("<ok>") : describeInputError(r.error());
}

// A one-context kubeconfig; `user_body` is the YAML under `user:` (indented 4).
std::string simpleConfig(const std::string& name, const std::string& server, const std::string& user_body,
                         const std::string& current = "") {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: " + name + "\n  cluster:\n    server: " + server +
         "\ncontexts:\n- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name +
         "\nusers:\n- name: " + name + "\n  user:\n" + user_body + (current.empty() ? "" : "current-context: " + current + "\n");
}

TEST(Kubeconfig, MergeFirstFileWinsForEntriesAndCurrentContext) {
  TempDir d;
  // a: defines cluster "shared" (server A), user "shared", context "dev"; current-context dev.
  std::string a = d.write("a/config",
                          "clusters:\n- name: shared\n  cluster:\n    server: https://a.example:6443\n"
                          "users:\n- name: shared\n  user:\n    token: token-a\n"
                          "contexts:\n- name: dev\n  context: {cluster: shared, user: shared, namespace: ns-a}\n"
                          "current-context: dev\n");
  // b: redefines "shared" (with an extra field: must NOT leak in), adds "prod" context; current-context prod.
  std::string b = d.write("b/config",
                          "clusters:\n- name: shared\n  cluster:\n    server: https://b.example:6443\n    tls-server-name: b-only\n"
                          "- name: bcluster\n  cluster:\n    server: https://b2.example\n"
                          "users:\n- name: shared\n  user:\n    token: token-b\n- name: buser\n  user:\n    username: bob\n    password: pw\n"
                          "contexts:\n- name: dev\n  context: {cluster: bcluster, user: buser}\n"
                          "- name: prod\n  context: {cluster: bcluster, user: buser, namespace: ns-prod}\n"
                          "current-context: prod\n");
  // c: no current-context, one more context.
  std::string c = d.write("c/config",
                          "contexts:\n- name: third\n  context: {cluster: shared, user: buser}\n");
  KubeconfigOptions o;
  o.kubeconfig_env = a + ":" + b + ":" + c;
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().context_name, "dev");  // a's current-context wins
  EXPECT_EQ(r.value().namespace_, "ns-a");
  EXPECT_EQ(r.value().cluster.server, "https://a.example:6443");
  EXPECT_EQ(r.value().cluster.tls_server_name, "");  // b's "shared" is discarded whole
  EXPECT_EQ(r.value().user.token, "token-a");
  EXPECT_EQ(r.value().source, a + ":" + b + ":" + c);

  // Reverse order: b's current-context and entries win.
  o.kubeconfig_env = c + ":" + b + ":" + a;
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().context_name, "prod");
  EXPECT_EQ(r.value().cluster.server, "https://b2.example");
  EXPECT_EQ(r.value().user.username, "bob");

  // An entry only in a later file is still visible.
  o.context = "third";
  o.kubeconfig_env = a + ":" + b + ":" + c;
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://a.example:6443");
  EXPECT_EQ(r.value().user.name, "buser");
  EXPECT_EQ(r.value().namespace_, "");
}

TEST(Kubeconfig, ExplicitPathOverridesKubeconfigEnv) {
  TempDir d;
  std::string env = d.write("env", simpleConfig("envc", "https://env.example", "    token: t1\n", "envc"));
  std::string exp = d.write("explicit", simpleConfig("expc", "https://explicit.example", "    token: t2\n", "expc"));
  d.write("home/.kube/config", simpleConfig("homec", "https://home.example", "    token: t3\n", "homec"));
  KubeconfigOptions o;
  o.explicit_path = exp;
  o.kubeconfig_env = env;
  o.home_dir = d.path("home");
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://explicit.example");
  EXPECT_EQ(r.value().source, exp);
  o.explicit_path.clear();
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://env.example");
  o.kubeconfig_env.clear();
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://home.example");
  // A missing --kubeconfig is an error even when KUBECONFIG would work.
  o.explicit_path = d.path("nope");
  o.kubeconfig_env = env;
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().file, d.path("nope"));
}

TEST(Kubeconfig, MissingKubeconfigEntriesSkippedAllMissingIsError) {
  TempDir d;
  std::string real = d.write("real", simpleConfig("c", "https://real.example", "    token: t\n", "c"));
  KubeconfigOptions o;
  o.kubeconfig_env = d.path("missing1") + "::" + real + ":" + d.path("missing2");
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://real.example");
  EXPECT_EQ(r.value().source, real);

  // Repeated entries are read once (client-go deduplicates); an empty file is an empty config.
  std::string empty = d.write("empty", "");
  o.kubeconfig_env = empty + ":" + real + ":" + real;
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().source, empty + ":" + real);

  o.kubeconfig_env = d.path("missing1") + ":" + d.path("missing2");
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_NE(r.error().message.find("missing1"), std::string::npos) << err(r);

  KubeconfigOptions none;
  none.home_dir = d.path("emptyhome");
  r = loadKubeconfig(none);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().file.find(".kube/config"), std::string::npos);
}

TEST(Kubeconfig, RelativePathsResolvePerFile) {
  TempDir d;
  std::string a = d.write("one/config",
                          "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority: ca.pem\n"
                          "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n");
  std::string b = d.write("two/sub/config",
                          "users:\n- name: u\n  user:\n    client-certificate: ../certs/client.crt\n"
                          "    client-key: keys/client.key\n");
  std::string e = d.write("three/config",
                          "users:\n- name: tok\n  user:\n    tokenFile: secrets/token\n"
                          "- name: ex\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                          "      command: bin/plugin\n- name: expath\n  user:\n    exec:\n"
                          "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n"
                          "- name: exabs\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                          "      command: /usr/bin/plugin\n");
  KubeconfigOptions o;
  o.kubeconfig_env = a + ":" + b + ":" + e;
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.certificate_authority, d.path("one/ca.pem"));
  EXPECT_EQ(r.value().user.client_certificate, d.path("two/certs/client.crt"));
  EXPECT_EQ(r.value().user.client_key, d.path("two/sub/keys/client.key"));
  o.user = "tok";
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.token_file, d.path("three/secrets/token"));
  o.user = "ex";
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.exec->command, d.path("three/bin/plugin"));
  o.user = "expath";  // no slash: looked up on PATH, left alone
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.exec->command, "aws");
  o.user = "exabs";
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.exec->command, "/usr/bin/plugin");

  // The fixture's relative CA and ./bin command resolve against the testdata directory.
  KubeconfigOptions f;
  f.explicit_path = kTestdata + "/exec-v1.kubeconfig";
  r = loadKubeconfig(f);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.certificate_authority, fs::path(kTestdata + "/certs/ca.pem").lexically_normal().string());
  EXPECT_EQ(r.value().user.exec->command, fs::path(kTestdata + "/bin/kubectl-oidc_login").lexically_normal().string());
}

TEST(Kubeconfig, Base64DataDecodedAndBadBase64NamesFileAndLine) {
  TempDir d;
  // "hello PEM\n" = aGVsbG8gUEVNCg== ; a literal block split across lines (Go ignores \r and \n).
  std::string p = d.write("config",
                          "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                          "    certificate-authority-data: |\n      aGVsbG8g\n      UEVNCg==\n"
                          "users:\n- name: u\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n"
                          "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n");
  KubeconfigOptions o;
  o.explicit_path = p;
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.certificate_authority_data, "hello PEM\n");
  EXPECT_EQ(r.value().user.client_certificate_data, "cert");
  EXPECT_EQ(r.value().user.client_key_data, "key");

  // Bad base64 in an unused user still fails the file, as client-go's decoding does.
  std::string bad = d.write("bad",
                            "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                            "users:\n- name: u\n  user:\n    token: t\n"
                            "- name: other\n  user:\n    client-certificate-data: Y2VydA==\n"
                            "    client-key-data: not*base64!SECRETKEYMATERIAL\n"
                            "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n");
  o.explicit_path = bad;
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().file, bad);
  EXPECT_EQ(r.error().line, 12u);
  EXPECT_NE(r.error().message.find("client-key-data"), std::string::npos);
  EXPECT_NE(r.error().message.find("base64"), std::string::npos);
  EXPECT_EQ(describeInputError(r.error()).find("SECRETKEYMATERIAL"), std::string::npos);
  EXPECT_NE(describeInputError(r.error()).find(bad + ":12:"), std::string::npos) << err(r);

  // A plain multi-line scalar folds into a space, which is not base64 (as in Go).
  std::string folded = d.write("folded", "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                                         "    certificate-authority-data: aGVsbG8g\n      UEVNCg==\n");
  o.explicit_path = folded;
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 5u);
  // Missing padding is rejected (Go's StdEncoding).
  std::string nopad = d.write("nopad", "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority-data: aGk\n");
  o.explicit_path = nopad;
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 5u);
}

TEST(Kubeconfig, ContextOverrideAndNamespace) {
  TempDir d;
  std::string p = d.write("config",
                          "clusters:\n- name: c1\n  cluster: {server: 'https://one'}\n- name: c2\n  cluster: {server: 'https://two'}\n"
                          "users:\n- name: u\n  user: {token: t}\n"
                          "contexts:\n- name: a\n  context: {cluster: c1, user: u}\n"
                          "- name: b\n  context: {cluster: c2, user: u, namespace: team-b}\n"
                          "current-context: a\n");
  KubeconfigOptions o;
  o.explicit_path = p;
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().context_name, "a");
  EXPECT_EQ(r.value().namespace_, "");
  EXPECT_EQ(r.value().cluster.name, "c1");
  o.context = "b";
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().context_name, "b");
  EXPECT_EQ(r.value().namespace_, "team-b");
  EXPECT_EQ(r.value().cluster.server, "https://two");
  o.cluster = "c1";  // --cluster overrides the context's cluster
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://one");
  EXPECT_EQ(r.value().namespace_, "team-b");
}

TEST(Kubeconfig, MissingContextClusterUserErrors) {
  TempDir d;
  std::string p = d.write("config",
                          "clusters:\n- name: c1\n  cluster: {server: 'https://one'}\n"
                          "users:\n- name: u\n  user: {token: t}\n"
                          "contexts:\n- name: good\n  context: {cluster: c1, user: u}\n"
                          "- name: nocluster\n  context: {cluster: gone, user: u}\n"
                          "- name: nouser\n  context: {cluster: c1, user: ghost}\n"
                          "current-context: typo\n");
  KubeconfigOptions o;
  o.explicit_path = p;
  auto r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_NE(r.error().message.find("\"typo\""), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("good, nocluster, nouser"), std::string::npos) << err(r);
  EXPECT_EQ(r.error().line, 14u);  // the current-context line
  o.context = "missing";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--context names context \"missing\""), std::string::npos) << err(r);
  o.context = "nocluster";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cluster \"gone\""), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("c1"), std::string::npos) << err(r);
  EXPECT_EQ(r.error().line, 11u);
  o.context = "nouser";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("user \"ghost\""), std::string::npos) << err(r);
  EXPECT_EQ(r.error().line, 13u);
  // No current-context at all.
  std::string nocur = d.write("nocur", "contexts:\n- name: x\n  context: {cluster: c1}\n");
  KubeconfigOptions n;
  n.explicit_path = nocur;
  r = loadKubeconfig(n);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no current-context"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("(contexts: x)"), std::string::npos) << err(r);
}

TEST(Kubeconfig, ExecV1beta1AwsEks) {
  KubeconfigOptions o;
  o.explicit_path = kTestdata + "/eks.kubeconfig";
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  const ResolvedConfig& c = r.value();
  EXPECT_EQ(c.context_name, "arn:aws:eks:us-west-2:111122223333:cluster/prod");
  EXPECT_EQ(c.cluster.server, "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com");
  EXPECT_EQ(c.cluster.certificate_authority_data, kCaPem);
  ASSERT_TRUE(c.user.exec.has_value());
  const ExecConfig& x = *c.user.exec;
  EXPECT_EQ(x.api_version, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(x.command, "aws");
  std::vector<std::string> args = {"--region", "us-west-2", "eks", "get-token", "--cluster-name", "prod", "--output", "json"};
  EXPECT_EQ(x.args, args);
  ASSERT_EQ(x.env.size(), 1u);
  EXPECT_EQ(x.env[0].first, "AWS_PROFILE");
  EXPECT_EQ(x.env[0].second, "prod-admin");
  EXPECT_EQ(x.interactive_mode, "IfAvailable");  // v1beta1 default
  EXPECT_FALSE(x.provide_cluster_info);
}

TEST(Kubeconfig, ExecV1beta1GkeGcloudAuthPlugin) {
  KubeconfigOptions o;
  o.explicit_path = kTestdata + "/gke.kubeconfig";
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  const ExecConfig& x = *r.value().user.exec;
  EXPECT_EQ(x.command, "gke-gcloud-auth-plugin");
  EXPECT_TRUE(x.args.empty());
  EXPECT_TRUE(x.provide_cluster_info);
  EXPECT_EQ(x.install_hint,
            "Install gke-gcloud-auth-plugin for use with kubectl by following "
            "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin");
  EXPECT_EQ(r.value().cluster.server, "https://34.118.22.10");
}

TEST(Kubeconfig, ExecV1RequiresInteractiveMode) {
  KubeconfigOptions o;
  o.explicit_path = kTestdata + "/exec-v1.kubeconfig";
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.exec->api_version, "client.authentication.k8s.io/v1");
  EXPECT_EQ(r.value().user.exec->interactive_mode, "IfAvailable");
  EXPECT_EQ(r.value().user.exec->args.size(), 3u);
  EXPECT_EQ(r.value().namespace_, "platform");

  TempDir d;
  std::string exec = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: plugin\n";
  o.explicit_path = d.write("nomode", simpleConfig("c", "https://x", exec, "c"));
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("requires interactiveMode"), std::string::npos) << err(r);
  EXPECT_EQ(r.error().line, 15u);  // the exec: line
  o.explicit_path = d.write("badmode", simpleConfig("c", "https://x", exec + "      interactiveMode: Sometimes\n", "c"));
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Never, IfAvailable or Always"), std::string::npos) << err(r);
  o.explicit_path = d.write("never", simpleConfig("c", "https://x", exec + "      interactiveMode: Never\n", "c"));
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.exec->interactive_mode, "Never");
}

TEST(Kubeconfig, ExecV1alpha1AndAuthProviderErrors) {
  TempDir d;
  KubeconfigOptions o;
  o.explicit_path = d.write("alpha", simpleConfig("c", "https://x",
                                                  "    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n"
                                                  "      command: aws-iam-authenticator\n", "c"));
  auto r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().line, 16u);  // the apiVersion line
  EXPECT_NE(r.error().message.find("v1alpha1"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("client.authentication.k8s.io/v1beta1"), std::string::npos) << err(r);

  o.explicit_path = kTestdata + "/auth-provider-gcp.kubeconfig";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 14u);  // the auth-provider line
  EXPECT_NE(r.error().message.find("gke-gcloud-auth-plugin"), std::string::npos) << err(r);
  EXPECT_EQ(describeInputError(r.error()).find("SECRET-ACCESS-TOKEN"), std::string::npos);

  o.explicit_path = d.write("azure", simpleConfig("c", "https://x",
                                                  "    auth-provider:\n      name: azure\n      config:\n        access-token: zzz\n", "c"));
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("kubelogin"), std::string::npos) << err(r);
}

TEST(Kubeconfig, ImpersonationTokenFileBasicAuthAndTlsSettings) {
  TempDir d;
  std::string p = d.write("config",
                          "clusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\n"
                          "    insecure-skip-tls-verify: true\n    tls-server-name: api.internal\n"
                          "    proxy-url: socks5://localhost:1080\n"
                          "users:\n- name: imp\n  user:\n    tokenFile: /var/run/token\n    as: jane\n"
                          "    as-groups:\n    - developers\n    - system:authenticated\n"
                          "- name: basic\n  user:\n    username: admin\n    password: hunter2\n"
                          "- name: both\n  user:\n    username: admin\n    token: abc\n"
                          "- name: certonly\n  user:\n    client-certificate: /c.crt\n"
                          "contexts:\n- name: ctx\n  context: {cluster: c, user: imp}\ncurrent-context: ctx\n");
  KubeconfigOptions o;
  o.explicit_path = p;
  auto r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_TRUE(r.value().cluster.insecure_skip_tls_verify);
  EXPECT_EQ(r.value().cluster.tls_server_name, "api.internal");
  EXPECT_EQ(r.value().cluster.proxy_url, "socks5://localhost:1080");
  EXPECT_EQ(r.value().user.token_file, "/var/run/token");
  EXPECT_EQ(r.value().user.impersonate, "jane");
  EXPECT_EQ(r.value().user.impersonate_groups, (std::vector<std::string>{"developers", "system:authenticated"}));
  o.user = "basic";
  r = loadKubeconfig(o);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().user.username, "admin");
  EXPECT_EQ(r.value().user.password, "hunter2");
  o.user = "both";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("more than one authentication method"), std::string::npos) << err(r);
  EXPECT_EQ(r.error().message.find("abc"), std::string::npos);
  o.user = "certonly";
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no client-key"), std::string::npos) << err(r);

  // insecure + CA is rejected, as kubectl does.
  std::string ic = d.write("insecure-ca",
                           "clusters:\n- name: c\n  cluster:\n    server: https://x\n    certificate-authority: /ca\n"
                           "    insecure-skip-tls-verify: true\n"
                           "contexts:\n- name: ctx\n  context: {cluster: c}\ncurrent-context: ctx\n");
  KubeconfigOptions o2;
  o2.explicit_path = ic;
  r = loadKubeconfig(o2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 6u);
  EXPECT_NE(r.error().message.find("insecure-skip-tls-verify"), std::string::npos) << err(r);
  // A context without a user is anonymous, not an error.
  std::string anon = d.write("anon", "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                                     "contexts:\n- name: ctx\n  context: {cluster: c}\ncurrent-context: ctx\n");
  o2.explicit_path = anon;
  r = loadKubeconfig(o2);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_TRUE(r.value().user.name.empty());
  EXPECT_FALSE(r.value().user.exec.has_value());
}

TEST(Kubeconfig, MalformedFilesAreConfigErrorsWithLines) {
  TempDir d;
  KubeconfigOptions o;
  o.explicit_path = d.write("t", "clusters:\n- name: c\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: \"yes\"\n");
  auto r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().line, 5u);
  o.explicit_path = d.write("dup", "users:\n- name: u\n  user: {token: a}\n- name: u\n  user: {token: b}\n");
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("duplicate name \"u\""), std::string::npos) << err(r);
  EXPECT_EQ(r.error().line, 4u);
  o.explicit_path = d.write("syntax", "clusters: [\n");
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().file, o.explicit_path);
  o.explicit_path = d.write("numtoken", simpleConfig("c", "https://x", "    token: 123456789\n", "c"));
  r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("123456789"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("token: expected a string"), std::string::npos) << err(r);
}

TEST(Kubeconfig, InClusterConfig) {
  TempDir d;
  InClusterEnv env;
  env.service_host = "10.96.0.1";
  env.service_port = "443";
  env.token_file = d.write("sa/token", "eyJhbGciOiJSUzI1NiJ9.SECRETPAYLOAD.sig");
  env.ca_file = d.write("sa/ca.crt", kCaPem);
  env.namespace_file = d.write("sa/namespace", "payments\n");
  auto r = inClusterConfig(env);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://10.96.0.1:443");
  EXPECT_EQ(r.value().cluster.certificate_authority, env.ca_file);
  EXPECT_EQ(r.value().user.token_file, env.token_file);
  EXPECT_TRUE(r.value().user.token.empty());  // referenced by path: it rotates
  EXPECT_EQ(r.value().namespace_, "payments");
  EXPECT_EQ(r.value().source, "in-cluster");
  EXPECT_EQ(describeResolvedConfig(r.value()).find("SECRETPAYLOAD"), std::string::npos);

  env.service_host = "fd00:10:96::1";
  env.pod_namespace = "from-env";
  r = inClusterConfig(env);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().cluster.server, "https://[fd00:10:96::1]:443");
  EXPECT_EQ(r.value().namespace_, "from-env");

  env.pod_namespace.clear();
  env.namespace_file = d.path("sa/none");
  env.ca_file = d.path("sa/none.crt");
  r = inClusterConfig(env);
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().namespace_, "default");
  EXPECT_TRUE(r.value().cluster.certificate_authority.empty());

  InClusterEnv missing = env;
  missing.service_port.clear();
  r = inClusterConfig(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT"), std::string::npos);
  missing = env;
  missing.token_file = d.path("sa/absent");
  r = inClusterConfig(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().file, d.path("sa/absent"));
  missing.token_file = d.write("sa/empty", "\n");
  r = inClusterConfig(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("empty"), std::string::npos);
}

TEST(Kubeconfig, RedactionInDebugStringAndErrors) {
  TempDir d;
  std::string p = d.write("config",
                          "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
                          "users:\n- name: u\n  user:\n    token: SUPERSECRETTOKEN\n"
                          "- name: k\n  user:\n    client-certificate-data: Y2VydA==\n"
                          "    client-key-data: UFJJVkFURUtFWUJZVEVT\n"  // "PRIVATEKEYBYTES"
                          "- name: b\n  user:\n    username: admin\n    password: PASSWORDVALUE\n"
                          "- name: e\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                          "      command: plugin\n      env:\n      - name: API_KEY\n        value: ENVSECRETVALUE\n"
                          "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n");
  KubeconfigOptions o;
  o.explicit_path = p;
  for (const char* user : {"u", "k", "b", "e"}) {
    o.user = user;
    auto r = loadKubeconfig(o);
    ASSERT_TRUE(r.ok()) << err(r);
    std::string s = describeResolvedConfig(r.value());
    EXPECT_NE(s.find("user: " + std::string(user)), std::string::npos) << s;
    for (const char* secret : {"SUPERSECRETTOKEN", "PRIVATEKEYBYTES", "PASSWORDVALUE", "ENVSECRETVALUE"}) {
      EXPECT_EQ(s.find(secret), std::string::npos) << user << ": " << s;
    }
    EXPECT_NE(s.find("<redacted>"), std::string::npos) << s;
  }
  // An error about a user holding a token does not print it.
  o.user.clear();
  o.context = "nope";
  auto r = loadKubeconfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(describeInputError(r.error()).find("SUPERSECRETTOKEN"), std::string::npos);
  std::string bothp = d.write("both", simpleConfig("c", "https://x", "    token: SUPERSECRETTOKEN\n    password: PASSWORDVALUE\n", "c"));
  KubeconfigOptions ob;
  ob.explicit_path = bothp;
  r = loadKubeconfig(ob);
  ASSERT_FALSE(r.ok());
  std::string msg = describeInputError(r.error());
  EXPECT_EQ(msg.find("SUPERSECRETTOKEN"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("PASSWORDVALUE"), std::string::npos) << msg;
}

}  // namespace
}  // namespace kspm
