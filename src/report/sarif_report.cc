// SARIF 2.1.0 as GitHub code scanning accepts it: rules from the catalog, one result per finding
// with a physical location, fingerprints, and in-source suppressions; capped at 25,000 results.
#include <algorithm>
#include <unordered_map>

#include "kspm/baseline.h"
#include "kspm/owners.h"

#include "kspm/report.h"
#include "report/report_common.h"

namespace kspm::report {
namespace {

std::string_view sarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    default: return "note";
  }
}

std::string_view securitySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical: return "9.5";
    case Severity::kHigh: return "8.0";
    case Severity::kMedium: return "5.5";
    case Severity::kLow: return "3.0";
    case Severity::kInfo: return "1.0";
  }
  return "1.0";
}

/** SARIF wants URIs: relative paths as they are (forward slashes), with spaces escaped. */
std::string artifactUri(std::string_view path) {
  std::string out;
  if (path.starts_with("./")) path.remove_prefix(2);
  for (char c : path) {
    if (c == ' ') {
      out += "%20";
    } else if (c == '%') {
      out += "%25";
    } else {
      out += c;
    }
  }
  return out;
}

/** Writes `"physicalLocation": {artifactLocation: {uri}, region: {startLine}}`; no region for line 0. */
void writePhysicalLocation(JsonWriter& w, std::string_view path, uint32_t line) {
  writeKey(w, "physicalLocation");
  w.StartObject();
  writeKey(w, "artifactLocation");
  w.StartObject();
  writeKey(w, "uri");
  writeString(w, artifactUri(path));
  w.EndObject();
  if (line > 0) {
    writeKey(w, "region");
    w.StartObject();
    writeKey(w, "startLine");
    w.Uint(line);
    w.EndObject();
  }
  w.EndObject();
}

class SarifReporter final : public Reporter {
 public:
  SarifReporter(const Engine& engine, const ObjectSet& objects, const ReportOptions& options)
      : engine_(engine), objects_(objects), options_(options) {
    for (size_t i = 0; i < engine.checks().size(); ++i) rule_index_[engine.checks()[i]->info().id] = i;
  }

