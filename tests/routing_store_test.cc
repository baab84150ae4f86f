// Routes over the real history store (SQLite, and PostgreSQL at KSPM_TEST_POSTGRES_URL), and the
// `kspm route` command end to end.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kspm/routing.h"
#include "kspm/store.h"
#include "routing_test_support.h"
#include "store_test_backend.h"
#include "test_util.h"

namespace kspm::routing {
namespace {

using routing_test::finding;
using routing_test::Recorded;
using routing_test::RecordingServer;
using routing_test::Reply;
using testing::StoreLocation;

ScanRecord scanOf(std::vector<FindingRecord> findings, const std::string& at) {
  ScanRecord s;
  s.target = "prod";
  s.started_at = at;
  s.finished_at = at;
  s.tool_version = "0.1.0";
  s.objects = 2;
  s.findings = std::move(findings);
  return s;
}

DispatchOptions fast() {
  DispatchOptions o;
  o.retry.base_delay = std::chrono::milliseconds(10);
  o.retry.max_attempts = 2;
  o.getenv = [](const std::string& name) { return name == "JIRA_TOKEN" ? std::string("tok-123456") : std::string(); };
  return o;
}

RoutesConfig parse(const std::string& yaml) {
  std::vector<ConfigError> errors;
  RoutesConfig config = parseRoutes("routes.yaml", yaml, &errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : describeConfigError(errors[0]));
  return config;
}

std::vector<std::string> eventsIn(const Recorded& r) {
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  std::vector<std::string> out;
  for (const auto& e : doc["events"].GetArray()) {
    out.push_back(std::string(e["event"].GetString()) + " " + e["finding"]["fingerprint"].GetString());
  }
  return out;
}

class RoutingStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    location_ = std::make_unique<StoreLocation>(GetParam());
    KSPM_REQUIRE_STORE(*location_);
    auto opened = store::Store::open(location_->location());
    ASSERT_TRUE(opened.ok()) << describeInputError(opened.error());
    store_ = std::move(opened).value();
  }
  void record(const ScanRecord& scan) {
    auto r = store_->recordScan(scan);
    ASSERT_TRUE(r.ok()) << describeInputError(r.error());
  }
  std::unique_ptr<StoreLocation> location_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(RoutingStoreTest, NewResolvedReopenedAreEachDeliveredOnce) {
  RecordingServer server;
  RoutesConfig config = parse("routes:\n  - name: hook\n    type: webhook\n    url: " + server.url() + "/h\n");
  ASSERT_TRUE(registerRoutes(*store_, config).ok());
  FindingRecord a = finding("a000000000000001", "pss-privileged", Severity::kHigh, "platform");
  FindingRecord b = finding("b000000000000002", "image-latest-tag", Severity::kMedium, "shop", "api");
  record(scanOf({a, b}, "2026-11-27T06:00:00Z"));
  Result<DispatchReport> first = dispatchPending(*store_, config, fast());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first.value().routes[0].sent, 2u);
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());  // nothing more
  record(scanOf({b}, "2026-11-27T07:00:00Z"));
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());
  record(scanOf({a, b}, "2026-11-27T08:00:00Z"));
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());

  std::vector<Recorded> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(eventsIn(requests[0]), (std::vector<std::string>{"new a000000000000001", "new b000000000000002"}));
  EXPECT_EQ(eventsIn(requests[1]), (std::vector<std::string>{"resolved a000000000000001"}));
  EXPECT_EQ(eventsIn(requests[2]), (std::vector<std::string>{"reopened a000000000000001"}));
  auto status = store_->routeStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status.value().size(), 1u);
  EXPECT_EQ(status.value()[0].delivered, 4u);
  EXPECT_EQ(status.value()[0].pending, 0u);
}

