#include "test_util.h"
#include "kspm/kube_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "cluster/kube_client_internal.h"
#include "fixture_apiserver/fixture.h"
#include "kspm/kubeconfig.h"

namespace kspm::cluster {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

const std::string kExecDir = std::string(KSPM_SOURCE_DIR) + "/src/cluster/testdata/exec";

using kspm::testing::TempDir;

template <typename T>
std::string err(const Result<T>& r) {
  return r.ok() ? std::string("<ok>") : describeInputError(r.error());
}

// ---------------------------------------------------------------------------------------------
// Pure parts: Retry-After, backoff, token bucket, tokenFile re-read rule.

TEST(KubeClient, RetryAfterSecondsAndHttpDate) {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(internal::parseRetryAfter("3", now), milliseconds(3000));
  EXPECT_EQ(internal::parseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(internal::parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now), milliseconds(10'000));
  EXPECT_EQ(internal::parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds(0));  // in the past
  EXPECT_GE(*internal::parseRetryAfter("99999999999999", now), std::chrono::hours(24));  // huge: capped by callers
  for (const char* bad : {"", "-1", "1.5", "soon", "3s"}) {
    EXPECT_FALSE(internal::parseRetryAfter(bad, now)) << bad;
  }
}

TEST(KubeClient, BackoffDoublesIsCappedJitteredAndHonoursRetryAfter) {
  const milliseconds base(250), max(30'000);
  EXPECT_EQ(internal::backoffDelay(1, base, max, 0.0, std::nullopt), milliseconds(125));
  EXPECT_EQ(internal::backoffDelay(1, base, max, 0.999999, std::nullopt), milliseconds(249));
  EXPECT_EQ(internal::backoffDelay(2, base, max, 0.0, std::nullopt), milliseconds(250));
  EXPECT_EQ(internal::backoffDelay(4, base, max, 0.0, std::nullopt), milliseconds(1000));
  EXPECT_EQ(internal::backoffDelay(4, base, max, 0.5, std::nullopt), milliseconds(1500));
  EXPECT_EQ(internal::backoffDelay(20, base, max, 0.0, std::nullopt), milliseconds(15'000));  // capped, then jittered
  EXPECT_EQ(internal::backoffDelay(1000, base, max, 1.0, std::nullopt), milliseconds(30'000));
  EXPECT_EQ(internal::backoffDelay(1, base, max, 0.0, milliseconds(1000)), milliseconds(1000));  // Retry-After floor
  EXPECT_EQ(internal::backoffDelay(4, base, max, 0.0, milliseconds(10)), milliseconds(1000));
  EXPECT_EQ(internal::backoffDelay(1, base, max, 0.0, std::chrono::hours(1)), max);  // Retry-After capped
}

TEST(KubeClient, TokenBucketArithmetic) {
  steady_clock::time_point now{};
  internal::TokenBucket bucket(5, 2, [&] { return now; });
  EXPECT_EQ(bucket.take(), std::chrono::nanoseconds(0));  // burst of 2
  EXPECT_EQ(bucket.take(), std::chrono::nanoseconds(0));
  EXPECT_EQ(bucket.take(), milliseconds(200));  // queued behind the refill at 5/s
  EXPECT_EQ(bucket.take(), milliseconds(400));
  now += milliseconds(400);  // the two reservations are paid back: empty again
  EXPECT_EQ(bucket.take(), milliseconds(200));
  now += seconds(10);  // refills up to the burst, no more
  EXPECT_EQ(bucket.take(), std::chrono::nanoseconds(0));
  EXPECT_EQ(bucket.take(), std::chrono::nanoseconds(0));
  EXPECT_EQ(bucket.take(), milliseconds(200));

  internal::TokenBucket unlimited(0, 1, [&] { return now; });
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(unlimited.take(), std::chrono::nanoseconds(0));
}

TEST(KubeClient, TokenFileRereadWhenChangedOrAMinutePassed) {
  internal::FileStamp a{100, 10, 7};
  steady_clock::time_point t0{};
  EXPECT_FALSE(internal::tokenFileNeedsReread(a, a, t0, t0 + seconds(59)));
  EXPECT_TRUE(internal::tokenFileNeedsReread(a, a, t0, t0 + seconds(60)));
  internal::FileStamp b = a;
  b.mtime_ns = 101;
  EXPECT_TRUE(internal::tokenFileNeedsReread(a, b, t0, t0 + seconds(1)));
  b = a;
  b.inode = 8;  // replaced by rename (how kubelet's projected volumes rotate)
  EXPECT_TRUE(internal::tokenFileNeedsReread(a, b, t0, t0 + seconds(1)));
}

ResolvedConfig configFor(const std::string& server) {
  ResolvedConfig c;
  c.context_name = "test";
  c.source = "/test/kubeconfig";
  c.cluster.name = "test";
  c.cluster.server = server;
  c.user.name = "test";
  return c;
}

TEST(KubeClient, CreateFailsEarlyOnUnreadableFilesAndBadUrls) {
  TempDir d;
  ResolvedConfig c = configFor("https://127.0.0.1:6443");
  c.cluster.certificate_authority = d.path("missing-ca.crt");
  auto r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().file, d.path("missing-ca.crt"));
  EXPECT_NE(r.error().message.find("could not read certificate-authority"), std::string::npos) << err(r);

  c.cluster.certificate_authority = d.write("not-pem.crt", "hello");
  r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a PEM certificate"), std::string::npos) << err(r);

  c = configFor("https://127.0.0.1:6443");
  c.user.client_certificate = d.path("missing.crt");
  c.user.client_key = d.path("missing.key");
  r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
  EXPECT_EQ(r.error().file, d.path("missing.crt"));

  c = configFor("https://127.0.0.1:6443");
  c.user.token_file = d.path("absent-token");
  r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
  EXPECT_NE(r.error().message.find("tokenFile"), std::string::npos) << err(r);

  for (const char* bad : {"", "ftp://host/", "https://"}) {
    r = KubeClient::create(configFor(bad), {});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kConfig) << bad;
  }
  c = configFor("https://127.0.0.1:6443");
  c.cluster.proxy_url = "ftp://proxy:21";
  r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("proxy-url"), std::string::npos) << err(r);

  c = configFor("https://127.0.0.1:6443");
  c.user.token = "abc\r\nX-Injected: 1";
  r = KubeClient::create(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("X-Injected"), std::string::npos) << err(r);

  // No scheme: https is assumed, as client-go does.
  auto ok = KubeClient::create(configFor("127.0.0.1:6443"), {});
  ASSERT_TRUE(ok.ok()) << err(ok);
  EXPECT_EQ(ok.value()->server(), "127.0.0.1:6443");
  auto bad_path = ok.value()->get("api/v1/pods");
  ASSERT_FALSE(bad_path.ok());
  EXPECT_EQ(bad_path.error().code, ErrorCode::kUsage);
}

int closedPort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(s);  // bound but never listening: connections are refused
  return port;
}

TEST(KubeClient, UnreachablePortIsAConnectionErrorAfterRetries) {
  ResolvedConfig c = configFor("https://127.0.0.1:" + std::to_string(closedPort()));
  c.user.token = "SECRET-TOKEN-VALUE";
  ClientOptions o;
  o.max_retries = 2;
  o.backoff_base = milliseconds(1);
  auto client = KubeClient::create(c, o);
  ASSERT_TRUE(client.ok()) << err(client);
  auto r = client.value()->get("/api/v1/pods");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterConnection);
  EXPECT_EQ(r.error().file, c.cluster.server);
  std::string msg = describeInputError(r.error());
  EXPECT_NE(msg.find("could not connect"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after 3 attempts"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("SECRET-TOKEN-VALUE"), std::string::npos) << msg;
  EXPECT_EQ(client.value()->stats().requests, 3u);
  EXPECT_EQ(client.value()->stats().retries, 2u);
}

/**
 * A plain-HTTP listener on 127.0.0.1 that answers one request with `{}` and keeps what it received
 * (request line and headers): shows what the client sends where the fixture cannot (basic auth,
 * headers, a proxy's view).
 */
class OneShotHttp {
 public:
  OneShotHttp() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request_.append(buf, size_t(n));
      }
      const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      ::send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~OneShotHttp() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  /** What was received; call after the request completed. */
  std::string request() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(KubeClient, BasicAuthAndHeadersOverPlainHttp) {
  OneShotHttp server;
  ResolvedConfig c = configFor("http://127.0.0.1:" + std::to_string(server.port()) + "/prefix");
  c.user.username = "admin";
  c.user.password = "pass";
  c.user.impersonate = "jane";
  ClientOptions o;
  o.user_agent = "kspm/test";
  auto client = KubeClient::create(c, o);
  ASSERT_TRUE(client.ok()) << err(client);
  auto r = client.value()->get("/version", "application/json, */*");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().body, "{}");
  EXPECT_EQ(r.value().content_type, "application/json");
  std::string req = server.request();
  EXPECT_EQ(req.rfind("GET /prefix/version HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("\r\nAuthorization: Basic YWRtaW46cGFzcw==\r\n"), std::string::npos) << req;  // admin:pass
  EXPECT_NE(req.find("\r\nUser-Agent: kspm/test\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nAccept: application/json, */*\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nAccept-Encoding: gzip\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nImpersonate-User: jane\r\n"), std::string::npos) << req;
  EXPECT_EQ(req.find("Impersonate-Group"), std::string::npos) << req;
}

TEST(KubeClient, ProxyUrlIsUsed) {
  OneShotHttp proxy;
  // A host only the proxy could reach: the request line carries the absolute URL.
  ResolvedConfig c = configFor("http://kube-api.invalid:8080");
  c.cluster.proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  c.user.token = "tok";
  auto client = KubeClient::create(c, {});
  ASSERT_TRUE(client.ok()) << err(client);
  auto r = client.value()->get("/api/v1/pods?limit=2");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  std::string req = proxy.request();
  EXPECT_EQ(req.rfind("GET http://kube-api.invalid:8080/api/v1/pods?limit=2 HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("\r\nAuthorization: Bearer tok\r\n"), std::string::npos) << req;
}

// ---------------------------------------------------------------------------------------------
// End to end against the fixture API server (tests/fixture_apiserver).

// A small cluster: two pods, a service, and a ConfigMap big enough (~300 KiB) to be gzip-compressed.
std::string contentJson() {
  std::string big(300 * 1024, 'k');
  return R"({"apiVersion":"v1","kind":"List","items":[)"
         R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"app"}},)"
         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"app"},"spec":{"containers":[{"name":"c","image":"nginx"}]}},)"
         R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-2","namespace":"app"},"spec":{"containers":[{"name":"c","image":"nginx"}]}},)"
         R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"app"},"spec":{"ports":[{"port":80}]}},)"
         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","namespace":"app"},"data":{"blob":")" +
         big + R"("}}]})";
}

