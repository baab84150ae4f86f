// Parsing one HTTP/1.1 request head (request line and header fields), for the webhook's server.
// Pure and allocation-free: testable and fuzzable on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kspm::server {

struct RequestHead {
  std::string_view method;  // a token, e.g. "POST"
  std::string_view target;  // origin-form, starts with '/', query included
  bool http10 = false;      // HTTP/1.0 (else HTTP/1.1)
  bool close = false;       // the connection closes after this request (Connection: close, or 1.0 without keep-alive)
  bool expect_continue = false;  // Expect: 100-continue
  bool has_content_length = false;
  uint64_t content_length = 0;
};

/**
 * Parses `head`: everything before the blank line that ends the headers (without that CRLFCRLF).
 * On success returns 0 and fills `out` (views into `head`). Otherwise returns the HTTP status to
 * answer and sets `*error` to a one-line reason:
 *  400 malformed request line, header line, header name or value (control characters; obsolete
 *      line folding), unsupported Expect, invalid or conflicting Content-Length, unsupported version;
 *  411 a POST without Content-Length;
 *  413 Content-Length above `max_body_bytes`;
 *  501 any Transfer-Encoding (the API server sends Content-Length).
 */
int parseRequestHead(std::string_view head, uint64_t max_body_bytes, RequestHead* out, std::string* error);

}  // namespace kspm::server
