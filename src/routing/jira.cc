// Jira (REST API v2 or v3): an issue per finding or per object; comments and transitions when
// findings are resolved or reopened. The issue key is the event's external reference.

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include <rapidjson/document.h>

#include "model/base64.h"
#include "routing/senders.h"

namespace kspm::routing::internal {
namespace {

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/** A usable stored reference: not empty and not a marker of a skipped event. */
bool isIssueKey(const std::string& ref) { return !ref.empty() && ref != "filtered" && ref != "none"; }

class Jira {
 public:
  explicit Jira(RouteContext& ctx) : ctx_(ctx), route_(ctx.route) {
    base_ = route_.url + "/rest/api/" + std::to_string(route_.api_version);
    const std::string& token = ctx.secrets["token"];
    auth_ = route_.email.empty() ? "Bearer " + token : "Basic " + encodeBase64(route_.email + ":" + token);
  }

  Result<bool> run(const std::vector<const store::PendingDelivery*>& events) {
    for (size_t i = 0; i < events.size(); ++i) {
      const store::PendingDelivery& e = *events[i];
      Outcome outcome = deliver(e);
      if (!outcome.store_error.message.empty()) return outcome.store_error;
      if (outcome.ok) {
        Result<bool> marked = markSent(ctx_, {&e}, outcome.ref);
        if (!marked.ok()) return marked;
        continue;
      }
      if (outcome.transient) {
        // The server is down or throttling after retries: the rest waits for the next run.
        std::vector<const store::PendingDelivery*> rest(events.begin() + i, events.end());
        return markFailedEvents(ctx_, rest, outcome.error, outcome.retry_after);
      }
      Result<bool> marked = markFailedEvents(ctx_, {&e}, outcome.error, outcome.retry_after);
      if (!marked.ok()) return marked;
    }
    return true;
  }

 private:
  struct Outcome {
    bool ok = false;
    std::string ref;
    bool transient = false;
    std::string error;
    int64_t retry_after = 0;
    InputError store_error;
  };

  HttpResponse call(const std::string& method, const std::string& path, const std::string& body, Outcome* failure) {
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    request.body = body;
    request.headers.emplace_back("Authorization", auth_);
    request.headers.emplace_back("Accept", "application/json");
    if (method != "GET") request.headers.emplace_back("Content-Type", "application/json");
    int64_t retry_after = 0;
    HttpResponse response = ctx_.http.send(request, &retry_after);
    if (!response.ok() && failure != nullptr) {
      failure->ok = false;
      failure->transient = response.transient();
      failure->error = ctx_.http.describeFailure(request, response);
      failure->retry_after = retry_after;
    }
    return response;
  }

  /** Plain text (lines) as the API version wants it: a string (v2) or an ADF document (v3). */
  void writeText(JsonWriter& w, const std::string& text) {
    if (route_.api_version == 2) {
      // Wiki markup would render what manifests say ([text|url] links, {html}): shown literally.
      std::string safe = text;
      for (size_t at = safe.find("{noformat}"); at != std::string::npos; at = safe.find("{noformat}", at)) safe.insert(at + 1, " ");
      writeString(w, "{noformat}\n" + safe + "\n{noformat}");
      return;
    }
    w.StartObject();
    writeKey(w, "type");
    writeString(w, "doc");
    writeKey(w, "version");
    w.Int(1);
    writeKey(w, "content");
    w.StartArray();
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + start, end - start);
      if (!line.empty()) {
        w.StartObject();
        writeKey(w, "type");
        writeString(w, "paragraph");
        writeKey(w, "content");
        w.StartArray();
        w.StartObject();
        writeKey(w, "type");
        writeString(w, "text");
        writeKey(w, "text");
        writeString(w, line);
        w.EndObject();
        w.EndArray();
        w.EndObject();
      }
      start = end + 1;
    }
    w.EndArray();
    w.EndObject();
  }

  static std::string findingText(const store::PendingDelivery& e) {
    const FindingRecord& f = e.finding;
    std::string text = "Check: " + f.check_id + "\nSeverity: " + std::string(severityName(f.severity));
    if (f.risk >= 0) text += " (risk " + std::to_string(f.risk) + ")";
    text += "\nObject: " + objectLabel(f) + (f.api_group.empty() ? "" : " (" + f.api_group + ")");
    if (!f.container.empty()) text += "\nContainer: " + f.container;
    if (!f.field.empty()) text += "\nField: " + f.field;
    if (!f.file.empty()) text += "\nWhere: " + f.file + (f.line > 0 ? ":" + std::to_string(f.line) : "");
    text += "\nTarget: " + e.target + "\nOwner: " + f.owner + "\nFinding: " + f.message;
    std::string remediation = remediationOf(f.check_id);
    if (!remediation.empty()) text += "\nRemediation: " + remediation;
    text += "\nkspm fingerprint: " + f.fingerprint;
    return text;
  }

  static std::string oneLine(std::string s, size_t max) {
    for (char& c : s) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (s.size() > max) {
      size_t end = max - 3;
      while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
      s = s.substr(0, end) + "...";
    }
    return s;
  }