TEST_P(RoutingStoreTest, OwnersSelectEventsAndFailuresStayPending) {
  RecordingServer server;
  server.setHandler([](const Recorded&, size_t) { return Reply{503, "maintenance"}; });
  RoutesConfig config = parse("routes:\n  - name: shop-hook\n    type: webhook\n    owners: [shop]\n    url: " + server.url() + "/h\n");
  ASSERT_TRUE(registerRoutes(*store_, config).ok());
  record(scanOf({finding("a000000000000001", "pss-privileged", Severity::kHigh, "platform"),
                 finding("b000000000000002", "image-latest-tag", Severity::kMedium, "shop", "api")},
                "2026-11-27T06:00:00Z"));
  Result<DispatchReport> report = dispatchPending(*store_, config, fast());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].failed, 1u);    // only the shop event
  EXPECT_EQ(report.value().routes[0].filtered, 1u);  // the platform event is settled, not pending
  ASSERT_EQ(server.requests().size(), 2u);         // tried twice (max_attempts 2)
  EXPECT_EQ(eventsIn(server.requests()[0]), (std::vector<std::string>{"new b000000000000002"}));
  auto status = store_->routeStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status.value().size(), 1u);
  EXPECT_EQ(status.value()[0].pending, 1u);
  EXPECT_EQ(status.value()[0].failing, 1u);
  EXPECT_NE(status.value()[0].last_error.find("HTTP 503"), std::string::npos) << status.value()[0].last_error;
  // Not due again yet: the next run right away sends nothing and loses nothing.
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(store_->routeStatus().value()[0].pending, 1u);
}

TEST_P(RoutingStoreTest, JiraIssueKeyIsKeptAcrossRuns) {
  RecordingServer server;
  server.setHandler([](const Recorded& r, size_t) {
    if (r.path == "/rest/api/2/issue") return Reply{201, "{\"key\":\"SEC-9\"}", "application/json"};
    if (r.method == "GET") return Reply{200, R"({"transitions":[{"id":"31","name":"Done"}]})", "application/json"};
    return Reply{204, ""};
  });
  RoutesConfig config = parse("routes:\n  - name: jira\n    type: jira\n    url: " + server.url() +
                              "\n    project: SEC\n    tokenEnv: JIRA_TOKEN\n    events: [new, resolved]\n");
  ASSERT_TRUE(registerRoutes(*store_, config).ok());
  FindingRecord a = finding("a000000000000001", "pss-privileged", Severity::kHigh, "platform");
  record(scanOf({a}, "2026-11-27T06:00:00Z"));
  ASSERT_TRUE(dispatchPending(*store_, config, fast()).ok());
  auto ref = store_->externalRef("jira", "prod", "a000000000000001");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref.value(), "SEC-9");
  record(scanOf({}, "2026-11-27T07:00:00Z"));
  record(scanOf({a}, "2026-11-27T08:00:00Z"));  // reopened: filtered out on this route
  record(scanOf({}, "2026-11-27T09:00:00Z"));   // resolved again
  server.clear();
  Result<DispatchReport> report = dispatchPending(*store_, config, fast());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().routes[0].filtered, 1u);
  EXPECT_EQ(report.value().routes[0].sent, 2u);
  // Both resolutions comment on the same issue: the filtered reopen did not lose its key.
  size_t comments = 0;
  for (const Recorded& r : server.requests()) comments += r.path == "/rest/api/2/issue/SEC-9/comment";
  EXPECT_EQ(comments, 2u);
  EXPECT_EQ(store_->externalRef("jira", "prod", "a000000000000001").value(), "SEC-9");
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutingStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(RoutingCli, RouteDeliversReportsFailuresAndStatus) {
  testing::TempDir dir;
  std::string db = dir.path("history.db");
  RecordingServer server;
  bool fail = false;
  server.setHandler([&fail](const Recorded&, size_t) { return fail ? Reply{500, "down"} : Reply{}; });
  std::string routes = dir.write("routes.yaml", "routes:\n  - name: hook\n    type: webhook\n    url: " + server.url() +
                                                    "/h\n    secretEnv: KSPM_TEST_HOOK_KEY\n");
  std::string route = testing::kspm() + " route --db '" + db + "' --routes '" + routes + "'";
  std::string env = "KSPM_TEST_HOOK_KEY=hook-secret-value ";

  // The first run registers the route (nothing recorded yet, nothing sent).
  testing::CommandResult registered = testing::run(env + route + " -o json");
  ASSERT_EQ(registered.exit_code, 0) << registered.out;
  {
    auto opened = store::Store::open(db);
    ASSERT_TRUE(opened.ok());
    ASSERT_TRUE(opened.value()->recordScan(scanOf({finding("a000000000000001", "pss-privileged", Severity::kHigh, "platform"),
                                                   finding("b000000000000002", "image-latest-tag", Severity::kLow, "shop")},
                                                  "2026-11-27T06:00:00Z"))
                    .ok());
  }
  testing::CommandResult sent = testing::run(env + route + " -o json");
  ASSERT_EQ(sent.exit_code, 0) << sent.out;
  rapidjson::Document doc;
  doc.Parse(sent.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << sent.out;
  EXPECT_EQ(doc["routes"][0]["sent"].GetUint64(), 2u);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].header("X-Kspm-Signature").substr(0, 7), "sha256=");

  fail = true;
  {
    auto opened = store::Store::open(db);
    ASSERT_TRUE(opened.ok());
    ASSERT_TRUE(opened.value()->recordScan(scanOf({}, "2026-11-27T07:00:00Z")).ok());
  }
  testing::CommandResult failed = testing::run(env + route + " 2>&1");
  EXPECT_EQ(failed.exit_code, 3) << failed.out;
  EXPECT_NE(failed.out.find("HTTP 500"), std::string::npos) << failed.out;
  EXPECT_EQ(failed.out.find("hook-secret-value"), std::string::npos);

  testing::CommandResult status = testing::run(testing::kspm() + " route --status --db '" + db + "' -o json");
  ASSERT_EQ(status.exit_code, 0) << status.out;
  rapidjson::Document st;
  st.Parse(status.out.c_str());
  ASSERT_FALSE(st.HasParseError()) << status.out;
  EXPECT_EQ(st["routes"][0]["delivered"].GetUint64(), 2u);
  EXPECT_EQ(st["routes"][0]["pending"].GetUint64(), 2u);
  EXPECT_EQ(st["routes"][0]["failing"].GetUint64(), 2u);

}

