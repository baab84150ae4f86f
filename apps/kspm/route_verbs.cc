// kspm route: delivers the store's pending lifecycle events on the routes of a routes file.
// docs/routing.md.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kspm/cli.h"
#include "kspm/cli_common.h"
#include "kspm/history_verbs.h"
#include "kspm/route_verbs.h"
#include "kspm/routing.h"
#include "kspm/store.h"

namespace kspm::cli {
namespace {

constexpr const char* kRouteHelp =
    "Usage: kspm route --routes FILE [--db LOC] [--route NAME]... [--dry-run] [-o table|json]\n"
    "       kspm route --status [--db LOC] [-o table|json]\n"
    "       kspm route --check --routes FILE\n"
    "\n"
    "Delivers the lifecycle events (new, resolved and reopened findings) that `kspm scan --record`\n"
    "left in the history store to the routes of FILE: Slack digests per team, Jira issues, JSON\n"
    "webhooks (docs/routing.md). Each event is delivered once per route; failed deliveries are\n"
    "retried with backoff within the run, then stay pending for the next run. Secrets come only from\n"
    "environment variables or files named in the routes file, and are never printed.\n"
    "\n"
    "Flags:\n"
    "      --routes FILE      the routes file (YAML; docs/routing.md)\n"
    "      --db LOC           the history store: a SQLite file or postgresql://... (default:\n"
    "                         $KSPM_DB, else $XDG_DATA_HOME/kspm/history.db)\n"
    "      --route NAME       deliver on this route only (repeatable)\n"
    "      --dry-run          show what would be sent; send and mark nothing\n"
    "      --max-events N     events per route and run (default 10000; the rest waits)\n"
    "      --status           print each route's delivery state (delivered, pending, failing)\n"
    "      --check            validate the routes file and exit\n"
    "  -o, --output FORMAT    table (default) or json\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 delivered (or nothing pending); 2 usage error or a bad routes file; 3 some\n"
    "deliveries failed (they stay pending) or the store could not be used.\n";

int printStatus(store::Store& store, bool json) {
  Result<std::vector<store::RouteStatus>> status = store.routeStatus();
  if (!status.ok()) {
    std::fprintf(stderr, "kspm route: %s\n", describeInputError(status.error()).c_str());
    return kExitInputErrors;
  }
  if (json) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("schemaVersion");
    w.Int(1);
    w.Key("routes");
    w.StartArray();
    for (const store::RouteStatus& r : status.value()) {
      w.StartObject();
      w.Key("route");
      w.String(r.route);
      w.Key("delivered");
      w.Uint64(r.delivered);
      w.Key("pending");
      w.Uint64(r.pending);
      w.Key("failing");
      w.Uint64(r.failing);
      w.Key("oldestPending");
      w.String(r.oldest_pending);
      w.Key("lastError");
      w.String(r.last_error);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::printf("%s\n", buf.GetString());
    return kExitOk;
  }
  std::printf("%-24s %10s %8s %8s  %-20s  %s\n", "ROUTE", "DELIVERED", "PENDING", "FAILING", "OLDEST PENDING", "LAST ERROR");
  for (const store::RouteStatus& r : status.value()) {
    std::printf("%-24s %10llu %8llu %8llu  %-20s  %s\n", r.route.c_str(), static_cast<unsigned long long>(r.delivered),
                static_cast<unsigned long long>(r.pending), static_cast<unsigned long long>(r.failing),
                r.oldest_pending.empty() ? "-" : r.oldest_pending.c_str(), r.last_error.substr(0, 300).c_str());
  }
  if (status.value().empty()) std::printf("(no routes have run)\n");
  return kExitOk;
}

}  // namespace

bool loadRoutesForVerb(const char* verb, const std::string& path, routing::RoutesConfig* out) {
  std::vector<ConfigError> errors;
  *out = routing::loadRoutesFile(path, &errors);
  for (const ConfigError& e : errors) std::fprintf(stderr, "kspm %s: %s\n", verb, describeConfigError(e).c_str());
  return errors.empty();
}

int deliverPending(const char* verb, store::Store& store, const routing::RoutesConfig& routes,
                   routing::DispatchReport* report_out) {
  Result<bool> registered = routing::registerRoutes(store, routes);
  Result<routing::DispatchReport> report =
      registered.ok() ? routing::dispatchPending(store, routes, routing::DispatchOptions{}) : registered.error();
  if (!report.ok()) {
    std::fprintf(stderr, "kspm %s: routes: %s\n", verb, describeInputError(report.error()).c_str());
    return kExitInputErrors;
  }
  for (const routing::RouteReport& r : report.value().routes) {
    std::fprintf(stderr, "kspm %s: route %s: %llu sent, %llu filtered, %llu failed%s%s%s\n", verb, r.route.c_str(),
                 static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.filtered),
                 static_cast<unsigned long long>(r.failed), r.last_error.empty() ? "" : " (", r.last_error.c_str(),
                 r.last_error.empty() ? "" : ")");
  }
  bool ok = report.value().ok();
  if (report_out != nullptr) *report_out = std::move(report).value();
  return ok ? kExitOk : kExitInputErrors;
}