  std::string begin() override {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "version");
    writeString(w, "2.1.0");
    writeKey(w, "$schema");
    writeString(w, "https://json.schemastore.org/sarif-2.1.0.json");
    writeKey(w, "runs");
    w.StartArray();
    w.StartObject();
    writeKey(w, "tool");
    w.StartObject();
    writeKey(w, "driver");
    w.StartObject();
    writeKey(w, "name");
    writeString(w, "kspm");
    writeKey(w, "version");
    writeString(w, options_.tool_version);
    writeKey(w, "semanticVersion");
    writeString(w, options_.tool_version);
    writeKey(w, "rules");
    w.StartArray();
    for (const Check* c : engine_.checks()) {
      const CheckInfo& info = c->info();
      w.StartObject();
      writeKey(w, "id");
      writeString(w, info.id);
      writeKey(w, "name");
      writeString(w, info.id);
      writeKey(w, "shortDescription");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, info.title);
      w.EndObject();
      writeKey(w, "fullDescription");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, info.description);
      w.EndObject();
      writeKey(w, "help");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, info.remediation);
      w.EndObject();
      writeKey(w, "defaultConfiguration");
      w.StartObject();
      writeKey(w, "level");
      writeString(w, sarifLevel(info.severity));
      w.EndObject();
      writeKey(w, "properties");
      w.StartObject();
      writeKey(w, "security-severity");
      writeString(w, securitySeverity(info.severity));
      writeKey(w, "tags");
      w.StartArray();
      writeString(w, "security");
      for (const ControlRef& ref : info.controls) writeString(w, std::string(ref.framework) + ":" + std::string(ref.control));
      w.EndArray();
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    std::string text(buf.GetString(), buf.GetSize());
    // Strip the closing "}]}" of run, runs and log, then open the results array.
    text.resize(text.size() - 3);
    text += ",\"results\":[\n";
    return text;
  }

  std::string formatOne(const Object& object, const Finding& f) const {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "ruleId");
    writeString(w, f.check->id);
    if (auto it = rule_index_.find(f.check->id); it != rule_index_.end()) {
      writeKey(w, "ruleIndex");
      w.Uint64(it->second);
    }
    writeKey(w, "level");
    writeString(w, sarifLevel(f.severity));
    writeKey(w, "message");
    w.StartObject();
    writeKey(w, "text");
    std::string ns(displayNamespace(objects_, object));
    std::string text = std::string(object.kind) + " " + (ns.empty() ? "" : ns + "/") + std::string(object.name) + ": " + f.message;
    writeString(w, text);
    w.EndObject();
    writeKey(w, "locations");
    w.StartArray();
    w.StartObject();
    writePhysicalLocation(w, objects_.pathOf(object), std::max<uint32_t>(1, f.line != 0 ? f.line : object.line));
    w.EndObject();
    w.EndArray();
    if (object.document != nullptr && !object.document->helmSource().empty()) {
      writeKey(w, "relatedLocations");
      w.StartArray();
      w.StartObject();
      writeKey(w, "id");
      w.Uint(1);
      writePhysicalLocation(w, object.document->helmSource(), 0);
      writeKey(w, "message");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, "Helm template that rendered this object");
      w.EndObject();
      w.EndObject();
      w.EndArray();
    }
    writeKey(w, "properties");
    w.StartObject();
    if (f.risk >= 0) {
      writeKey(w, "kspm-risk-score");
      w.Int(f.risk);
      writeKey(w, "kspm-risk-factors");
      writeString(w, f.risk_factors);
    }
    writeKey(w, "kspm-owner");
    writeString(w, options_.owners != nullptr ? options_.owners->ownerView(object) : kUnowned);
    w.EndObject();
    writeKey(w, "partialFingerprints");
    w.StartObject();
    writeKey(w, "kspmFingerprint/v1");
    writeString(w, fingerprint(f, object, objects_.namespaceOf(object), clusterId()));
    w.EndObject();
    if (options_.baseline != nullptr) {
      // SARIF 2.1.0 result.baselineState; GitHub code scanning reads it.
      writeKey(w, "baselineState");
      writeString(w, options_.baseline->contains(f, object, objects_.namespaceOf(object)) ? "unchanged" : "new");
    }
    if (f.suppressed) {
      writeKey(w, "suppressions");
      w.StartArray();
      w.StartObject();
      writeKey(w, "kind");
      writeString(w, f.suppressed_by_exception ? "external" : "inSource");
      writeKey(w, "justification");
      writeString(w, f.suppression_reason);
      w.EndObject();
      w.EndArray();
    }
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  }

  std::string formatBatch(std::span<const ObjectFindings> batch) const override {
    std::string out;
    for (const ObjectFindings& r : batch) {
      for (const Finding& f : r.findings) {
        if (!out.empty()) out += ",\n";
        out += formatOne(*r.object, f);
      }
    }
    return out;
  }

  std::string accept(std::span<const ObjectFindings> batch, std::string&& text) override {
    size_t count = 0;
    for (const ObjectFindings& r : batch) count += r.findings.size();
    total_ += count;
    if (count == 0) return {};
    if (written_ + count > options_.sarif_max_results) {
      // Re-format only what fits under the cap.
      text.clear();
      for (const ObjectFindings& r : batch) {
        for (const Finding& f : r.findings) {
          if (written_ >= options_.sarif_max_results) break;
          if (!text.empty() || written_ > 0) text += ",\n";
          text += formatOne(*r.object, f);
          ++written_;
        }
      }
      return std::move(text);
    }
    if (written_ > 0) text.insert(0, ",\n");
    written_ += count;
    return std::move(text);
  }

  std::string end(const ScanSummary&, const std::vector<InputError>& errors) override {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "invocations");
    w.StartArray();
    w.StartObject();
    writeKey(w, "executionSuccessful");
    w.Bool(true);
    writeKey(w, "toolExecutionNotifications");
    w.StartArray();
    for (const InputError& e : errors) {
      w.StartObject();
      writeKey(w, "level");
      writeString(w, "error");
      writeKey(w, "message");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, std::string(errorCodeName(e.code)) + ": " + e.message);
      w.EndObject();
      writeKey(w, "locations");
      w.StartArray();
      w.StartObject();
      writePhysicalLocation(w, e.file, e.line);
      w.EndObject();
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    writeKey(w, "toolConfigurationNotifications");
    w.StartArray();
    for (const std::string& warning : warnings()) {
      w.StartObject();
      writeKey(w, "level");
      writeString(w, "warning");
      writeKey(w, "message");
      w.StartObject();
      writeKey(w, "text");
      writeString(w, warning);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    std::string text(buf.GetString(), buf.GetSize());
    return "\n]," + text.substr(1) + "]}\n";
  }

  std::string_view clusterId() const { return options_.cluster ? std::string_view(options_.cluster->id) : std::string_view(); }

  std::vector<std::string> warnings() const override {
    if (total_ <= options_.sarif_max_results) return {};
    return {"SARIF output capped at " + std::to_string(options_.sarif_max_results) + " of " +
            std::to_string(total_) +
            " results (GitHub code scanning rejects more); use -o json for the full list"};
  }

 private:
  const Engine& engine_;
  const ObjectSet& objects_;
  ReportOptions options_;
  std::unordered_map<std::string_view, size_t> rule_index_;
  size_t written_ = 0;
  size_t total_ = 0;
};

}  // namespace

std::unique_ptr<Reporter> makeSarifReporter(const Engine& engine, const ObjectSet& objects,
                                            const ReportOptions& options) {
  return std::make_unique<SarifReporter>(engine, objects, options);
}

}  // namespace kspm::report
