// The HTTP side of routes (libcurl): one request with timeouts, and the retry loop (exponential
// backoff with jitter, Retry-After, a time budget). Messages name the host only, never the URL
// (webhook URLs hold tokens), and every message is scrubbed of the route's secret values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kspm/routing.h"

namespace kspm::routing::internal {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // values may be secret
  std::string body;
};

struct HttpResponse {
  long status = 0;            // 0 when no response came (transport error)
  std::string body;           // at most 4 MiB per page is kept (GitHub pages are far smaller)
  std::string retry_after;    // the Retry-After header, raw
  std::string link;           // the Link header (GitHub pagination)
  std::string transport_error;  // "" when a response came
  bool transient() const;     // worth retrying: transport error, 429, 5xx
  bool ok() const { return status >= 200 && status < 300; }
};

/** "host" of a URL ("hooks.slack.com"), for messages. */
std::string hostOf(std::string_view url);

/** Replaces every occurrence of each secret (at least 4 characters long) with "[redacted]". */
std::string scrub(std::string text, const std::vector<std::string>& secrets);

/** Sends requests with the policy's timeouts and retries; counts what it did. */
class HttpSender {
 public:
  HttpSender(const RetryPolicy& policy, std::string ca_file, std::vector<std::string> secrets);
  ~HttpSender();
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  /** One attempt. */
  HttpResponse once(const HttpRequest& request);
  /**
   * Up to max_attempts while the failure is transient and the budget lasts. The last response is
   * returned; *next_run_after gets a Retry-After the server asked for beyond the budget (seconds).
   */
  HttpResponse send(const HttpRequest& request, int64_t* retry_after_seconds = nullptr);

  /** "HOST: HTTP 500: body..." or "HOST: timeout" (scrubbed, bounded), for reports. */
  std::string describeFailure(const HttpRequest& request, const HttpResponse& response) const;

  uint64_t requests() const { return requests_; }
  const std::vector<std::string>& secrets() const { return secrets_; }
  /** Waiting left in this sender's budget. */
  std::chrono::milliseconds budgetLeft() const { return budget_left_; }

 private:
  RetryPolicy policy_;
  std::string ca_file_;
  std::vector<std::string> secrets_;
  void* curl_ = nullptr;  // CURL*, reused for keep-alive
  uint64_t requests_ = 0;
  std::chrono::milliseconds budget_left_;
};

/** Reads a SecretRef (environment variable or file, trailing newline trimmed). */
Result<std::string> resolveSecret(const SecretRef& ref, std::string_view setting,
                                  const std::function<std::string(const std::string&)>& getenv);

/** Lower-case hex HMAC-SHA256 of `body` with `key` (OpenSSL). */
std::string hmacSha256Hex(std::string_view key, std::string_view body);

}  // namespace kspm::routing::internal
