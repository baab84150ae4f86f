// The dispatcher against recording HTTP servers: payloads, retries, dedupe, secrets.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fixture_apiserver/tls.h"
#include "kspm/routing.h"
#include "routing_test_support.h"
#include "test_util.h"

namespace kspm::routing {
namespace {

using routing_test::FakeOutbox;
using routing_test::finding;
using routing_test::Recorded;
using routing_test::RecordingServer;
using routing_test::Reply;

DispatchOptions fastOptions(std::map<std::string, std::string> env = {}) {
  DispatchOptions o;
  o.retry.base_delay = std::chrono::milliseconds(10);
  o.retry.max_delay = std::chrono::milliseconds(2000);
  o.retry.route_budget = std::chrono::milliseconds(5000);
  o.retry.request_timeout = std::chrono::milliseconds(400);
  o.retry.connect_timeout = std::chrono::milliseconds(400);
  o.slack_interval = std::chrono::milliseconds(20);
  o.getenv = [env](const std::string& name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  return o;
}

RoutesConfig routes(const std::string& yaml) {
  std::vector<ConfigError> errors;
  RoutesConfig config = parseRoutes("routes.yaml", yaml, &errors);
  for (const ConfigError& e : errors) ADD_FAILURE() << describeConfigError(e);
  return config;
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

std::string hmacHex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &n);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

std::string webhookRoutes(const std::string& url, const std::string& extra = "") {
  return "routes:\n  - name: hook\n    type: webhook\n    url: " + url + "/hook\n" + extra;
}

TEST(RoutingWebhook, PostsSignedBatchWithHeadersAndSendsNothingTwice) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url(), "    secretEnv: HOOK_KEY\n    headersFromEnv:\n      X-Api-Key: HOOK_API_KEY\n"));
  ASSERT_TRUE(store.registerRoute("hook").ok());
  store.addEvent(Lifecycle::kNew, finding("aaaa000000000001", "pss-privileged", Severity::kHigh, "platform"));
  store.addEvent(Lifecycle::kResolved, finding("aaaa000000000002", "image-latest-tag", Severity::kMedium, "shop"));
  DispatchOptions options = fastOptions({{"HOOK_KEY", "hmac-key-123"}, {"HOOK_API_KEY", "api-key-456"}});

  Result<DispatchReport> report = dispatchPending(store, config, options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report.value().routes.size(), 1u);
  EXPECT_EQ(report.value().routes[0].sent, 2u);
  EXPECT_EQ(report.value().routes[0].failed, 0u);
  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const Recorded& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(r.header("X-Kspm-Signature"), "sha256=" + hmacHex("hmac-key-123", r.body));
  EXPECT_EQ(r.header("X-Api-Key"), "api-key-456");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  rapidjson::Document doc = json(r.body);
  EXPECT_EQ(doc["schemaVersion"].GetInt(), 1);
  EXPECT_STREQ(doc["route"].GetString(), "hook");
  ASSERT_EQ(doc["events"].Size(), 2u);
  EXPECT_STREQ(doc["events"][0]["event"].GetString(), "new");
  EXPECT_STREQ(doc["events"][0]["finding"]["fingerprint"].GetString(), "aaaa000000000001");
  EXPECT_STREQ(doc["events"][0]["finding"]["checkId"].GetString(), "pss-privileged");
  EXPECT_STREQ(doc["events"][0]["finding"]["severity"].GetString(), "high");
  EXPECT_STREQ(doc["events"][0]["finding"]["owner"].GetString(), "platform");
  EXPECT_STREQ(doc["events"][0]["finding"]["object"]["kind"].GetString(), "Deployment");
  EXPECT_STREQ(doc["events"][1]["event"].GetString(), "resolved");
  EXPECT_TRUE(store.delivery("hook", 1).delivered);
  EXPECT_TRUE(store.delivery("hook", 2).delivered);

  // Nothing pending: the second run sends nothing.
  Result<DispatchReport> again = dispatchPending(store, config, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().routes[0].sent, 0u);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_FALSE(store.double_delivered);
}

