// container-low-uid: the effective runAsUser (container, else pod) is set and between 1 and 9999.
// Such UIDs usually exist on the node too (system accounts, the first human users): a process that
// escapes the container acts with that host user's file ownership. UID 0 is
// container-run-as-root-user's; pods in a user namespace (hostUsers: false) are skipped, since
// their UIDs are mapped to an unprivileged host range.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

constexpr int64_t kLowestSafeUid = 10000;

class LowUidCheck final : public PodSpecCheck {
 public:
  LowUidCheck()
      : PodSpecCheck({
            .id = "container-low-uid",
            .title = "Container runs with a low user ID",
            .severity = Severity::kLow,
            .description =
                "UIDs below 10000 usually belong to accounts on the node as well. A process that escapes the "
                "container, or writes through a host mount, then acts with that host user's file ownership "
                "and permissions.",
            .remediation = "Run the container as a UID of 10000 or more (securityContext.runAsUser).",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod) || usesUserNamespace(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      EffectiveValue user = effectiveSecurityValue(pod, c, "runAsUser");
      std::optional<int64_t> uid = integerValue(user.node);
      if (!uid || *uid <= 0 || *uid >= kLowestSafeUid) return;
      sink.add(*user.node,
               containerLabel(c) + " runs as UID " + std::to_string(*uid) + (user.from_pod ? " (from the pod)" : "") +
                   ", below 10000, which may belong to a user on the node",
               user.path, user.field, std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeLowUidCheck() { return std::make_unique<LowUidCheck>(); }

}  // namespace kspm::checks::container
