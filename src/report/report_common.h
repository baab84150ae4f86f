// Helpers shared by the report formats.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "kspm/check.h"
#include "kspm/engine.h"
#include "kspm/finding.h"
#include "kspm/frameworks.h"
#include "kspm/object.h"

namespace kspm::report {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void writeString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void writeKey(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

/** Namespace for display: metadata.namespace, else -n, else "" (unspecified); "" for cluster-scoped kinds. */
inline std::string_view displayNamespace(const ObjectSet& objects, const Object& object) {
  return isClusterScopedKind(object.kind) ? std::string_view() : objects.namespaceOf(object);
}

/** Writes `"controls": [{"framework": ..., "control": ...}, ...]`. */
inline void writeControls(JsonWriter& w, const std::vector<ControlRef>& controls) {
  writeKey(w, "controls");
  w.StartArray();
  for (const ControlRef& c : controls) {
    w.StartObject();
    writeKey(w, "framework");
    writeString(w, c.framework);
    writeKey(w, "control");
    writeString(w, c.control);
    w.EndObject();
  }
  w.EndArray();
}

/** Writes `"errors": [{code, file, line, message}, ...]` (docs/json-output.md). */
void writeErrorsJson(JsonWriter& w, const std::vector<InputError>& errors);

/** Writes `"compliance": [...]`, one object per framework (docs/json-output.md). */
void writeComplianceJson(JsonWriter& w, const std::vector<FrameworkCompliance>& compliance);
/** "coverage": what the scan could not read and the checks that leaves not assessable (docs/json-output.md). */
void writeCoverageJson(JsonWriter& w, const Engine& engine);

/** Writes the JSON object for one finding (schema in docs/json-output.md). */
/** `controls_json`: the check's controls array already rendered (see controlsJson), or null. */
/** What a finding's JSON carries beyond the finding: the cluster ID of its fingerprint, its owner, its baseline state. */
struct FindingJsonExtras {
  std::string_view cluster;            // mixed into the fingerprint when not empty
  std::string_view owner = "unowned";  // "owner"
  const char* baseline = nullptr;      // "baseline": "new" or "existing"; null: not written
};
void writeFindingJson(JsonWriter& w, const ObjectSet& objects, const Object& object, const Finding& finding,
                      const std::string* controls_json = nullptr, const FindingJsonExtras& extras = {});

/** The JSON array of a check's controls, rendered once per check rather than once per finding. */
inline std::string controlsJson(const std::vector<ControlRef>& controls) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  writeControls(w, controls);
  w.EndObject();
  std::string text(buf.GetString(), buf.GetSize());
  // {"controls":[...]} -> [...]
  return text.substr(12, text.size() - 13);
}

}  // namespace kspm::report
