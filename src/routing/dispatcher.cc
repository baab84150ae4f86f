// The dispatcher: for each route, the pending events of its owners, filtered, sent, marked.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "kspm/catalog.h"
#include "routing/senders.h"

namespace kspm::routing {

using internal::RouteContext;

bool DispatchReport::ok() const {
  return std::all_of(routes.begin(), routes.end(), [](const RouteReport& r) { return r.failed == 0 && r.last_error.empty(); });
}
uint64_t DispatchReport::sent() const {
  uint64_t n = 0;
  for (const RouteReport& r : routes) n += r.sent;
  return n;
}
uint64_t DispatchReport::failed() const {
  uint64_t n = 0;
  for (const RouteReport& r : routes) n += r.failed;
  return n;
}

namespace internal {

Result<bool> markSent(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events, std::string_view ref) {
  if (events.empty()) return true;
  std::vector<int64_t> ids;
  for (const store::PendingDelivery* e : events) ids.push_back(e->event_id);
  Result<bool> marked = ctx.store.markDelivered(ctx.route.name, ids, ref);
  if (marked.ok()) ctx.report.sent += ids.size();
  return marked;
}

Result<bool> markFailedEvents(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events,
                              const std::string& error, int64_t server_retry_after) {
  if (events.empty()) return true;
  std::vector<int64_t> ids;
  uint32_t attempts = 0;
  for (const store::PendingDelivery* e : events) {
    ids.push_back(e->event_id);
    attempts = std::max(attempts, e->attempts);
  }
  const RetryPolicy& p = ctx.options.retry;
  int64_t wait = p.next_run_base_seconds;
  for (uint32_t i = 0; i < attempts && wait < p.next_run_max_seconds; ++i) wait *= 2;
  wait = std::clamp<int64_t>(wait, 1, std::max<int64_t>(1, p.next_run_max_seconds));
  wait = std::max(wait, server_retry_after);
  ctx.report.failed += ids.size();
  ctx.report.last_error = error;
  return ctx.store.markFailed(ctx.route.name, ids, error, wait);
}

void writeFindingFields(JsonWriter& w, const FindingRecord& f) {
  writeKey(w, "fingerprint");
  writeString(w, f.fingerprint);
  writeKey(w, "checkId");
  writeString(w, f.check_id);
  writeKey(w, "severity");
  writeString(w, severityName(f.severity));
  writeKey(w, "state");
  writeString(w, findingStateName(f.state));
  writeKey(w, "message");
  writeString(w, f.message);
  writeKey(w, "object");
  w.StartObject();
  writeKey(w, "group");
  writeString(w, f.api_group);
  writeKey(w, "kind");
  writeString(w, f.kind);
  writeKey(w, "namespace");
  writeString(w, f.namespace_);
  writeKey(w, "name");
  writeString(w, f.name);
  w.EndObject();
  writeKey(w, "container");
  writeString(w, f.container);
  writeKey(w, "field");
  writeString(w, f.field);
  writeKey(w, "file");
  writeString(w, f.file);
  writeKey(w, "line");
  w.Uint(f.line);
  writeKey(w, "owner");
  writeString(w, f.owner);
  if (f.risk >= 0) {
    writeKey(w, "risk");
    w.Int(f.risk);
  }
}

std::string objectLabel(const FindingRecord& f) {
  return f.kind + " " + (f.namespace_.empty() ? "" : f.namespace_ + "/") + f.name;
}

std::string remediationOf(std::string_view check_id) {
  const Check* check = Catalog::builtin().find(check_id);
  return check != nullptr ? std::string(check->info().remediation) : std::string();
}

Severity effectiveSeverity(const FindingRecord& f) {
  if (f.risk < 0) return f.severity;
  if (f.risk >= 80) return Severity::kCritical;
  if (f.risk >= 60) return Severity::kHigh;
  if (f.risk >= 40) return Severity::kMedium;
  if (f.risk >= 20) return Severity::kLow;
  return Severity::kInfo;
}

}  // namespace internal

namespace {

std::string processEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v != nullptr ? std::string(v) : std::string();
}

/** Resolves the secrets a route needs; the first problem as a message (no value in it). */
std::string resolveSecrets(const Route& route, const DispatchOptions& options, std::map<std::string, std::string>* out) {
  auto getenv = options.getenv ? options.getenv : processEnv;
  auto take = [&](const SecretRef& ref, const char* setting) -> std::string {
    if (!ref.given()) return "";
    Result<std::string> value = internal::resolveSecret(ref, setting, getenv);
    if (!value.ok()) return value.error().message;
    (*out)[setting] = value.value();
    return "";
  };
  std::string problem;
  switch (route.type) {
    case RouteType::kSlack:
      problem = take(route.webhook_url, "webhookUrl");
      break;
    case RouteType::kJira:
      problem = take(route.token, "token");
      break;
    case RouteType::kWebhook:
      problem = take(route.url_secret, "url");
      if (problem.empty()) problem = take(route.hmac_secret, "secret");
      for (const auto& [header, var] : route.headers_from_env) {
        if (!problem.empty()) break;
        std::string value = getenv(var);
        if (value.empty()) {
          problem = "headersFromEnv." + header + ": environment variable " + var + " is not set";
        } else if (value.find_first_of("\r\n") != std::string::npos) {
          problem = "headersFromEnv." + header + ": the value holds a line break";
        } else {
          (*out)["header:" + header] = value;
        }
      }
      break;
    case RouteType::kGithub:
      break;
  }
  return problem;
}

}  // namespace

