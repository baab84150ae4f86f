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

/** The controls of a PSS check: baseline checks belong to both profiles. */
inline std::vector<ControlRef> pssControls(PssLevel level, std::string_view pss_id) {
  if (level == PssLevel::kBaseline) return {{"pss-baseline", pss_id}, {"pss-restricted", pss_id}};
  return {{"pss-restricted", pss_id}};
}

}  // namespace kspm::checks::pss
