#include "kspm/kube_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "cluster/files.h"
#include "cluster/exec_credential.h"
#include "cluster/kube_client_internal.h"

namespace kspm::cluster {

namespace internal {

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::milliseconds(std::chrono::hours(24 * 365));  // absurdly long: callers cap it
    return std::chrono::milliseconds(std::stoll(std::string(value)) * 1000);
  }
  if (value.size() > 64) return std::nullopt;
  // An HTTP-date (IMF-fixdate; curl_getdate also reads the obsolete RFC 850 and asctime forms).
  if (value.find(',') == std::string_view::npos && value.find(' ') == std::string_view::npos) return std::nullopt;
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  if (delta.count() < 0) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delta);
}

std::chrono::milliseconds backoffDelay(int retry, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                       double jitter, std::optional<std::chrono::milliseconds> retry_after) {
  using std::chrono::milliseconds;
  if (retry < 1) retry = 1;
  double exponential = double(base.count()) * std::ldexp(1.0, std::min(retry - 1, 40));
  double capped = std::min(exponential, double(max.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  milliseconds delay(static_cast<int64_t>(capped / 2 + jitter * capped / 2));
  if (retry_after) delay = std::max(delay, std::min(*retry_after, max));
  return delay;
}

TokenBucket::TokenBucket(double qps, int burst, Clock now)
    : qps_(qps), burst_(std::max(burst, 1)), now_(std::move(now)), tokens_(burst_), last_(now_()) {}

std::chrono::nanoseconds TokenBucket::take() {
  if (qps_ <= 0) return std::chrono::nanoseconds(0);
  std::lock_guard<std::mutex> lock(mu_);
  auto now = now_();
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(-tokens_ / qps_ * 1e9));
}

}  // namespace internal

namespace {

using internal::FileStamp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

InputError error(ErrorCode code, const std::string& file, std::string message) {
  return InputError{code, file, 0, std::move(message)};
}


std::optional<FileStamp> stampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileStamp s;
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
  s.size = st.st_size;
  s.inode = st.st_ino;
  return s;
}

