// Plumbing shared by the container, pod and image check families (src/checks/{container,pod,image}):
// a Check base for Scope::kPodSpec checks and the wording used in their messages.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "checks/common/security_context.h"
#include "kspm/check.h"
#include "kspm/engine.h"

namespace kspm::checks {

/** A check of one pod spec: evaluatePod() runs only for objects that carry one (context.pod). */
class PodSpecCheck : public Check {
 public:
  explicit PodSpecCheck(CheckInfo info) : info_(std::move(info)) {}
  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr) return;
    evaluatePod(object, *context.pod, context, sink);
  }

 protected:
  virtual void evaluatePod(const Object& object, const PodSpecRef& pod, const EvalContext& context,
                           FindingSink& sink) const = 0;

 private:
  CheckInfo info_;
};

/** `container "web"` (`init container "setup"`, `ephemeral container "debug"`) for messages. */
inline std::string containerLabel(const ContainerRef& c) {
  std::string_view kind = c.list == "initContainers" ? "init container "
                          : c.list == "ephemeralContainers" ? "ephemeral container "
                                                            : "container ";
  return std::string(kind) + quoted(c.name);
}

/** The list of names as `"a", "b"` for messages. */
template <typename Range>
std::string quotedList(const Range& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += quoted(name);
  }
  return out;
}

}  // namespace kspm::checks
