#include "kspm/pss_plan.h"

#include <algorithm>
#include <map>
#include <memory>

#include "checks/common/fields.h"
#include "checks/pss/pss_policy.h"
#include "kspm/engine.h"
#include "kspm/report.h"

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
    if (!version_is_text || !checks::pss::parsePssVersionLabel(out.version, &minor, &latest)) {
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

}  // namespace kspm
