#include "kspm/pss_plan.h"

#include <algorithm>
#include <map>
#include <memory>

#include "checks/common/fields.h"
#include "kspm/engine.h"
#include "kspm/report.h"
#include "report/report_common.h"

namespace kspm {

std::string_view pssPlanStatusName(PssPlanStatus status) {
  switch (status) {
    case PssPlanStatus::kNamespaceNotInInput: return "namespace-not-in-input";
    case PssPlanStatus::kNoEnforceLabel: return "no-enforce-label";
    case PssPlanStatus::kEnforceViolated: return "enforce-violated";
    case PssPlanStatus::kCanTighten: return "can-tighten";
    case PssPlanStatus::kSatisfied: return "satisfied";
  }
  return "satisfied";
}

std::string_view pssPlanLevelName(PssLevel level) {
  return level == PssLevel::kNone ? std::string_view("privileged") : pssLevelName(level);
}

std::string pssEnforceEffect(const Object& object) {
  const std::string kind(object.kind);
  if (object.kind == "Pod") return "the API server would reject this Pod";
  if (object.kind == "CronJob") {
    return "the CronJob and its Jobs are admitted (enforce applies to Pods only), but the API server would "
           "reject every Pod they create";
  }
  if (object.kind == "PodTemplate") {
    return "the PodTemplate is admitted (enforce applies to Pods only), but the API server would reject "
           "Pods created from it";
  }
  if (checks::isPodBearingKind(object.kind)) {
    return "the " + kind + " is admitted (enforce applies to Pods only), but the API server would reject every "
           "Pod it creates";
  }
  return "the " + kind + " is admitted (Pod Security does not evaluate custom resources), but the API server "
         "would reject every Pod created from its template";
}

namespace {

constexpr std::string_view kModes[3] = {"enforce", "warn", "audit"};
constexpr std::string_view kLabelPrefix = "pod-security.kubernetes.io/";

int rank(PssLevel level) { return static_cast<int>(level); }

/** upstream api.ParseVersion: "latest" or ^v1\.([0-9]|[1-9][0-9]*)$. */
bool parseVersionLabel(std::string_view text, uint64_t* minor, bool* latest) {
  if (text == "latest") {
    *latest = true;
    *minor = kPssLatestMinor;
    return true;
  }
  if (!text.starts_with("v1.") || text.size() < 4) return false;
  std::string_view digits = text.substr(3);
  if (digits.size() > 1 && digits[0] == '0') return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || v > 1000000000) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *latest = false;
  *minor = v;
  return true;
}

/** Reads one mode's labels as upstream api.PolicyToEvaluate does (with the default "latest" version). */
PssModeLabel readModeLabel(const Node* labels, int mode) {
  PssModeLabel out;
  if (labels == nullptr || !labels->isObject()) return out;
  std::string key = std::string(kLabelPrefix) + std::string(kModes[mode]);
  const Node* level = labels->get(key);
  const Node* version = labels->get(key + "-version");
  bool level_is_text = true, version_is_text = true;
  if (level != nullptr) {
    out.has_level = true;
    level_is_text = level->isString();
    out.level = checks::text(level);
    out.line = level->line();
  }
  if (version != nullptr) {
    out.has_version = true;
    version_is_text = version->isString();
    out.version = checks::text(version);
    if (out.line == 0) out.line = version->line();
  }
  if (!out.has_level) return out;
  auto addNote = [&](const std::string& note) { out.note += (out.note.empty() ? "" : "; ") + note; };
  if (level_is_text && out.level == "privileged") {
    out.effective_level = PssLevel::kNone;
  } else if (level_is_text && out.level == "baseline") {
    out.effective_level = PssLevel::kBaseline;
  } else if (level_is_text && out.level == "restricted") {
    out.effective_level = PssLevel::kRestricted;
  } else if (mode == 0) {
    out.effective_level = PssLevel::kRestricted;
    addNote("invalid level \"" + out.level + "\" is read as restricted (the API server rejects a new Namespace "
            "with it)");
  } else {
    out.effective_level = PssLevel::kNone;
    addNote("invalid level \"" + out.level + "\" is read as privileged (the API server rejects a new Namespace "
            "with it)");
  }
  if (out.has_version) {
    uint64_t minor = kPssLatestMinor;
    bool latest = true;
    if (!version_is_text || !parseVersionLabel(out.version, &minor, &latest)) {
      addNote("invalid version \"" + out.version + "\" is read as latest (the API server rejects a new Namespace "
              "with it)");
      minor = kPssLatestMinor;
      latest = true;
    } else if (!latest && minor > kPssLatestMinor) {
      addNote("version " + out.version + " is newer than kspm knows: evaluated as " + pssVersionName(kPssLatestMinor));
    }
    out.effective_minor = static_cast<uint32_t>(std::min<uint64_t>(minor, kPssLatestMinor));
    out.effective_latest = latest;
  }
  return out;
}

/** One Engine per Pod Security level and policy version, built on first use. */
class EngineCache {
 public:
  EngineCache(const Catalog& catalog, const std::vector<checks::WorkloadKind>& workload_kinds)
      : catalog_(catalog), workload_kinds_(workload_kinds) {}