class KubeClientE2E : public ::testing::Test {
 protected:
  /** Starts the fixture with tokens good-token (alice:devs) and other-token (bob) plus `extra` flags. */
  void startServer(std::vector<std::string> extra = {}) {
    dir_.write("content.json", contentJson());
    std::vector<std::string> args = {"--content", dir_.path("content.json"), "--log", dir_.path("log"), "--token",
                                     "good-token=alice:devs", "--token", "other-token=bob", "--threads", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string why;
    server_ = FixtureServer::start(args, &why);
    if (!server_) {
      if (why.find("not built yet") != std::string::npos) GTEST_SKIP() << "fixture API server not built yet: " << why;
      FAIL() << why;
    }
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  std::string tls(const std::string& name) const { return server_->dir() + "/" + name; }
  /** A config trusting the fixture's CA, without credentials. */
  ResolvedConfig config() const {
    ResolvedConfig c = configFor(url());
    c.cluster.certificate_authority = tls("ca.crt");
    return c;
  }
  std::unique_ptr<KubeClient> client(const ResolvedConfig& c, ClientOptions o = fastOptions()) {
    auto r = KubeClient::create(c, std::move(o));
    EXPECT_TRUE(r.ok()) << err(r);
    return r.ok() ? std::move(r).value() : nullptr;
  }
  static ClientOptions fastOptions() {
    ClientOptions o;
    o.backoff_base = milliseconds(10);
    o.request_timeout = seconds(20);
    o.exec_environment = {"PATH=" + kExecDir + ":/usr/bin:/bin"};
    return o;
  }
  std::vector<std::string> logLines() const {
    std::vector<std::string> lines;
    std::istringstream in(dir_.read("log"));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

  TempDir dir_;
  std::optional<FixtureServer> server_;
};

TEST_F(KubeClientE2E, TokenAuthFromTheFixtureKubeconfig) {
  startServer();
  KubeconfigOptions ko;
  ko.explicit_path = tls("kubeconfig");
  auto kc = loadKubeconfig(ko);
  ASSERT_TRUE(kc.ok()) << err(kc);
  auto c = client(kc.value());
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/namespaces/app/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().attempts, 1);
  EXPECT_NE(r.value().content_type.find("application/json"), std::string::npos);
  EXPECT_NE(r.value().body.find("\"web-1\""), std::string::npos) << r.value().body;
  EXPECT_NE(r.value().body.find("\"web-2\""), std::string::npos);
  auto lines = logLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "GET /api/v1/namespaces/app/pods 200 identity=alice impersonate=- accept=application/json");
}

TEST_F(KubeClientE2E, ClientCertificateAuth) {
  startServer();
  KubeconfigOptions ko;
  ko.explicit_path = tls("kubeconfig");
  ko.context = "cert";
  auto kc = loadKubeconfig(ko);
  ASSERT_TRUE(kc.ok()) << err(kc);
  auto c = client(kc.value());
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/services");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  ASSERT_EQ(logLines().size(), 1u);
  EXPECT_NE(logLines()[0].find("identity=cert-user"), std::string::npos) << logLines()[0];
}

TEST_F(KubeClientE2E, NoCredentialsIs401Response) {
  startServer();
  auto c = client(config());
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 401);
  EXPECT_EQ(r.value().attempts, 1);
  EXPECT_NE(r.value().body.find("Unauthorized"), std::string::npos) << r.value().body;
}