TEST(RoutingWebhook, ServerErrorThenSuccessDeliversOnce) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t i) { return i == 0 ? Reply{500, "boom"} : Reply{}; });
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("bbbb000000000001", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u);
  EXPECT_EQ(report.value().routes[0].requests, 2u);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].body, server.requests()[1].body);  // the same batch, retried
  EXPECT_TRUE(store.delivery("hook", 1).delivered);
  EXPECT_EQ(store.delivery("hook", 1).attempts, 0u);
  ASSERT_TRUE(dispatchPending(store, config, fastOptions()).ok());
  EXPECT_EQ(server.requests().size(), 2u);  // no duplicate
}

TEST(RoutingWebhook, HonoursRetryAfterOn429) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t i) {
    Reply r;
    if (i == 0) r = Reply{429, "slow down", "text/plain", {{"Retry-After", "1"}}};
    return r;
  });
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("cccc000000000001", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u);
  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  // The retry waited at least the second the server asked for (base backoff is 10 ms).
  EXPECT_GE(requests[1].at - requests[0].at, std::chrono::milliseconds(950));
}

TEST(RoutingWebhook, RetryAfterBeyondTheRunIsLeftToTheNextRun) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{429, "later", "text/plain", {{"Retry-After", "3600"}}}; });
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("cccc000000000002", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].failed, 1u);
  EXPECT_EQ(server.requests().size(), 1u);  // not retried within the run
  EXPECT_FALSE(store.delivery("hook", 1).delivered);
  EXPECT_GE(store.delivery("hook", 1).last_retry_after, 3600);
  EXPECT_FALSE(report.value().ok());
}

TEST(RoutingWebhook, TimeoutIsRetriedThenLeftPending) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{200, "late", "text/plain", {}, 1500}; });
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("dddd000000000001", "pss-privileged", Severity::kHigh, "platform"));
  DispatchOptions options = fastOptions();
  options.retry.max_attempts = 2;
  Result<DispatchReport> report = dispatchPending(store, config, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 0u);
  EXPECT_EQ(report.value().routes[0].failed, 1u);
  EXPECT_EQ(report.value().routes[0].requests, 2u);
  EXPECT_NE(report.value().routes[0].last_error.find("timeout"), std::string::npos) << report.value().routes[0].last_error;
  EXPECT_FALSE(store.delivery("hook", 1).delivered);
  EXPECT_EQ(store.delivery("hook", 1).attempts, 1u);
}

TEST(RoutingWebhook, PermanentClientErrorFailsWithoutRetryAndStaysPending) {
  RecordingServer server;
  bool accept = false;
  server.setHandler([&accept](const Recorded&, size_t) { return accept ? Reply{} : Reply{400, "bad request"}; });
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("eeee000000000001", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].failed, 1u);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(report.value().routes[0].last_error.find("HTTP 400"), std::string::npos);
  EXPECT_GE(store.delivery("hook", 1).last_retry_after, 60);

  // Not due yet: the next run right away sends nothing; once due, it is delivered.
  ASSERT_TRUE(dispatchPending(store, config, fastOptions()).ok());
  EXPECT_EQ(server.requests().size(), 1u);
  store.now += 3600;
  accept = true;
  Result<DispatchReport> later = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later.value().routes[0].sent, 1u);
  EXPECT_TRUE(store.delivery("hook", 1).delivered);
}