std::string trimSpace(std::string s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

bool hasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool iequalsPrefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/** What a client sends with one request. Secret: never print. */
struct Credentials {
  std::string bearer;
  const std::string* cert_pem = nullptr;  // TLS client certificate (static or from the plugin)
  const std::string* key_pem = nullptr;
  std::shared_ptr<const ExecCredential> exec;  // keeps the plugin's cert alive during the request
  bool from_exec = false;
  uint64_t exec_generation = 0;
};

struct Attempt {
  CURLcode code = CURLE_OK;
  std::string curl_error;
  bool too_big = false;
  long status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
  // Streaming only.
  long header_status = 0;   // from the last status line, known before the body
  bool opened = false;      // on_open was called (a 200 whose body was being delivered)
  bool stopped = false;     // the line callback asked to stop
  bool cancelled = false;
  uint64_t lines = 0;
};

/** A streaming request's state: lines of a 200 body go to on_line, other bodies are kept. */
struct StreamSink {
  const StreamLineFn* on_line = nullptr;
  const StreamOpenFn* on_open = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  uint64_t max_line = 0;
  std::string partial;  // the current line so far
};

struct Sink {
  Attempt* attempt;
  uint64_t limit;
  StreamSink* stream = nullptr;
};

size_t onStreamBody(Sink* sink, const char* data, size_t n) {
  Attempt& a = *sink->attempt;
  StreamSink& s = *sink->stream;
  if (a.header_status != 200) {  // an error response: kept whole, as get() keeps it
    if (a.body.size() + n > sink->limit) {
      a.too_big = true;
      return 0;
    }
    a.body.append(data, n);
    return n;
  }
  if (!a.opened) {
    a.opened = true;
    if (s.on_open && *s.on_open) (*s.on_open)(200);
  }
  std::string_view chunk(data, n);
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    std::string_view piece = chunk.substr(0, nl);
    if (s.partial.size() + piece.size() > s.max_line) {
      a.too_big = true;
      return 0;
    }
    if (nl == std::string_view::npos) {
      s.partial.append(piece);
      break;
    }
    std::string_view line = piece;
    if (!s.partial.empty()) {
      s.partial.append(piece);
      line = s.partial;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      ++a.lines;
      if (!(*s.on_line)(line)) {
        a.stopped = true;
        return 0;
      }
    }
    s.partial.clear();
    chunk.remove_prefix(nl + 1);
  }
  return n;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->stream) return onStreamBody(sink, data, n);
  if (sink->attempt->body.size() + n > sink->limit) {
    sink->attempt->too_big = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->attempt->body.append(data, n);
  return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->stream && sink->stream->cancel && sink->stream->cancel->load()) {
    sink->attempt->cancelled = true;
    return 1;  // aborts the transfer (CURLE_ABORTED_BY_CALLBACK)
  }
  return 0;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  Attempt* a = sink->attempt;
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty() && sink->stream && a->header_status == 200 && !a->opened) {
    // The end of a 200's headers (a proxy's CONNECT headers are suppressed): the stream is open.
    a->opened = true;
    if (sink->stream->on_open && *sink->stream->on_open) (*sink->stream->on_open)(200);
    return n;
  }
  if (iequalsPrefix(line, "HTTP/")) {  // a new response (after a 100 Continue or a proxy's CONNECT)
    a->content_type.clear();
    a->retry_after.clear();
    size_t space = line.find(' ');
    a->header_status = 0;
    if (space != std::string_view::npos) {
      for (size_t i = space + 1; i < line.size() && i < space + 4 && line[i] >= '0' && line[i] <= '9'; ++i) {
        a->header_status = a->header_status * 10 + (line[i] - '0');
      }
    }
    return n;
  }
  auto value = [&](std::string_view name) {
    std::string_view v = line.substr(name.size());
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    return std::string(v.substr(0, 256));
  };
  if (iequalsPrefix(line, "content-type:")) a->content_type = value("content-type:");
  if (iequalsPrefix(line, "retry-after:")) a->retry_after = value("retry-after:");
  return n;
}

bool retryableCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool retryableStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/**
 * CURL easy handles of one client, each kept with its connection (keep-alive) and TLS session
 * cache: a request borrows one (a free one, else a new one) and gives it back, so there are as many
 * as requests ever ran at once, and all are closed with the client.
 */
class HandlePool {
 public:
  ~HandlePool() {
    for (auto& [handle, generation] : free_) curl_easy_cleanup(handle);
  }
  /** A handle whose connections were made with TLS client credentials of `generation`. */
  CURL* take(uint64_t generation) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!free_.empty()) {
        auto [handle, made_with] = free_.back();
        free_.pop_back();
        if (made_with == generation) return handle;
        curl_easy_cleanup(handle);  // a new client certificate: no connection made with the old one
      }
    }
    return curl_easy_init();
  }
  void give(CURL* handle, uint64_t generation) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.emplace_back(handle, generation);
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<CURL*, uint64_t>> free_;
};

}  // namespace

struct KubeClient::Impl {
  ResolvedConfig config;
  ClientOptions options;
  std::string server;       // as configured; `file` of every error
  std::string base_url;     // scheme://host:port/prefix requests start with (host = tls-server-name when set)
  std::string connect_to;   // CURLOPT_CONNECT_TO entry when tls-server-name renames the host
  std::string proxy;        // CURLOPT_PROXY ("" = curl's default)
  std::string ca_pem;       // "" = the system's CAs
  std::string cert_pem;     // static client certificate and key (files read at create)
  std::string key_pem;
  internal::TokenBucket limiter;
  HandlePool handles;

  std::mutex token_mu;  // tokenFile
  std::string file_token;
  FileStamp file_stamp;
  steady_clock::time_point file_read_at;
  bool have_file_token = false;