  std::optional<std::string> create(const store::PendingDelivery& e, Outcome* outcome) {
    const FindingRecord& f = e.finding;
    std::string summary = route_.per_object ? "kspm: findings on " + objectLabel(f) + " in " + e.target
                                            : "kspm: " + f.check_id + " on " + objectLabel(f) + ": " + f.message;
    std::string description = route_.per_object ? "kspm findings on " + objectLabel(f) + " (" + e.target + ").\n\n" + findingText(e)
                                                : findingText(e);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "fields");
    w.StartObject();
    writeKey(w, "project");
    w.StartObject();
    writeKey(w, "key");
    writeString(w, route_.project);
    w.EndObject();
    writeKey(w, "issuetype");
    w.StartObject();
    writeKey(w, "name");
    writeString(w, route_.issue_type);
    w.EndObject();
    writeKey(w, "summary");
    writeString(w, oneLine(summary, 250));
    writeKey(w, "description");
    writeText(w, description);
    writeKey(w, "labels");
    w.StartArray();
    for (const std::string& label : route_.labels) writeString(w, label);
    w.EndArray();
    if (auto p = route_.priorities.find(std::string(severityName(effectiveSeverity(f)))); p != route_.priorities.end()) {
      writeKey(w, "priority");
      w.StartObject();
      writeKey(w, "name");
      writeString(w, p->second);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    HttpResponse response = call("POST", "/issue", std::string(buf.GetString(), buf.GetSize()), outcome);
    if (!response.ok()) return std::nullopt;
    rapidjson::Document doc;
    doc.Parse(response.body.c_str(), response.body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("key") || !doc["key"].IsString()) {
      outcome->error = hostOf(base_) + ": the create-issue response has no issue key";
      return std::nullopt;
    }
    std::string key(doc["key"].GetString(), doc["key"].GetStringLength());
    bool plausible = !key.empty() && key.size() <= 64;  // PROJ-123; it goes into URL paths later
    for (char c : key) plausible = plausible && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    if (!plausible) {
      outcome->error = hostOf(base_) + ": the create-issue response has no valid issue key";
      return std::nullopt;
    }
    return key;
  }