TEST(RoutingWebhook, TlsWithPrivateCa) {
  testing::TempDir dir;
  ASSERT_EQ(kspm_fixture::writeCertificates(dir.path()), "");
  httplib::SSLServer tls(dir.path("server.crt").c_str(), dir.path("server.key").c_str());
  ASSERT_TRUE(tls.is_valid());
  RecordingServer server(&tls);
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url("https"), "    caFile: " + dir.path("ca.crt") + "\n"));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("ffff000000000001", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u) << report.value().routes[0].last_error;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(RoutingFilters, EventsAndMinSeverityAreMarkedFilteredNotSent) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url(), "    events: [new]\n    minSeverity: high\n"));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("1000000000000001", "pss-privileged", Severity::kCritical, "platform"));
  store.addEvent(Lifecycle::kNew, finding("1000000000000002", "image-latest-tag", Severity::kMedium, "platform"));
  store.addEvent(Lifecycle::kResolved, finding("1000000000000003", "pss-privileged", Severity::kHigh, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u);
  EXPECT_EQ(report.value().routes[0].filtered, 2u);
  EXPECT_EQ(store.delivery("hook", 2).ref, "filtered");
  EXPECT_EQ(store.delivery("hook", 3).ref, "filtered");
  rapidjson::Document doc = json(server.requests().at(0).body);
  ASSERT_EQ(doc["events"].Size(), 1u);
  EXPECT_STREQ(doc["events"][0]["finding"]["fingerprint"].GetString(), "1000000000000001");
}

TEST(RoutingFilters, DryRunSendsAndMarksNothing) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url()));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("1100000000000001", "pss-privileged", Severity::kCritical, "platform"));
  DispatchOptions options = fastOptions();
  options.dry_run = true;
  Result<DispatchReport> report = dispatchPending(store, config, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(store.delivery("hook", 1).delivered);
}

