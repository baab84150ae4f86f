// The webhook's HTTPS server (src/server/https_server.h) in-process, with a trivial handler, driven
// by libcurl and by raw TLS sockets for what curl will not send (slow, malformed, oversized).
#include "server/https_server.h"
#include "server/http_request.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "fixture_apiserver/tls.h"
#include "test_util.h"

namespace kspm::server {
namespace {

using namespace std::chrono_literals;

// --- A raw TLS client (blocking socket with a receive timeout: a test never hangs). ---------------

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class TlsClient {
 public:
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  /** TCP connect and TLS handshake, verifying the server against `ca_file`. */
  bool connect(uint16_t port, const std::string& ca_file) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "127.0.0.1");
    const bool ok = SSL_connect(ssl_) == 1;
    ERR_clear_error();
    return ok;
  }

  /** The serial number of the server's certificate, in hex. */
  std::string serverSerial() const {
    X509* cert = SSL_get1_peer_certificate(ssl_);
    if (cert == nullptr) return "";
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string serial = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    X509_free(cert);
    return serial;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const int n = SSL_write(ssl_, data.data(), int(data.size()));
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
      data.remove_prefix(size_t(n));
    }
    return true;
  }

  /** One response (Content-Length framed), or nullopt on EOF, error or timeout. */
  std::optional<RawResponse> read() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawResponse response;
    std::istringstream head(buffer_.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    response.status = std::atoi(line.c_str() + 9);
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    const size_t length = std::stoul(response.headers.count("content-length") ? response.headers["content-length"] : "0");
    while (buffer_.size() < header_end + 4 + length) {
      if (!fill()) return std::nullopt;
    }
    response.body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return response;
  }

  /** Whether the server closed the connection (rather than the read timing out). */
  bool closedByServer() {
    char byte;
    const int n = SSL_read(ssl_, &byte, 1);
    if (n > 0) return false;
    const int error = SSL_get_error(ssl_, n);
    const bool timed_out = error == SSL_ERROR_WANT_READ || (error == SSL_ERROR_SYSCALL && errno == EAGAIN);
    ERR_clear_error();
    return !timed_out;
  }

 private:
  bool fill() {
    char chunk[16384];
    const int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    buffer_.append(chunk, size_t(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// --- libcurl ---------------------------------------------------------------------------------------

size_t appendTo(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlResponse {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string headers;
  long new_connections = 0;  // CURLINFO_NUM_CONNECTS: 0 when a kept-alive connection was reused
};

class CurlClient {
 public:
  CurlClient(uint16_t port, std::string ca_file) : port_(port), ca_(std::move(ca_file)), curl_(curl_easy_init()) {}
  ~CurlClient() { curl_easy_cleanup(curl_); }

  CurlResponse request(const std::string& method, const std::string& path, const std::string& body = "") {
    CurlResponse response;
    const std::string url = "https://127.0.0.1:" + std::to_string(port_) + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, long(body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
      curl_easy_setopt(curl_, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);  // after HTTPGET, which clears it
    }
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, appendTo);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, appendTo);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response.headers);
    response.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &response.new_connections);
    return response;
  }

 private:
  uint16_t port_;
  std::string ca_;
  CURL* curl_;
};

// --- Metrics text ----------------------------------------------------------------------------------

/** Parses Prometheus text format 0.0.4 samples ("name{labels} value"); false on a malformed line. */
bool parseMetrics(const std::string& text, std::map<std::string, double>* samples) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') {
      if (!line.empty() && line.rfind("# HELP ", 0) != 0 && line.rfind("# TYPE ", 0) != 0) return false;
      continue;
    }
    const size_t space = line.rfind(' ');
    if (space == std::string::npos || space == 0) return false;
    const std::string key = line.substr(0, space);
    const size_t brace = key.find('{');
    if (brace != std::string::npos && key.back() != '}') return false;
    char* end = nullptr;
    const double value = std::strtod(line.c_str() + space + 1, &end);
    if (end == line.c_str() + space + 1 || *end != '\0') return false;
    (*samples)[key] = value;
  }
  return true;
}

// --- The fixture -----------------------------------------------------------------------------------

