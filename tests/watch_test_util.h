// Helpers for the watch tests: the fixture API server's control endpoints (POST /_fixture/...),
// plain HTTP GETs (/metrics), counting requests in the fixture's log, and polling.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "fixture_apiserver/fixture.h"

namespace kspm::watchtest {

struct HttpResult {
  long status = 0;
  std::string body;
};

inline size_t appendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

/** A request with libcurl; `ca` = CA file for HTTPS ("" for plain HTTP); POST when `post`. */
inline HttpResult request(const std::string& url, const std::string& ca, bool post, const std::string& body = "") {
  HttpResult out;
  CURL* h = curl_easy_init();
  if (!h) return out;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  if (!ca.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca.c_str());
  if (post) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  curl_easy_cleanup(h);
  return out;
}

/** POST /_fixture/<what> with a body; the HTTP status (0 when unreachable). */
inline long control(const FixtureServer& server, const std::string& what, const std::string& body = "{}") {
  return request(server.url() + "/_fixture/" + what, server.dir() + "/ca.crt", true, body).status;
}

inline std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/** Lines of the fixture's --log that are GETs of `path` with `marker` in the query (e.g. "limit=", "watch=1"). */
inline int countRequests(const std::string& log_file, const std::string& path, const std::string& marker) {
  std::istringstream lines(readAll(log_file));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("GET " + path + "?", 0) != 0) continue;
    std::string target = line.substr(4, line.find(' ', 4) - 4);
    if (target.find(marker) != std::string::npos && (marker == "watch=1" || target.find("watch=1") == std::string::npos)) ++n;
  }
  return n;
}

/** Polls `condition` every 20 ms for up to `seconds`. */
template <typename Fn>
bool eventually(Fn&& condition, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

/** A privileged pod in namespace shop (critical/high findings: pss-privileged and more). */
inline std::string privilegedPod(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","namespace":"shop","uid":"uid-)" + name +
         R"("},"spec":{"containers":[{"name":"app","image":"registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","securityContext":{"privileged":true}}]}})";
}

}  // namespace kspm::watchtest