TEST(RoutingSecrets, MissingVariableFailsTheRouteWithoutSending) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(webhookRoutes(server.url(), "    secretEnv: NOT_SET_ANYWHERE\n"));
  store.registerRoute("hook");
  store.addEvent(Lifecycle::kNew, finding("1200000000000001", "pss-privileged", Severity::kCritical, "platform"));
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].failed, 1u);
  EXPECT_NE(report.value().routes[0].last_error.find("NOT_SET_ANYWHERE"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(store.delivery("hook", 1).delivered);
  EXPECT_FALSE(report.value().ok());
}

// ---- Slack ----

constexpr const char* kSlackToken = "T0000/B0000/XXXXsecretXXXX";

std::string slackRoutes(const std::string& extra = "") {
  return "routes:\n  - name: slack\n    type: slack\n    webhookUrlEnv: SLACK_URL\n" + extra;
}

TEST(RoutingSlack, OneDigestPerTeamWithCountsAndEscaping) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(slackRoutes());
  store.registerRoute("slack");
  store.addEvent(Lifecycle::kNew, finding("2000000000000001", "pss-privileged", Severity::kHigh, "platform", "web",
                                          "a <script> & more"));
  store.addEvent(Lifecycle::kNew, finding("2000000000000002", "image-latest-tag", Severity::kMedium, "platform"));
  store.addEvent(Lifecycle::kResolved, finding("2000000000000003", "pss-host-network", Severity::kHigh, "platform"));
  store.addEvent(Lifecycle::kReopened, finding("2000000000000004", "pss-privileged", Severity::kCritical, "payments", "api"));
  Result<DispatchReport> report =
      dispatchPending(store, config, fastOptions({{"SLACK_URL", server.url() + "/services/" + kSlackToken}}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 4u);
  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // one per team
  std::string bodies[2];
  for (const Recorded& r : requests) {
    EXPECT_EQ(r.path, std::string("/services/") + kSlackToken);
    rapidjson::Document doc = json(r.body);
    ASSERT_TRUE(doc["blocks"].IsArray());
    std::string all = doc["text"].GetString();
    for (const auto& b : doc["blocks"].GetArray()) all += "\n" + std::string(b["text"]["text"].GetString());
    bodies[all.find("payments") != std::string::npos ? 1 : 0] = all;
  }
  EXPECT_NE(bodies[0].find("team *platform*"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[0].find("*New*: 1 high, 1 medium"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[0].find("*Resolved*: 1 high"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[0].find("a &lt;script&gt; &amp; more"), std::string::npos) << bodies[0];
  EXPECT_EQ(bodies[0].find("<script>"), std::string::npos);
  EXPECT_NE(bodies[0].find("`pss-host-network`"), std::string::npos);
  EXPECT_EQ(bodies[0].find("payments"), std::string::npos);
  EXPECT_NE(bodies[1].find("*Reopened*: 1 critical"), std::string::npos) << bodies[1];
  EXPECT_NE(bodies[1].find("Deployment shop/api"), std::string::npos) << bodies[1];
}

TEST(RoutingSlack, LargeDigestIsSplitWithinBlockLimits) {
  RecordingServer server;
  FakeOutbox store;
  RoutesConfig config = routes(slackRoutes("    topFindings: 120\n"));
  store.registerRoute("slack");
  for (int i = 0; i < 130; ++i) {
    char fp[17];
    std::snprintf(fp, sizeof fp, "30000000%08d", i);
    store.addEvent(Lifecycle::kNew, finding(fp, "pss-privileged", Severity::kHigh, "platform", "w" + std::to_string(i),
                                            std::string(900, 'x')));
  }
  Result<DispatchReport> report = dispatchPending(store, config, fastOptions({{"SLACK_URL", server.url() + "/s"}}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 130u);
  std::vector<Recorded> requests = server.requests();
  ASSERT_GE(requests.size(), 3u);
  size_t listed = 0;
  for (const Recorded& r : requests) {
    EXPECT_LE(r.body.size(), 45000u);
    rapidjson::Document doc = json(r.body);
    EXPECT_LE(doc["blocks"].Size(), 50u);
    for (const auto& b : doc["blocks"].GetArray()) listed += std::string(b["text"]["text"].GetString()).find("`pss-privileged`") != std::string::npos;
  }
  EXPECT_EQ(listed, 120u);
  EXPECT_NE(requests.back().body.find("and 10 more"), std::string::npos);
}

TEST(RoutingSlack, WebhookUrlNeverInErrors) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{500, std::string("echo ") + kSlackToken}; });
  FakeOutbox store;
  RoutesConfig config = routes(slackRoutes());
  store.registerRoute("slack");
  store.addEvent(Lifecycle::kNew, finding("4000000000000001", "pss-privileged", Severity::kHigh, "platform"));
  std::string url = server.url() + "/services/" + kSlackToken;
  DispatchOptions options = fastOptions({{"SLACK_URL", url}});
  options.retry.max_attempts = 2;
  Result<DispatchReport> report = dispatchPending(store, config, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].failed, 1u);
  const std::string& error = report.value().routes[0].last_error;
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find("XXXXsecretXXXX"), std::string::npos) << error;
  EXPECT_EQ(store.delivery("slack", 1).last_error.find("XXXXsecretXXXX"), std::string::npos);
  EXPECT_EQ(dispatchReportJson(report.value()).find("XXXXsecretXXXX"), std::string::npos);
  EXPECT_EQ(dispatchReportTable(report.value()).find("XXXXsecretXXXX"), std::string::npos);
}

// ---- Jira ----

/** A small Jira: issues, comments, transitions, and issues that can vanish. */
struct FakeJira {
  RecordingServer server;
  std::set<std::string> gone;  // issue keys that answer 404
  int next = 1;
  FakeJira() {
    server.setHandler([this](const Recorded& r, size_t) {
      if (r.method == "POST" && r.path == "/rest/api/2/issue") {
        return Reply{201, "{\"id\":\"1000" + std::to_string(next) + "\",\"key\":\"SEC-" + std::to_string(next++) + "\"}", "application/json"};
      }
      for (const std::string& key : gone) {
        if (r.path.find("/issue/" + key + "/") != std::string::npos) return Reply{404, "{\"errorMessages\":[\"Issue does not exist\"]}"};
      }
      if (r.method == "GET" && r.path.ends_with("/transitions")) {
        return Reply{200, R"({"transitions":[{"id":"11","name":"To Do","to":{"name":"To Do"}},{"id":"31","name":"Done","to":{"name":"Done"}},{"id":"41","name":"Reopen","to":{"name":"Reopened"}}]})", "application/json"};
      }
      if (r.method == "POST" && r.path.ends_with("/transitions")) return Reply{204, ""};
      if (r.method == "POST" && r.path.ends_with("/comment")) return Reply{201, "{\"id\":\"5\"}", "application/json"};
      return Reply{400, "unexpected"};
    });
  }
  std::vector<std::string> calls() {
    std::vector<std::string> out;
    for (const Recorded& r : server.requests()) out.push_back(r.method + " " + r.path + (r.method == "POST" && r.path.ends_with("/transitions") ? " " + r.body : ""));
    return out;
  }
};