class WebhookServer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ASSERT_EQ(kspm_fixture::writeCertificates(dir_.path()), "");
  }

  std::string ca() const { return dir_.path() + "/ca.crt"; }

  ServerOptions options() const {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.cert_file = dir_.path() + "/server.crt";
    options.key_file = dir_.path() + "/server.key";
    options.threads = 2;
    options.decision_labels = {"allowed", "denied", "malformed"};
    return options;
  }

  // The trivial handler: "deny" in the body → decision 1, "bad" → 400, else echo; counts calls.
  void start(ServerOptions options) {
    auto created = HttpsServer::create(std::move(options), [this](std::string_view body) {
      handled_.fetch_add(1);
      HandlerResult result;
      if (body.find("bad") != std::string_view::npos) {
        result.http_status = 400;
        result.body = "malformed review\n";
        result.content_type = "text/plain";
        result.decision = 2;
      } else {
        result.body = "{\"echo\":\"" + std::string(body) + "\"}";
        result.decision = body.find("deny") != std::string_view::npos ? 1 : 0;
      }
      return result;
    });
    ASSERT_TRUE(created.ok()) << describeInputError(created.error());
    server_ = std::move(created).value();
    server_->start();
  }

  uint16_t port() const { return server_->port(); }

  static std::string post(std::string_view path, std::string_view body, std::string_view extra = "") {
    return "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + std::string(extra) + "\r\n" + std::string(body);
  }

  kspm::testing::TempDir dir_;
  std::unique_ptr<HttpsServer> server_;
  std::atomic<int> handled_{0};
};

TEST_F(WebhookServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  start(options());
  CurlClient client(port(), ca());
  CurlResponse first = client.request("POST", "/validate", "one");
  ASSERT_EQ(first.code, CURLE_OK) << curl_easy_strerror(first.code);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "{\"echo\":\"one\"}");
  EXPECT_EQ(first.new_connections, 1);
  CurlResponse second = client.request("POST", "/validate?timeout=10s", "two");  // the API server adds ?timeout
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "{\"echo\":\"two\"}");
  EXPECT_EQ(second.new_connections, 0) << "the connection was not kept alive";
  EXPECT_NE(first.headers.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(handled_.load(), 2);
}

TEST_F(WebhookServer, PipelinedRequestsAreAnsweredInOrder) {
  start(options());
  TlsClient client;
  ASSERT_TRUE(client.connect(port(), ca()));
  ASSERT_TRUE(client.send(post("/validate", "first") + post("/validate", "second")));
  auto a = client.read();
  auto b = client.read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "{\"echo\":\"first\"}");
  EXPECT_EQ(b->body, "{\"echo\":\"second\"}");
}

TEST_F(WebhookServer, UnknownPathsAre404AndWrongMethods405) {
  start(options());
  CurlClient client(port(), ca());
  EXPECT_EQ(client.request("GET", "/nope").status, 404);
  EXPECT_EQ(client.request("POST", "/validate/extra", "x").status, 404);
  CurlResponse get_validate = client.request("GET", "/validate");
  EXPECT_EQ(get_validate.status, 405);
  EXPECT_NE(get_validate.headers.find("Allow: POST"), std::string::npos);
  EXPECT_EQ(client.request("POST", "/healthz", "x").status, 405);
  EXPECT_EQ(client.request("GET", "/healthz").status, 200);
  EXPECT_EQ(client.request("HEAD", "/readyz").status, 200);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(WebhookServer, MalformedRequestLineIs400AndCloses) {
  start(options());
  TlsClient client;
  ASSERT_TRUE(client.connect(port(), ca()));
  ASSERT_TRUE(client.send("GARBAGE\r\nHost: x\r\n\r\n"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->headers["connection"], "close");
  EXPECT_TRUE(client.closedByServer());

  TlsClient bad_header;
  ASSERT_TRUE(bad_header.connect(port(), ca()));
  ASSERT_TRUE(bad_header.send("POST /validate HTTP/1.1\r\nno colon here\r\nContent-Length: 1\r\n\r\nx"));
  auto second = bad_header.read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 400);

  TlsClient bad_length;
  ASSERT_TRUE(bad_length.connect(port(), ca()));
  ASSERT_TRUE(bad_length.send("POST /validate HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"));
  auto third = bad_length.read();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 400);
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_EQ(server_->metrics().errors_malformed, 3u);
}

