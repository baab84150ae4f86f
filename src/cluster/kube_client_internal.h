// The parts of KubeClient that need no server, exposed for unit tests: Retry-After parsing, the
// backoff schedule, the token bucket, and the tokenFile re-read rule.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace kspm::cluster::internal {

/**
 * The Retry-After header: delay-seconds ("120"), or an HTTP-date (RFC 9110: "Wed, 21 Oct 2015
 * 07:28:00 GMT") relative to `now`. nullopt when absent or malformed; a date in the past is 0.
 */
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

/**
 * The wait before retry number `retry` (1 = the first retry): base * 2^(retry-1) capped at `max`,
 * then "equal jitter": half of it fixed plus `jitter` (in [0, 1)) times the other half, so
 * concurrent clients spread out. A Retry-After (capped at `max`) is a floor.
 */
std::chrono::milliseconds backoffDelay(int retry, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                       double jitter, std::optional<std::chrono::milliseconds> retry_after);

/**
 * A token bucket (golang.org/x/time/rate semantics, as client-go's flowcontrol uses it): holds up
 * to `burst` tokens, refilled at `qps` per second; take() reserves one and returns how long the
 * caller must wait before using it (tokens can go negative: later callers queue behind). qps <= 0
 * means unlimited. Thread-safe.
 */
class TokenBucket {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  TokenBucket(double qps, int burst, Clock now = [] { return std::chrono::steady_clock::now(); });
  std::chrono::nanoseconds take();

 private:
  std::mutex mu_;
  double qps_;
  double burst_;
  Clock now_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

/** client-go re-reads a tokenFile at most once a minute; kspm also when the file changed. */
struct FileStamp {
  long long mtime_ns = 0;
  long long size = -1;
  unsigned long long inode = 0;
  bool operator==(const FileStamp&) const = default;
};
inline bool tokenFileNeedsReread(const FileStamp& read, const FileStamp& now_stamp,
                                 std::chrono::steady_clock::time_point read_at,
                                 std::chrono::steady_clock::time_point now) {
  return !(read == now_stamp) || now - read_at >= std::chrono::seconds(60);
}

}  // namespace kspm::cluster::internal
