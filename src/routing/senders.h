// What the dispatcher hands each route type, and the route types' senders. A sender delivers the
// events it is given (already filtered and due) and marks each one delivered or failed in the
// store; it returns an error only when the store fails.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kspm/routing.h"
#include "kspm/store.h"
#include "report/report_common.h"
#include "routing/http.h"

namespace kspm::routing::internal {

using report::JsonWriter;
using report::writeKey;
using report::writeString;

struct RouteContext {
  const Route& route;
  store::Store& store;
  const DispatchOptions& options;
  HttpSender& http;
  RouteReport& report;
  std::map<std::string, std::string> secrets;  // resolved: "webhookUrl", "token", "url", "secret", header names
};

/** Marks events delivered and counts them sent. */
Result<bool> markSent(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events, std::string_view ref);
/**
 * Marks events failed: they stay pending, due again after base * 2^attempts seconds (capped), or
 * after `server_retry_after` seconds when the server asked for longer.
 */
Result<bool> markFailedEvents(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events,
                              const std::string& error, int64_t server_retry_after);

Result<bool> sendSlack(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events);
Result<bool> sendJira(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events);
Result<bool> sendWebhook(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events);

/** A finding as JSON fields (inside an open object). */
void writeFindingFields(JsonWriter& w, const FindingRecord& f);
/** "Deployment shop/web" (no namespace part when there is none). */
std::string objectLabel(const FindingRecord& f);
/** The check's remediation from the built-in catalog, or "". */
std::string remediationOf(std::string_view check_id);
/** Risk (0-100) as a severity bucket when the finding has one, else its severity. */
Severity effectiveSeverity(const FindingRecord& f);

}  // namespace kspm::routing::internal
