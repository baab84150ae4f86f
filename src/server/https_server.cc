#include "server/https_server.h"

#include "server/http_request.h"
#include "kspm/cpus.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace kspm::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxDecisions = 16;
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kSmallBody = 64 * 1024;  // bodies up to this size need no shared budget
constexpr auto kSweepInterval = std::chrono::milliseconds(50);
constexpr auto kLingerTimeout = std::chrono::milliseconds(2000);

enum ErrorReason : size_t { kMalformed = 0, kTooLarge = 1, kTimeout = 2, kTls = 3, kReasonCount = 4 };
constexpr const char* kReasonNames[kReasonCount] = {"malformed", "too_large", "timeout", "tls"};

const std::vector<double> kBucketBounds = {10e-6,  20e-6,  30e-6,  40e-6, 50e-6, 75e-6, 100e-6, 150e-6,
                                           200e-6, 300e-6, 500e-6, 1e-3,  2.5e-3, 5e-3, 10e-3, 25e-3,
                                           50e-3,  100e-3, 250e-3, 500e-3, 1.0};
constexpr size_t kBucketCount = 21;  // kBucketBounds.size(); one more for +Inf

std::vector<uint64_t> boundsInNanoseconds() {
  std::vector<uint64_t> out;
  for (double b : kBucketBounds) out.push_back(static_cast<uint64_t>(b * 1e9 + 0.5));
  return out;
}
const std::vector<uint64_t> kBucketBoundsNs = boundsInNanoseconds();

// Counters written by one loop thread only: a relaxed load and store, no locked instruction.
inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

struct alignas(64) LoopMetrics {
  std::atomic<uint64_t> requests[kMaxDecisions] = {};
  std::atomic<uint64_t> errors[kReasonCount] = {};
  std::atomic<uint64_t> buckets[kBucketCount + 1] = {};  // per bucket, not cumulative; last is +Inf
  std::atomic<uint64_t> sum_ns{0};
  std::atomic<uint64_t> count{0};
  std::atomic<int64_t> connections{0};
};

std::string takeOpensslError() {
  std::string message;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!message.empty()) message += "; ";
    message += text;
  }
  return message.empty() ? "unknown TLS error" : message;
}

struct CtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslContext = std::shared_ptr<SSL_CTX>;

Result<SslContext> loadContext(const std::string& cert_file, const std::string& key_file) {
  ERR_clear_error();
  SslContext ctx(SSL_CTX_new(TLS_server_method()), CtxFree{});
  if (!ctx) return InputError{ErrorCode::kIoError, cert_file, 0, "cannot create a TLS context: " + takeOpensslError()};
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A client that closes without close_notify (most do, between requests) is not a TLS error.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    return InputError{ErrorCode::kIoError, cert_file, 0, "cannot load the TLS certificate: " + takeOpensslError()};
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    return InputError{ErrorCode::kIoError, key_file, 0,
                      std::string(mismatch ? "the TLS key does not match the certificate: " : "cannot load the TLS key: ") +
                          takeOpensslError()};
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return InputError{ErrorCode::kIoError, key_file, 0,
                      "the TLS key does not match the certificate: " + takeOpensslError()};
  }
  return ctx;
}

struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = -1;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp stampOf(const std::string& path) {
  FileStamp stamp;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    stamp = {st.st_dev, st.st_ino, st.st_size, int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  return stamp;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void appendNumber(std::string* out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out->append(digits, end);
}

std::string peerOf(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

void logLine(const std::string& line) {
  std::string text = line;
  if (text.empty() || text.back() != '\n') text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);  // one call: lines from loops do not interleave
}

struct Connection {
  enum class Phase : uint8_t { kHandshake, kIdle, kReading, kWriting, kLinger, kClosed };
  int fd = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kHandshake;
  Clock::time_point deadline;
  std::string in;              // received, not yet consumed
  size_t header_scan_from = 0;  // where to resume looking for the end of the headers
  size_t header_length = 0;    // 0 until the headers are complete
  uint64_t content_length = 0;
  uint64_t reserved_body = 0;  // counted in large_body_bytes
  std::string method, target;
  bool close_after = false;       // Connection: close, an error, or stopping
  bool discard_input = false;     // the request was not fully read: linger before closing
  bool expect_continue = false;   // Expect: 100-continue, not answered yet
  std::string out;
  size_t out_sent = 0;
  bool timing = false;  // a /validate response whose decision time is being measured
  Clock::time_point decision_start;
};

}  // namespace

const std::vector<double>& decisionBucketBounds() { return kBucketBounds; }

class Loop;

struct HttpsServer::Impl {
  ServerOptions options;
  Handler handler;
  int listen_fd = -1;
  uint16_t port = 0;
  std::atomic<SslContext> context;
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<std::thread> threads;
  std::thread watcher;
  std::mutex watcher_mutex;
  std::condition_variable watcher_cv;
  bool watcher_stop = false;
  std::atomic<int64_t> stop_at_ns{0};  // steady clock; 0 = running
  std::atomic<bool> abort{false};      // the destructor: close everything now
  std::atomic<bool> listener_closed{false};
  std::atomic<size_t> next_loop{0};
  std::atomic<size_t> active_connections{0};
  std::atomic<uint64_t> large_body_bytes{0};  // bodies above kSmallBody being received
  std::atomic<uint64_t> tls_reloads{0};
  bool started = false;
  bool joined = false;
  std::mutex join_mutex;

  bool stopping() const { return stop_at_ns.load(std::memory_order_relaxed) != 0; }
  void closeListener() {
    if (!listener_closed.exchange(true)) ::shutdown(listen_fd, SHUT_RDWR);
  }
  void watchCertificates();
  std::string metricsText() const;
  MetricsSnapshot metrics() const;
};

class Loop {
 public:
  Loop(HttpsServer::Impl& server, size_t index) : server_(server), index_(index) {}
  ~Loop() {
    for (auto& [fd, conn] : connections_) destroy(*conn);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    std::lock_guard lock(inbox_mutex_);
    for (int fd : inbox_) ::close(fd), server_.active_connections.fetch_sub(1);
  }

  bool init(std::string* error) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) {
      *error = std::string("epoll/eventfd: ") + std::strerror(errno);
      return false;
    }
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.ptr = &wake_fd_;
    epoll_event listen{};
    listen.events = EPOLLIN | EPOLLEXCLUSIVE;
    listen.data.ptr = &server_.listen_fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0 ||
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, server_.listen_fd, &listen) != 0) {
      *error = std::string("epoll_ctl: ") + std::strerror(errno);
      return false;
    }
    return true;
  }

  /** Hands an accepted socket to this loop (from another loop's thread). */
  void post(int fd) {
    {
      std::lock_guard lock(inbox_mutex_);
      inbox_.push_back(fd);
    }
    wake();
  }
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }

  LoopMetrics metrics;

  void run();

 private:
  enum class ReadStatus { kBlocked, kComplete, kChanged };

  void acceptSome();
  void adopt(int fd);
  void drive(Connection& c);
  ReadStatus readRequest(Connection& c);
  bool parseHeaders(Connection& c, std::string* error, int* status);
  void handle(Connection& c);
  bool flush(Connection& c);
  void respond(Connection& c, int status, std::string_view content_type, std::string_view body,
               std::string_view extra_headers = {});
  void fail(Connection& c, int status, ErrorReason reason, std::string_view message);
  void finishWrite(Connection& c);
  void recordDecision(Connection& c);
  void releaseBody(Connection& c);
  void linger(Connection& c);
  void close(Connection& c);
  void sayGoodbye(Connection& c);  // TLS close_notify, best effort (the socket may be full)
  void destroy(Connection& c);
  void sweep();
  void enterClosing();

  HttpsServer::Impl& server_;
  size_t index_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex inbox_mutex_;
  std::vector<int> inbox_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> graveyard_;  // freed after the current batch of events
  Clock::time_point now_ = Clock::now();
  Clock::time_point last_sweep_ = now_;
  bool closing_ = false;
  char read_buffer_[kReadChunk];
};