  std::mutex exec_mu;  // the plugin runs under it: one run at a time
  std::shared_ptr<const ExecCredential> exec_credential;
  uint64_t exec_generation = 0;
  std::atomic<uint64_t> tls_generation{0};  // changes when the plugin returns a new client certificate

  std::atomic<uint64_t> requests{0}, retries{0}, bytes{0}, exec_runs{0}, throttled_ns{0};

  Impl(ResolvedConfig c, ClientOptions o) : config(std::move(c)), options(std::move(o)), limiter(options.qps, options.burst) {}

  Result<std::string> tokenFromFile();
  Result<Credentials> credentials(bool refresh_exec, uint64_t stale_generation);
  Attempt perform(const std::string& url, std::string_view accept, const Credentials& creds,
                  StreamSink* stream = nullptr, std::chrono::milliseconds idle_timeout = {});
  InputError connectionError(const Attempt& a, const std::string& url, int attempts) const;
  void sleepFor(std::chrono::nanoseconds d) {
    if (d.count() > 0) std::this_thread::sleep_for(d);
  }
  /** Sleeps in short steps; false when `cancel` was set. */
  bool sleepUnlessCancelled(std::chrono::nanoseconds d, const std::atomic<bool>* cancel) {
    if (cancel == nullptr) {
      sleepFor(d);
      return true;
    }
    auto until = steady_clock::now() + d;
    while (!cancel->load()) {
      auto left = until - steady_clock::now();
      if (left.count() <= 0) return true;
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(left, milliseconds(100)));
    }
    return false;
  }
};

Result<std::string> KubeClient::Impl::tokenFromFile() {
  const std::string& path = config.user.token_file;
  std::lock_guard<std::mutex> lock(token_mu);
  auto now = steady_clock::now();
  std::optional<FileStamp> stamp = stampOf(path);
  if (have_file_token && (!stamp || !internal::tokenFileNeedsReread(file_stamp, *stamp, file_read_at, now))) {
    return file_token;  // unchanged (or briefly missing while being replaced: keep the last token)
  }
  std::string text;
  if (stamp && readWholeFile(path, &text)) {
    text = trimSpace(std::move(text));
    if (!text.empty() && !hasLineBreak(text)) {
      file_token = std::move(text);
      file_stamp = *stamp;
      file_read_at = now;
      have_file_token = true;
      return file_token;
    }
  }
  if (have_file_token) return file_token;  // client-go keeps the last good token when a re-read fails
  return error(ErrorCode::kClusterAuth, path,
               "could not read the bearer token from tokenFile (missing, unreadable, empty or more than one line)");
}

Result<Credentials> KubeClient::Impl::credentials(bool refresh_exec, uint64_t stale_generation) {
  Credentials c;
  const UserInfo& u = config.user;
  if (u.exec) {
    std::lock_guard<std::mutex> lock(exec_mu);
    bool usable = exec_credential && execCredentialFresh(*exec_credential, std::chrono::system_clock::now()) &&
                  !(refresh_exec && exec_generation == stale_generation);
    if (!usable) {
      ExecRunOptions run;
      run.environment = options.exec_environment;
      run.stdin_is_terminal = options.stdin_is_terminal;
      run.timeout = options.exec_timeout;
      exec_runs.fetch_add(1);
      auto r = runExecPlugin(*u.exec, config.cluster, ca_pem, run, config.source);
      if (!r.ok()) return r.error();
      auto fresh = std::make_shared<const ExecCredential>(std::move(r).value());
      if (!exec_credential || exec_credential->client_certificate_data != fresh->client_certificate_data ||
          exec_credential->client_key_data != fresh->client_key_data) {
        tls_generation.fetch_add(1);
      }
      exec_credential = std::move(fresh);
      ++exec_generation;
    }
    c.exec = exec_credential;
    c.from_exec = true;
    c.exec_generation = exec_generation;
  }
  if (c.exec && !c.exec->token.empty()) {
    c.bearer = c.exec->token;  // client-go: the plugin's round tripper sets Authorization first
  } else if (!u.token_file.empty()) {
    // client-go: a readable tokenFile wins over token, which is the fallback.
    auto t = tokenFromFile();
    if (t.ok()) {
      c.bearer = std::move(t).value();
    } else if (!u.token.empty()) {
      c.bearer = u.token;
    } else {
      return t.error();
    }
  } else if (!u.token.empty()) {
    c.bearer = u.token;
  }
  if (c.exec && !c.exec->client_certificate_data.empty()) {
    c.cert_pem = &c.exec->client_certificate_data;
    c.key_pem = &c.exec->client_key_data;
  } else if (!cert_pem.empty()) {
    c.cert_pem = &cert_pem;
    c.key_pem = &key_pem;
  }
  return c;
}

