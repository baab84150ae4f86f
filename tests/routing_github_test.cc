// GitHub pull request review comments: diff lines, pagination, markers, the review request.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kspm/routing.h"
#include "routing_test_support.h"

namespace kspm::routing {
namespace {

using routing_test::Recorded;
using routing_test::RecordingServer;
using routing_test::Reply;

TEST(RoutingGithub, AddedLinesFollowHunks) {
  const char* patch =
      "@@ -1,3 +1,4 @@\n"
      " apiVersion: v1\n"
      "-kind: Pod\n"
      "+kind: Pod # changed\n"
      "+metadata: {}\n"
      " spec: {}\n"
      "@@ -20,2 +21,3 @@ section\n"
      " a\n"
      "+b\n"
      " c\n"
      "\\ No newline at end of file";
  EXPECT_EQ(addedLines(patch), (std::vector<uint32_t>{2, 3, 22}));
  EXPECT_EQ(addedLines("@@ -0,0 +1 @@\n+only\n"), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(addedLines("").empty());
  EXPECT_TRUE(addedLines("garbage\n+not in a hunk\n").empty());
}

std::string sarif() {
  return R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"kspm","rules":[
    {"id":"pss-privileged","properties":{"security-severity":"8.0"}},
    {"id":"image-latest-tag","properties":{"security-severity":"5.5"}}]}},
  "results":[
    {"ruleId":"pss-privileged","ruleIndex":0,"level":"error","message":{"text":"Deployment shop/web: privileged <true>"},
     "locations":[{"physicalLocation":{"artifactLocation":{"uri":"build/k8s/web.yaml"},"region":{"startLine":12}}}],
     "partialFingerprints":{"kspmFingerprint/v1":"aaaa111122223333"}},
    {"ruleId":"image-latest-tag","ruleIndex":1,"level":"warning","message":{"text":"Deployment shop/web: latest"},
     "locations":[{"physicalLocation":{"artifactLocation":{"uri":"build/k8s/web.yaml"},"region":{"startLine":14}}}],
     "partialFingerprints":{"kspmFingerprint/v1":"bbbb111122223333"}},
    {"ruleId":"image-latest-tag","ruleIndex":1,"level":"warning","message":{"text":"Deployment shop/old: latest"},
     "locations":[{"physicalLocation":{"artifactLocation":{"uri":"build/k8s/old.yaml"},"region":{"startLine":3}}}],
     "partialFingerprints":{"kspmFingerprint/v1":"cccc111122223333"}},
    {"ruleId":"pss-privileged","ruleIndex":0,"level":"error","message":{"text":"Deployment shop/api: privileged"},
     "locations":[{"physicalLocation":{"artifactLocation":{"uri":"build/k8s/api%20v2.yaml"},"region":{"startLine":5}}}],
     "partialFingerprints":{"kspmFingerprint/v1":"dddd111122223333"}},
    {"ruleId":"pss-privileged","ruleIndex":0,"level":"error","message":{"text":"suppressed one"},
     "locations":[{"physicalLocation":{"artifactLocation":{"uri":"build/k8s/web.yaml"},"region":{"startLine":12}}}],
     "partialFingerprints":{"kspmFingerprint/v1":"eeee111122223333"},"suppressions":[{"kind":"inSource"}]}
  ]}]})";
}

/** A pull request whose files come in two pages and with one kspm comment already on it. */
struct FakeGithub {
  RecordingServer server;
  std::string existing_marker = "aaaa111122223333";
  FakeGithub() {
    server.setHandler([this](const Recorded& r, size_t) {
      const std::string pr = "/api/v3/repos/org/app/pulls/7";
      if (r.method == "GET" && r.path == pr + "/files") {
        if (r.query.find("page=2") != std::string::npos) {
          return Reply{200, R"([{"filename":"k8s/api v2.yaml","patch":"@@ -1,2 +1,6 @@\n a\n+b\n+c\n+d\n+e\n b"}])", "application/json"};
        }
        return Reply{200, R"([{"filename":"k8s/web.yaml","patch":"@@ -10,3 +10,5 @@\n x\n y\n+privileged: true\n z\n+image: nginx:latest\n"},{"filename":"k8s/binary.png"}])",
                     "application/json",
                     {{"Link", "<" + server.url() + pr + "/files?per_page=100&page=2>; rel=\"next\", <" + server.url() + pr + "/files?per_page=100&page=2>; rel=\"last\""}}};
      }
      if (r.method == "GET" && r.path == pr + "/comments") {
        return Reply{200, "[{\"id\":1,\"body\":\"old\\n<!-- kspm:" + existing_marker + " -->\"}]", "application/json"};
      }
      if (r.method == "POST" && r.path == pr + "/reviews") return Reply{200, "{\"id\":99}", "application/json"};
      return Reply{404, "{}"};
    });
  }
};

