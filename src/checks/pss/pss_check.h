// Shared plumbing for the Pod Security Standards checks (src/checks/pss/*/).
//
// Every PSS check is a PssCheck: evaluate() takes the pod spec from the context (EvalContext::pod), skips policy versions
// before the check exists (CheckInfo::pss_min_minor) and calls evaluatePod(). The helpers below
// read fields the way the Go API types would decode them: a null value is an unset pointer, and a
// value of the wrong type is never "true" (the API server would reject such an object anyway).
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "kspm/check.h"

namespace kspm::checks::pss {

class PssCheck : public Check {
 public:
  explicit PssCheck(CheckInfo info) : info_(std::move(info)) {}
  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context,
                FindingSink& sink) const noexcept override {
    if (context.pss_minor < info_.pss_min_minor) return;
    if (context.pod != nullptr) {
      evaluatePod(*context.pod, context.pss_minor, sink);
      return;
    }
    std::optional<PodSpecRef> pod = podSpecOf(object);  // a caller that did not resolve the pod
    if (pod) evaluatePod(*pod, context.pss_minor, sink);
  }

 protected:
  /** Checks one pod spec at policy version v1.<minor> (minor >= pss_min_minor). */
  virtual void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const = 0;

 private:
  CheckInfo info_;
};

using checks::field;
using checks::isFalse;
using checks::isTrue;
using checks::itemKey;
using checks::quoted;
using checks::text;

/** `container "web"`, the way PSA names a container in its messages. */
inline std::string containerLabel(const ContainerRef& c) { return "container " + quoted(c.name); }

/** spec.hostUsers == false: the pod runs in a user namespace (KEP-127). */
inline bool inUserNamespace(const PodSpecRef& pod) { return isFalse(field(pod.spec, "hostUsers")); }

/** spec.os.name == "windows". */
inline bool isWindowsPod(const PodSpecRef& pod) {
  const Node* name = field(pod.spec, {"os", "name"});
  return name != nullptr && name->is("windows");
}

/** The pod-level security context, or nullptr. */
inline const Node* podSecurityContext(const PodSpecRef& pod) {
  return field(pod.spec, "securityContext");
}
/** A container's security context, or nullptr. */
inline const Node* securityContext(const ContainerRef& c) { return field(c.node, "securityContext"); }

/**
 * The controls of a PSS check: baseline checks belong to both profiles (listed first, in that
 * order), then the CIS v1.12 section 5.2/5.6 and NSA/CISA controls the same rule serves.
 */
inline std::vector<ControlRef> pssControls(PssLevel level, std::string_view pss_id) {
  std::vector<ControlRef> out;
  if (level == PssLevel::kBaseline) out.push_back({"pss-baseline", pss_id});
  out.push_back({"pss-restricted", pss_id});
  struct Mapping {
    std::string_view pss_id;
    std::vector<ControlRef> controls;
  };
  static const Mapping kMappings[] = {
      {"privileged", {{"cis", "5.2.2"}, {"nsa", "privileged"}}},
      {"hostNamespaces", {{"cis", "5.2.3"}, {"cis", "5.2.4"}, {"cis", "5.2.5"}, {"nsa", "host-namespaces"}}},
      {"allowPrivilegeEscalation", {{"cis", "5.2.6"}, {"nsa", "privilege-escalation"}}},
      {"runAsNonRoot", {{"cis", "5.2.7"}, {"nsa", "non-root"}}},
      {"runAsUser", {{"cis", "5.2.7"}, {"nsa", "non-root"}}},
      {"capabilities_baseline", {{"cis", "5.2.9"}, {"nsa", "capabilities"}}},
      {"capabilities_restricted", {{"cis", "5.2.8"}, {"cis", "5.2.9"}, {"nsa", "capabilities"}}},
      {"windowsHostProcess", {{"cis", "5.2.10"}, {"nsa", "privileged"}}},
      {"hostPathVolumes", {{"cis", "5.2.11"}, {"nsa", "host-path"}}},
      {"restrictedVolumes", {{"cis", "5.2.11"}, {"nsa", "host-path"}}},
      {"hostPorts", {{"cis", "5.2.12"}, {"nsa", "network-policies"}}},
      {"seccompProfile_baseline", {{"cis", "5.6.2"}, {"nsa", "security-profiles"}}},
      {"seccompProfile_restricted", {{"cis", "5.6.2"}, {"nsa", "security-profiles"}}},
      {"appArmorProfile", {{"nsa", "security-profiles"}}},
      {"seLinuxOptions", {{"nsa", "security-profiles"}}},
  };
  for (const Mapping& m : kMappings) {
    if (m.pss_id == pss_id) out.insert(out.end(), m.controls.begin(), m.controls.end());
  }
  return out;
}

}  // namespace kspm::checks::pss