void Loop::run() {
  epoll_event events[128];
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, 128, static_cast<int>(kSweepInterval.count()));
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &server_.listen_fd) {
        if (!closing_) acceptSome();
      } else if (tag == &wake_fd_) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
        std::vector<int> fds;
        {
          std::lock_guard lock(inbox_mutex_);
          fds.swap(inbox_);
        }
        for (int fd : fds) adopt(fd);
      } else {
        Connection& c = *static_cast<Connection*>(tag);
        if (c.phase != Connection::Phase::kClosed) drive(c);
      }
    }
    graveyard_.clear();
    if (server_.abort.load()) break;
    const int64_t stop_at = server_.stop_at_ns.load();
    if (stop_at != 0) {
      const Clock::time_point stop_time{std::chrono::nanoseconds(stop_at)};
      if (!closing_ && now_ >= stop_time + server_.options.drain_delay) enterClosing();
      if (closing_) {
        if (connections_.empty()) break;
        if (now_ >= stop_time + server_.options.drain_delay + server_.options.shutdown_grace) break;
      }
    }
    if (now_ - last_sweep_ >= kSweepInterval) {
      last_sweep_ = now_;
      sweep();
      graveyard_.clear();
    }
  }
  for (auto& [fd, conn] : connections_) destroy(*conn);
  connections_.clear();
}

void Loop::enterClosing() {
  closing_ = true;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, server_.listen_fd, nullptr);
  server_.closeListener();
  for (auto& loop : server_.loops) loop->wake();  // the others notice at once
  std::vector<Connection*> idle;
  for (auto& [fd, conn] : connections_) {
    if (conn->phase == Connection::Phase::kIdle || conn->phase == Connection::Phase::kHandshake) {
      idle.push_back(conn.get());
    } else {
      conn->close_after = true;
    }
  }
  for (Connection* c : idle) {
    if (c->phase == Connection::Phase::kIdle) sayGoodbye(*c);
    close(*c);
  }
  graveyard_.clear();
}

void Loop::acceptSome() {
  for (int i = 0; i < 64; ++i) {
    const int fd = ::accept4(server_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or EMFILE and friends: try again on the next wakeup
    }
    if (server_.active_connections.fetch_add(1) >= server_.options.max_connections) {
      server_.active_connections.fetch_sub(1);
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const size_t target = server_.next_loop.fetch_add(1, std::memory_order_relaxed) % server_.loops.size();
    if (target == index_) {
      adopt(fd);
    } else {
      server_.loops[target]->post(fd);
    }
  }
}

void Loop::adopt(int fd) {
  SslContext ctx = server_.context.load();
  SSL* ssl = SSL_new(ctx.get());  // holds its own reference to ctx: a reload does not affect it
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1 || closing_) {
    if (ssl != nullptr) SSL_free(ssl);
    ERR_clear_error();
    ::close(fd);
    server_.active_connections.fetch_sub(1);
    return;
  }
  SSL_set_accept_state(ssl);
  auto conn = std::make_unique<Connection>();
  conn->fd = fd;
  conn->ssl = ssl;
  conn->phase = Connection::Phase::kHandshake;
  conn->deadline = now_ + server_.options.handshake_timeout;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = conn.get();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    SSL_free(ssl);
    ::close(fd);
    server_.active_connections.fetch_sub(1);
    return;
  }
  metrics.connections.fetch_add(1, std::memory_order_relaxed);
  Connection& c = *conn;
  connections_.emplace(fd, std::move(conn));
  drive(c);
}

