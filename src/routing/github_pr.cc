// GitHub pull request review comments from a SARIF report (`kspm comment-pr`).
#include <algorithm>
#include <map>
#include <set>

#include <rapidjson/document.h>

#include "routing/senders.h"

namespace kspm::routing {
namespace {

using internal::HttpRequest;
using internal::HttpResponse;
using internal::HttpSender;
using internal::JsonWriter;
using internal::writeKey;
using internal::writeString;

constexpr size_t kMaxPages = 30;         // GitHub lists at most 3,000 files of a pull request
constexpr size_t kMaxListedOutside = 20;  // results outside the diff named in the review body

struct SarifResult {
  std::string rule, level, message, path, fingerprint;
  uint32_t line = 0;
  Severity severity = Severity::kMedium;
};

std::string percentDecode(std::string_view uri) {
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && std::isxdigit(static_cast<unsigned char>(uri[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(uri.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

Severity severityFromSarif(const rapidjson::Value* rule, std::string_view level) {
  if (rule != nullptr && rule->IsObject() && rule->HasMember("properties") && (*rule)["properties"].IsObject()) {
    const rapidjson::Value& props = (*rule)["properties"];
    if (props.HasMember("security-severity") && props["security-severity"].IsString()) {
      double score = std::atof(props["security-severity"].GetString());
      if (score >= 9.0) return Severity::kCritical;
      if (score >= 7.0) return Severity::kHigh;
      if (score >= 4.0) return Severity::kMedium;
      if (score >= 2.0) return Severity::kLow;
      return Severity::kInfo;
    }
  }
  if (level == "error") return Severity::kHigh;
  if (level == "warning") return Severity::kMedium;
  return Severity::kLow;
}

const char* str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : nullptr;
}

Result<std::vector<SarifResult>> readSarif(std::string_view path, std::string_view text, const std::string& prefix) {
  auto bad = [&](const std::string& message) { return InputError{ErrorCode::kUsage, std::string(path), 0, message}; };
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("runs") || !doc["runs"].IsArray()) {
    return bad("not a SARIF report (expected a JSON object with runs, as `kspm scan -o sarif` writes)");
  }
  std::vector<SarifResult> out;
  for (const auto& run : doc["runs"].GetArray()) {
    if (!run.IsObject() || !run.HasMember("results") || !run["results"].IsArray()) continue;
    std::map<std::string, const rapidjson::Value*> rules_by_id;
    std::vector<const rapidjson::Value*> rules;
    if (run.HasMember("tool") && run["tool"].IsObject() && run["tool"].HasMember("driver") &&
        run["tool"]["driver"].IsObject() && run["tool"]["driver"].HasMember("rules") && run["tool"]["driver"]["rules"].IsArray()) {
      for (const auto& rule : run["tool"]["driver"]["rules"].GetArray()) {
        rules.push_back(&rule);
        if (const char* id = str(rule, "id")) rules_by_id[id] = &rule;
      }
    }
    for (const auto& result : run["results"].GetArray()) {
      if (!result.IsObject()) continue;
      if (result.HasMember("suppressions") && result["suppressions"].IsArray() && !result["suppressions"].Empty()) continue;
      SarifResult r;
      if (const char* id = str(result, "ruleId")) r.rule = id;
      if (const char* level = str(result, "level")) r.level = level;
      if (result.HasMember("message")) {
        if (const char* m = str(result["message"], "text")) r.message = m;
      }
      const rapidjson::Value* rule = nullptr;
      if (result.HasMember("ruleIndex") && result["ruleIndex"].IsUint() && result["ruleIndex"].GetUint() < rules.size()) {
        rule = rules[result["ruleIndex"].GetUint()];
      } else if (auto it = rules_by_id.find(r.rule); it != rules_by_id.end()) {
        rule = it->second;
      }
      r.severity = severityFromSarif(rule, r.level);
      if (result.HasMember("partialFingerprints")) {
        if (const char* fp = str(result["partialFingerprints"], "kspmFingerprint/v1")) r.fingerprint = fp;
      }
      if (result.HasMember("locations") && result["locations"].IsArray() && !result["locations"].Empty()) {
        const auto& loc = result["locations"][0];
        if (loc.IsObject() && loc.HasMember("physicalLocation") && loc["physicalLocation"].IsObject()) {
          const auto& phys = loc["physicalLocation"];
          if (phys.HasMember("artifactLocation")) {
            if (const char* uri = str(phys["artifactLocation"], "uri")) r.path = percentDecode(uri);
          }
          if (phys.HasMember("region") && phys["region"].IsObject() && phys["region"].HasMember("startLine") &&
              phys["region"]["startLine"].IsUint()) {
            r.line = phys["region"]["startLine"].GetUint();
          }
        }
      }
      while (r.path.starts_with("./")) r.path.erase(0, 2);
      if (!prefix.empty() && r.path.starts_with(prefix)) {
        r.path.erase(0, prefix.size());
        while (r.path.starts_with("/")) r.path.erase(0, 1);
      }
      if (r.fingerprint.empty()) {  // not from kspm: a stable stand-in
        r.fingerprint = r.rule + ":" + r.path + ":" + std::to_string(r.line);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

/** The next page's URL from a Link header, or "". */
std::string nextLink(std::string_view link) {
  size_t pos = 0;
  while ((pos = link.find('<', pos)) != std::string_view::npos) {
    size_t end = link.find('>', pos);
    if (end == std::string_view::npos) break;
    size_t comma = link.find(',', end);
    std::string_view params = link.substr(end, comma == std::string_view::npos ? std::string_view::npos : comma - end);
    if (params.find("rel=\"next\"") != std::string_view::npos) return std::string(link.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  return "";
}

class GitHub {
 public:
  GitHub(const PullRequestOptions& options, HttpSender& http) : options_(options), http_(http) {
    std::string base = options.api_url;
    while (base.ends_with('/')) base.pop_back();
    pr_ = base + "/repos/" + options.repo + "/pulls/" + std::to_string(options.pr);
  }

  HttpRequest request(const std::string& method, const std::string& url) const {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.headers.emplace_back("Accept", "application/vnd.github+json");
    r.headers.emplace_back("X-GitHub-Api-Version", "2022-11-28");
    if (!options_.token.empty()) r.headers.emplace_back("Authorization", "Bearer " + options_.token);
    return r;
  }

  /** Every page of a list endpoint, each item handed to `each`. */
  Result<bool> list(const std::string& path, const std::function<void(const rapidjson::Value&)>& each) {
    std::string url = pr_ + path + "?per_page=100";
    for (size_t page = 0; page < kMaxPages && !url.empty(); ++page) {
      // Only follow links to the same API (a Link header must not send the token elsewhere).
      if (internal::hostOf(url) != internal::hostOf(pr_)) break;
      HttpRequest r = request("GET", url);
      HttpResponse response = http_.send(r);
      if (!response.ok()) return InputError{ErrorCode::kDelivery, "", 0, http_.describeFailure(r, response)};
      rapidjson::Document doc;
      doc.Parse(response.body.c_str(), response.body.size());
      if (doc.HasParseError() || !doc.IsArray()) {
        return InputError{ErrorCode::kDelivery, "", 0, internal::hostOf(url) + ": " + path + ": the response is not a JSON list"};
      }
      for (const auto& item : doc.GetArray()) each(item);
      url = nextLink(response.link);
    }
    return true;
  }

  Result<bool> post(const std::string& path, const std::string& body) {
    HttpRequest r = request("POST", pr_ + path);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body;
    HttpResponse response = http_.send(r);
    if (!response.ok()) return InputError{ErrorCode::kDelivery, "", 0, http_.describeFailure(r, response)};
    return true;
  }

 private:
  const PullRequestOptions& options_;
  HttpSender& http_;
  std::string pr_;
};

std::string escapeMarkdown(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string commentBody(const SarifResult& r) {
  std::string body = "**kspm** `" + r.rule + "` (" + std::string(severityName(r.severity)) + "): " + escapeMarkdown(r.message);
  std::string remediation = internal::remediationOf(r.rule);
  if (!remediation.empty()) body += "\n\n" + escapeMarkdown(remediation);
  body += "\n\n<!-- kspm:" + escapeMarkdown(r.fingerprint) + " -->";
  return body;
}

}  // namespace

std::vector<uint32_t> addedLines(std::string_view patch) {
  std::vector<uint32_t> out;
  uint32_t right = 0;
  bool in_hunk = false;
  size_t pos = 0;
  while (pos < patch.size()) {
    size_t end = patch.find('\n', pos);
    if (end == std::string_view::npos) end = patch.size();
    std::string_view line = patch.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("@@")) {
      // @@ -a[,b] +c[,d] @@
      size_t plus = line.find('+');
      in_hunk = plus != std::string_view::npos;
      if (!in_hunk) continue;
      right = 0;
      for (size_t i = plus + 1; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i) {
        right = right * 10 + static_cast<uint32_t>(line[i] - '0');
        if (right > 100000000) break;
      }
      continue;
    }
    if (!in_hunk || line.empty()) {
      if (in_hunk && line.empty()) ++right;  // a context line whose leading space was lost
      continue;
    }
    if (line[0] == '+') {
      out.push_back(right++);
    } else if (line[0] == ' ') {
      ++right;
    }  // '-' is the left side only; '\' is "No newline at end of file"
  }
  return out;
}

Result<PullRequestReport> commentOnPullRequest(std::string_view sarif_path, std::string_view sarif_text,
                                               const PullRequestOptions& options) {
  Result<std::vector<SarifResult>> results = readSarif(sarif_path, sarif_text, options.path_prefix);
  if (!results.ok()) return results.error();
  PullRequestReport report;
  report.results = results.value().size();

  std::vector<std::string> secrets;
  if (!options.token.empty()) secrets.push_back(options.token);
  HttpSender http(options.retry, options.ca_file, secrets);
  GitHub github(options, http);

  std::map<std::string, std::set<uint32_t>> changed;  // path -> RIGHT lines added or changed
  Result<bool> files = github.list("/files", [&](const rapidjson::Value& file) {
    const char* name = str(file, "filename");
    const char* patch = str(file, "patch");
    if (name == nullptr) return;
    auto& lines = changed[name];
    if (patch != nullptr) {
      for (uint32_t l : addedLines(patch)) lines.insert(l);
    }
  });
  if (!files.ok()) return files.error();
  std::set<std::string> posted;  // fingerprints already commented
  Result<bool> comments = github.list("/comments", [&](const rapidjson::Value& comment) {
    const char* body = str(comment, "body");
    if (body == nullptr) return;
    std::string_view text(body);
    for (size_t at = text.find("<!-- kspm:"); at != std::string_view::npos; at = text.find("<!-- kspm:", at + 1)) {
      size_t end = text.find(" -->", at);
      if (end == std::string_view::npos) break;
      posted.insert(std::string(text.substr(at + 10, end - at - 10)));
    }
  });
  if (!comments.ok()) return comments.error();

  std::vector<const SarifResult*> inline_results, outside;
  std::set<std::string> seen;
  for (const SarifResult& r : results.value()) {
    std::string marker_fp = escapeMarkdown(r.fingerprint);
    if (posted.count(marker_fp) || !seen.insert(marker_fp).second) {
      ++report.already_posted;
      continue;
    }
    auto file = changed.find(r.path);
    if (file == changed.end() || r.line == 0 || !file->second.count(r.line)) {
      ++report.outside_diff;
      outside.push_back(&r);
      continue;
    }
    inline_results.push_back(&r);
  }
  // The most severe first, and those within the limit.
  std::stable_sort(inline_results.begin(), inline_results.end(),
                   [](const SarifResult* a, const SarifResult* b) { return a->severity > b->severity; });
  if (inline_results.size() > options.max_comments) {
    report.over_limit = inline_results.size() - options.max_comments;
    inline_results.resize(options.max_comments);
  }

  std::string body = "**kspm** found " + std::to_string(inline_results.size()) + " new problem" +
                     (inline_results.size() == 1 ? "" : "s") + " on lines this pull request changes.";
  if (report.over_limit > 0) body += " " + std::to_string(report.over_limit) + " more on changed lines are not commented (limit " + std::to_string(options.max_comments) + ").";
  if (!outside.empty()) {
    body += "\n\n" + std::to_string(outside.size()) + " finding" + (outside.size() == 1 ? "" : "s") +
            " on lines this pull request does not change:";
    for (size_t i = 0; i < outside.size() && i < kMaxListedOutside; ++i) {
      const SarifResult& r = *outside[i];
      body += "\n- `" + r.rule + "` " + escapeMarkdown(r.path) + (r.line > 0 ? ":" + std::to_string(r.line) : "") + ": " +
              escapeMarkdown(r.message.substr(0, 300));
    }
    if (outside.size() > kMaxListedOutside) body += "\n- and " + std::to_string(outside.size() - kMaxListedOutside) + " more";
  }
  report.review_body = body;

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (!options.commit.empty()) {
    writeKey(w, "commit_id");
    writeString(w, options.commit);
  }
  writeKey(w, "event");
  writeString(w, "COMMENT");
  writeKey(w, "body");
  writeString(w, body);
  writeKey(w, "comments");
  w.StartArray();
  for (const SarifResult* r : inline_results) {
    rapidjson::StringBuffer one;
    JsonWriter c(one);
    c.StartObject();
    writeKey(c, "path");
    writeString(c, r->path);
    writeKey(c, "line");
    c.Uint(r->line);
    writeKey(c, "side");
    writeString(c, "RIGHT");
    writeKey(c, "body");
    writeString(c, commentBody(*r));
    c.EndObject();
    report.comments_json.emplace_back(one.GetString(), one.GetSize());
    w.RawValue(one.GetString(), one.GetSize(), rapidjson::kObjectType);
  }
  w.EndArray();
  w.EndObject();

  if (inline_results.empty() || options.dry_run) return report;  // nothing new to say inline: no review
  Result<bool> posted_review = github.post("/reviews", std::string(buf.GetString(), buf.GetSize()));
  if (!posted_review.ok()) return posted_review.error();
  report.review_posted = true;
  report.posted = inline_results.size();
  return report;
}

}  // namespace kspm::routing
