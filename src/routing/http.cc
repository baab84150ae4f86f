#include "routing/http.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "cluster/kube_client_internal.h"

namespace kspm::routing::internal {
namespace {

constexpr size_t kMaxBody = 4u << 20;

struct Sink {
  HttpResponse* response;
  bool too_big = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->response->body.size() + n > kMaxBody) {
    sink->too_big = true;
    return 0;
  }
  sink->response->body.append(data, n);
  return n;
}

bool startsWithNoCase(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  }
  return true;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  auto value = [&](size_t skip) {
    std::string_view v = line.substr(skip);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    return std::string(v.substr(0, 2048));
  };
  if (startsWithNoCase(line, "http/")) {
    r->retry_after.clear();
    r->link.clear();
  } else if (startsWithNoCase(line, "retry-after:")) {
    r->retry_after = value(12);
  } else if (startsWithNoCase(line, "link:")) {
    r->link = value(5);
  }
  return n;
}

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

double jitter() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

bool HttpResponse::transient() const {
  if (status == 0) return true;
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string hostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  size_t end = url.find_first_of("/?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);  // user:pass@
  return std::string(url);
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return text;
}

HttpSender::HttpSender(const RetryPolicy& policy, std::string ca_file, std::vector<std::string> secrets)
    : policy_(policy), ca_file_(std::move(ca_file)), secrets_(std::move(secrets)), budget_left_(policy.route_budget) {
  initCurlOnce();
  curl_ = curl_easy_init();
}

HttpSender::~HttpSender() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpSender::once(const HttpRequest& request) {
  HttpResponse response;
  ++requests_;
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    response.transport_error = "could not initialise libcurl";
    return response;
  }
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(policy_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could carry the credentials elsewhere
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "kspm/" KSPM_VERSION);
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  Sink sink{&response};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (sink.too_big) {
    response.status = 0;
    response.transport_error = "response larger than 4 MiB";
    return response;
  }
  if (code != CURLE_OK) {
    response.status = 0;
    response.transport_error = code == CURLE_OPERATION_TIMEDOUT ? "timeout" : curl_easy_strerror(code);
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

HttpResponse HttpSender::send(const HttpRequest& request, int64_t* retry_after_seconds) {
  using std::chrono::milliseconds;
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    response = once(request);
    if (!response.transient() || attempt >= policy_.max_attempts) return response;
    std::optional<milliseconds> asked =
        cluster::internal::parseRetryAfter(response.retry_after, std::chrono::system_clock::now());
    if (asked && (*asked > policy_.max_delay || *asked > budget_left_)) {
      // The server wants more time than this run has: leave it to the next run.
      if (retry_after_seconds != nullptr) *retry_after_seconds = (asked->count() + 999) / 1000;
      return response;
    }
    milliseconds wait = cluster::internal::backoffDelay(attempt, policy_.base_delay, policy_.max_delay, jitter(), asked);
    if (wait > budget_left_) return response;
    budget_left_ -= wait;
    std::this_thread::sleep_for(wait);
  }
}

std::string HttpSender::describeFailure(const HttpRequest& request, const HttpResponse& response) const {
  std::string text = hostOf(request.url) + ": ";
  if (response.status == 0) {
    text += response.transport_error;
  } else {
    text += "HTTP " + std::to_string(response.status);
    std::string body = response.body.substr(0, 300);
    for (char& c : body) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (!body.empty()) text += ": " + body;
  }
  return scrub(std::move(text), secrets_);
}

Result<std::string> resolveSecret(const SecretRef& ref, std::string_view setting,
                                  const std::function<std::string(const std::string&)>& getenv) {
  std::string value;
  if (!ref.env.empty()) {
    value = getenv ? getenv(ref.env) : std::string();
    if (value.empty()) {
      return InputError{ErrorCode::kDelivery, "", 0,
                        std::string(setting) + "Env: environment variable " + ref.env + " is not set"};
    }
  } else if (!ref.file.empty()) {
    std::ifstream in(ref.file, std::ios::binary);
    std::ostringstream buf;
    if (in) buf << in.rdbuf();
    if (!in) {
      return InputError{ErrorCode::kDelivery, ref.file, 0, std::string(setting) + "File: the file cannot be read"};
    }
    value = buf.str();
    if (value.size() > 65536) return InputError{ErrorCode::kDelivery, ref.file, 0, std::string(setting) + "File: larger than 64 KiB"};
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
    if (value.empty()) return InputError{ErrorCode::kDelivery, ref.file, 0, std::string(setting) + "File: the file is empty"};
  }
  if (value.find_first_of("\r\n") != std::string::npos) {
    return InputError{ErrorCode::kDelivery, "", 0, std::string(setting) + ": the secret holds a line break"};
  }
  return value;
}

std::string hmacSha256Hex(std::string_view key, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace kspm::routing::internal