void Loop::drive(Connection& c) {
  using Phase = Connection::Phase;
  for (;;) {
    switch (c.phase) {
      case Phase::kHandshake: {
        ERR_clear_error();
        const int r = SSL_do_handshake(c.ssl);
        if (r == 1) {
          c.phase = Phase::kIdle;
          c.deadline = now_ + server_.options.idle_timeout;
          if (closing_) return close(c);
          continue;
        }
        const int e = SSL_get_error(c.ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        bump(metrics.errors[kTls]);
        ERR_clear_error();
        return close(c);
      }
      case Phase::kIdle:
      case Phase::kReading: {
        const ReadStatus status = readRequest(c);
        if (status == ReadStatus::kBlocked) return;
        if (status == ReadStatus::kComplete) handle(c);
        continue;
      }
      case Phase::kWriting:
        if (!flush(c)) return;
        finishWrite(c);
        continue;
      case Phase::kLinger:
        return linger(c);
      case Phase::kClosed:
        return;
    }
  }
}

Loop::ReadStatus Loop::readRequest(Connection& c) {
  const ServerOptions& options = server_.options;
  for (;;) {
    if (!c.in.empty()) {
      if (c.phase == Connection::Phase::kIdle) {
        c.phase = Connection::Phase::kReading;
        c.deadline = now_ + options.request_timeout;  // a total deadline, not per read
      }
      if (c.header_length == 0) {
        const size_t from = c.header_scan_from >= 3 ? c.header_scan_from - 3 : 0;
        const size_t end = c.in.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (c.in.size() > options.max_header_bytes) {
            fail(c, 431, kTooLarge, "request headers above " + std::to_string(options.max_header_bytes) + " bytes");
            return ReadStatus::kChanged;
          }
          c.header_scan_from = c.in.size();
        } else {
          c.header_length = end + 4;
          std::string error;
          int status = 400;
          if (c.header_length > options.max_header_bytes) {
            fail(c, 431, kTooLarge, "request headers above " + std::to_string(options.max_header_bytes) + " bytes");
            return ReadStatus::kChanged;
          }
          if (!parseHeaders(c, &error, &status)) {
            fail(c, status, (status == 413 || status == 503) ? kTooLarge : kMalformed, error);
            return ReadStatus::kChanged;
          }
        }
      }
      if (c.header_length != 0 && c.in.size() >= c.header_length + c.content_length) return ReadStatus::kComplete;
      if (c.header_length != 0 && c.expect_continue) {
        c.expect_continue = false;
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        ERR_clear_error();
        if (SSL_write(c.ssl, kContinue.data(), int(kContinue.size())) != int(kContinue.size())) {
          // Not even 25 bytes fit: TLS would insist on a retry of this very write before the
          // response. A client this stuck is dropped.
          ERR_clear_error();
          close(c);
          return ReadStatus::kBlocked;
        }
      }
    }
    ERR_clear_error();
    const int r = SSL_read(c.ssl, read_buffer_, int(sizeof read_buffer_));
    if (r > 0) {
      c.in.append(read_buffer_, size_t(r));
      continue;
    }
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return ReadStatus::kBlocked;
    if (e != SSL_ERROR_ZERO_RETURN && e != SSL_ERROR_SYSCALL) bump(metrics.errors[kTls]);
    ERR_clear_error();
    close(c);  // the peer closed (or broke) the connection
    return ReadStatus::kBlocked;
  }
}

bool Loop::parseHeaders(Connection& c, std::string* error, int* status) {
  RequestHead head;
  *status = parseRequestHead(std::string_view(c.in.data(), c.header_length - 4), server_.options.max_body_bytes, &head,
                             error);
  if (*status != 0) return false;
  c.method.assign(head.method);
  c.target.assign(head.target);
  c.content_length = head.content_length;
  c.close_after = head.close;
  c.expect_continue = head.expect_continue;
  // Bodies above kSmallBody draw on a budget shared by every connection, so that many clients
  // sending the largest body at once cannot make the server buffer max_connections x max_body.
  if (c.content_length > kSmallBody) {
    const size_t before = server_.large_body_bytes.fetch_add(c.content_length);
    if (before + c.content_length > server_.options.max_large_body_bytes) {
      server_.large_body_bytes.fetch_sub(c.content_length);
      *status = 503;
      *error = "too many large requests in progress: retry";
      return false;
    }
    c.reserved_body = c.content_length;
  }
  return true;
}

