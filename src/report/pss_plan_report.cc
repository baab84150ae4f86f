// `kspm pss plan` as JSON (schema in docs/pod-security.md) and as a table for people.
#include <algorithm>

#include "kspm/pss_plan.h"
#include "kspm/report.h"
#include "report/report_common.h"

namespace kspm {
namespace {

constexpr std::string_view kModes[3] = {"enforce", "warn", "audit"};

int rank(PssLevel level) { return static_cast<int>(level); }

}  // namespace

// ----- JSON -----

namespace {

using report::JsonWriter;
using report::writeKey;
using report::writeString;

void writeSource(JsonWriter& w, const ObjectSet& objects, const Object& object, uint32_t line) {
  writeKey(w, "source");
  w.StartObject();
  writeKey(w, "file");
  writeString(w, objects.pathOf(object));
  writeKey(w, "line");
  w.Uint(line != 0 ? line : object.line);
  if (object.document != nullptr && !object.document->helmSource().empty()) {
    writeKey(w, "helmTemplate");
    writeString(w, object.document->helmSource());
  }
  w.EndObject();
}

void writeWorkloads(JsonWriter& w, const ObjectSet& objects, const std::vector<PssPlanWorkload>& workloads) {
  w.StartArray();
  for (const PssPlanWorkload& wl : workloads) {
    const Object& o = *wl.object;
    w.StartObject();
    writeKey(w, "apiVersion");
    writeString(w, o.api_version);
    writeKey(w, "kind");
    writeString(w, o.kind);
    writeKey(w, "name");
    writeString(w, o.name);
    writeSource(w, objects, o, o.line);
    writeKey(w, "effect");
    writeString(w, pssEnforceEffect(o));
    writeKey(w, "violations");
    w.StartArray();
    for (const Finding& f : wl.findings) {
      w.StartObject();
      writeKey(w, "pssCheck");
      writeString(w, f.check->pss_id);
      writeKey(w, "check");
      writeString(w, f.check->id);
      writeKey(w, "message");
      writeString(w, f.message);
      writeKey(w, "path");
      writeString(w, f.path);
      if (!f.container.empty()) {
        writeKey(w, "container");
        writeString(w, f.container);
      }
      writeKey(w, "line");
      w.Uint(f.line != 0 ? f.line : o.line);
      writeKey(w, "suppressed");
      w.Bool(f.suppressed);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void writeModeLabel(JsonWriter& w, const PssModeLabel& label) {
  if (!label.has_level && !label.has_version) {
    w.Null();
    return;
  }
  w.StartObject();
  writeKey(w, "level");
  if (label.has_level) {
    writeString(w, label.level);
  } else {
    w.Null();
  }
  writeKey(w, "version");
  if (label.has_version) {
    writeString(w, label.version);
  } else {
    w.Null();
  }
  writeKey(w, "line");
  w.Uint(label.line);
  writeKey(w, "effectiveLevel");
  if (label.has_level) {
    writeString(w, pssPlanLevelName(label.effective_level));
  } else {
    w.Null();  // the level comes from the cluster's AdmissionConfiguration defaults
  }
  writeKey(w, "effectiveVersion");
  writeString(w, label.effective_latest ? std::string("latest") : pssVersionName(label.effective_minor));
  if (!label.note.empty()) {
    writeKey(w, "note");
    writeString(w, label.note);
  }
  w.EndObject();
}

}  // namespace

std::string pssPlanJson(const PssPlan& plan, const ObjectSet& objects, std::string_view tool_version) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  writeKey(w, "schemaVersion");
  writeString(w, "1.0");
  writeKey(w, "tool");
  w.StartObject();
  writeKey(w, "name");
  writeString(w, "kspm");
  writeKey(w, "version");
  writeString(w, tool_version);
  w.EndObject();
  writeKey(w, "policy");
  w.StartObject();
  writeKey(w, "pssVersion");
  writeString(w, pssVersionName(plan.pss_minor));
  writeKey(w, "pssVersionRequested");
  writeString(w, plan.pss_latest ? std::string("latest") : pssVersionName(plan.pss_minor));
  w.EndObject();
  writeKey(w, "namespaces");
  w.StartArray();
  for (const PssNamespacePlan& ns : plan.namespaces) {
    w.StartObject();
    writeKey(w, "name");
    if (ns.name.empty()) {
      w.Null();
    } else {
      writeString(w, ns.name);
    }
    writeKey(w, "namespaceObject");
    if (ns.namespace_object == nullptr) {
      w.Null();
    } else {
      w.StartObject();
      writeKey(w, "file");
      writeString(w, objects.pathOf(*ns.namespace_object));
      writeKey(w, "line");
      w.Uint(ns.namespace_object->line);
      w.EndObject();
    }
    writeKey(w, "labels");
    w.StartObject();
    for (int mode = 0; mode < 3; ++mode) {
      writeKey(w, kModes[mode]);
      writeModeLabel(w, ns.labels[mode]);
    }
    w.EndObject();
    writeKey(w, "workloads");
    w.Uint64(ns.workloads);
    writeKey(w, "workloadsByLevel");
    w.StartObject();
    for (int level = 2; level >= 0; --level) {
      writeKey(w, pssPlanLevelName(static_cast<PssLevel>(level)));
      w.Uint64(ns.workloads_at[level]);
    }
    w.EndObject();
    writeKey(w, "strictestLevel");
    writeString(w, pssPlanLevelName(ns.strictest));
    writeKey(w, "noWorkloads");
    w.Bool(ns.workloads == 0);
    writeKey(w, "status");
    writeString(w, pssPlanStatusName(ns.status));
    writeKey(w, "enforceViolations");
    writeWorkloads(w, objects, ns.enforce_violations);
    writeKey(w, "nextLevel");
    if (!ns.has_next) {
      w.Null();
    } else {
      w.StartObject();
      writeKey(w, "level");
      writeString(w, pssPlanLevelName(ns.next));
      writeKey(w, "breaking");
      writeWorkloads(w, objects, ns.next_breaking);
      w.EndObject();
    }
    writeKey(w, "suggestedLabels");
    w.StartObject();
    for (const auto& [key, value] : ns.suggested_labels) {
      writeKey(w, key);
      writeString(w, value);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  report::writeErrorsJson(w, objects.errors());
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += "\n";
  return out;
}

// ----- Table -----

namespace {

std::string nsTitle(const PssNamespacePlan& ns) {
  return ns.name.empty() ? std::string("(namespace unspecified: objects without metadata.namespace)")
                         : "Namespace " + ns.name;
}

std::string modeLabelText(const PssModeLabel& label, std::string_view mode) {
  if (!label.has_level && !label.has_version) return std::string(mode) + " not set";
  std::string out(mode);
  if (label.has_level) {
    out += "=" + label.level;
  } else {
    out += " (level from cluster defaults)";
  }
  out += label.has_version ? ":" + label.version : std::string(" (version latest by default)");
  if (!label.note.empty()) out += " [" + label.note + "]";
  return out;
}

std::string policyText(PssLevel level, uint32_t minor) {
  if (level == PssLevel::kNone) return "privileged";  // the same at every version
  return std::string(pssPlanLevelName(level)) + " (" + pssVersionName(minor) + ")";
}

void appendWorkloads(std::string& out, const ObjectSet& objects, const std::vector<PssPlanWorkload>& workloads) {
  for (const PssPlanWorkload& wl : workloads) {
    const Object& o = *wl.object;
    out += "    " + std::string(o.kind) + " " + (o.name.empty() ? std::string("(unnamed)") : std::string(o.name)) +
           "  " + objects.pathOf(o) + ":" + std::to_string(o.line);
    if (o.document != nullptr && !o.document->helmSource().empty()) {
      out += "  [template " + o.document->helmSource() + "]";
    }
    out += "\n      " + pssEnforceEffect(o) + ":\n";
    for (const Finding& f : wl.findings) {
      out += "      - " + std::string(f.check->pss_id) + ": " + f.message + "  (line " +
             std::to_string(f.line != 0 ? f.line : o.line) + ")";
      if (f.suppressed) out += "  [suppressed in kspm (" + f.suppression_reason + "); the API server ignores that]";
      out += "\n";
    }
  }
}

std::string statusText(const PssNamespacePlan& ns, uint32_t minor) {
  const std::string strictest(pssPlanLevelName(ns.strictest));
  const PssModeLabel& enforce = ns.labels[0];
  const std::string current = enforce.has_level ? policyText(enforce.effective_level, enforce.effective_minor) : "";
  switch (ns.status) {
    case PssPlanStatus::kNamespaceNotInInput:
      if (ns.name.empty()) {
        return "these objects go to whatever namespace they are applied to (kubectl -n, helm --namespace); "
               "plan with -n NAMESPACE to name it";
      }
      return "the Namespace object is not in the input: its current labels are unknown";
    case PssPlanStatus::kNoEnforceLabel:
      return "the Namespace sets no enforce level: the cluster's admission default applies (privileged unless "
             "configured); " +
             (ns.strictest == PssLevel::kNone ? std::string("no stricter level passes today")
                                              : "it could enforce " + strictest + " today");
    case PssPlanStatus::kEnforceViolated:
      return "enforce=" + current + " is violated by " + std::to_string(ns.enforce_violations.size()) + " of " +
             std::to_string(ns.workloads) + " workloads in the input:";
    case PssPlanStatus::kCanTighten:
      return "enforces " + current + " but could tighten to " + strictest + " today" +
             (ns.workloads == 0 ? " (no workloads in the input)" : "");
    case PssPlanStatus::kSatisfied:
      return "enforces " + current + "; every workload in the input passes it" +
             (rank(enforce.effective_level) > rank(ns.strictest)
                  ? " (at " + pssVersionName(minor) + " the strictest level they all pass is " + strictest + ")"
                  : "");
  }
  return {};
}

}  // namespace

std::string pssPlanTable(const PssPlan& plan, const ObjectSet& objects) {
  std::string out = "Pod Security migration plan at policy version " + pssVersionName(plan.pss_minor) +
                    (plan.pss_latest ? " (latest)" : "") + "\n\n";
  uint64_t could[3] = {0, 0, 0};
  for (const PssNamespacePlan& ns : plan.namespaces) {
    ++could[rank(ns.strictest)];
    out += nsTitle(ns);
    if (ns.namespace_object != nullptr) {
      out += "  (Namespace at " + objects.pathOf(*ns.namespace_object) + ":" +
             std::to_string(ns.namespace_object->line) + ")";
    }
    out += "\n";
    if (ns.namespace_object != nullptr) {
      out += "  Labels now:     ";
      for (int mode = 0; mode < 3; ++mode) {
        out += (mode == 0 ? "" : ", ") + modeLabelText(ns.labels[mode], kModes[mode]);
      }
      out += "\n";
    }
    out += "  Workloads:      " + std::to_string(ns.workloads);
    if (ns.workloads > 0) {
      out += " (pass restricted " + std::to_string(ns.workloads_at[2]) + ", baseline only " +
             std::to_string(ns.workloads_at[1]) + ", neither " + std::to_string(ns.workloads_at[0]) + ")";
    }
    out += "\n  Could enforce:  " + std::string(pssPlanLevelName(ns.strictest));
    out += ns.workloads == 0 ? " (no workloads in the input)\n" : "\n";
    out += "  Status:         " + statusText(ns, plan.pss_minor) + "\n";
    if (ns.status == PssPlanStatus::kEnforceViolated) appendWorkloads(out, objects, ns.enforce_violations);
    if (ns.has_next) {
      out += "  At " + policyText(ns.next, plan.pss_minor) + ", " + std::to_string(ns.next_breaking.size()) +
             " of " + std::to_string(ns.workloads) + " workloads would break";
      const PssModeLabel& enforce = ns.labels[0];
      const bool same_as_violations = ns.status == PssPlanStatus::kEnforceViolated &&
                                      enforce.effective_level == ns.next && enforce.effective_minor == plan.pss_minor;
      if (same_as_violations) {
        out += " (the ones listed above)\n";
      } else {
        out += ":\n";
        appendWorkloads(out, objects, ns.next_breaking);
      }
    }
    out += "  Suggested labels";
    if (ns.status == PssPlanStatus::kEnforceViolated) {
      out += " (these lower enforce to what the input passes; fixing the workloads above keeps " +
             std::string(pssPlanLevelName(ns.labels[0].effective_level)) + ")";
    }
    out += ":\n";
    for (const auto& [key, value] : ns.suggested_labels) out += "    " + key + ": " + value + "\n";
    out += "\n";
  }
  if (!objects.errors().empty()) {
    out += "Input errors (" + std::to_string(objects.errors().size()) + "):\n";
    for (const InputError& e : objects.errors()) out += "  " + describeInputError(e) + "\n";
    out += "\n";
  }
  out += std::to_string(plan.namespaces.size()) + (plan.namespaces.size() == 1 ? " namespace" : " namespaces") +
         ": " + std::to_string(could[2]) + " could enforce restricted, " + std::to_string(could[1]) + " baseline, " +
         std::to_string(could[0]) + " only privileged.\n";
  if (!objects.errors().empty()) out += "Some input could not be read (see above): the plan is incomplete.\n";
  return out;
}

}  // namespace kspm
