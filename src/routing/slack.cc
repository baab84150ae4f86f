// Slack incoming webhooks: one digest per team per run (split to stay within Slack's limits), at
// most one message per second per webhook.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <thread>

#include "routing/senders.h"

namespace kspm::routing::internal {
namespace {

constexpr size_t kMaxBlocks = 50;         // Slack: blocks per message
constexpr size_t kMaxMessageChars = 36000;  // Slack truncates text above 40,000; keep a margin
constexpr size_t kMaxFindingChars = 1500;   // one finding's section (Slack: 3,000 per section)

std::string escapeMrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

/** Cuts at `max` bytes without splitting a UTF-8 sequence or an &entity;. */
std::string cut(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  size_t amp = text.rfind('&', end);
  if (amp != std::string::npos && text.find(';', amp) >= end) end = amp;
  text.resize(end);
  return text + "...";
}

int kindOrder(Lifecycle event) { return event == Lifecycle::kNew ? 0 : event == Lifecycle::kReopened ? 1 : 2; }

struct Message {
  std::vector<std::string> blocks;  // mrkdwn section texts
  std::vector<const store::PendingDelivery*> events;  // delivered when this message is
};

std::string sectionJson(const std::string& mrkdwn) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  writeKey(w, "type");
  writeString(w, "section");
  writeKey(w, "text");
  w.StartObject();
  writeKey(w, "type");
  writeString(w, "mrkdwn");
  writeKey(w, "text");
  writeString(w, mrkdwn);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string payload(const std::string& fallback, const Message& m) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  writeKey(w, "text");
  writeString(w, fallback);
  writeKey(w, "blocks");
  w.StartArray();
  for (const std::string& b : m.blocks) w.RawValue(sectionJson(b).c_str(), sectionJson(b).size(), rapidjson::kObjectType);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

/** The messages of one team's digest. */
std::vector<Message> digest(const Route& route, const std::string& team, std::vector<const store::PendingDelivery*> events,
                            std::string* fallback) {
  std::array<std::array<uint64_t, 5>, 4> counts{};
  std::set<std::string> targets;
  for (const store::PendingDelivery* e : events) {
    ++counts[static_cast<size_t>(e->event)][static_cast<size_t>(e->finding.severity)];
    targets.insert(e->target);
  }
  std::stable_sort(events.begin(), events.end(), [](const store::PendingDelivery* a, const store::PendingDelivery* b) {
    if (a->finding.severity != b->finding.severity) return a->finding.severity > b->finding.severity;
    return kindOrder(a->event) < kindOrder(b->event);
  });
  auto total = [&](Lifecycle l) {
    uint64_t n = 0;
    for (uint64_t c : counts[static_cast<size_t>(l)]) n += c;
    return n;
  };
  std::string target_text = targets.size() == 1 ? " on " + escapeMrkdwn(*targets.begin()) : "";
  *fallback = "kspm: team " + escapeMrkdwn(team) + ": " + std::to_string(total(Lifecycle::kNew)) + " new, " +
              std::to_string(total(Lifecycle::kResolved)) + " resolved, " + std::to_string(total(Lifecycle::kReopened)) +
              " reopened" + target_text;
  std::string header = "*kspm* findings for team *" + escapeMrkdwn(team) + "*" + target_text;
  for (Lifecycle l : {Lifecycle::kNew, Lifecycle::kReopened, Lifecycle::kResolved}) {
    std::string line;
    for (int s = 4; s >= 0; --s) {
      uint64_t n = counts[static_cast<size_t>(l)][s];
      if (n == 0) continue;
      line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(severityName(static_cast<Severity>(s)));
    }
    std::string name(lifecycleName(l));
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    header += "\n*" + name + "*: " + (line.empty() ? "none" : line);
  }

  std::vector<Message> messages(1);
  messages[0].blocks.push_back(header);
  size_t chars = header.size() + fallback->size();
  size_t listed = std::min<size_t>(events.size(), route.top_findings);
  for (size_t i = 0; i < listed; ++i) {
    const store::PendingDelivery* e = events[i];
    const FindingRecord& f = e->finding;
    std::string text = "*" + std::string(severityName(f.severity)) + "* · " + std::string(lifecycleName(e->event)) + " · `" +
                       escapeMrkdwn(f.check_id) + "` · " + escapeMrkdwn(objectLabel(f));
    if (targets.size() > 1) text += " (" + escapeMrkdwn(e->target) + ")";
    text += "\n" + escapeMrkdwn(f.message);
    text = cut(std::move(text), kMaxFindingChars);
    if (messages.back().blocks.size() + 1 > kMaxBlocks - 1 || chars + text.size() > kMaxMessageChars) {
      messages.emplace_back();
      messages.back().blocks.push_back("*kspm* findings for team *" + escapeMrkdwn(team) + "* (continued)");
      chars = messages.back().blocks[0].size() + fallback->size();
    }
    messages.back().blocks.push_back(text);
    messages.back().events.push_back(e);
    chars += text.size();
  }
  if (events.size() > listed) {
    messages.back().blocks.push_back("_and " + std::to_string(events.size() - listed) + " more_");
    // The unlisted events are counted in the first message, and delivered with it.
    messages[0].events.insert(messages[0].events.end(), events.begin() + listed, events.end());
  }
  return messages;
}

}  // namespace

Result<bool> sendSlack(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events) {
  std::map<std::string, std::vector<const store::PendingDelivery*>> by_team;
  for (const store::PendingDelivery* e : events) by_team[e->finding.owner.empty() ? "unowned" : e->finding.owner].push_back(e);
  HttpRequest request;
  request.url = ctx.secrets["webhookUrl"];
  request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  static thread_local std::map<std::string, std::chrono::steady_clock::time_point> last_post;  // per webhook
  for (auto& [team, team_events] : by_team) {
    std::string fallback;
    std::vector<Message> messages = digest(ctx.route, team, team_events, &fallback);
    for (size_t m = 0; m < messages.size(); ++m) {
      auto last = last_post.find(request.url);
      if (last != last_post.end()) {
        auto next = last->second + ctx.options.slack_interval;
        if (next > std::chrono::steady_clock::now()) std::this_thread::sleep_until(next);
      }
      request.body = payload(fallback, messages[m]);
      int64_t retry_after = 0;
      HttpResponse response = ctx.http.send(request, &retry_after);
      last_post[request.url] = std::chrono::steady_clock::now();
      if (response.ok()) {
        Result<bool> marked = markSent(ctx, messages[m].events, "slack");
        if (!marked.ok()) return marked;
        continue;
      }
      std::vector<const store::PendingDelivery*> rest;
      for (size_t k = m; k < messages.size(); ++k) rest.insert(rest.end(), messages[k].events.begin(), messages[k].events.end());
      Result<bool> marked = markFailedEvents(ctx, rest, ctx.http.describeFailure(request, response), retry_after);
      if (!marked.ok()) return marked;
      break;
    }
  }
  return true;
}

}  // namespace kspm::routing::internal