void Loop::releaseBody(Connection& c) {
  if (c.reserved_body == 0) return;
  server_.large_body_bytes.fetch_sub(c.reserved_body);
  c.reserved_body = 0;
}

void Loop::handle(Connection& c) {
  const size_t consumed = c.header_length + c.content_length;
  std::string_view path(c.target);
  path = path.substr(0, path.find('?'));
  const bool get = c.method == "GET" || c.method == "HEAD";
  if (server_.stopping()) c.close_after = true;

  if (path == "/validate") {
    if (c.method != "POST") {
      respond(c, 405, "text/plain", "use POST\n", "Allow: POST\r\n");
    } else {
      c.timing = true;
      c.decision_start = Clock::now();
      HandlerResult result;
      try {
        result = server_.handler(std::string_view(c.in).substr(c.header_length, c.content_length));
      } catch (...) {
        result = HandlerResult{500, "internal error\n", "text/plain", 0, "kspm webhook: the handler failed"};
      }
      if (result.decision < server_.options.decision_labels.size()) bump(metrics.requests[result.decision]);
      if (result.http_status == 400) bump(metrics.errors[kMalformed]);
      if (!result.log_line.empty()) logLine(result.log_line);
      respond(c, result.http_status, result.content_type, result.body);
    }
  } else if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (!get) {
      respond(c, 405, "text/plain", "use GET\n", "Allow: GET, HEAD\r\n");
    } else if (path == "/healthz") {
      respond(c, 200, "text/plain", "ok\n");
    } else if (path == "/readyz") {
      if (server_.stopping()) {
        respond(c, 503, "text/plain", "shutting down\n");
      } else {
        respond(c, 200, "text/plain", "ok\n");
      }
    } else {
      respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", server_.metricsText());
    }
  } else {
    respond(c, 404, "text/plain", "not found\n");
  }
  // Keep what follows (a pipelined request) and reset the parser.
  c.in.erase(0, consumed);
  releaseBody(c);
  if (c.in.capacity() > kSmallBody && c.in.size() <= kSmallBody) c.in.shrink_to_fit();  // idle connections stay small
  c.header_length = 0;
  c.header_scan_from = 0;
  c.content_length = 0;
  c.expect_continue = false;
}

void Loop::respond(Connection& c, int status, std::string_view content_type, std::string_view body,
                   std::string_view extra_headers) {
  c.out.clear();
  c.out_sent = 0;
  c.out.reserve(160 + body.size());
  c.out += "HTTP/1.1 ";
  appendNumber(&c.out, uint64_t(status));
  c.out += ' ';
  c.out += reasonPhrase(status);
  c.out += "\r\nContent-Type: ";
  c.out += content_type;
  c.out += "\r\nContent-Length: ";
  appendNumber(&c.out, body.size());
  c.out += "\r\n";
  if (c.close_after) c.out += "Connection: close\r\n";
  c.out += extra_headers;
  c.out += "\r\n";
  if (c.method != "HEAD") c.out += body;
  c.phase = Connection::Phase::kWriting;
  c.deadline = now_ + server_.options.write_timeout;
}

void Loop::fail(Connection& c, int status, ErrorReason reason, std::string_view message) {
  bump(metrics.errors[reason]);
  logLine("kspm webhook: " + std::to_string(status) + " to " + peerOf(c.fd) + ": " + std::string(message));
  c.close_after = true;
  c.discard_input = true;
  c.method.clear();
  std::string body(message);
  body += '\n';
  respond(c, status, "text/plain", body);
}