TEST(RoutingCli, ScanRecordThenRouteEndToEnd) {
  testing::TempDir dir;
  std::string db = dir.path("history.db");
  RecordingServer server;
  std::string routes = dir.write("routes.yaml", "routes:\n  - name: hook\n    type: webhook\n    url: " + server.url() +
                                                    "/h\n    events: [new, resolved]\n    minSeverity: high\n");
  std::string manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n"
                         "    - name: web\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n";
  dir.write("k8s/pod.yaml", manifest);
  std::string route = testing::kspm() + " route --db '" + db + "' --routes '" + routes + "' -o json";
  std::string scan = "cd '" + dir.path() + "' && " + testing::kspm() + " scan --record --db '" + db + "' --target shop -o json k8s/ > /dev/null";
  ASSERT_EQ(testing::run(route).exit_code, 0);  // registers the route
  ASSERT_EQ(testing::run(scan).exit_code, 1);   // findings at or above high
  testing::CommandResult first = testing::run(route);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  ASSERT_EQ(server.requests().size(), 1u) << first.out;
  bool privileged_new = false;
  std::string privileged_fp;
  rapidjson::Document body;
  body.Parse(server.requests()[0].body.c_str());
  for (const auto& e : body["events"].GetArray()) {
    EXPECT_STREQ(e["event"].GetString(), "new");
    EXPECT_STREQ(e["target"].GetString(), "shop");
    std::string severity = e["finding"]["severity"].GetString();
    EXPECT_TRUE(severity == "high" || severity == "critical") << severity;
    if (std::string(e["finding"]["checkId"].GetString()) == "pss-privileged") {
      privileged_new = true;
      privileged_fp = e["finding"]["fingerprint"].GetString();
    }
  }
  EXPECT_TRUE(privileged_new);

  // The fix: privileged goes; its resolution is delivered once.
  size_t cut = manifest.find("      securityContext:");
  dir.write("k8s/pod.yaml", manifest.substr(0, cut));
  testing::run(scan);
  server.clear();
  testing::CommandResult second = testing::run(route);
  ASSERT_EQ(second.exit_code, 0) << second.out;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(eventsIn(server.requests()[0]), (std::vector<std::string>{"resolved " + privileged_fp}));
  server.clear();
  ASSERT_EQ(testing::run(route).exit_code, 0);
  EXPECT_TRUE(server.requests().empty());
}