Result<std::string> readSecret(const SecretRef& ref, std::string_view setting) {
  return internal::resolveSecret(ref, setting, processEnv);
}

namespace {

bool passesFilter(const Route& route, const store::PendingDelivery& event) {
  if (!route.owners.empty()) {
    const std::string& owner = event.finding.owner.empty() ? std::string("unowned") : event.finding.owner;
    if (std::find(route.owners.begin(), route.owners.end(), owner) == route.owners.end()) return false;
  }
  size_t kind = static_cast<size_t>(event.event);
  if (kind >= 4 || !route.events[kind]) return false;
  return event.finding.severity >= route.min_severity;
}

}  // namespace

Result<bool> registerRoutes(store::Store& store, const RoutesConfig& config) {
  for (const Route& route : config.routes) {
    if (route.type == RouteType::kGithub) continue;
    Result<bool> registered = store.registerRoute(route.name);
    if (!registered.ok()) return registered.error();
  }
  return true;
}

Result<DispatchReport> dispatchPending(store::Store& store, const RoutesConfig& config, const DispatchOptions& options) {
  DispatchReport out;
  out.dry_run = options.dry_run;
  for (const Route& route : config.routes) {
    if (route.type == RouteType::kGithub) continue;
    if (!options.only_routes.empty() &&
        std::find(options.only_routes.begin(), options.only_routes.end(), route.name) == options.only_routes.end()) {
      continue;
    }
    RouteReport& report = out.routes.emplace_back();
    report.route = route.name;
    report.type = route.type;
    if (!options.dry_run) {
      Result<bool> registered = store.registerRoute(route.name);
      if (!registered.ok()) return registered.error();
    }
    // Every owner's events: those of other teams are marked filtered on this route, so they do
    // not stay pending on it forever (route status counts what a route has not settled).
    Result<std::vector<store::PendingDelivery>> pending = store.pendingDeliveries(route.name, {}, options.max_events);
    if (!pending.ok()) return pending.error();

    std::vector<const store::PendingDelivery*> to_send, filtered;
    for (const store::PendingDelivery& event : pending.value()) {
      (passesFilter(route, event) ? to_send : filtered).push_back(&event);
    }
    report.filtered = filtered.size();
    if (options.dry_run) {
      report.sent = to_send.size();
      continue;
    }
    std::map<std::string, std::string> secrets;
    std::string problem = resolveSecrets(route, options, &secrets);
    std::vector<std::string> secret_values;
    for (const auto& [k, v] : secrets) {
      secret_values.push_back(v);
      if (k == "webhookUrl" || k == "url") {
        // A server may echo a URL's path (or a piece of it) without the host: those are secret too.
        size_t scheme = v.find("://");
        size_t path = v.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        if (path != std::string::npos && v.size() - path > 8) {
          secret_values.push_back(v.substr(path + 1));
          for (size_t at = path; at < v.size();) {
            size_t next = v.find_first_of("/?&=", at + 1);
            if (next == std::string::npos) next = v.size();
            if (next - at - 1 >= 8) secret_values.push_back(v.substr(at + 1, next - at - 1));
            at = next;
          }
        }
      }
    }
    // Longest first, so a piece never leaves part of a longer secret behind.
    std::sort(secret_values.begin(), secret_values.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    internal::HttpSender http(options.retry, route.ca_file, std::move(secret_values));
    RouteContext ctx{route, store, options, http, report, std::move(secrets)};
    if (!filtered.empty()) {
      std::vector<int64_t> ids;
      for (const store::PendingDelivery* e : filtered) ids.push_back(e->event_id);
      // Jira keeps the issue key as the finding's reference: a filtered event must not replace it
      // (an empty reference leaves it), or a later reopened event could not find its issue.
      Result<bool> marked = store.markDelivered(route.name, ids, route.type == RouteType::kJira ? "" : "filtered");
      if (!marked.ok()) return marked.error();
    }
    if (to_send.empty()) continue;
    if (!problem.empty()) {
      // A configuration problem: nothing was attempted, so nothing counts as a failed attempt.
      report.failed = to_send.size();
      report.last_error = problem;
      continue;
    }
    Result<bool> done = true;
    switch (route.type) {
      case RouteType::kSlack:
        done = internal::sendSlack(ctx, to_send);
        break;
      case RouteType::kJira:
        done = internal::sendJira(ctx, to_send);
        break;
      case RouteType::kWebhook:
        done = internal::sendWebhook(ctx, to_send);
        break;
      case RouteType::kGithub:
        break;
    }
    report.requests = http.requests();
    if (!done.ok()) return done.error();
  }
  return out;
}

std::string dispatchReportJson(const DispatchReport& report) {
  rapidjson::StringBuffer buf;
  internal::JsonWriter w(buf);
  w.StartObject();
  internal::writeKey(w, "schemaVersion");
  w.Int(1);
  internal::writeKey(w, "dryRun");
  w.Bool(report.dry_run);
  internal::writeKey(w, "routes");
  w.StartArray();
  for (const RouteReport& r : report.routes) {
    w.StartObject();
    internal::writeKey(w, "route");
    internal::writeString(w, r.route);
    internal::writeKey(w, "type");
    internal::writeString(w, routeTypeName(r.type));
    internal::writeKey(w, "sent");
    w.Uint64(r.sent);
    internal::writeKey(w, "filtered");
    w.Uint64(r.filtered);
    internal::writeKey(w, "failed");
    w.Uint64(r.failed);
    internal::writeKey(w, "requests");
    w.Uint64(r.requests);
    internal::writeKey(w, "lastError");
    internal::writeString(w, r.last_error);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string dispatchReportTable(const DispatchReport& report) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-24s %-8s %8s %8s %8s  %s\n", "ROUTE", "TYPE", "SENT", "FILTERED", "FAILED", "LAST ERROR");
  out += line;
  for (const RouteReport& r : report.routes) {
    std::snprintf(line, sizeof line, "%-24s %-8s %8llu %8llu %8llu  %s\n", r.route.c_str(),
                  std::string(routeTypeName(r.type)).c_str(), static_cast<unsigned long long>(r.sent),
                  static_cast<unsigned long long>(r.filtered), static_cast<unsigned long long>(r.failed),
                  r.last_error.substr(0, 300).c_str());
    out += line;
  }
  if (report.routes.empty()) out += "(no routes)\n";
  if (report.dry_run) out += "(dry run: SENT is what would be sent; nothing was sent or marked)\n";
  return out;
}

}  // namespace kspm::routing