bool Loop::flush(Connection& c) {
  while (c.out_sent < c.out.size()) {
    ERR_clear_error();
    const int r = SSL_write(c.ssl, c.out.data() + c.out_sent, int(std::min<size_t>(c.out.size() - c.out_sent, 1 << 30)));
    if (r > 0) {
      c.out_sent += size_t(r);
      continue;
    }
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
      recordDecision(c);  // handed to TLS as far as the socket takes it: the decision is done
      return false;
    }
    ERR_clear_error();
    close(c);
    return false;
  }
  return true;
}

void Loop::recordDecision(Connection& c) {
  if (!c.timing) return;
  c.timing = false;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.decision_start);
  const uint64_t ns = uint64_t(std::max<int64_t>(0, elapsed.count()));
  size_t bucket = 0;
  while (bucket < kBucketCount && ns > kBucketBoundsNs[bucket]) ++bucket;
  bump(metrics.buckets[bucket]);
  bump(metrics.sum_ns, ns);
  bump(metrics.count);
}

void Loop::finishWrite(Connection& c) {
  recordDecision(c);
  c.out.clear();
  c.out_sent = 0;
  if (c.close_after || closing_) {
    sayGoodbye(c);
    if (!c.discard_input) return close(c);
    // The client may still be sending what we refused: closing now would reset the connection and
    // could destroy the response in flight. Stop writing, discard input for a while, then close.
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::kLinger;
    c.deadline = now_ + kLingerTimeout;
    return;
  }
  c.phase = Connection::Phase::kIdle;
  c.deadline = now_ + server_.options.idle_timeout;
}

void Loop::linger(Connection& c) {
  for (;;) {
    const ssize_t n = ::recv(c.fd, read_buffer_, sizeof read_buffer_, 0);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    return close(c);  // EOF or error
  }
}

void Loop::sayGoodbye(Connection& c) {
  ERR_clear_error();
  SSL_shutdown(c.ssl);
  ERR_clear_error();
}

void Loop::close(Connection& c) {
  if (c.phase == Connection::Phase::kClosed) return;
  c.phase = Connection::Phase::kClosed;
  auto it = connections_.find(c.fd);
  destroy(c);
  if (it != connections_.end()) {
    graveyard_.push_back(std::move(it->second));
    connections_.erase(it);
  }
}

void Loop::destroy(Connection& c) {
  if (c.fd < 0) return;
  releaseBody(c);
  SSL_free(c.ssl);
  c.ssl = nullptr;
  ::close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  c.phase = Connection::Phase::kClosed;
  metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  server_.active_connections.fetch_sub(1);
}

void Loop::sweep() {
  using Phase = Connection::Phase;
  std::vector<Connection*> expired;
  for (auto& [fd, conn] : connections_) {
    if (now_ >= conn->deadline || (closing_ && conn->phase == Phase::kIdle)) expired.push_back(conn.get());
  }
  for (Connection* c : expired) {
    switch (c->phase) {
      case Phase::kHandshake:
        bump(metrics.errors[kTimeout]);
        close(*c);
        break;
      case Phase::kReading:
        // The whole request did not arrive in time (slowloris): say so and close.
        fail(*c, 408, kTimeout,
             "request not received within " + std::to_string(server_.options.request_timeout.count()) + " ms");
        drive(*c);
        break;
      case Phase::kWriting:
        bump(metrics.errors[kTimeout]);
        close(*c);
        break;
      case Phase::kIdle:
        sayGoodbye(*c);
        close(*c);
        break;
      case Phase::kLinger:
        close(*c);
        break;
      case Phase::kClosed:
        break;
    }
  }
}

void HttpsServer::Impl::watchCertificates() {
  FileStamp cert_stamp = stampOf(options.cert_file), key_stamp = stampOf(options.key_file);
  std::unique_lock lock(watcher_mutex);
  for (;;) {
    if (watcher_cv.wait_for(lock, options.cert_poll_interval, [&] { return watcher_stop; })) return;
    FileStamp cert_now = stampOf(options.cert_file), key_now = stampOf(options.key_file);
    if (cert_now == cert_stamp && key_now == key_stamp) continue;
    cert_stamp = cert_now;
    key_stamp = key_now;
    Result<SslContext> fresh = loadContext(options.cert_file, options.key_file);
    if (!fresh.ok()) {
      // Often a pair caught half-replaced: the next change (the other file) is tried again.
      logLine("kspm webhook: the changed TLS certificate/key was not loaded, keeping the previous pair: " +
              describeInputError(fresh.error()));
      continue;
    }
    context.store(std::move(fresh).value());
    tls_reloads.fetch_add(1);
    logLine("kspm webhook: TLS certificate and key reloaded from " + options.cert_file);
  }
}