  /** Posts a comment: 1 done, 0 the issue is gone (404), -1 failed. */
  int comment(const std::string& key, const std::string& text, Outcome* outcome) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "body");
    writeText(w, text);
    w.EndObject();
    Outcome failure;
    HttpResponse response = call("POST", "/issue/" + key + "/comment", std::string(buf.GetString(), buf.GetSize()), &failure);
    if (response.ok()) return 1;
    if (response.status == 404) return 0;
    outcome->transient = failure.transient;
    outcome->error = failure.error;
    outcome->retry_after = failure.retry_after;
    return -1;
  }

  /** Applies the first transition available by one of `names`; true also when none applies. */
  bool transition(const std::string& key, const std::vector<std::string>& names, Outcome* outcome) {
    HttpResponse listed = call("GET", "/issue/" + key + "/transitions", "", outcome);
    if (!listed.ok()) return listed.status == 404;
    rapidjson::Document doc;
    doc.Parse(listed.body.c_str(), listed.body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("transitions") || !doc["transitions"].IsArray()) return true;
    for (const std::string& wanted : names) {
      for (const auto& t : doc["transitions"].GetArray()) {
        if (!t.IsObject() || !t.HasMember("id") || !t["id"].IsString()) continue;
        bool match = t.HasMember("name") && t["name"].IsString() && equalsNoCase(t["name"].GetString(), wanted);
        if (!match && t.HasMember("to") && t["to"].IsObject() && t["to"].HasMember("name") && t["to"]["name"].IsString()) {
          match = equalsNoCase(t["to"]["name"].GetString(), wanted);
        }
        if (!match) continue;
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        w.StartObject();
        writeKey(w, "transition");
        w.StartObject();
        writeKey(w, "id");
        writeString(w, std::string_view(t["id"].GetString(), t["id"].GetStringLength()));
        w.EndObject();
        w.EndObject();
        HttpResponse done = call("POST", "/issue/" + key + "/transitions", std::string(buf.GetString(), buf.GetSize()), outcome);
        return done.ok();
      }
    }
    return true;  // already there, or the workflow has no such transition: the comment says it
  }

  static std::string objectKey(const store::PendingDelivery& e) {
    const FindingRecord& f = e.finding;
    return e.target + "\n" + f.api_group + "\n" + f.kind + "\n" + f.namespace_ + "\n" + f.name;
  }
  static std::string objectKey(const std::string& target, const FindingRecord& f) {
    return target + "\n" + f.api_group + "\n" + f.kind + "\n" + f.namespace_ + "\n" + f.name;
  }

  /** The latest scan's active findings of the target, by object (per-object issues only). */
  const std::map<std::string, std::vector<std::string>>* objectFindings(const std::string& target, Outcome* outcome) {
    auto it = by_object_.find(target);
    if (it != by_object_.end()) return &it->second;
    auto& index = by_object_[target];
    Result<std::optional<store::ScanInfo>> latest = ctx_.store.latestScan(target);
    if (!latest.ok()) {
      outcome->store_error = latest.error();
      return nullptr;
    }
    if (latest.value()) {
      Result<std::vector<store::RecordedFinding>> findings = ctx_.store.scanFindings(latest.value()->id);
      if (!findings.ok()) {
        outcome->store_error = findings.error();
        return nullptr;
      }
      for (const store::RecordedFinding& r : findings.value()) {
        if (r.finding.state == FindingState::kActive) index[objectKey(target, r.finding)].push_back(r.finding.fingerprint);
      }
    }
    return &index;
  }

  /** The issue of the event: its finding's (per finding) or its object's (per object), or "". */
  std::string issueOf(const store::PendingDelivery& e, Outcome* outcome) {
    if (route_.per_object) {
      std::string key = objectKey(e);
      if (auto it = object_issue_.find(key); it != object_issue_.end()) return it->second;
    }
    Result<std::string> own = ctx_.store.externalRef(route_.name, e.target, e.finding.fingerprint);
    if (!own.ok()) {
      outcome->store_error = own.error();
      return "";
    }
    if (isIssueKey(own.value()) || !route_.per_object) return isIssueKey(own.value()) ? own.value() : "";
    const auto* index = objectFindings(e.target, outcome);
    if (index == nullptr) return "";
    auto it = index->find(objectKey(e));
    if (it == index->end()) return "";
    for (const std::string& fp : it->second) {
      if (fp == e.finding.fingerprint) continue;
      Result<std::string> ref = ctx_.store.externalRef(route_.name, e.target, fp);
      if (!ref.ok()) {
        outcome->store_error = ref.error();
        return "";
      }
      if (isIssueKey(ref.value())) return object_issue_[objectKey(e)] = ref.value();
    }
    return "";
  }

  /** Per object: whether any other active finding of the object remains. */
  bool objectStillHasFindings(const store::PendingDelivery& e, Outcome* outcome) {
    const auto* index = objectFindings(e.target, outcome);
    if (index == nullptr) return true;
    auto it = index->find(objectKey(e));
    if (it == index->end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](const std::string& fp) { return fp != e.finding.fingerprint; });
  }

  Outcome createFor(const store::PendingDelivery& e) {
    Outcome outcome;
    std::optional<std::string> key = create(e, &outcome);
    if (!key) return outcome;
    if (route_.per_object) object_issue_[objectKey(e)] = *key;
    outcome.ok = true;
    outcome.ref = *key;
    return outcome;
  }

  Outcome deliver(const store::PendingDelivery& e) {
    Outcome outcome;
    std::string issue = issueOf(e, &outcome);
    if (!outcome.store_error.message.empty()) return outcome;
    const FindingRecord& f = e.finding;
    std::string what = f.check_id + " on " + objectLabel(f);
    if (e.event == Lifecycle::kNew && (issue.empty() || !route_.per_object)) {
      if (!issue.empty()) {  // delivered before (a retried run): never a second issue
        outcome.ok = true;
        outcome.ref = issue;
        return outcome;
      }
      return createFor(e);
    }
    if (issue.empty()) {
      if (e.event == Lifecycle::kResolved) {  // nothing was opened for it on this route
        outcome.ok = true;
        outcome.ref = "none";
        return outcome;
      }
      return createFor(e);
    }
    std::string text;
    if (e.event == Lifecycle::kNew) {
      text = "kspm: new finding on this object.\n\n" + findingText(e);
    } else if (e.event == Lifecycle::kResolved) {
      text = "kspm: resolved: " + what + " is no longer found (" + e.target + ", " + e.created_at + ").";
    } else {
      text = "kspm: reopened: " + what + " is found again (" + e.target + ", " + e.created_at + ").\n\n" + findingText(e);
    }
    int commented = comment(issue, text, &outcome);
    if (commented == 0) {  // the issue is gone
      if (route_.per_object) object_issue_.erase(objectKey(e));
      if (e.event == Lifecycle::kResolved) {
        outcome.ok = true;
        outcome.ref = issue;
        return outcome;
      }
      return createFor(e);
    }
    if (commented < 0) return outcome;
    bool moved = true;
    if (e.event == Lifecycle::kResolved) {
      bool close = !route_.per_object || !objectStillHasFindings(e, &outcome);
      if (!outcome.store_error.message.empty()) return outcome;
      if (close) moved = transition(issue, route_.resolve_transitions, &outcome);
    } else if (e.event == Lifecycle::kReopened) {
      moved = transition(issue, route_.reopen_transitions, &outcome);
    }
    if (!moved) return outcome;
    outcome.ok = true;
    outcome.ref = issue;
    return outcome;
  }

  RouteContext& ctx_;
  const Route& route_;
  std::string base_, auth_;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_object_;  // target -> object -> fingerprints
  std::map<std::string, std::string> object_issue_;                                  // object key -> issue
};

}  // namespace

Result<bool> sendJira(RouteContext& ctx, const std::vector<const store::PendingDelivery*>& events) {
  Jira jira(ctx);
  return jira.run(events);
}

}  // namespace kspm::routing::internal