  const Engine& get(PssLevel level, uint32_t minor) {
    minor = std::min(minor, kPssLatestMinor);
    for (const Entry& e : engines_) {
      if (e.level == level && e.minor == minor) return *e.engine;
    }
    ScanPolicy policy;
    policy.frameworks = {level == PssLevel::kBaseline ? Framework::kPssBaseline : Framework::kPssRestricted};
    policy.pss_minor = minor;
    policy.pss_latest = minor == kPssLatestMinor;
    policy.workload_kinds = workload_kinds_;
    engines_.push_back(Entry{level, minor, std::make_unique<Engine>(catalog_, std::move(policy))});
    return *engines_.back().engine;
  }

 private:
  struct Entry {
    PssLevel level;
    uint32_t minor;
    std::unique_ptr<Engine> engine;
  };
  const Catalog& catalog_;
  const std::vector<checks::WorkloadKind>& workload_kinds_;
  std::vector<Entry> engines_;
};

/** A workload with its PSS findings at the plan's version: [1] baseline, [2] restricted. */
struct EvaluatedWorkload {
  const Object* object = nullptr;
  std::vector<Finding> at[3];
};

struct NamespaceWork {
  PssNamespacePlan plan;
  std::vector<EvaluatedWorkload> workloads;
};

std::vector<std::pair<std::string, std::string>> suggestLabels(PssLevel strictest, uint32_t minor) {
  const std::string version = pssVersionName(minor);
  const PssLevel watch = strictest == PssLevel::kNone ? PssLevel::kBaseline : PssLevel::kRestricted;
  std::vector<std::pair<std::string, std::string>> out;
  for (int mode = 0; mode < 3; ++mode) {
    std::string key = std::string(kLabelPrefix) + std::string(kModes[mode]);
    out.emplace_back(key, std::string(pssPlanLevelName(mode == 0 ? strictest : watch)));
    out.emplace_back(key + "-version", version);
  }
  return out;
}

void finishNamespace(NamespaceWork& work, const ObjectSet& objects, const ScanContext& context,
                     EngineCache& engines, uint32_t minor) {
  PssNamespacePlan& plan = work.plan;
  plan.workloads = work.workloads.size();
  bool all_baseline = true, all_restricted = true;
  for (const EvaluatedWorkload& w : work.workloads) {
    bool baseline = w.at[1].empty(), restricted = w.at[2].empty();
    all_baseline = all_baseline && baseline;
    all_restricted = all_restricted && restricted;
    ++plan.workloads_at[restricted ? 2 : baseline ? 1 : 0];
  }
  plan.strictest = all_restricted ? PssLevel::kRestricted : all_baseline ? PssLevel::kBaseline : PssLevel::kNone;
  if (plan.strictest != PssLevel::kRestricted) {
    plan.has_next = true;
    plan.next = static_cast<PssLevel>(rank(plan.strictest) + 1);
    for (const EvaluatedWorkload& w : work.workloads) {
      const std::vector<Finding>& findings = w.at[rank(plan.next)];
      if (!findings.empty()) plan.next_breaking.push_back(PssPlanWorkload{w.object, findings});
    }
  }
  plan.suggested_labels = suggestLabels(plan.strictest, minor);

  if (plan.namespace_object == nullptr) {
    plan.status = PssPlanStatus::kNamespaceNotInInput;
    return;
  }
  const PssModeLabel& enforce = plan.labels[0];
  if (!enforce.has_level) {
    plan.status = PssPlanStatus::kNoEnforceLabel;
    return;
  }
  if (enforce.effective_level != PssLevel::kNone) {
    const bool same_as_plan = enforce.effective_minor == std::min(minor, kPssLatestMinor);
    const Engine* engine = same_as_plan ? nullptr : &engines.get(enforce.effective_level, enforce.effective_minor);
    for (const EvaluatedWorkload& w : work.workloads) {
      std::vector<Finding> findings;
      if (engine == nullptr) {
        findings = w.at[rank(enforce.effective_level)];
      } else {
        engine->evaluate(*w.object, objects, context, &findings);
      }
      if (!findings.empty()) plan.enforce_violations.push_back(PssPlanWorkload{w.object, std::move(findings)});
    }
  }
  if (!plan.enforce_violations.empty()) {
    plan.status = PssPlanStatus::kEnforceViolated;
  } else if (rank(enforce.effective_level) < rank(plan.strictest)) {
    plan.status = PssPlanStatus::kCanTighten;
  } else {
    plan.status = PssPlanStatus::kSatisfied;
  }
}

}  // namespace

