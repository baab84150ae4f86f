// The routes file: what it accepts, and errors with line numbers (never repeating a secret).
#include <gtest/gtest.h>

#include "kspm/routing.h"

namespace kspm::routing {
namespace {

std::vector<ConfigError> errorsOf(const std::string& yaml) {
  std::vector<ConfigError> errors;
  parseRoutes("routes.yaml", yaml, &errors);
  return errors;
}

std::string all(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += describeConfigError(e) + "\n";
  return out;
}

TEST(RoutingConfig, ReadsEveryRouteType) {
  const char* yaml = R"(routes:
  - name: platform-slack
    type: slack
    owners: [platform, unowned]
    events: [new, reopened]
    minSeverity: high
    webhookUrlEnv: SLACK_PLATFORM
    topFindings: 10
  - name: jira
    type: jira
    url: https://example.atlassian.net/
    project: SEC
    per: object
    email: bot@example.com
    tokenFile: /run/secrets/jira
    priorities: {critical: Blocker, high: Major}
    resolveTransition: Closed
    reopenTransition: [Reopen, "To Do"]
  - name: hook
    type: webhook
    urlEnv: HOOK_URL
    secretFile: /run/secrets/hook
    headersFromEnv:
      X-Api-Key: HOOK_KEY
    batchSize: 10
  - name: gh
    type: github
    url: https://github.example.com/api/v3
    repo: org/app
    tokenEnv: GH_TOKEN
)";
  std::vector<ConfigError> errors;
  RoutesConfig config = parseRoutes("routes.yaml", yaml, &errors);
  ASSERT_TRUE(errors.empty()) << all(errors);
  ASSERT_EQ(config.routes.size(), 4u);
  const Route& slack = config.routes[0];
  EXPECT_EQ(slack.type, RouteType::kSlack);
  EXPECT_EQ(slack.owners, (std::vector<std::string>{"platform", "unowned"}));
  EXPECT_TRUE(slack.events[static_cast<size_t>(Lifecycle::kNew)]);
  EXPECT_FALSE(slack.events[static_cast<size_t>(Lifecycle::kResolved)]);
  EXPECT_TRUE(slack.events[static_cast<size_t>(Lifecycle::kReopened)]);
  EXPECT_EQ(slack.min_severity, Severity::kHigh);
  EXPECT_EQ(slack.webhook_url.env, "SLACK_PLATFORM");
  EXPECT_EQ(slack.top_findings, 10u);
  EXPECT_EQ(slack.line, 2u);
  const Route& jira = config.routes[1];
  EXPECT_EQ(jira.url, "https://example.atlassian.net");
  EXPECT_TRUE(jira.per_object);
  EXPECT_EQ(jira.token.file, "/run/secrets/jira");
  EXPECT_EQ(jira.priorities.size(), 2u);
  EXPECT_EQ(jira.priorities.at("critical"), "Blocker");
  EXPECT_EQ(jira.resolve_transitions, (std::vector<std::string>{"Closed"}));
  EXPECT_EQ(jira.reopen_transitions, (std::vector<std::string>{"Reopen", "To Do"}));
  EXPECT_EQ(jira.min_severity, Severity::kLow);  // the default
  const Route& hook = config.routes[2];
  EXPECT_EQ(hook.url_secret.env, "HOOK_URL");
  EXPECT_EQ(hook.hmac_secret.file, "/run/secrets/hook");
  ASSERT_EQ(hook.headers_from_env.size(), 1u);
  EXPECT_EQ(hook.headers_from_env[0].second, "HOOK_KEY");
  EXPECT_EQ(hook.batch_size, 10u);
  EXPECT_EQ(config.routes[3].repo, "org/app");
}

TEST(RoutingConfig, ErrorsNameFileLineAndKey) {
  std::vector<ConfigError> errors = errorsOf(R"(routes:
  - name: a
    type: slack
    webhookUrlEnv: X
    colour: red
  - name: a
    type: pager
  - name: c
    type: webhook
    url: https://example.com
    events: [new, closed]
    minSeverity: urgent
)");
  std::string text = all(errors);
  EXPECT_NE(text.find("routes.yaml:5: routes.a.colour: unknown key"), std::string::npos) << text;
  EXPECT_NE(text.find("routes.yaml:6: routes[1].name: duplicate route name \"a\""), std::string::npos) << text;
  EXPECT_NE(text.find("routes.yaml:7: "), std::string::npos) << text;
  EXPECT_NE(text.find("unknown route type \"pager\""), std::string::npos) << text;
  EXPECT_NE(text.find("routes.yaml:11: routes.c.events: unknown event \"closed\""), std::string::npos) << text;
  EXPECT_NE(text.find("routes.yaml:12: routes.c.minSeverity: unknown severity \"urgent\""), std::string::npos) << text;
}

TEST(RoutingConfig, InlineSecretsAreRefusedWithoutRepeatingThem) {
  std::vector<ConfigError> errors = errorsOf(R"(routes:
  - name: s
    type: slack
    url: https://hooks.slack.com/services/T1/B2/sEcReTvAlUe
  - name: j
    type: jira
    url: https://example.atlassian.net
    project: SEC
    token: jIrAsEcReT
)");
  std::string text = all(errors);
  EXPECT_NE(text.find("routes.yaml:4: routes.s.url: secrets are not written in the routes file: use webhookUrlEnv"), std::string::npos) << text;
  EXPECT_NE(text.find("routes.yaml:9: routes.j.token: secrets are not written"), std::string::npos) << text;
  EXPECT_NE(text.find("a slack route needs webhookUrlEnv or webhookUrlFile"), std::string::npos) << text;
  EXPECT_NE(text.find("a jira route needs tokenEnv or tokenFile"), std::string::npos) << text;
  EXPECT_EQ(text.find("sEcReTvAlUe"), std::string::npos) << text;
  EXPECT_EQ(text.find("jIrAsEcReT"), std::string::npos) << text;
}

TEST(RoutingConfig, StructuralErrors) {
  EXPECT_NE(all(errorsOf("routes: 3\n")).find("routes.yaml:1: routes: expected a list of routes"), std::string::npos);
  EXPECT_NE(all(errorsOf("other: []\n")).find("unknown key"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes:\n  - type: webhook\n    url: http://x\n")).find("routes.yaml:2: routes[0]: missing name"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes:\n  - name: w\n    type: webhook\n")).find("needs url"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes:\n  - name: w\n    type: webhook\n    url: ftp://x\n")).find("routes.yaml:4: routes.w.url: expected an http"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes:\n  - name: w\n    type: webhook\n    url: http://x\n    owners: []\n")).find("an empty list would route nothing"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes:\n  - name: w\n    type: webhook\n    url: http://x\n    batchSize: 0\n")).find("routes.yaml:5: routes.w.batchSize: expected a number from 1"), std::string::npos);
  EXPECT_NE(all(errorsOf("routes: [\n")).find("routes.yaml:"), std::string::npos);
  std::vector<ConfigError> missing;
  loadRoutesFile("/nonexistent/kspm-routes.yaml", &missing);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].message.find("cannot read the routes file"), std::string::npos);
}

}  // namespace
}  // namespace kspm::routing
