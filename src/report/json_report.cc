#include <unordered_map>

#include "kspm/report.h"

#include <cstdio>

#include "kspm/baseline.h"
#include "kspm/owners.h"
#include "report/report_common.h"

namespace kspm {

bool parseOutputFormat(std::string_view text, OutputFormat* out) {
  if (text == "table") { *out = OutputFormat::kTable; return true; }
  if (text == "json") { *out = OutputFormat::kJson; return true; }
  if (text == "sarif") { *out = OutputFormat::kSarif; return true; }
  if (text == "junit") { *out = OutputFormat::kJunit; return true; }
  return false;
}

std::string pssVersionName(uint32_t minor) { return "v1." + std::to_string(minor); }

namespace report {

void writeErrorsJson(JsonWriter& w, const std::vector<InputError>& errors) {
  writeKey(w, "errors");
  w.StartArray();
  for (const InputError& e : errors) {
    w.StartObject();
    writeKey(w, "code");
    writeString(w, errorCodeName(e.code));
    writeKey(w, "file");
    writeString(w, e.file);
    writeKey(w, "line");
    w.Uint(e.line);
    writeKey(w, "message");
    writeString(w, e.message);
    w.EndObject();
  }
  w.EndArray();
}

void writeCoverageJson(JsonWriter& w, const Engine& engine) {
  writeKey(w, "coverage");
  w.StartObject();
  const std::vector<UnreadableResource>& unreadable = engine.policy().unreadable;
  writeKey(w, "complete");
  w.Bool(unreadable.empty());
  writeKey(w, "unreadable");
  w.StartArray();
  for (const UnreadableResource& u : unreadable) {
    w.StartObject();
    writeKey(w, "group");
    writeString(w, u.group);
    writeKey(w, "resource");
    writeString(w, u.resource);
    writeKey(w, "kind");
    writeString(w, u.kind);
    if (!u.namespace_.empty()) {
      writeKey(w, "namespace");
      writeString(w, u.namespace_);
    }
    writeKey(w, "reason");
    writeString(w, u.reason);
    w.EndObject();
  }
  w.EndArray();
  writeKey(w, "notAssessable");
  w.StartArray();
  for (const Engine::CheckCoverage& c : engine.coverage()) {
    w.StartObject();
    writeKey(w, "check");
    writeString(w, c.check->info().id);
    writeKey(w, "run");
    w.Bool(!c.skipped);
    writeKey(w, "reason");
    writeString(w, c.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void writeComplianceJson(JsonWriter& w, const std::vector<FrameworkCompliance>& compliance) {
  writeKey(w, "compliance");
  w.StartArray();
  for (const FrameworkCompliance& c : compliance) {
    w.StartObject();
    writeKey(w, "framework");
    writeString(w, frameworkName(c.framework));
    writeKey(w, "title");
    writeString(w, frameworkTitle(c.framework));
    writeKey(w, "passed");
    w.Uint64(c.passed);
    writeKey(w, "failed");
    w.Uint64(c.failed);
    writeKey(w, "notAssessable");
    w.Uint64(c.not_assessable);
    writeKey(w, "score");
    w.Double(c.score);
    writeKey(w, "controls");
    w.StartArray();
    for (const ControlResult& r : c.controls) {
      w.StartObject();
      writeKey(w, "id");
      writeString(w, r.control.id);
      writeKey(w, "title");
      writeString(w, r.control.title);
      writeKey(w, "status");
      writeString(w, controlStatusName(r.status));
      writeKey(w, "checks");
      w.StartArray();
      for (std::string_view id : r.checks) writeString(w, id);
      w.EndArray();
      writeKey(w, "findings");
      w.Uint64(r.findings);
      if (!r.reason.empty()) {
        writeKey(w, "reason");
        writeString(w, r.reason);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void writeFindingJson(JsonWriter& w, const ObjectSet& objects, const Object& object, const Finding& f,
                      const std::string* controls_json, const FindingJsonExtras& extras) {
  w.StartObject();
  writeKey(w, "check");
  writeString(w, f.check->id);
  writeKey(w, "severity");
  writeString(w, severityName(f.severity));
  writeKey(w, "message");
  writeString(w, f.message);
  if (f.risk >= 0) {
    writeKey(w, "risk");
    w.StartObject();
    writeKey(w, "score");
    w.Int(f.risk);
    writeKey(w, "factors");
    writeString(w, f.risk_factors);
    w.EndObject();
  }
  writeKey(w, "object");
  w.StartObject();
  writeKey(w, "apiVersion");
  writeString(w, object.api_version);
  writeKey(w, "kind");
  writeString(w, object.kind);
  writeKey(w, "namespace");
  std::string_view ns = displayNamespace(objects, object);
  if (ns.empty()) {
    w.Null();  // cluster-scoped, or namespaced but unspecified (set at apply time)
  } else {
    writeString(w, ns);
  }
  writeKey(w, "name");
  writeString(w, object.name);
  w.EndObject();
  writeKey(w, "source");
  w.StartObject();
  writeKey(w, "file");
  writeString(w, objects.pathOf(object));
  writeKey(w, "line");
  w.Uint(f.line != 0 ? f.line : object.line);
  if (object.document != nullptr && !object.document->helmSource().empty()) {
    writeKey(w, "helmTemplate");
    writeString(w, object.document->helmSource());
  }
  w.EndObject();
  writeKey(w, "path");
  writeString(w, f.path);
  if (!f.container.empty()) {
    writeKey(w, "container");
    writeString(w, f.container);
  }
  if (controls_json != nullptr) {
    writeKey(w, "controls");
    w.RawValue(controls_json->data(), controls_json->size(), rapidjson::kArrayType);
  } else {
    writeControls(w, f.check->controls);
  }
  if (!f.check->pss_id.empty()) {
    writeKey(w, "pssCheck");
    writeString(w, f.check->pss_id);
  }
  writeKey(w, "fingerprint");
  char fp[17];
  fingerprintInto(f, object, objects.namespaceOf(object), fp, extras.cluster);
  w.String(fp, 16);
  writeKey(w, "owner");
  writeString(w, extras.owner);
  if (extras.baseline != nullptr) {
    writeKey(w, "baseline");
    writeString(w, extras.baseline);
  }
  writeKey(w, "suppressed");
  w.Bool(f.suppressed);
  if (f.suppressed) {
    writeKey(w, "suppressedBy");
    writeString(w, f.suppressed_by_exception ? "exception" : "annotation");
    writeKey(w, "suppressionReason");
    writeString(w, f.suppression_reason);
  }
  w.EndObject();
}

namespace {

class JsonReporter final : public Reporter {
 public:
  JsonReporter(const Engine& engine, const ObjectSet& objects, const ReportOptions& options)
      : engine_(engine), objects_(objects), options_(options),
        cluster_id_(options.cluster ? options.cluster->id : std::string()) {
    for (const Check* check : engine.checks()) controls_json_[&check->info()] = controlsJson(check->info().controls);
  }

  std::string begin() override {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeKey(w, "schemaVersion");
    writeString(w, kJsonSchemaVersion);
    writeKey(w, "tool");
    w.StartObject();
    writeKey(w, "name");
    writeString(w, "kspm");
    writeKey(w, "version");
    writeString(w, options_.tool_version);
    w.EndObject();
    if (options_.cluster) {
      const ClusterSource& c = *options_.cluster;
      writeKey(w, "cluster");
      w.StartObject();
      writeKey(w, "id");
      writeString(w, c.id);
      writeKey(w, "context");
      writeString(w, c.context);
      writeKey(w, "server");
      writeString(w, c.server);
      writeKey(w, "serverVersion");
      writeString(w, c.server_version);
      writeKey(w, "takenAt");
      writeString(w, c.taken_at);
      if (!c.snapshot.empty()) {
        writeKey(w, "snapshot");
        writeString(w, c.snapshot);
      }
      w.EndObject();
    }
    writeKey(w, "policy");
    w.StartObject();
    writeKey(w, "framework");
    writeString(w, engine_.policy().frameworksName());
    writeKey(w, "pssVersion");
    writeString(w, pssVersionName(engine_.policy().pss_minor));
    writeKey(w, "pssVersionRequested");
    writeString(w, engine_.policy().pss_latest ? std::string("latest") : pssVersionName(engine_.policy().pss_minor));
    writeKey(w, "k8sVersion");
    writeString(w, "1." + std::to_string(engine_.policy().k8s_minor));
    writeKey(w, "k8sVersionAssumed");
    w.Bool(engine_.policy().k8s_default);
    writeKey(w, "checks");
    w.StartArray();
    for (const Check* c : engine_.checks()) writeString(w, c->info().id);
    w.EndArray();
    w.EndObject();
    w.EndObject();
    // Reopen the object: the writer closed it; strip the final '}' and start the findings array.
    std::string text(buf.GetString(), buf.GetSize());
    text.pop_back();
    text += ",\"findings\":[\n";
    return text;
  }

  std::string formatBatch(std::span<const ObjectFindings> batch) const override {
    rapidjson::StringBuffer buf;
    std::string out;
    for (const ObjectFindings& r : batch) {
      if (r.findings.empty()) continue;
      FindingJsonExtras extras;
      extras.cluster = cluster_id_;
      if (options_.owners != nullptr) extras.owner = options_.owners->ownerView(*r.object);  // once per object
      for (const Finding& f : r.findings) {
        buf.Clear();
        JsonWriter w(buf);
        auto controls = controls_json_.find(f.check);
        if (options_.baseline != nullptr) {
          extras.baseline = options_.baseline->contains(f, *r.object, objects_.namespaceOf(*r.object)) ? "existing" : "new";
        }
        writeFindingJson(w, objects_, *r.object, f, controls == controls_json_.end() ? nullptr : &controls->second,
                         extras);
        if (!out.empty()) out += ",\n";
        out.append(buf.GetString(), buf.GetSize());
      }
    }
    return out;
  }

  std::string accept(std::span<const ObjectFindings>, std::string&& text) override {
    if (text.empty()) return {};
    if (any_) text.insert(0, ",\n");
    any_ = true;
    return std::move(text);
  }

  std::string end(const ScanSummary& s, const std::vector<InputError>& errors) override {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    writeErrorsJson(w, errors);
    writeComplianceJson(w, computeCompliance(engine_, s));
    writeKey(w, "exceptions");
    w.StartArray();
    for (const Engine::ExceptionUse& use : engine_.exceptionUse()) {
      w.StartObject();
      writeKey(w, "source");
      writeString(w, use.exception->source);
      writeKey(w, "reason");
      writeString(w, use.exception->reason);
      if (!use.exception->expires.empty()) {
        writeKey(w, "expires");
        writeString(w, use.exception->expires);
      }
      writeKey(w, "status");
      writeString(w, use.expired ? "expired" : use.matched == 0 ? "unused" : "active");
      writeKey(w, "findings");
      w.Uint64(use.matched);
      w.EndObject();
    }
    w.EndArray();
    writeCoverageJson(w, engine_);
    writeKey(w, "summary");
    w.StartObject();
    writeKey(w, "files");
    w.Uint64(s.files);
    writeKey(w, "documents");
    w.Uint64(s.documents);
    writeKey(w, "objects");
    w.Uint64(s.objects);
    writeKey(w, "objectsWithPodSpec");
    w.Uint64(s.objects_with_pod_spec);
    writeKey(w, "objectsWithFindings");
    w.Uint64(s.objects_with_findings);
    writeKey(w, "findings");
    w.Uint64(s.findings);
    writeKey(w, "suppressed");
    w.Uint64(s.suppressed);
    writeKey(w, "excludedObjects");
    w.Uint64(s.excluded);
    writeKey(w, "bySeverity");
    w.StartObject();
    for (int i = static_cast<int>(Severity::kCritical); i >= 0; --i) {
      writeKey(w, severityName(static_cast<Severity>(i)));
      w.Uint64(s.by_severity[i]);
    }
    w.EndObject();
    writeKey(w, "errors");
    w.Uint64(s.errors);
    if (const BaselineComparison* b = options_.baseline) {
      writeKey(w, "baseline");
      w.StartObject();
      writeKey(w, "source");
      writeString(w, b->baseline().source);
      writeKey(w, "new");
      w.Uint64(b->newFindings());
      writeKey(w, "newBySeverity");
      w.StartObject();
      for (int i = static_cast<int>(Severity::kCritical); i >= 0; --i) {
        writeKey(w, severityName(static_cast<Severity>(i)));
        w.Uint64(b->newBySeverity(static_cast<Severity>(i)));
      }
      w.EndObject();
      writeKey(w, "existing");
      w.Uint64(b->existing());
      writeKey(w, "fixed");
      w.Uint64(b->fixed());
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    std::string text(buf.GetString(), buf.GetSize());
    // `text` is {"errors":...,"summary":...}: splice it after the findings array.
    return "\n]," + text.substr(1) + "\n";
  }

 private:
  const Engine& engine_;
  const ObjectSet& objects_;
  ReportOptions options_;
  std::string cluster_id_;  // mixed into fingerprints
  std::unordered_map<const CheckInfo*, std::string> controls_json_;  // read-only after construction
  bool any_ = false;
};

}  // namespace

std::unique_ptr<Reporter> makeJsonReporter(const Engine& engine, const ObjectSet& objects,
                                           const ReportOptions& options) {
  return std::make_unique<JsonReporter>(engine, objects, options);
}

}  // namespace report
}  // namespace kspm