Attempt KubeClient::Impl::perform(const std::string& url, std::string_view accept, const Credentials& creds,
                                  StreamSink* stream, std::chrono::milliseconds idle_timeout) {
  Attempt a;
  const uint64_t generation = tls_generation.load();
  CURL* h = handles.take(generation);
  if (!h) {
    a.code = CURLE_OUT_OF_MEMORY;
    a.curl_error = "out of memory";
    return a;
  }
  curl_easy_reset(h);  // options only: live connections and TLS sessions are kept
  char errbuf[CURL_ERROR_SIZE] = {0};
  Sink sink{&a, options.max_response_bytes, stream};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Accept: " + std::string(accept)).c_str());
  if (!creds.bearer.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + creds.bearer).c_str());
  if (!config.user.impersonate.empty()) {
    headers = curl_slist_append(headers, ("Impersonate-User: " + config.user.impersonate).c_str());
  }
  for (const std::string& g : config.user.impersonate_groups) {
    headers = curl_slist_append(headers, ("Impersonate-Group: " + g).c_str());
  }
  curl_slist* connect_to_list = nullptr;
  if (!connect_to.empty()) connect_to_list = curl_slist_append(nullptr, connect_to.c_str());

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  if (stream) {
    // No total timeout: a stream lasts as long as the server keeps it; idle ones are cut.
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
    long idle_seconds = std::max<long>(1, static_cast<long>((idle_timeout.count() + 999) / 1000));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, idle_seconds);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &sink);
  } else {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(std::min<uint64_t>(
                                                       options.max_response_bytes, uint64_t(INT64_MAX))));
  }
  if (options.compression) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  if (stream) curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (connect_to_list) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_list);
  if (!proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, proxy.c_str());
  // TLS
  if (config.cluster.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!ca_pem.empty()) {
    // Only this CA, as client-go's RootCAs: not the system store as well.
    curl_easy_setopt(h, CURLOPT_CAINFO, nullptr);
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    curl_blob ca{const_cast<char*>(ca_pem.data()), ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (creds.cert_pem && creds.key_pem) {
    curl_blob cert{const_cast<char*>(creds.cert_pem->data()), creds.cert_pem->size(), CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(creds.key_pem->data()), creds.key_pem->size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
  }
  if (creds.bearer.empty() && !config.user.username.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(h, CURLOPT_USERNAME, config.user.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config.user.password.c_str());
  }

  a.code = curl_easy_perform(h);
  a.curl_error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(a.code));
  if (a.code == CURLE_FILESIZE_EXCEEDED) a.too_big = true;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
  // Nothing secret stays in the handle between requests.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_CONNECT_TO, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to_list);
  handles.give(h, generation);
  return a;
}

InputError KubeClient::Impl::connectionError(const Attempt& a, const std::string& url, int attempts) const {
  std::string what = "GET " + url + ": ";
  std::string hint;
  const ClusterInfo& c = config.cluster;
  switch (a.code) {
    case CURLE_PEER_FAILED_VERIFICATION: {
      what += "TLS certificate verification failed (" + a.curl_error + ")";
      std::string against = !c.certificate_authority.empty() ? "certificate-authority " + c.certificate_authority
                            : !c.certificate_authority_data.empty() ? std::string("certificate-authority-data")
                                                                    : std::string("the system's CA certificates");
      hint = "the server's certificate is not signed by " + against + " or does not name " +
             (c.tls_server_name.empty() ? "the server's host" : "tls-server-name " + c.tls_server_name) +
             ": check the cluster's server, certificate-authority and tls-server-name";
      break;
    }
    case CURLE_SSL_CACERT_BADFILE:
      what += "the CA certificates could not be loaded (" + a.curl_error + ")";
      hint = "check the cluster's certificate-authority(-data): it must be PEM certificates";
      break;
    case CURLE_SSL_CERTPROBLEM:
      what += "the client certificate could not be used (" + a.curl_error + ")";
      hint = "check the user's client-certificate(-data) and client-key(-data): PEM, and the key must match";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      what += "the TLS handshake failed (" + a.curl_error + ")";
      hint = "check that the server speaks HTTPS at this address and accepts the client certificate, if any";
      break;
    case CURLE_COULDNT_CONNECT:
      what += "could not connect (" + a.curl_error + ")";
      hint = "check that the API server runs at this address and is reachable (firewall, VPN, proxy-url)";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      what += "could not resolve the host (" + a.curl_error + ")";
      hint = "check the cluster's server address and DNS";
      break;
    case CURLE_COULDNT_RESOLVE_PROXY:
      what += "could not resolve the proxy (" + a.curl_error + ")";
      hint = "check the cluster's proxy-url";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      what += "timed out (" + a.curl_error + ")";
      hint = "connect timeout " + std::to_string(options.connect_timeout.count()) + " ms, request timeout " +
             std::to_string(options.request_timeout.count()) + " ms; raise the timeout or check the network";
      break;
    default:
      what += a.curl_error;
      hint = "check the connection to the API server";
      break;
  }
  std::string msg = what + "; " + hint;
  if (attempts > 1) msg += " (after " + std::to_string(attempts) + " attempts)";
  return error(ErrorCode::kClusterConnection, server, std::move(msg));
}

KubeClient::KubeClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KubeClient::~KubeClient() = default;

const std::string& KubeClient::server() const { return impl_->server; }

ClientStats KubeClient::stats() const {
  ClientStats s;
  s.requests = impl_->requests.load();
  s.retries = impl_->retries.load();
  s.bytes = impl_->bytes.load();
  s.exec_runs = impl_->exec_runs.load();
  s.throttled = std::chrono::duration_cast<milliseconds>(std::chrono::nanoseconds(impl_->throttled_ns.load()));
  return s;
}

Result<std::unique_ptr<KubeClient>> KubeClient::create(const ResolvedConfig& config, ClientOptions options) {
  initCurlOnce();
  auto impl = std::make_unique<Impl>(config, std::move(options));
  const ClusterInfo& c = config.cluster;
  const UserInfo& u = config.user;
  impl->server = c.server;
  const std::string& file = config.source.empty() ? c.server : config.source;

  // The server URL: scheme (https when absent, as client-go assumes), host, port, path prefix.
  CURLU* url = curl_url();
  std::unique_ptr<CURLU, void (*)(CURLU*)> url_guard(url, curl_url_cleanup);
  if (c.server.empty() || curl_url_set(url, CURLUPART_URL, c.server.c_str(), CURLU_DEFAULT_SCHEME) != CURLUE_OK) {
    return error(ErrorCode::kConfig, file, "cluster " + c.name + ": server \"" + c.server + "\" is not a URL");
  }
  auto part = [&](CURLUPart which, unsigned flags = 0) {
    char* p = nullptr;
    std::string out;
    if (curl_url_get(url, which, &p, flags) == CURLUE_OK && p) out = p;
    curl_free(p);
    return out;
  };
  std::string scheme = part(CURLUPART_SCHEME);
  std::string host = part(CURLUPART_HOST);
  std::string port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::string prefix = part(CURLUPART_PATH);
  if (scheme != "https" && scheme != "http") {
    return error(ErrorCode::kConfig, file, "cluster " + c.name + ": server scheme must be https or http, not " + scheme);
  }
  if (host.empty()) return error(ErrorCode::kConfig, file, "cluster " + c.name + ": server has no host");
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string url_host = host;
  if (!c.tls_server_name.empty() && c.tls_server_name != host) {
    // libcurl takes the TLS name (SNI and verification) from the URL: put tls-server-name there
    // and connect to the configured host. Unlike client-go, the Host header also carries it.
    if (hasLineBreak(c.tls_server_name) || c.tls_server_name.find_first_of("/@?#") != std::string::npos) {
      return error(ErrorCode::kConfig, file, "cluster " + c.name + ": tls-server-name is not a host name");
    }
    url_host = c.tls_server_name.find(':') != std::string::npos ? "[" + c.tls_server_name + "]" : c.tls_server_name;
    impl->connect_to = url_host + ":" + port + ":" + host + ":" + port;
  }
  impl->base_url = scheme + "://" + url_host + ":" + port + prefix;

  if (!c.proxy_url.empty()) {
    std::string p = c.proxy_url;
    auto colon = p.find("://");
    std::string proxy_scheme = colon == std::string::npos ? "" : p.substr(0, colon);
    if (proxy_scheme == "socks5") {
      p = "socks5h" + p.substr(colon);  // Go's SOCKS5 dialer lets the proxy resolve names
    } else if (proxy_scheme != "http" && proxy_scheme != "https") {
      return error(ErrorCode::kConfig, file,
                   "cluster " + c.name + ": proxy-url scheme must be http, https or socks5");
    }
    impl->proxy = p;
  }

  // Files named by the config are read now, so a wrong path fails before any request.
  if (!c.certificate_authority_data.empty()) {
    impl->ca_pem = c.certificate_authority_data;
  } else if (!c.certificate_authority.empty()) {
    if (!readWholeFile(c.certificate_authority, &impl->ca_pem) || impl->ca_pem.empty()) {
      return error(ErrorCode::kConfig, c.certificate_authority,
                   "cluster " + c.name + ": could not read certificate-authority");
    }
  }
  if (!impl->ca_pem.empty() && impl->ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return error(ErrorCode::kConfig, c.certificate_authority.empty() ? file : c.certificate_authority,
                 "cluster " + c.name + ": the certificate authority is not a PEM certificate");
  }
  if (!u.client_certificate_data.empty()) {
    impl->cert_pem = u.client_certificate_data;
  } else if (!u.client_certificate.empty() && (!readWholeFile(u.client_certificate, &impl->cert_pem) || impl->cert_pem.empty())) {
    return error(ErrorCode::kClusterAuth, u.client_certificate, "user " + u.name + ": could not read client-certificate");
  }
  if (!u.client_key_data.empty()) {
    impl->key_pem = u.client_key_data;
  } else if (!u.client_key.empty() && (!readWholeFile(u.client_key, &impl->key_pem) || impl->key_pem.empty())) {
    return error(ErrorCode::kClusterAuth, u.client_key, "user " + u.name + ": could not read client-key");
  }
  if (impl->cert_pem.empty() != impl->key_pem.empty()) {
    return error(ErrorCode::kClusterAuth, file, "user " + u.name + ": a client certificate needs a client key and vice versa");
  }
  // Header values from the config must not smuggle extra headers.
  bool bad_header = hasLineBreak(u.token) || hasLineBreak(u.impersonate) || hasLineBreak(options.user_agent);
  for (const std::string& g : u.impersonate_groups) bad_header = bad_header || hasLineBreak(g);
  if (bad_header) {
    return error(ErrorCode::kConfig, file, "user " + u.name + ": token, as, as-groups or user agent contains a line break");
  }
  if (!u.token_file.empty() && u.token.empty()) {
    auto t = impl->tokenFromFile();
    if (!t.ok()) return t.error();
  }
  return std::unique_ptr<KubeClient>(new KubeClient(std::move(impl)));
}

Result<HttpResponse> KubeClient::get(std::string_view path, std::string_view accept) {
  Impl& im = *impl_;
  if (path.empty() || path.front() != '/' || hasLineBreak(path) || hasLineBreak(accept) ||
      path.find(' ') != std::string_view::npos) {
    return error(ErrorCode::kUsage, im.server, "request path must start with '/' and hold no spaces or line breaks");
  }
  const std::string url = im.base_url + std::string(path);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.0);

  int attempts = 0;
  int retries_done = 0;
  bool exec_rerun = false;
  bool refresh_exec = false;
  uint64_t stale_generation = 0;
  for (;;) {
    auto creds = im.credentials(refresh_exec, stale_generation);
    if (!creds.ok()) return creds.error();
    refresh_exec = false;
    auto wait = im.limiter.take();
    if (wait.count() > 0) {
      im.throttled_ns.fetch_add(static_cast<uint64_t>(wait.count()));
      im.sleepFor(wait);
    }
    ++attempts;
    im.requests.fetch_add(1);
    Attempt a = im.perform(url, accept, creds.value());
    if (a.too_big) {
      return error(ErrorCode::kClusterResponse, im.server,
                   "GET " + url + ": the response body is larger than the limit of " +
                       std::to_string(im.options.max_response_bytes) + " bytes");
    }
    if (a.code != CURLE_OK) {
      if (retryableCurlCode(a.code) && retries_done < im.options.max_retries) {
        ++retries_done;
        im.retries.fetch_add(1);
        im.sleepFor(internal::backoffDelay(retries_done, im.options.backoff_base, im.options.backoff_max, jitter(rng),
                                           std::nullopt));
        continue;
      }
      return im.connectionError(a, url, attempts);
    }
    im.bytes.fetch_add(a.body.size());
    if (a.status == 401 && creds.value().from_exec && !exec_rerun) {
      exec_rerun = true;  // the plugin's credential was refused: run it again, once
      refresh_exec = true;
      stale_generation = creds.value().exec_generation;
      continue;
    }
    if (retryableStatus(a.status) && retries_done < im.options.max_retries) {
      ++retries_done;
      im.retries.fetch_add(1);
      auto retry_after = internal::parseRetryAfter(a.retry_after, std::chrono::system_clock::now());
      im.sleepFor(internal::backoffDelay(retries_done, im.options.backoff_base, im.options.backoff_max, jitter(rng),
                                         retry_after));
      continue;
    }
    HttpResponse r;
    r.status = a.status;
    r.body = std::move(a.body);
    r.content_type = std::move(a.content_type);
    r.retry_after = std::move(a.retry_after);
    r.attempts = attempts;
    return r;
  }
}