std::string jiraRoutes(const std::string& url, const std::string& extra = "") {
  return "routes:\n  - name: jira\n    type: jira\n    url: " + url + "\n    project: SEC\n    issueType: Bug\n"
         "    labels: [kspm, security]\n    email: bot@example.com\n    tokenEnv: JIRA_TOKEN\n" + extra;
}

TEST(RoutingJira, CreatesIssueThenCommentsAndTransitionsOnResolveAndReopen) {
  FakeJira jira;
  FakeOutbox store;
  RoutesConfig config = routes(jiraRoutes(jira.server.url()));
  store.registerRoute("jira");
  FindingRecord f = finding("5000000000000001", "pss-privileged", Severity::kHigh, "platform");
  store.addEvent(Lifecycle::kNew, f);
  DispatchOptions options = fastOptions({{"JIRA_TOKEN", "jira-token-789"}});
  Result<DispatchReport> report = dispatchPending(store, config, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].sent, 1u) << report.value().routes[0].last_error;
  std::vector<Recorded> requests = jira.server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), "Basic Ym90QGV4YW1wbGUuY29tOmppcmEtdG9rZW4tNzg5");  // bot@example.com:jira-token-789
  rapidjson::Document doc = json(requests[0].body);
  const auto& fields = doc["fields"];
  EXPECT_STREQ(fields["project"]["key"].GetString(), "SEC");
  EXPECT_STREQ(fields["issuetype"]["name"].GetString(), "Bug");
  EXPECT_STREQ(fields["priority"]["name"].GetString(), "High");
  ASSERT_EQ(fields["labels"].Size(), 2u);
  EXPECT_STREQ(fields["labels"][1].GetString(), "security");
  std::string summary = fields["summary"].GetString();
  EXPECT_NE(summary.find("pss-privileged on Deployment shop/web"), std::string::npos) << summary;
  std::string description = fields["description"].GetString();
  EXPECT_NE(description.find("Remediation: "), std::string::npos) << description;
  EXPECT_NE(description.find("5000000000000001"), std::string::npos);
  EXPECT_EQ(store.delivery("jira", 1).ref, "SEC-1");

  store.addEvent(Lifecycle::kResolved, f);
  jira.server.clear();
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  std::vector<std::string> calls = jira.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], "POST /rest/api/2/issue/SEC-1/comment");
  EXPECT_EQ(calls[1], "GET /rest/api/2/issue/SEC-1/transitions");
  EXPECT_EQ(calls[2], "POST /rest/api/2/issue/SEC-1/transitions {\"transition\":{\"id\":\"31\"}}");
  EXPECT_TRUE(store.delivery("jira", 2).delivered);

  store.addEvent(Lifecycle::kReopened, f);
  jira.server.clear();
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  calls = jira.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], "POST /rest/api/2/issue/SEC-1/comment");
  EXPECT_EQ(calls[2], "POST /rest/api/2/issue/SEC-1/transitions {\"transition\":{\"id\":\"41\"}}");

  // Each event once: nothing more on the next run.
  jira.server.clear();
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  EXPECT_TRUE(jira.server.requests().empty());
  EXPECT_FALSE(store.double_delivered);
}

