// Routes: delivering the history store's lifecycle events (new, resolved, reopened findings) to
// the teams that own them, in the tools they use: Slack incoming webhooks (one digest per team and
// run), Jira issues (per finding or per object), and a generic JSON webhook (signed with HMAC). And
// GitHub pull request review comments from a SARIF report (commentOnPullRequest, `kspm comment-pr`).
//
// Contract (docs/routing.md): an event is delivered at most once per route once it was marked
// delivered; an event that could not be delivered (after retries within the run) stays pending
// and is retried by the next run; nothing is ever dropped. Secrets (tokens, webhook URLs, HMAC
// keys) come only from environment variables or files and never appear in reports, errors or logs.
// Errors are values. Thread safety: a Dispatcher runs on one thread; distinct ones are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/config.h"
#include "kspm/finding.h"
#include "kspm/finding_record.h"
#include "kspm/status.h"
#include "kspm/store.h"

namespace kspm::routing {

enum class RouteType : uint8_t { kSlack, kJira, kGithub, kWebhook };
std::string_view routeTypeName(RouteType type);  // "slack", "jira", "github", "webhook"

/**
 * A secret setting: the name of an environment variable (`fooEnv`) or a file path (`fooFile`),
 * never the value. Resolved when a route runs, so a routes file can be checked without secrets.
 */
struct SecretRef {
  std::string env;   // variable name, or ""
  std::string file;  // path, or ""
  bool given() const { return !env.empty() || !file.empty(); }
};

/** One entry of a routes file. */
struct Route {
  std::string name;  // unique in the file; the store keys delivery state by it
  RouteType type = RouteType::kWebhook;
  std::vector<std::string> owners;  // teams; empty = every owner ("unowned" is a team name)
  bool events[4] = {true, false, true, true};  // indexed by Lifecycle: new, (open: never an event), resolved, reopened
  Severity min_severity = Severity::kLow;
  uint32_t line = 0;  // where the entry starts in the routes file
  std::string ca_file;  // PEM CA bundle for a private server (default: the system's)

  // slack
  SecretRef webhook_url;       // webhookUrlEnv / webhookUrlFile (the URL holds the token)
  uint32_t top_findings = 20;  // findings listed per team and run (the counts cover all)

  // jira
  std::string url;  // https://example.atlassian.net (jira, webhook; github: the API base URL, "" = default)
  int api_version = 2;  // 2 (wiki text) or 3 (Atlassian Document Format)
  std::string project, issue_type = "Task";
  std::vector<std::string> labels = {"kspm"};
  bool per_object = false;             // per: object (one issue per object) or finding (default)
  std::string email;                   // basic auth user; empty = bearer token
  SecretRef token;                     // tokenEnv / tokenFile (Jira API token or PAT; GitHub token)
  std::map<std::string, std::string> priorities;  // severity name -> Jira priority; empty = not set
  std::vector<std::string> resolve_transitions = {"Done", "Resolve Issue", "Close Issue", "Closed"};
  std::vector<std::string> reopen_transitions = {"Reopen", "Reopen Issue", "To Do", "Backlog"};

  // webhook
  SecretRef url_secret;  // urlEnv / urlFile, when the URL itself is a secret (else `url`)
  SecretRef hmac_secret;  // secretEnv / secretFile: X-Kspm-Signature: sha256=HEX(HMAC-SHA256(body))
  std::vector<std::pair<std::string, std::string>> headers_from_env;  // header name -> variable name
  uint32_t batch_size = 100;  // events per POST

  // github (used by `kspm comment-pr --routes FILE --route NAME`): repo, url = API base URL, token
  std::string repo;
};

/** A secret setting's value (trailing newline trimmed); errors name the setting, never a value. */
Result<std::string> readSecret(const SecretRef& ref, std::string_view setting);

struct RoutesConfig {
  std::string path;
  std::vector<Route> routes;
};

/**
 * Parses a routes file (YAML: `routes: [...]`). Every problem is a ConfigError with the file, the
 * line and the key; unknown keys and inline secrets are errors.
 */
RoutesConfig parseRoutes(std::string_view path, std::string_view text, std::vector<ConfigError>* errors);
/** Reads and parses a routes file; an unreadable file is one error. */
RoutesConfig loadRoutesFile(const std::string& path, std::vector<ConfigError>* errors);

/** Retries within one run, and how long the next run waits. */
struct RetryPolicy {
  int max_attempts = 4;                              // per request, the first included
  std::chrono::milliseconds base_delay{500};         // doubled per retry, with jitter
  std::chrono::milliseconds max_delay{8000};         // cap of one wait (Retry-After included)
  std::chrono::milliseconds route_budget{60000};     // total waiting per route and run
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};
  int64_t next_run_base_seconds = 60;                // markFailed retry-after: base * 2^attempts
  int64_t next_run_max_seconds = 6 * 3600;
};