Result<StreamResponse> KubeClient::stream(std::string_view path, std::string_view accept, const StreamLineFn& on_line,
                                          const StreamOptions& stream_options, const StreamOpenFn& on_open) {
  Impl& im = *impl_;
  if (path.empty() || path.front() != '/' || hasLineBreak(path) || hasLineBreak(accept) ||
      path.find(' ') != std::string_view::npos) {
    return error(ErrorCode::kUsage, im.server, "request path must start with '/' and hold no spaces or line breaks");
  }
  const std::string url = im.base_url + std::string(path);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  const std::atomic<bool>* cancel = stream_options.cancel;
  const uint64_t max_line =
      stream_options.max_line_bytes != 0 ? stream_options.max_line_bytes : im.options.max_response_bytes;

  int attempts = 0;
  int retries_done = 0;
  bool exec_rerun = false;
  bool refresh_exec = false;
  uint64_t stale_generation = 0;
  auto cancelled = [&](int made) {
    StreamResponse r;
    r.cancelled = true;
    r.attempts = made;
    r.interruption = "cancelled";
    return r;
  };
  for (;;) {
    if (cancel && cancel->load()) return cancelled(attempts);
    auto creds = im.credentials(refresh_exec, stale_generation);
    if (!creds.ok()) return creds.error();
    refresh_exec = false;
    auto wait = im.limiter.take();
    if (wait.count() > 0) {
      im.throttled_ns.fetch_add(static_cast<uint64_t>(wait.count()));
      if (!im.sleepUnlessCancelled(wait, cancel)) return cancelled(attempts);
    }
    ++attempts;
    im.requests.fetch_add(1);
    StreamSink sink;
    sink.on_line = &on_line;
    sink.on_open = &on_open;
    sink.cancel = cancel;
    sink.max_line = max_line;
    Attempt a = im.perform(url, accept, creds.value(), &sink, stream_options.idle_timeout);
    if (a.too_big) {
      return error(ErrorCode::kClusterResponse, im.server,
                   "GET " + url + (a.opened ? ": a line of the stream" : ": the response body") +
                       " is larger than the limit of " + std::to_string(a.opened ? max_line : im.options.max_response_bytes) +
                       " bytes");
    }
    if (a.opened) {  // a 200 stream ran: whatever ended it, nothing is retried here
      StreamResponse r;
      r.status = 200;
      r.content_type = std::move(a.content_type);
      r.attempts = attempts;
      r.lines = a.lines;
      r.cancelled = a.cancelled;
      r.complete = a.code == CURLE_OK && !a.stopped && !a.cancelled;
      if (!r.complete) {
        r.interruption = a.cancelled ? "cancelled"
                         : a.stopped ? "stopped by the reader"
                         : a.code == CURLE_OPERATION_TIMEDOUT
                             ? "no data for " + std::to_string(stream_options.idle_timeout.count()) + " ms"
                             : "the connection was cut (" + a.curl_error + ")";
      }
      return r;
    }
    if (a.cancelled) return cancelled(attempts);
    if (a.code != CURLE_OK) {
      if (retryableCurlCode(a.code) && retries_done < im.options.max_retries) {
        ++retries_done;
        im.retries.fetch_add(1);
        if (!im.sleepUnlessCancelled(internal::backoffDelay(retries_done, im.options.backoff_base,
                                                            im.options.backoff_max, jitter(rng), std::nullopt),
                                     cancel)) {
          return cancelled(attempts);
        }
        continue;
      }
      return im.connectionError(a, url, attempts);
    }
    if (a.status == 200) {  // an empty 200 body: the stream ended before any byte
      if (on_open) on_open(200);
      StreamResponse r;
      r.status = 200;
      r.content_type = std::move(a.content_type);
      r.attempts = attempts;
      r.complete = true;
      return r;
    }
    im.bytes.fetch_add(a.body.size());
    if (a.status == 401 && creds.value().from_exec && !exec_rerun) {
      exec_rerun = true;
      refresh_exec = true;
      stale_generation = creds.value().exec_generation;
      continue;
    }
    if (retryableStatus(a.status) && retries_done < im.options.max_retries) {
      ++retries_done;
      im.retries.fetch_add(1);
      auto retry_after = internal::parseRetryAfter(a.retry_after, std::chrono::system_clock::now());
      if (!im.sleepUnlessCancelled(internal::backoffDelay(retries_done, im.options.backoff_base, im.options.backoff_max,
                                                          jitter(rng), retry_after),
                                   cancel)) {
        return cancelled(attempts);
      }
      continue;
    }
    if (on_open) on_open(a.status);
    StreamResponse r;
    r.status = a.status;
    r.body = std::move(a.body);
    r.content_type = std::move(a.content_type);
    r.attempts = attempts;
    return r;
  }
}

}  // namespace kspm::cluster