MetricsSnapshot HttpsServer::Impl::metrics() const {
  MetricsSnapshot s;
  s.requests_by_decision.assign(options.decision_labels.size(), 0);
  s.decision_buckets.assign(kBucketCount, 0);
  uint64_t sum_ns = 0;
  std::vector<uint64_t> per_bucket(kBucketCount + 1, 0);
  for (const auto& loop : loops) {
    const LoopMetrics& m = loop->metrics;
    for (size_t i = 0; i < s.requests_by_decision.size(); ++i) s.requests_by_decision[i] += m.requests[i].load();
    s.errors_malformed += m.errors[kMalformed].load();
    s.errors_too_large += m.errors[kTooLarge].load();
    s.errors_timeout += m.errors[kTimeout].load();
    s.errors_tls += m.errors[kTls].load();
    for (size_t b = 0; b <= kBucketCount; ++b) per_bucket[b] += m.buckets[b].load();
    sum_ns += m.sum_ns.load();
    s.connections += m.connections.load();
  }
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBucketCount; ++b) s.decision_buckets[b] = (cumulative += per_bucket[b]);
  s.decision_count = cumulative + per_bucket[kBucketCount];  // consistent with the buckets by construction
  s.decision_sum_seconds = double(sum_ns) / 1e9;
  s.tls_reloads = tls_reloads.load();
  return s;
}