TEST_F(KubeClientE2E, TokenFileRotation) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token_file = dir_.write("sa/token", "good-token\n");
  cfg.user.token = "other-token";  // client-go: the readable tokenFile wins
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  // Rotate the way kubelet does: a new file renamed over the old one.
  std::string next = dir_.write("sa/token.new", "other-token");
  fs::rename(next, dir_.path("sa/token"));
  r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  // Rewritten in place (same inode, new size and mtime).
  dir_.write("sa/token", "good-token");
  r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  auto lines = logLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("identity=alice"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("identity=bob"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("identity=alice"), std::string::npos) << lines[2];
}

TEST_F(KubeClientE2E, ExecPluginTokenCachedAndRerunOn401) {
  startServer({"--fault", "^/api/v1/services$=401x1"});
  ResolvedConfig cfg = config();
  ExecConfig e;
  e.api_version = "client.authentication.k8s.io/v1";
  e.command = "credential.sh";
  e.interactive_mode = "Never";
  e.provide_cluster_info = true;
  e.env = {{"PLUGIN_TOKEN", "good-token"}, {"PLUGIN_COUNT_FILE", dir_.path("runs")}, {"PLUGIN_RECORD_DIR", dir_.path()}};
  cfg.user.exec = e;
  auto c = client(cfg);
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {
    auto r = c->get("/api/v1/pods");
    ASSERT_TRUE(r.ok()) << err(r);
    EXPECT_EQ(r.value().status, 200);
  }
  EXPECT_EQ(c->stats().exec_runs, 1u);
  EXPECT_EQ(dir_.read("runs"), "run\n");
  // The plugin got the cluster, CA included.
  EXPECT_NE(dir_.read("exec-info").find("\"server\":\"" + url() + "\""), std::string::npos) << dir_.read("exec-info");
  EXPECT_NE(dir_.read("exec-info").find("\"certificate-authority-data\":\"LS0t"), std::string::npos);

  auto r = c->get("/api/v1/services");  // 401 once: the plugin runs again and the request is retried
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().attempts, 2);
  EXPECT_EQ(c->stats().exec_runs, 2u);
  EXPECT_EQ(dir_.read("runs"), "run\nrun\n");
  EXPECT_EQ(c->stats().requests, 5u);
  EXPECT_EQ(c->stats().retries, 0u);
}

