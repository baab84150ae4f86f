#include "server/http_request.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace kspm::server {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value holds `token` (case-insensitive).
bool hasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (equalsIgnoreCase(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Splits off the first CRLF-terminated line of `*rest`.
std::string_view nextLine(std::string_view* rest) {
  const size_t end = rest->find("\r\n");
  const std::string_view line = rest->substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end + 2);
  return line;
}

}  // namespace

int parseRequestHead(std::string_view head, uint64_t max_body_bytes, RequestHead* out, std::string* error) {
  *out = RequestHead{};
  auto fail = [error](int status, const char* message) {
    *error = message;
    return status;
  };

  // METHOD SP request-target SP HTTP/1.x
  const std::string_view request_line = nextLine(&head);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "malformed request line");
  }
  const std::string_view method = request_line.substr(0, sp1);
  const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = request_line.substr(sp2 + 1);
  if (!isToken(method) || target.empty() || target.front() != '/' ||
      std::any_of(target.begin(), target.end(), [](char ch) { return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f; })) {
    return fail(400, "malformed request line");
  }
  if (version == "HTTP/1.0") {
    out->http10 = true;
  } else if (version != "HTTP/1.1") {
    return fail(400, "unsupported HTTP version");
  }
  out->method = method;
  out->target = target;

  bool keep_alive = false;
  while (!head.empty()) {
    const std::string_view line = nextLine(&head);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(400, "malformed header line");
    const std::string_view name = line.substr(0, colon);
    if (!isToken(name)) return fail(400, "malformed header name");  // also obsolete line folding
    const std::string_view value = trim(line.substr(colon + 1));
    if (std::any_of(value.begin(), value.end(), [](char ch) {
          return (static_cast<unsigned char>(ch) < ' ' && ch != '\t') || ch == 0x7f;
        })) {
      return fail(400, "malformed header value");
    }
    if (equalsIgnoreCase(name, "content-length")) {
      uint64_t parsed = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() ||
          (out->has_content_length && parsed != out->content_length)) {
        return fail(400, "invalid Content-Length");
      }
      out->has_content_length = true;
      out->content_length = parsed;
    } else if (equalsIgnoreCase(name, "transfer-encoding")) {
      return fail(501, "Transfer-Encoding is not supported: send Content-Length");
    } else if (equalsIgnoreCase(name, "connection")) {
      out->close = out->close || hasToken(value, "close");
      keep_alive = keep_alive || hasToken(value, "keep-alive");
    } else if (equalsIgnoreCase(name, "expect")) {
      if (!equalsIgnoreCase(value, "100-continue")) return fail(400, "unsupported Expect");
      out->expect_continue = true;
    }
  }
  if (!out->has_content_length && out->method == "POST") return fail(411, "a POST needs Content-Length");
  if (out->content_length > max_body_bytes) {
    *error = "request body of " + std::to_string(out->content_length) + " bytes is above the limit of " +
             std::to_string(max_body_bytes);
    return 413;
  }
  if (out->http10 && !keep_alive) out->close = true;
  return 0;
}

}  // namespace kspm::server
