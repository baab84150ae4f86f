// The generic JSON webhook: batches of events, optionally signed (docs/routing.md has the schema).
#include "model/utc_time.h"
#include "routing/senders.h"

namespace kspm::routing::internal {

Result<bool> sendWebhook(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events) {
  const Route& route = ctx.route;
  std::string url = ctx.secrets.count("url") ? ctx.secrets["url"] : route.url;
  for (size_t start = 0; start < events.size(); start += route.batch_size) {
    std::vector<const store::PendingDelivery*> batch(events.begin() + start,
                                                     events.begin() + std::min(events.size(), start + route.batch_size));
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "schemaVersion");
    w.Int(1);
    writeKey(w, "source");
    writeString(w, "kspm");
    writeKey(w, "route");
    writeString(w, route.name);
    writeKey(w, "sentAt");
    writeString(w, nowRfc3339());
    writeKey(w, "events");
    w.StartArray();
    for (const store::PendingDelivery* e : batch) {
      w.StartObject();
      writeKey(w, "eventId");
      w.Int64(e->event_id);
      writeKey(w, "event");
      writeString(w, lifecycleName(e->event));
      writeKey(w, "scanId");
      w.Int64(e->scan_id);
      writeKey(w, "target");
      writeString(w, e->target);
      writeKey(w, "createdAt");
      writeString(w, e->created_at);
      writeKey(w, "finding");
      w.StartObject();
      writeFindingFields(w, e->finding);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    HttpRequest request;
    request.url = url;
    request.body.assign(buf.GetString(), buf.GetSize());
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("X-Kspm-Route", route.name);
    if (auto it = ctx.secrets.find("secret"); it != ctx.secrets.end()) {
      request.headers.emplace_back("X-Kspm-Signature", "sha256=" + hmacSha256Hex(it->second, request.body));
    }
    for (const auto& [header, var] : route.headers_from_env) request.headers.emplace_back(header, ctx.secrets["header:" + header]);
    int64_t retry_after = 0;
    HttpResponse response = ctx.http.send(request, &retry_after);
    if (response.ok()) {
      Result<bool> marked = markSent(ctx, batch, "webhook");
      if (!marked.ok()) return marked;
      continue;
    }
    // The endpoint failed after retries: the rest waits for the next run with this batch.
    std::vector<const store::PendingDelivery*> rest(events.begin() + start, events.end());
    return markFailedEvents(ctx, rest, ctx.http.describeFailure(request, response), retry_after);
  }
  return true;
}

}  // namespace kspm::routing::internal