std::string HttpsServer::Impl::metricsText() const {
  const MetricsSnapshot s = metrics();
  std::string out;
  out.reserve(4096);
  char line[256];
  out += "# HELP kspm_webhook_requests_total Admission reviews answered on /validate, by decision.\n";
  out += "# TYPE kspm_webhook_requests_total counter\n";
  for (size_t i = 0; i < s.requests_by_decision.size(); ++i) {
    std::snprintf(line, sizeof line, "kspm_webhook_requests_total{decision=\"%s\"} %llu\n",
                  options.decision_labels[i].c_str(), static_cast<unsigned long long>(s.requests_by_decision[i]));
    out += line;
  }
  out += "# HELP kspm_webhook_request_errors_total Requests refused or lost, by reason.\n";
  out += "# TYPE kspm_webhook_request_errors_total counter\n";
  const uint64_t errors[kReasonCount] = {s.errors_malformed, s.errors_too_large, s.errors_timeout, s.errors_tls};
  for (size_t r = 0; r < kReasonCount; ++r) {
    std::snprintf(line, sizeof line, "kspm_webhook_request_errors_total{reason=\"%s\"} %llu\n", kReasonNames[r],
                  static_cast<unsigned long long>(errors[r]));
    out += line;
  }
  out += "# HELP kspm_webhook_decision_seconds The server's own time per review: request read to response handed to TLS.\n";
  out += "# TYPE kspm_webhook_decision_seconds histogram\n";
  for (size_t b = 0; b < kBucketCount; ++b) {
    std::snprintf(line, sizeof line, "kspm_webhook_decision_seconds_bucket{le=\"%g\"} %llu\n", kBucketBounds[b],
                  static_cast<unsigned long long>(s.decision_buckets[b]));
    out += line;
  }
  std::snprintf(line, sizeof line,
                "kspm_webhook_decision_seconds_bucket{le=\"+Inf\"} %llu\nkspm_webhook_decision_seconds_sum %.9f\n"
                "kspm_webhook_decision_seconds_count %llu\n",
                static_cast<unsigned long long>(s.decision_count), s.decision_sum_seconds,
                static_cast<unsigned long long>(s.decision_count));
  out += line;
  out += "# HELP kspm_webhook_connections Open client connections.\n# TYPE kspm_webhook_connections gauge\n";
  std::snprintf(line, sizeof line, "kspm_webhook_connections %lld\n", static_cast<long long>(s.connections));
  out += line;
  out += "# HELP kspm_webhook_tls_reloads_total Times the serving certificate and key were reloaded.\n";
  out += "# TYPE kspm_webhook_tls_reloads_total counter\n";
  std::snprintf(line, sizeof line, "kspm_webhook_tls_reloads_total %llu\n", static_cast<unsigned long long>(s.tls_reloads));
  out += line;
  return out;
}

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(ServerOptions options, Handler handler) {
  auto usage = [](std::string message) { return InputError{ErrorCode::kUsage, "", 0, std::move(message)}; };
  if (options.decision_labels.empty() || options.decision_labels.size() > kMaxDecisions) {
    return usage("between 1 and 16 decision labels");
  }
  if (!handler) return usage("no handler");
  // A peer that resets mid-write must not kill the process (SSL_write uses send without MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);

  auto impl = std::make_unique<Impl>();
  Result<SslContext> ctx = loadContext(options.cert_file, options.key_file);
  if (!ctx.ok()) return ctx.error();
  impl->context.store(std::move(ctx).value());

  // The listening socket.
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host = options.host.empty() ? "0.0.0.0" : options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(options.port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(options.port);
    addr_len = sizeof *v6;
  } else {
    return usage("listen address \"" + options.host + "\" is not an IP address");
  }
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return InputError{ErrorCode::kIoError, "", 0, std::string("socket: ") + std::strerror(errno)};
  int one = 1, zero = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 || ::listen(fd, 1024) != 0) {
    const std::string message = "cannot listen on " + host + ":" + std::to_string(options.port) + ": " + std::strerror(errno);
    ::close(fd);
    return InputError{ErrorCode::kIoError, "", 0, message};
  }
  socklen_t len = addr_len;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  impl->port = ntohs(addr.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  impl->listen_fd = fd;

  unsigned threads = options.threads != 0 ? options.threads : usableCpuCount();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  for (unsigned i = 0; i < threads; ++i) {
    auto loop = std::make_unique<Loop>(*impl, i);
    std::string error;
    if (!loop->init(&error)) {
      ::close(fd);
      return InputError{ErrorCode::kIoError, "", 0, error};
    }
    impl->loops.push_back(std::move(loop));
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

HttpsServer::~HttpsServer() {
  if (impl_->started) {
    impl_->abort.store(true);
    requestStop();
    wait();
  }
  impl_->loops.clear();
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
}

uint16_t HttpsServer::port() const { return impl_->port; }

void HttpsServer::start() {
  if (impl_->started) return;
  impl_->started = true;
  for (auto& loop : impl_->loops) impl_->threads.emplace_back([l = loop.get()] { l->run(); });
  impl_->watcher = std::thread([impl = impl_.get()] { impl->watchCertificates(); });
}

void HttpsServer::requestStop() {
  int64_t expected = 0;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  impl_->stop_at_ns.compare_exchange_strong(expected, now == 0 ? 1 : now);
  for (auto& loop : impl_->loops) loop->wake();
}

void HttpsServer::wait() {
  std::lock_guard lock(impl_->join_mutex);
  if (!impl_->started || impl_->joined) return;
  for (auto& thread : impl_->threads) thread.join();
  {
    std::lock_guard watcher_lock(impl_->watcher_mutex);
    impl_->watcher_stop = true;
  }
  impl_->watcher_cv.notify_all();
  impl_->watcher.join();
  impl_->joined = true;
}

bool HttpsServer::ready() const { return !impl_->stopping(); }
MetricsSnapshot HttpsServer::metrics() const { return impl_->metrics(); }
std::string HttpsServer::metricsText() const { return impl_->metricsText(); }

}  // namespace kspm::server