TEST(RoutingJira, ReopenedWhenTheIssueIsGoneCreatesANewOne) {
  FakeJira jira;
  FakeOutbox store;
  RoutesConfig config = routes(jiraRoutes(jira.server.url()));
  store.registerRoute("jira");
  FindingRecord f = finding("5100000000000001", "pss-privileged", Severity::kCritical, "platform");
  store.addEvent(Lifecycle::kNew, f);
  DispatchOptions options = fastOptions({{"JIRA_TOKEN", "jira-token-789"}});
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  jira.gone.insert("SEC-1");
  store.addEvent(Lifecycle::kReopened, f);
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  EXPECT_EQ(store.delivery("jira", 2).ref, "SEC-2");
  std::vector<std::string> calls = jira.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1], "POST /rest/api/2/issue/SEC-1/comment");
  EXPECT_EQ(calls[2], "POST /rest/api/2/issue");
  rapidjson::Document doc = json(jira.server.requests()[0].body);
  EXPECT_STREQ(doc["fields"]["priority"]["name"].GetString(), "Highest");
}

TEST(RoutingJira, PerObjectIssueCollectsFindingsAndClosesWhenNoneRemain) {
  FakeJira jira;
  FakeOutbox store;
  RoutesConfig config = routes(jiraRoutes(jira.server.url(), "    per: object\n    apiVersion: 2\n"));
  store.registerRoute("jira");
  FindingRecord a = finding("5200000000000001", "pss-privileged", Severity::kHigh, "platform");
  FindingRecord b = finding("5200000000000002", "image-latest-tag", Severity::kMedium, "platform");
  store.addEvent(Lifecycle::kNew, a);
  store.addEvent(Lifecycle::kNew, b);
  DispatchOptions options = fastOptions({{"JIRA_TOKEN", "jira-token-789"}});
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  std::vector<std::string> calls = jira.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], "POST /rest/api/2/issue");
  EXPECT_EQ(calls[1], "POST /rest/api/2/issue/SEC-1/comment");
  EXPECT_EQ(store.delivery("jira", 2).ref, "SEC-1");

  // a resolved while b stays: a comment, no transition.
  store.latest_findings = {store::RecordedFinding{b}};
  store.addEvent(Lifecycle::kResolved, a);
  jira.server.clear();
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  calls = jira.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], "POST /rest/api/2/issue/SEC-1/comment");

  // b resolved too: the issue is closed.
  store.latest_findings = {store::RecordedFinding{finding("5200000000000009", "other", Severity::kLow, "platform", "other-object")}};
  store.addEvent(Lifecycle::kResolved, b);
  jira.server.clear();
  ASSERT_TRUE(dispatchPending(store, config, options).ok());
  calls = jira.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2], "POST /rest/api/2/issue/SEC-1/transitions {\"transition\":{\"id\":\"31\"}}");
}

TEST(RoutingJira, ApiVersion3UsesDocumentFormatAndBearerToken) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{201, "{\"key\":\"OPS-7\"}", "application/json"}; });
  FakeOutbox store;
  RoutesConfig config = routes("routes:\n  - name: jira\n    type: jira\n    url: " + server.url() +
                               "\n    apiVersion: 3\n    project: OPS\n    tokenEnv: JIRA_PAT\n    priorities: {}\n");
  store.registerRoute("jira");
  store.addEvent(Lifecycle::kNew, finding("5300000000000001", "pss-privileged", Severity::kHigh, "platform"));
  ASSERT_TRUE(dispatchPending(store, config, fastOptions({{"JIRA_PAT", "pat-abc-123"}})).ok());
  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/rest/api/3/issue");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer pat-abc-123");
  rapidjson::Document doc = json(requests[0].body);
  EXPECT_STREQ(doc["fields"]["description"]["type"].GetString(), "doc");
  EXPECT_STREQ(doc["fields"]["description"]["content"][0]["type"].GetString(), "paragraph");
  EXPECT_FALSE(doc["fields"].HasMember("priority"));
  EXPECT_EQ(store.delivery("jira", 1).ref, "OPS-7");
}

}  // namespace
}  // namespace kspm::routing