PullRequestOptions options(const std::string& url) {
  PullRequestOptions o;
  o.api_url = url + "/api/v3";
  o.repo = "org/app";
  o.pr = 7;
  o.token = "ghp_secretTOKEN123";
  o.commit = "0123456789abcdef0123456789abcdef01234567";
  o.path_prefix = "build/";
  o.retry.base_delay = std::chrono::milliseconds(10);
  return o;
}

TEST(RoutingGithub, PostsOneReviewWithCommentsOnChangedLinesOnly) {
  FakeGithub github;
  Result<PullRequestReport> report = commentOnPullRequest("kspm.sarif", sarif(), options(github.server.url()));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report.value().results, 4u);  // the suppressed one is not a result to comment on
  EXPECT_EQ(report.value().already_posted, 1u);
  EXPECT_EQ(report.value().outside_diff, 1u);
  EXPECT_EQ(report.value().posted, 2u);
  EXPECT_TRUE(report.value().review_posted);

  std::vector<Recorded> requests = github.server.requests();
  ASSERT_EQ(requests.size(), 4u);  // files (2 pages), comments, review
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer ghp_secretTOKEN123");
  EXPECT_EQ(requests[0].header("Accept"), "application/vnd.github+json");
  const Recorded& review = requests[3];
  EXPECT_EQ(review.method, "POST");
  EXPECT_EQ(review.path, "/api/v3/repos/org/app/pulls/7/reviews");
  rapidjson::Document doc;
  doc.Parse(review.body.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["event"].GetString(), "COMMENT");
  EXPECT_STREQ(doc["commit_id"].GetString(), "0123456789abcdef0123456789abcdef01234567");
  ASSERT_EQ(doc["comments"].Size(), 2u);
  // Sorted by severity: the privileged one (high) on api v2.yaml first.
  EXPECT_STREQ(doc["comments"][0]["path"].GetString(), "k8s/api v2.yaml");
  EXPECT_EQ(doc["comments"][0]["line"].GetUint(), 5u);
  EXPECT_STREQ(doc["comments"][0]["side"].GetString(), "RIGHT");
  std::string first = doc["comments"][0]["body"].GetString();
  EXPECT_NE(first.find("<!-- kspm:dddd111122223333 -->"), std::string::npos) << first;
  EXPECT_NE(first.find("`pss-privileged` (high)"), std::string::npos) << first;
  EXPECT_STREQ(doc["comments"][1]["path"].GetString(), "k8s/web.yaml");
  EXPECT_EQ(doc["comments"][1]["line"].GetUint(), 14u);
  std::string body = doc["body"].GetString();
  EXPECT_NE(body.find("1 finding on lines this pull request does not change"), std::string::npos) << body;
  EXPECT_NE(body.find("k8s/old.yaml:3"), std::string::npos) << body;
}

TEST(RoutingGithub, NothingNewMeansNoReview) {
  FakeGithub github;
  PullRequestOptions o = options(github.server.url());
  o.max_comments = 1;
  Result<PullRequestReport> report = commentOnPullRequest("kspm.sarif", sarif(), o);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().posted, 1u);
  EXPECT_EQ(report.value().over_limit, 1u);

  // Every result on a changed line already carries its marker: no review at all.
  github.server.setHandler([](const Recorded& r, size_t) {
    if (r.path.ends_with("/files")) {
      return Reply{200, R"([{"filename":"k8s/web.yaml","patch":"@@ -10,3 +10,5 @@\n x\n y\n+privileged: true\n z\n+image: nginx:latest\n"}])", "application/json"};
    }
    if (r.path.ends_with("/comments")) {
      return Reply{200, R"([{"body":"<!-- kspm:aaaa111122223333 -->"},{"body":"x <!-- kspm:bbbb111122223333 -->"}])", "application/json"};
    }
    return Reply{500, "must not be called"};
  });
  github.server.clear();
  Result<PullRequestReport> again = commentOnPullRequest("kspm.sarif", sarif(), o);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value().review_posted);
  EXPECT_EQ(again.value().already_posted, 2u);
  for (const Recorded& r : github.server.requests()) EXPECT_EQ(r.method, "GET");
}

TEST(RoutingGithub, ApiFailureIsAnErrorWithoutTheToken) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{401, "{\"message\":\"Bad credentials ghp_secretTOKEN123\"}"}; });
  Result<PullRequestReport> report = commentOnPullRequest("kspm.sarif", sarif(), options(server.url()));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kDelivery);
  EXPECT_NE(report.error().message.find("HTTP 401"), std::string::npos) << report.error().message;
  EXPECT_EQ(report.error().message.find("ghp_secretTOKEN123"), std::string::npos) << report.error().message;
  EXPECT_EQ(server.requests().size(), 1u);  // 401 is not retried
}

TEST(RoutingGithub, BadSarifIsAUsageError) {
  Result<PullRequestReport> report = commentOnPullRequest("x.sarif", "{\"not\":\"sarif\"}", options("http://127.0.0.1:1"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kUsage);
  EXPECT_EQ(report.error().file, "x.sarif");
}

}  // namespace
}  // namespace kspm::routing