PssPlan planPodSecurity(const ObjectSet& objects, const Catalog& catalog, uint32_t pss_minor, bool pss_latest,
                        const std::vector<checks::WorkloadKind>& workload_kinds) {
  PssPlan plan;
  plan.pss_minor = std::min(pss_minor, kPssLatestMinor);
  plan.pss_latest = pss_latest;
  const ScanContext context = buildScanContext(catalog, objects, workload_kinds);
  EngineCache engines(catalog, workload_kinds);
  const Engine& baseline = engines.get(PssLevel::kBaseline, plan.pss_minor);
  const Engine& restricted = engines.get(PssLevel::kRestricted, plan.pss_minor);

  std::map<std::string, NamespaceWork, std::less<>> by_name;
  auto entry = [&](std::string_view name) -> NamespaceWork& {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      it = by_name.emplace(std::string(name), NamespaceWork{}).first;
      it->second.plan.name = std::string(name);
    }
    return it->second;
  };
  for (const auto& [name, ns] : context.namespaces) {
    NamespaceWork& work = entry(name);
    work.plan.namespace_object = ns.object;
    const Node* labels = ns.object->root->find({"metadata", "labels"});
    for (int mode = 0; mode < 3; ++mode) work.plan.labels[mode] = readModeLabel(labels, mode);
  }
  for (const Object& object : objects.objects()) {
    if (isClusterScopedKind(object.kind)) continue;
    const std::string_view ns = objects.namespaceOf(object);
    EvaluatedWorkload w;
    w.object = &object;
    if (!baseline.evaluate(object, objects, context, &w.at[1])) {
      if (!ns.empty()) entry(ns);  // metadata.namespace, or -n: the user named it
      continue;
    }
    restricted.evaluate(object, objects, context, &w.at[2]);
    entry(ns).workloads.push_back(std::move(w));
  }
  for (auto& [name, work] : by_name) {
    finishNamespace(work, objects, context, engines, plan.pss_minor);
    plan.namespaces.push_back(std::move(work.plan));
  }
  // std::map sorts "" first; the unspecified group goes last.
  if (!plan.namespaces.empty() && plan.namespaces.front().name.empty()) {
    std::rotate(plan.namespaces.begin(), plan.namespaces.begin() + 1, plan.namespaces.end());
  }
  return plan;
}

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
  writeKey(w, "errors");
  w.StartArray();
  for (const InputError& e : objects.errors()) {
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