TEST_F(KubeClientE2E, ExecPluginExpiredCredentialRerunsAnd401OnlyOnce) {
  startServer({"--fault", "^/api/v1/services$=401"});
  ResolvedConfig cfg = config();
  ExecConfig e;
  e.api_version = "client.authentication.k8s.io/v1beta1";
  e.command = "credential.sh";
  e.interactive_mode = "IfAvailable";
  e.env = {{"PLUGIN_TOKEN", "good-token"}, {"PLUGIN_EXPIRES", "2001-01-01T00:00:00Z"}};
  cfg.user.exec = e;
  auto c = client(cfg);
  ASSERT_TRUE(c);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(c->get("/api/v1/pods").ok());
  EXPECT_EQ(c->stats().exec_runs, 2u);  // expired on arrival: never cached
  auto r = c->get("/api/v1/services");  // always 401: one re-run, then the 401 is the answer
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 401);
  EXPECT_EQ(r.value().attempts, 2);
}

TEST_F(KubeClientE2E, ExecPluginClientCertificate) {
  startServer();
  ResolvedConfig cfg = config();
  ExecConfig e;
  e.api_version = "client.authentication.k8s.io/v1";
  e.command = kExecDir + "/credential.sh";
  e.interactive_mode = "Never";
  e.env = {{"PLUGIN_CERT_FILE", tls("client.crt")}, {"PLUGIN_KEY_FILE", tls("client.key")}};
  cfg.user.exec = e;
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  ASSERT_EQ(logLines().size(), 1u);
  EXPECT_NE(logLines()[0].find("identity=cert-user"), std::string::npos) << logLines()[0];
}

