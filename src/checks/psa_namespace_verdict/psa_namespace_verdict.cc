// psa-namespace-verdict: what Pod Security Admission would do with a workload, given the
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels of its Namespace in the input.
//
// Label parsing follows upstream api.PolicyToEvaluate: an invalid enforce level means restricted
// (fail closed), an invalid warn/audit level means privileged (fail open), an invalid or missing
// version means latest. A version newer than kspm knows is evaluated as the newest it knows, as
// the upstream library does. A mode with a version label but no level label depends on the
// cluster's AdmissionConfiguration defaults, which manifests cannot show: reported as such.
// Enforce rejects Pods only; for controllers it rejects the pods they create (the controller
// object itself is admitted; PSA only warns or audits on it), which is what the message says.
#include <string>
#include <vector>

#include "checks/builtin_checks.h"
#include "checks/common/pod_spec.h"
#include "checks/pss/pss_policy.h"
#include "kspm/engine.h"
#include "kspm/report.h"

namespace kspm::checks {
namespace {

constexpr std::string_view kModes[3] = {"enforce", "warn", "audit"};

struct ModePolicy {
  bool applies = false;       // the namespace sets this mode's level
  PssLevel level = PssLevel::kNone;  // kNone = privileged
  uint32_t minor = kPssLatestMinor;
  bool latest = true;
  std::string note;           // how an invalid label was read
};

/** A version label, with versions beyond this build's newest read as the newest. */
bool parseVersionLabel(std::string_view text, uint32_t* minor, bool* latest) {
  uint64_t v = 0;
  if (!pss::parsePssVersionLabel(text, &v, latest)) return false;
  *minor = v > kPssLatestMinor ? kPssLatestMinor : static_cast<uint32_t>(v);
  return true;
}

ModePolicy readMode(const NamespacePss& ns, int mode) {
  ModePolicy p;
  std::string_view level = ns.level[mode];
  if (level.empty()) return p;
  p.applies = true;
  if (level == "privileged") {
    p.level = PssLevel::kNone;
  } else if (level == "baseline") {
    p.level = PssLevel::kBaseline;
  } else if (level == "restricted") {
    p.level = PssLevel::kRestricted;
  } else if (mode == 0) {
    p.level = PssLevel::kRestricted;
    p.note = "invalid level \"" + std::string(level) + "\" is read as restricted";
  } else {
    p.level = PssLevel::kNone;
  }
  if (!ns.version[mode].empty() && !parseVersionLabel(ns.version[mode], &p.minor, &p.latest)) {
    p.minor = kPssLatestMinor;
    p.latest = true;
    if (!p.note.empty()) p.note += "; ";
    p.note += "invalid version \"" + std::string(ns.version[mode]) + "\" is read as latest";
  }
  return p;
}

class PsaNamespaceVerdictCheck final : public Check {
 public:
  PsaNamespaceVerdictCheck()
      : info_({
            .id = "psa-namespace-verdict",
            .title = "Rejected or flagged by its namespace's Pod Security labels",
            .severity = Severity::kHigh,
            .description =
                "The workload's Namespace (in the same input) sets pod-security.kubernetes.io labels, "
                "and the pod (template) violates the level they set. With enforce, the API server "
                "rejects such a Pod, and a controller's pods are never created; with warn the user "
                "sees a warning, with audit the audit log records it.",
            .remediation =
                "Fix the pod spec so that it meets the namespace's Pod Security level (see the other "
                "findings on this object), or deliberately lower the namespace's level.",
            .scope = Scope::kPodSpec,
            .reads = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.scan == nullptr || context.objects == nullptr || context.scan->catalog == nullptr) return;
    std::string_view ns_name = context.objects->namespaceOf(object);
    if (ns_name.empty()) return;
    auto it = context.scan->namespaces.find(ns_name);
    if (it == context.scan->namespaces.end() || !it->second.has_labels) return;
    const NamespacePss& ns = it->second;
    std::optional<PodSpecRef> resolved;
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr && (resolved = podSpecOf(object))) pod = &*resolved;
    if (pod == nullptr) return;
    const bool is_pod = object.kind == "Pod";
    // Modes often share a level and version (e.g. warn and audit both restricted:latest): the
    // violations depend only on those, so each distinct policy is evaluated once.
    struct Evaluated {
      PssLevel level;
      uint32_t minor;
      bool latest;
      std::vector<std::string> violated;
    };
    std::vector<Evaluated> evaluated;
    for (int mode = 0; mode < 3; ++mode) {
      if (ns.level[mode].empty()) {
        if (!ns.version[mode].empty()) {
          Finding& f = sink.add(*object.root,
                                "namespace \"" + std::string(ns_name) + "\" sets pod-security.kubernetes.io/" +
                                    std::string(kModes[mode]) + "-version but no " + std::string(kModes[mode]) +
                                    " level: the level comes from the cluster's admission defaults, which "
                                    "manifests cannot show (not assessable)",
                                "metadata", "metadata." + std::string(kModes[mode]));
          f.severity = Severity::kInfo;
        }
        continue;
      }
      ModePolicy p = readMode(ns, mode);
      if (p.level == PssLevel::kNone) continue;
      const Evaluated* known = nullptr;
      for (const Evaluated& e : evaluated) {
        if (e.level == p.level && e.minor == p.minor && e.latest == p.latest) known = &e;
      }
      if (known == nullptr) {
        evaluated.push_back(Evaluated{p.level, p.minor, p.latest, violations(object, context, p)});
        known = &evaluated.back();
      }
      const std::vector<std::string>& violated = known->violated;
      if (violated.empty()) continue;
      std::string list;
      for (const std::string& v : violated) list += (list.empty() ? "" : ", ") + v;
      std::string policy = std::string(pssLevelName(p.level)) + ":" +
                           (p.latest ? "latest (" + pssVersionName(p.minor) + ")" : pssVersionName(p.minor));
      std::string where = "namespace \"" + std::string(ns_name) + "\" (" + std::string(kModes[mode]) + "=" + policy +
                          (p.note.empty() ? "" : "; " + p.note) + ")";
      std::string message;
      Severity severity = Severity::kLow;
      if (mode == 0 && is_pod) {
        message = "the API server would reject this Pod: " + where + " forbids " + list;
        severity = Severity::kHigh;
      } else if (mode == 0) {
        message = "the pods this " + std::string(object.kind) + " creates would be rejected by " + where +
                  " (enforce applies to Pods; the " + std::string(object.kind) + " itself is admitted): " + list;
        severity = Severity::kHigh;
      } else if (mode == 1) {
        message = "users applying this get a Pod Security warning from " + where + ": " + list;
      } else {
        message = "the audit log records a Pod Security violation of " + where + ": " + list;
      }
      Finding& f = sink.add(*pod->spec, message, pod->spec_path, "spec." + std::string(kModes[mode]));
      f.severity = severity;
    }
  }

 private:
  /** Upstream check IDs that the pod violates at the mode's level and version, in catalog order. */
  static std::vector<std::string> violations(const Object& object, const EvalContext& context, const ModePolicy& p) {
    const std::vector<const Check*>& checks = context.scan->pssChecks(p.level, p.minor);
    EvalContext inner = context;
    inner.pss_minor = p.minor;
    inner.pss_latest = p.latest;
    std::vector<std::string> out;
    std::vector<Finding> scratch;
    for (const Check* check : checks) {
      scratch.clear();
      FindingSink sink(&scratch);
      sink.setCheck(&check->info());
      check->evaluate(object, inner, sink);
      if (!scratch.empty()) out.emplace_back(check->info().pss_id);
    }
    return out;
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makePsaNamespaceVerdictCheck() { return std::make_unique<PsaNamespaceVerdictCheck>(); }

}  // namespace kspm::checks