struct DispatchOptions {
  bool dry_run = false;           // fetch and filter, send nothing, mark nothing
  size_t max_events = 10000;      // per route and run; the rest waits for the next run
  RetryPolicy retry;
  std::chrono::milliseconds slack_interval{1000};  // at least this between two posts to one webhook
  /** Where secrets named by *Env come from; default: this process's environment. */
  std::function<std::string(const std::string&)> getenv;
  std::vector<std::string> only_routes;  // names; empty = every route
};

/** What one route did in one run. */
struct RouteReport {
  std::string route;
  RouteType type = RouteType::kWebhook;
  uint64_t sent = 0;      // events delivered now (dry run: would be sent)
  uint64_t filtered = 0;  // events its owners/events/minSeverity skip (marked delivered: ref "filtered"; Jira: "")
  uint64_t failed = 0;    // events still pending after this run
  uint64_t requests = 0;  // HTTP requests made, retries included
  std::string last_error;  // secrets redacted
};

struct DispatchReport {
  std::vector<RouteReport> routes;
  bool ok() const;  // no route failed
  uint64_t sent() const, failed() const;
};

/**
 * Delivers what is pending in `store` on every route of `config` (github routes excepted: they are
 * for comment-pr). Returns an error only when the store fails; route failures are in the report.
 */
Result<DispatchReport> dispatchPending(store::Store& store, const RoutesConfig& config, const DispatchOptions& options);

/**
 * Registers every outbox route of `config` (idempotent). A route sees only the events recorded
 * after it was first registered, so a new route does not replay the whole history: call this
 * before recording a scan whose events the routes should deliver (`kspm scan --record --routes`).
 */
Result<bool> registerRoutes(store::Store& store, const RoutesConfig& config);

/** The report as JSON ({"schemaVersion":1,"routes":[...]}) and as a table for people. */
std::string dispatchReportJson(const DispatchReport& report);
std::string dispatchReportTable(const DispatchReport& report);

// ---- GitHub pull request review comments ----

struct PullRequestOptions {
  std::string api_url = "https://api.github.com";  // GitHub Enterprise: https://HOST/api/v3
  std::string repo;            // OWNER/NAME
  uint64_t pr = 0;
  std::string token;           // the token itself (the CLI reads it from --token-env); secret
  std::string commit;          // commit_id of the review; "" = the PR head
  std::string path_prefix;     // stripped from SARIF URIs
  uint32_t max_comments = 50;  // inline comments per review
  std::string ca_file;
  RetryPolicy retry;
  bool dry_run = false;        // read the PR, post nothing
};

struct PullRequestReport {
  uint64_t results = 0;          // unsuppressed SARIF results
  uint64_t posted = 0;           // inline comments in the review posted now
  uint64_t already_posted = 0;   // results whose marker is already on the PR
  uint64_t outside_diff = 0;     // results on lines the PR does not add or change
  uint64_t over_limit = 0;       // on changed lines but beyond max_comments
  bool review_posted = false;
  std::string review_body;       // what was (or, dry run, would be) posted
  std::vector<std::string> comments_json;  // each inline comment as JSON (path, line, side, body)
};

/**
 * Reads a SARIF report made by `kspm scan -o sarif` and posts one review (event COMMENT) on the
 * pull request with a comment per result on an added or changed line (RIGHT side), each carrying a
 * hidden marker `<!-- kspm:FINGERPRINT -->`; results already commented are not posted again, and no
 * review is posted when there is nothing new to comment on. Errors: kUsage (bad SARIF), kDelivery
 * (the API failed after retries; nothing half-posted: the review is one request).
 */
Result<PullRequestReport> commentOnPullRequest(std::string_view sarif_path, std::string_view sarif_text,
                                               const PullRequestOptions& options);

/** The RIGHT-side line numbers a unified diff `patch` (GitHub's per-file patch) adds. */
std::vector<uint32_t> addedLines(std::string_view patch);

}  // namespace kspm::routing