TEST_F(KubeClientE2E, ExecPluginFailureIsAuthError) {
  startServer();
  ResolvedConfig cfg = config();
  ExecConfig e;
  e.api_version = "client.authentication.k8s.io/v1";
  e.command = "fails.sh";
  e.interactive_mode = "Never";
  cfg.user.exec = e;
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterAuth);
  EXPECT_NE(r.error().message.find("exit code 3"), std::string::npos) << err(r);
  EXPECT_TRUE(logLines().empty());  // nothing was sent
}

TEST_F(KubeClientE2E, ImpersonationHeaders) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  cfg.user.impersonate = "system:serviceaccount:app:reader";
  cfg.user.impersonate_groups = {"system:authenticated", "auditors"};
  auto c = client(cfg);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->get("/api/v1/pods", "application/json;as=Table;v=v1;g=meta.k8s.io").ok());
  ASSERT_EQ(logLines().size(), 1u);
  EXPECT_EQ(logLines()[0],
            "GET /api/v1/pods 200 identity=alice impersonate=system:serviceaccount:app:reader:system:authenticated,"
            "auditors accept=application/json;as=Table;v=v1;g=meta.k8s.io");
}

TEST_F(KubeClientE2E, TooManyRequestsHonoursRetryAfter) {
  startServer({"--fault", "^/api/v1/pods$=429x1"});
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto start = steady_clock::now();
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().attempts, 2);
  EXPECT_EQ(c->stats().retries, 1u);
  // Retry-After: 1 is a floor (backoff_base is 10 ms here): a lower bound, not a timing test.
  EXPECT_GE(steady_clock::now() - start, milliseconds(990));
  auto lines = logLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(" 429 "), std::string::npos);
  EXPECT_NE(lines[1].find(" 200 "), std::string::npos);
}

TEST_F(KubeClientE2E, ServerErrorsRetriedThenLastResponseReturned) {
  startServer({"--fault", "^/api/v1/pods$=500x2", "--fault", "^/api/v1/services$=500"});
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  ClientOptions o = fastOptions();
  o.max_retries = 3;
  auto c = client(cfg, o);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().attempts, 3);
  r = c->get("/api/v1/services");  // always 500: after the last retry, the 500 is the answer
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 500);
  EXPECT_EQ(r.value().attempts, 4);
  EXPECT_EQ(c->stats().retries, 5u);
}

TEST_F(KubeClientE2E, ForbiddenIsAResponseNotRetried) {
  startServer({"--fault", "^/api/v1/secrets$=403"});
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/secrets");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 403);
  EXPECT_EQ(r.value().attempts, 1);
  EXPECT_NE(r.value().body.find("forbidden"), std::string::npos) << r.value().body;
  EXPECT_EQ(c->stats().retries, 0u);
  r = c->get("/api/v1/nosuchresource");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 404);
  EXPECT_EQ(r.value().attempts, 1);
}

TEST_F(KubeClientE2E, WrongCaFailsVerificationAndInsecureSkipWorks) {
  startServer();
  // Another CA: a second fixture run in another directory generates its own.
  TempDir other;
  std::string why;
  {
    auto second = FixtureServer::start({"--tls-dir", other.path(), "--content", dir_.path("content.json")}, &why);
    ASSERT_TRUE(second) << why;
  }
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  cfg.cluster.certificate_authority = other.path("ca.crt");
  ClientOptions o = fastOptions();
  o.max_retries = 3;
  auto c = client(cfg, o);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterConnection);
  EXPECT_EQ(r.error().file, url());
  EXPECT_NE(r.error().message.find("certificate verification failed"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find(other.path("ca.crt")), std::string::npos) << err(r);
  EXPECT_EQ(c->stats().requests, 1u);  // not retried: it would fail the same way

  cfg.cluster.certificate_authority.clear();
  cfg.cluster.insecure_skip_tls_verify = true;
  c = client(cfg);
  ASSERT_TRUE(c);
  r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
}