int runRoute(int argc, char** argv) {
  Args args(argc, argv, 2);
  std::string value, error, db, routes_file, output = "table";
  bool status = false, check = false;
  routing::DispatchOptions options;
  while (!args.done()) {
    if (args.boolFlag({"-h", "--help"})) {
      std::fputs(kRouteHelp, stdout);
      return kExitOk;
    }
    if (args.boolFlag({"--dry-run"})) {
      options.dry_run = true;
    } else if (args.boolFlag({"--status"})) {
      status = true;
    } else if (args.boolFlag({"--check"})) {
      check = true;
    } else if (args.flag({"--db"}, &value, &error)) {
      db = value;
    } else if (args.flag({"--routes"}, &value, &error)) {
      routes_file = value;
    } else if (args.flag({"--route"}, &value, &error)) {
      options.only_routes.push_back(value);
    } else if (args.flag({"--max-events"}, &value, &error)) {
      uint64_t n = 0;
      if (error.empty() && !parseCount(value, 1000000, &n)) error = "--max-events takes a number from 1 to 1000000";
      options.max_events = n;
    } else if (args.flag({"-o", "--output"}, &value, &error)) {
      output = value;
      if (error.empty() && output != "table" && output != "json") error = "-o takes table or json";
    } else {
      return usageError("route", "unexpected argument " + args.peek());
    }
    if (!error.empty()) return usageError("route", error);
  }
  if (status && (check || options.dry_run || !options.only_routes.empty())) {
    return usageError("route", "--status takes only --db and -o");
  }
  if (!status && routes_file.empty()) return usageError("route", "give the routes file with --routes FILE");

  routing::RoutesConfig config;
  if (!routes_file.empty()) {
    if (!loadRoutesForVerb("route", routes_file, &config)) return kExitUsage;
    for (const std::string& name : options.only_routes) {
      bool known = false;
      for (const routing::Route& r : config.routes) known = known || r.name == name;
      if (!known) return usageError("route", "--route " + name + ": no such route in " + routes_file);
    }
  }
  if (check) {
    std::printf("%s: %zu route%s, no errors\n", routes_file.c_str(), config.routes.size(), config.routes.size() == 1 ? "" : "s");
    return kExitOk;
  }

  db = storeLocation(db);
  Result<std::unique_ptr<store::Store>> opened = store::Store::open(db);
  if (!opened.ok()) {
    std::fprintf(stderr, "kspm route: %s\n", describeInputError(opened.error()).c_str());
    return kExitInputErrors;
  }
  store::Store& store = *opened.value();
  if (status) return printStatus(store, output == "json");

  Result<routing::DispatchReport> report = routing::dispatchPending(store, config, options);
  if (!report.ok()) {
    std::fprintf(stderr, "kspm route: %s\n", describeInputError(report.error()).c_str());
    return kExitInputErrors;
  }
  std::string text = output == "json" ? routing::dispatchReportJson(report.value()) : routing::dispatchReportTable(report.value());
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!report.value().ok()) {
    std::fprintf(stderr, "kspm route: some deliveries failed; they stay pending for the next run\n");
    return kExitInputErrors;
  }
  return kExitOk;
}

}  // namespace kspm::cli
