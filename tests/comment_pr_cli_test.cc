// `kspm comment-pr` end to end: a real SARIF report from `kspm scan -o sarif`, a recording GitHub.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <mutex>
#include <set>

#include "routing_test_support.h"
#include "test_util.h"

namespace kspm {
namespace {

using routing_test::Recorded;
using routing_test::RecordingServer;
using routing_test::Reply;
using testing::kspm;
using testing::run;
using testing::TempDir;

constexpr const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
)";

std::string addedFilePatch(const std::string& text) {
  size_t lines = 0;
  std::string body;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    body += "+" + text.substr(start, end - start) + "\n";
    ++lines;
    start = end + 1;
  }
  return "@@ -0,0 +1," + std::to_string(lines) + " @@\n" + body;
}

std::string jsonString(const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s);
  return buf.GetString();
}

TEST(CommentPrCli, PostsReviewFromRealSarifOnceOnly) {
  TempDir dir;
  dir.write("k8s/web.yaml", kManifest);
  testing::CommandResult scan = run("cd '" + dir.path() + "' && " + kspm() + " scan -o sarif k8s/ > kspm.sarif");
  ASSERT_EQ(scan.exit_code, 1);  // findings at or above high
  rapidjson::Document sarif;
  std::string sarif_text = dir.read("kspm.sarif");
  sarif.Parse(sarif_text.c_str());
  ASSERT_FALSE(sarif.HasParseError());
  std::set<std::string> fingerprints;
  for (const auto& r : sarif["runs"][0]["results"].GetArray()) {
    if (!r.HasMember("suppressions")) fingerprints.insert(r["partialFingerprints"]["kspmFingerprint/v1"].GetString());
  }
  ASSERT_GE(fingerprints.size(), 2u);

  std::mutex mu;
  std::string existing = "[]";
  RecordingServer server;
  const std::string patch = addedFilePatch(kManifest);
  server.setHandler([&](const Recorded& r, size_t) {
    if (r.path == "/repos/org/app/pulls/3/files") {
      return Reply{200, "[{\"filename\":\"k8s/web.yaml\",\"status\":\"added\",\"patch\":" + jsonString(patch) + "}]", "application/json"};
    }
    if (r.path == "/repos/org/app/pulls/3/comments") {
      std::lock_guard<std::mutex> lock(mu);
      return Reply{200, existing, "application/json"};
    }
    if (r.path == "/repos/org/app/pulls/3/reviews" && r.method == "POST") return Reply{200, "{\"id\":1}", "application/json"};
    return Reply{404, "{}"};
  });

  std::string command = "cd '" + dir.path() + "' && KSPM_GH_TOKEN=tok-SECRET-42 " + kspm() +
                        " comment-pr --sarif kspm.sarif --repo org/app --pr 3 --api-url " + server.url() +
                        " --token-env KSPM_GH_TOKEN --commit abc123 -o json 2>&1";
  testing::CommandResult first = run(command);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_EQ(first.out.find("tok-SECRET-42"), std::string::npos);
  rapidjson::Document out;
  out.Parse(first.out.c_str());
  ASSERT_FALSE(out.HasParseError()) << first.out;
  EXPECT_TRUE(out["reviewPosted"].GetBool());
  EXPECT_EQ(out["posted"].GetUint64(), fingerprints.size());

  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer tok-SECRET-42");
  rapidjson::Document review;
  review.Parse(requests[2].body.c_str());
  ASSERT_FALSE(review.HasParseError());
  EXPECT_STREQ(review["event"].GetString(), "COMMENT");
  EXPECT_STREQ(review["commit_id"].GetString(), "abc123");
  ASSERT_EQ(review["comments"].Size(), fingerprints.size());
  std::string existing_json = "[";
  for (const auto& c : review["comments"].GetArray()) {
    EXPECT_STREQ(c["path"].GetString(), "k8s/web.yaml");
    EXPECT_STREQ(c["side"].GetString(), "RIGHT");
    EXPECT_GE(c["line"].GetUint(), 1u);
    EXPECT_LE(c["line"].GetUint(), 17u);
    std::string body = c["body"].GetString();
    size_t at = body.find("<!-- kspm:");
    ASSERT_NE(at, std::string::npos) << body;
    EXPECT_TRUE(fingerprints.count(body.substr(at + 10, 16))) << body;
    existing_json += std::string(existing_json.size() > 1 ? "," : "") + "{\"body\":" + jsonString(body) + "}";
  }
  existing_json += "]";

  // The comments are on the pull request now: a second run posts nothing.
  {
    std::lock_guard<std::mutex> lock(mu);
    existing = existing_json;
  }
  server.clear();
  testing::CommandResult second = run(command);
  ASSERT_EQ(second.exit_code, 0) << second.out;
  rapidjson::Document again;
  again.Parse(second.out.c_str());
  ASSERT_FALSE(again.HasParseError()) << second.out;
  EXPECT_FALSE(again["reviewPosted"].GetBool());
  EXPECT_EQ(again["alreadyPosted"].GetUint64(), fingerprints.size());
  for (const Recorded& r : server.requests()) EXPECT_EQ(r.method, "GET");
}

TEST(CommentPrCli, TokenIsNeverTakenOnTheCommandLine) {
  testing::CommandResult r = run(kspm() + " comment-pr --sarif x --repo o/r --pr 1 --token abc 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--token-env"), std::string::npos) << r.out;
  testing::CommandResult missing = run("env -u KSPM_NO_SUCH_TOKEN " + kspm() +
                                       " comment-pr --sarif x --repo o/r --pr 1 --token-env KSPM_NO_SUCH_TOKEN 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("KSPM_NO_SUCH_TOKEN"), std::string::npos) << missing.out;
}

TEST(CommentPrCli, ApiFailureExitsThree) {
  TempDir dir;
  dir.write("r.sarif", R"({"runs":[{"results":[{"ruleId":"x","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.yaml"},"region":{"startLine":1}}}]}]}]})");
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{403, "{\"message\":\"Resource not accessible\"}"}; });
  testing::CommandResult r = run("GITHUB_TOKEN=t0k-abcdef " + kspm() + " comment-pr --sarif '" + dir.path("r.sarif") +
                                 "' --repo o/r --pr 1 --api-url " + server.url() + " 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("HTTP 403"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("t0k-abcdef"), std::string::npos) << r.out;
}

TEST(CommentPrCli, GithubRouteGivesApiRepoAndTokenFile) {
  TempDir dir;
  dir.write("r.sarif", R"({"runs":[{"results":[]}]})");
  std::string token_file = dir.write("gh-token", "tok-from-file-77\n");
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{200, "[]", "application/json"}; });
  std::string routes = dir.write("routes.yaml", "routes:\n  - name: gh\n    type: github\n    url: " + server.url() +
                                                    "/api/v3\n    repo: org/app\n    tokenFile: " + token_file + "\n");
  testing::CommandResult r = run("env -u GITHUB_TOKEN " + kspm() + " comment-pr --sarif '" + dir.path("r.sarif") +
                                 "' --pr 5 --routes '" + routes + "' --route gh 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("tok-from-file-77"), std::string::npos) << r.out;
  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // files and comments; nothing to post
  EXPECT_EQ(requests[0].path, "/api/v3/repos/org/app/pulls/5/files");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer tok-from-file-77");
}

}  // namespace
}  // namespace kspm