TEST(RoutingCli, ScanRecordWithRoutesDeliversTheFirstScanOnce) {
  testing::TempDir dir;
  std::string db = dir.path("history.db");
  RecordingServer server;
  std::string routes = dir.write("routes.yaml", "routes:\n  - name: hook\n    type: webhook\n    url: " + server.url() +
                                                    "/h\n    minSeverity: critical\n");
  dir.write("k8s/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n"
            "    - name: web\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n");
  std::string scan = "cd '" + dir.path() + "' && " + testing::kspm() + " scan --record --routes '" + routes + "' --db '" + db +
                     "' --target shop -o json k8s/ 2>&1 >/dev/null";
  // No `kspm route` before: the scan registers the route before recording, so its first events go.
  testing::CommandResult first = testing::run(scan);
  EXPECT_EQ(first.exit_code, 1) << first.out;  // critical findings; delivery succeeded
  EXPECT_NE(first.out.find("route hook: "), std::string::npos) << first.out;
  ASSERT_EQ(server.requests().size(), 1u) << first.out;
  rapidjson::Document body;
  body.Parse(server.requests()[0].body.c_str());
  ASSERT_TRUE(body.HasMember("events"));
  ASSERT_GE(body["events"].Size(), 1u);
  for (const auto& e : body["events"].GetArray()) EXPECT_STREQ(e["finding"]["severity"].GetString(), "critical");
  // The same scan again: nothing new, nothing sent.
  server.clear();
  testing::CommandResult again = testing::run(scan);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_TRUE(server.requests().empty());
  // A route that cannot deliver: the scan exits 3 and the events stay pending for `kspm route`.
  std::string down = dir.write("down.yaml", "routes:\n  - name: down\n    type: webhook\n    url: http://127.0.0.1:1/h\n");
  dir.write("k8s/pod2.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  hostPID: true\n"
                             "  containers:\n    - name: api\n      image: nginx:1.25\n");
  testing::CommandResult failed = testing::run("cd '" + dir.path() + "' && " + testing::kspm() + " scan --record --routes '" + down +
                                               "' --db '" + db + "' --target shop -o json k8s/ 2>&1 >/dev/null");
  EXPECT_EQ(failed.exit_code, 3) << failed.out;
  // --routes without --record is a usage error.
  EXPECT_EQ(testing::run(testing::kspm() + " scan --routes '" + routes + "' '" + dir.path("k8s") + "' >/dev/null 2>&1").exit_code, 2);
}

TEST(RoutingCli, HelpAndUsageErrors) {
  for (std::string verb : {"route", "comment-pr"}) {
    testing::CommandResult help = testing::run(testing::kspm() + " " + verb + " --help");
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_NE(help.out.find("Usage: kspm " + verb), std::string::npos) << verb;
  }
  EXPECT_NE(testing::run(testing::kspm() + " --help").out.find("comment-pr"), std::string::npos);
  EXPECT_EQ(testing::run(testing::kspm() + " route 2>/dev/null").exit_code, 2);  // no --routes
  EXPECT_EQ(testing::run(testing::kspm() + " route --status --dry-run 2>/dev/null").exit_code, 2);
  EXPECT_EQ(testing::run(testing::kspm() + " route --routes x --max-events 0 2>/dev/null").exit_code, 2);
  EXPECT_EQ(testing::run(testing::kspm() + " route --routes x -o xml 2>/dev/null").exit_code, 2);
  EXPECT_EQ(testing::run(testing::kspm() + " comment-pr --sarif x --repo bad --pr 1 2>/dev/null").exit_code, 2);
  EXPECT_EQ(testing::run(testing::kspm() + " comment-pr --sarif x --repo o/r --pr zero 2>/dev/null").exit_code, 2);
}

TEST(RoutingCli, CheckReportsRoutesFileErrorsWithLines) {
  testing::TempDir dir;
  std::string bad = dir.write("routes.yaml", "routes:\n  - name: s\n    type: slack\n    url: https://hooks.slack.com/services/T/B/SECRETSECRET\n");
  testing::CommandResult r = testing::run(testing::kspm() + " route --check --routes '" + bad + "' 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("routes.yaml:4: routes.s.url: secrets are not written"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("SECRETSECRET"), std::string::npos) << r.out;
  std::string good = dir.write("good.yaml", "routes:\n  - name: s\n    type: slack\n    webhookUrlEnv: X\n");
  testing::CommandResult ok = testing::run(testing::kspm() + " route --check --routes '" + good + "'");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("1 route, no errors"), std::string::npos) << ok.out;
}

}  // namespace
}  // namespace kspm::routing