TEST_F(KubeClientE2E, TlsServerNameVerifiesThatName) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  std::ifstream ca(tls("ca.crt"));
  std::ostringstream ss;
  ss << ca.rdbuf();
  cfg.cluster.certificate_authority.clear();
  cfg.cluster.certificate_authority_data = ss.str();
  cfg.cluster.tls_server_name = "localhost";  // in the server certificate; we connect to 127.0.0.1
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 200);
  cfg.cluster.tls_server_name = "wrong.example.com";  // not in it: the name is what is verified
  c = client(cfg);
  ASSERT_TRUE(c);
  r = c->get("/api/v1/pods");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("certificate verification failed"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("tls-server-name wrong.example.com"), std::string::npos) << err(r);
}

TEST_F(KubeClientE2E, ServerPathPrefixIsKept) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.cluster.server = url() + "/k8s/clusters/c-1/";
  cfg.user.token = "good-token";
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/pods?limit=500");
  ASSERT_TRUE(r.ok()) << err(r);
  EXPECT_EQ(r.value().status, 404);  // the fixture serves no prefix; the log shows what was asked
  ASSERT_EQ(logLines().size(), 1u);
  EXPECT_NE(logLines()[0].find("GET /k8s/clusters/c-1/api/v1/pods?limit=500 404"), std::string::npos) << logLines()[0];
}

TEST_F(KubeClientE2E, SlowResponseTimesOut) {
  startServer({"--delay", "^/api/v1/services$=1500"});
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  ClientOptions o = fastOptions();
  o.request_timeout = milliseconds(300);
  // No retry: a retry reconnects, and libcurl then resumes the TLS session, which the fixture
  // server refuses (it sets no session id context); retries after failures are covered by
  // UnreachablePortIsAConnectionErrorAfterRetries.
  o.max_retries = 0;
  auto c = client(cfg, o);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/services");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClusterConnection);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << err(r);
  EXPECT_NE(r.error().message.find("request timeout 300 ms"), std::string::npos) << err(r);
  c = client(cfg, o);
  ASSERT_TRUE(c);
  auto fast = c->get("/api/v1/pods");  // other paths are not delayed
  ASSERT_TRUE(fast.ok()) << err(fast);
}

TEST_F(KubeClientE2E, GzipBodyDecodedAndSizeLimitEnforced) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  auto gz = client(cfg);
  ClientOptions plain_options = fastOptions();
  plain_options.compression = false;
  auto plain = client(cfg, plain_options);
  ASSERT_TRUE(gz && plain);
  auto a = gz->get("/api/v1/configmaps");
  auto b = plain->get("/api/v1/configmaps");
  ASSERT_TRUE(a.ok() && b.ok()) << err(a) << err(b);
  EXPECT_GT(a.value().body.size(), 300u * 1024);
  EXPECT_EQ(a.value().body, b.value().body);
  EXPECT_EQ(gz->stats().bytes, a.value().body.size());  // decoded bytes

  ClientOptions small = fastOptions();
  small.max_response_bytes = 64 * 1024;
  for (bool compression : {true, false}) {
    small.compression = compression;
    auto limited = client(cfg, small);
    ASSERT_TRUE(limited);
    auto r = limited->get("/api/v1/configmaps");
    ASSERT_FALSE(r.ok()) << compression;
    EXPECT_EQ(r.error().code, ErrorCode::kClusterResponse);
    EXPECT_NE(r.error().message.find("larger than the limit of 65536 bytes"), std::string::npos) << err(r);
    auto ok = limited->get("/api/v1/pods");  // small bodies still fine
    ASSERT_TRUE(ok.ok()) << err(ok);
  }
}

TEST_F(KubeClientE2E, RateLimiterThrottles) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  ClientOptions o = fastOptions();
  o.qps = 5;
  o.burst = 1;
  auto c = client(cfg, o);
  ASSERT_TRUE(c);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(c->get("/version").ok());
  EXPECT_GT(c->stats().throttled, milliseconds(0));
  EXPECT_EQ(c->stats().requests, 4u);
}

TEST_F(KubeClientE2E, ConcurrentRequestsShareTheClient) {
  startServer();
  ResolvedConfig cfg = config();
  cfg.user.token = "good-token";
  auto c = client(cfg);
  ASSERT_TRUE(c);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = c->get("/api/v1/namespaces/app/pods");
        if (r.ok() && r.value().status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(logLines().size(), 20u);
}

}  // namespace
}  // namespace kspm::cluster