TEST_F(WebhookServer, OversizedBodyIs413WithoutReadingIt) {
  ServerOptions o = options();
  o.max_body_bytes = 1000;
  start(o);
  TlsClient client;
  ASSERT_TRUE(client.connect(port(), ca()));
  // Only the headers: the refusal must not wait for a body it will not read.
  ASSERT_TRUE(client.send("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("1001"), std::string::npos) << response->body;
  EXPECT_TRUE(client.closedByServer());

  // At the limit exactly, it is served.
  CurlClient curl(port(), ca());
  EXPECT_EQ(curl.request("POST", "/validate", std::string(1000, 'a')).status, 200);
  // Above it through curl (which sends the body at once): 413 reaches the client anyway.
  CurlResponse big = curl.request("POST", "/validate", std::string(200000, 'a'));
  EXPECT_EQ(big.status, 413) << curl_easy_strerror(big.code);
  EXPECT_EQ(handled_.load(), 1);
  EXPECT_EQ(server_->metrics().errors_too_large, 2u);
}

TEST_F(WebhookServer, LargeBodiesShareABudget) {
  ServerOptions o = options();
  o.max_large_body_bytes = 100 * 1024;  // one 80 KiB body at a time
  start(o);
  const std::string body(80 * 1024, 'a');
  const std::string request = post("/validate", body);
  TlsClient first;
  ASSERT_TRUE(first.connect(port(), ca()));
  ASSERT_TRUE(first.send(request.substr(0, request.size() - 1000)));  // in progress
  std::this_thread::sleep_for(100ms);
  TlsClient second;
  ASSERT_TRUE(second.connect(port(), ca()));
  ASSERT_TRUE(second.send(request.substr(0, request.size() - body.size())));  // headers only
  auto refused = second.read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  // Small bodies are not held back meanwhile.
  CurlClient small(port(), ca());
  EXPECT_EQ(small.request("POST", "/validate", "small").status, 200);
  // The first finishes; its share is returned: the next large body is served.
  ASSERT_TRUE(first.send(request.substr(request.size() - 1000)));
  auto served = first.read();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  TlsClient third;
  ASSERT_TRUE(third.connect(port(), ca()));
  ASSERT_TRUE(third.send(request));
  auto later = third.read();
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
}

TEST_F(WebhookServer, OversizedHeadersAre431AndChunkedIs501) {
  ServerOptions o = options();
  o.max_header_bytes = 512;
  start(o);
  TlsClient client;
  ASSERT_TRUE(client.connect(port(), ca()));
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nX-Filler: " + std::string(600, 'f') + "\r\n"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);

  TlsClient chunked;
  ASSERT_TRUE(chunked.connect(port(), ca()));
  ASSERT_TRUE(chunked.send("POST /validate HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  auto refused = chunked.read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 501);

  TlsClient no_length;
  ASSERT_TRUE(no_length.connect(port(), ca()));
  ASSERT_TRUE(no_length.send("POST /validate HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto length_required = no_length.read();
  ASSERT_TRUE(length_required);
  EXPECT_EQ(length_required->status, 411);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(WebhookServer, SlowlorisGets408AtTheTotalDeadlineWhileOthersAreServed) {
  ServerOptions o = options();
  o.threads = 1;  // the slow client and the normal one share the loop
  o.request_timeout = 1s;
  start(o);
  TlsClient slow;
  ASSERT_TRUE(slow.connect(port(), ca()));
  std::atomic<bool> stop_sending{false};
  std::atomic<int> bytes_sent{0};
  // A header that never ends, one byte every 200 ms: each read is prompt, the request never completes.
  std::thread sender([&] {
    const std::string dribble = "POST /validate HTTP/1.1\r\nX-Slow: " + std::string(200, 's');
    for (char byte : dribble) {
      if (stop_sending.load() || !slow.send(std::string_view(&byte, 1))) return;
      bytes_sent.fetch_add(1);
      std::this_thread::sleep_for(200ms);
    }
  });
  while (bytes_sent.load() < 2) std::this_thread::sleep_for(10ms);
  CurlClient normal(port(), ca());
  CurlResponse served = normal.request("POST", "/validate", "meanwhile");
  EXPECT_EQ(served.status, 200);
  auto response = slow.read();  // a per-read timeout would never fire: this would time out (5 s) instead
  stop_sending.store(true);
  sender.join();
  ASSERT_TRUE(response) << "no 408 after " << bytes_sent.load() << " bytes";
  EXPECT_EQ(response->status, 408);
  EXPECT_LT(bytes_sent.load(), 25) << "the deadline is 1 s: 5 bytes at 200 ms";
  EXPECT_TRUE(slow.closedByServer());
  EXPECT_EQ(server_->metrics().errors_timeout, 1u);
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(WebhookServer, IdleKeepAliveConnectionsAreClosed) {
  ServerOptions o = options();
  o.idle_timeout = 300ms;
  start(o);
  TlsClient client;
  ASSERT_TRUE(client.connect(port(), ca()));
  ASSERT_TRUE(client.send(post("/validate", "x")));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client.closedByServer()) << "still open after the idle timeout";
  for (int i = 0; i < 100 && server_->metrics().connections != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->metrics().connections, 0);
  EXPECT_EQ(server_->metrics().errors_timeout, 0u) << "an idle close is not an error";
}

TEST_F(WebhookServer, AStalledHandshakeIsClosedAtItsDeadline) {
  ServerOptions o = options();
  o.handshake_timeout = 300ms;
  start(o);
  // TCP only, no ClientHello: the server must not keep the connection.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  char byte;
  const ssize_t got = ::recv(fd, &byte, 1, 0);
  const int recv_errno = errno;
  ::close(fd);
  EXPECT_EQ(got, 0) << "not closed by the server (errno " << recv_errno << ")";
  EXPECT_EQ(server_->metrics().errors_timeout, 1u);
}

TEST_F(WebhookServer, ReloadedCertificateServesNewHandshakesAndBadPairsAreIgnored) {
  ServerOptions o = options();
  o.cert_poll_interval = 50ms;
  start(o);
  TlsClient before;
  ASSERT_TRUE(before.connect(port(), ca()));
  const std::string old_serial = before.serverSerial();
  ASSERT_FALSE(old_serial.empty());

  ASSERT_EQ(kspm_fixture::writeCertificates(dir_.path()), "");  // same CA, new server pair
  std::string new_serial = old_serial;
  for (int i = 0; i < 100 && new_serial == old_serial; ++i) {
    std::this_thread::sleep_for(50ms);
    TlsClient probe;
    ASSERT_TRUE(probe.connect(port(), ca()));
    new_serial = probe.serverSerial();
  }
  EXPECT_NE(new_serial, old_serial) << "new handshakes still get the old certificate";
  EXPECT_EQ(server_->metrics().tls_reloads, 1u);
  // The connection made before the reload keeps working.
  ASSERT_TRUE(before.send(post("/validate", "still here")));
  auto response = before.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);

  // A broken certificate file: logged, the last good pair stays.
  std::ofstream(dir_.path() + "/server.crt") << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  std::this_thread::sleep_for(300ms);
  TlsClient after;
  ASSERT_TRUE(after.connect(port(), ca())) << "a bad pair replaced the good one";
  EXPECT_EQ(after.serverSerial(), new_serial);
  EXPECT_EQ(server_->metrics().tls_reloads, 1u);
}

TEST_F(WebhookServer, GracefulShutdownFinishesTheRequestInFlight) {
  start(options());
  TlsClient in_flight, idle;
  ASSERT_TRUE(in_flight.connect(port(), ca()));
  ASSERT_TRUE(idle.connect(port(), ca()));
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(idle.read());
  const std::string request = post("/validate", "0123456789");
  ASSERT_TRUE(in_flight.send(request.substr(0, request.size() - 5)));  // half the body
  std::this_thread::sleep_for(100ms);

  server_->requestStop();
  EXPECT_FALSE(server_->ready());
  EXPECT_TRUE(idle.closedByServer()) << "an idle keep-alive connection stays open during shutdown";
  ASSERT_TRUE(in_flight.send(request.substr(request.size() - 5)));
  auto response = in_flight.read();
  ASSERT_TRUE(response) << "the request in flight was dropped";
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{\"echo\":\"0123456789\"}");
  EXPECT_EQ(response->headers["connection"], "close");
  server_->wait();
  TlsClient late;
  EXPECT_FALSE(late.connect(port(), ca())) << "still accepting after shutdown";
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(WebhookServer, ReadyzIs503AtOnceWhileDraining) {
  ServerOptions o = options();
  o.drain_delay = 5s;  // keeps accepting meanwhile, so /readyz can be asked on a new connection
  start(o);
  CurlClient client(port(), ca());
  EXPECT_EQ(client.request("GET", "/readyz").status, 200);
  server_->requestStop();
  CurlClient fresh(port(), ca());
  CurlResponse readyz = fresh.request("GET", "/readyz");
  EXPECT_EQ(readyz.status, 503);
  EXPECT_EQ(fresh.request("GET", "/healthz").status, 200);
  EXPECT_EQ(fresh.request("POST", "/validate", "x").status, 200) << "draining still serves reviews";
}

TEST_F(WebhookServer, MetricsTextParsesAndCounts) {
  start(options());
  CurlClient client(port(), ca());
  client.request("POST", "/validate", "ok");
  client.request("POST", "/validate", "deny this");
  client.request("POST", "/validate", "deny that");
  EXPECT_EQ(client.request("POST", "/validate", "bad").status, 400);
  CurlResponse scraped = client.request("GET", "/metrics");
  ASSERT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.headers.find("text/plain; version=0.0.4"), std::string::npos);
  std::map<std::string, double> samples;
  ASSERT_TRUE(parseMetrics(scraped.body, &samples)) << scraped.body;
  EXPECT_EQ(samples["kspm_webhook_requests_total{decision=\"allowed\"}"], 1);
  EXPECT_EQ(samples["kspm_webhook_requests_total{decision=\"denied\"}"], 2);
  EXPECT_EQ(samples["kspm_webhook_requests_total{decision=\"malformed\"}"], 1);
  EXPECT_EQ(samples["kspm_webhook_request_errors_total{reason=\"malformed\"}"], 1);
  EXPECT_EQ(samples.count("kspm_webhook_request_errors_total{reason=\"tls\"}"), 1u);
  EXPECT_EQ(samples["kspm_webhook_decision_seconds_count"], 4);
  EXPECT_EQ(samples["kspm_webhook_decision_seconds_bucket{le=\"+Inf\"}"], 4);
  EXPECT_GT(samples["kspm_webhook_decision_seconds_sum"], 0);
  EXPECT_GE(samples["kspm_webhook_connections"], 1);
  EXPECT_EQ(samples["kspm_webhook_tls_reloads_total"], 0);
  // Buckets are cumulative and run from 10 µs to 1 s.
  double previous = 0;
  size_t buckets = 0;
  for (double bound : decisionBucketBounds()) {
    char key[96];
    std::snprintf(key, sizeof key, "kspm_webhook_decision_seconds_bucket{le=\"%g\"}", bound);
    ASSERT_EQ(samples.count(key), 1u) << key;
    EXPECT_GE(samples[key], previous);
    previous = samples[key];
    ++buckets;
  }
  EXPECT_EQ(decisionBucketBounds().front(), 10e-6);
  EXPECT_EQ(decisionBucketBounds().back(), 1.0);
  EXPECT_LE(previous, 4);
}

TEST_F(WebhookServer, ConnectionsAboveTheLimitAreClosed) {
  ServerOptions o = options();
  o.max_connections = 1;
  start(o);
  TlsClient first;
  ASSERT_TRUE(first.connect(port(), ca()));
  TlsClient second;
  EXPECT_FALSE(second.connect(port(), ca())) << "a second connection was accepted above max_connections";
  ASSERT_TRUE(first.send(post("/validate", "x")));
  auto response = first.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

// --- The request-head parser on its own -------------------------------------------------------------

int parse(std::string_view head, RequestHead* out = nullptr, std::string* error = nullptr, uint64_t max_body = 1000) {
  RequestHead ignored;
  std::string message;
  return parseRequestHead(head, max_body, out != nullptr ? out : &ignored, error != nullptr ? error : &message);
}

TEST(WebhookServerParse, ReadsWhatTheApiServerSends) {
  RequestHead head;
  ASSERT_EQ(parse("POST /validate?timeout=10s HTTP/1.1\r\nHost: kspm.kspm.svc:443\r\n"
                  "Content-Type: application/json\r\nAccept: application/json, */*\r\ncontent-length: 812\r\n"
                  "Accept-Encoding: gzip",
                  &head),
            0);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/validate?timeout=10s");
  EXPECT_TRUE(head.has_content_length);
  EXPECT_EQ(head.content_length, 812u);
  EXPECT_FALSE(head.close);
  EXPECT_FALSE(head.http10);
}

TEST(WebhookServerParse, ConnectionAndVersionDecideKeepAlive) {
  RequestHead head;
  ASSERT_EQ(parse("GET /healthz HTTP/1.1\r\nConnection: Keep-Alive, CLOSE", &head), 0);
  EXPECT_TRUE(head.close);
  ASSERT_EQ(parse("GET /healthz HTTP/1.0", &head), 0);
  EXPECT_TRUE(head.close) << "HTTP/1.0 closes unless it asks for keep-alive";
  ASSERT_EQ(parse("GET /healthz HTTP/1.0\r\nConnection: keep-alive", &head), 0);
  EXPECT_FALSE(head.close);
  ASSERT_EQ(parse("POST /validate HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5", &head), 0);
  EXPECT_TRUE(head.expect_continue);
}

TEST(WebhookServerParse, RefusesWhatIsMalformedOrUnsupported) {
  std::string error;
  EXPECT_EQ(parse("", nullptr, &error), 400);
  EXPECT_EQ(parse("GET", nullptr, &error), 400);
  EXPECT_EQ(parse("GET /a", nullptr, &error), 400);
  EXPECT_EQ(parse("GET  /a HTTP/1.1", nullptr, &error), 400) << "empty method or target";
  EXPECT_EQ(parse("GET /a HTTP/1.1 extra", nullptr, &error), 400);
  EXPECT_EQ(parse("GET http://x/a HTTP/1.1", nullptr, &error), 400) << "absolute-form";
  EXPECT_EQ(parse("GET /a\x01 HTTP/1.1", nullptr, &error), 400);
  EXPECT_EQ(parse("G(T /a HTTP/1.1", nullptr, &error), 400);
  EXPECT_EQ(parse("GET /a HTTP/2.0", nullptr, &error), 400);
  EXPECT_EQ(error, "unsupported HTTP version");
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\nNoColon", nullptr, &error), 400);
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\n: empty name", nullptr, &error), 400);
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\nX-A: b\r\n folded", nullptr, &error), 400) << "obsolete line folding";
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\nBad Name: x", nullptr, &error), 400);
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\nX-A: b\x7f", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: -1", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: +1", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 1 2", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999999", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2", nullptr, &error), 400)
      << "conflicting lengths (request smuggling)";
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3", nullptr, &error), 0);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nExpect: something", nullptr, &error), 400);
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3", nullptr, &error), 501);
  EXPECT_EQ(parse("POST /a HTTP/1.1", nullptr, &error), 411);
  EXPECT_EQ(parse("GET /a HTTP/1.1", nullptr, &error), 0) << "a GET needs no length";
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 1001", nullptr, &error, 1000), 413);
  EXPECT_NE(error.find("1001"), std::string::npos) << error;
  EXPECT_EQ(parse("POST /a HTTP/1.1\r\nContent-Length: 1000", nullptr, &error, 1000), 0);
}

TEST(WebhookServerCreate, RefusesAMissingOrMismatchedPair) {
  kspm::testing::TempDir dir;
  ASSERT_EQ(kspm_fixture::writeCertificates(dir.path()), "");
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.cert_file = dir.path() + "/server.crt";
  options.key_file = dir.path() + "/client.key";  // not the server certificate's key
  auto handler = [](std::string_view) { return HandlerResult{}; };
  auto mismatched = HttpsServer::create(options, handler);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.error().message.find("does not match"), std::string::npos) << mismatched.error().message;
  options.key_file = dir.path() + "/missing.key";
  EXPECT_FALSE(HttpsServer::create(options, handler).ok());
  options.key_file = dir.path() + "/server.key";
  options.host = "not-an-ip";
  EXPECT_FALSE(HttpsServer::create(options, handler).ok());
}

}  // namespace
}  // namespace kspm::server
