// container-sys-admin: SYS_ADMIN in capabilities.add (in any case, with or without CAP_). It is
// the catch-all capability (mount, namespaces, BPF on older kernels, cgroup release_agent escapes)
// and close to privileged. An add that a named drop removes again is not reported; "ALL" is
// container-dangerous-capabilities'. Privileged containers are pss-privileged's.
#include "checks/container/capabilities.h"
#include "checks/container/container_checks.h"

namespace kspm::checks::container {
namespace {

class SysAdminCheck final : public PodSpecCheck {
 public:
  SysAdminCheck()
      : PodSpecCheck({
            .id = "container-sys-admin",
            .title = "Container adds the SYS_ADMIN capability",
            .severity = Severity::kCritical,
            .description =
                "CAP_SYS_ADMIN allows mounting filesystems, creating namespaces and many other "
                "administrative operations; known container escapes (cgroup v1 release_agent, mounting the "
                "host disk) need little more. A container with it is nearly privileged.",
            .remediation =
                "Remove SYS_ADMIN from securityContext.capabilities.add; grant the narrow capability the "
                "workload needs, or move the privileged operation to a dedicated, isolated component.",
            .controls = {{"nsa", "capabilities"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (isPrivilegedContainer(c)) return;
      forEachEffectiveAdd(capabilityLists(c), [&](const Node& item, uint32_t index, const std::string& canonical) {
        if (canonical != "SYS_ADMIN") return;
        sink.add(item, containerLabel(c) + " adds the SYS_ADMIN capability (" + quoted(item.str()) + ")",
                 c.path + ".securityContext.capabilities.add[" + std::to_string(index) + "]",
                 c.field + ".securityContext.capabilities.add[SYS_ADMIN]", std::string(c.name));
      });
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSysAdminCheck() { return std::make_unique<SysAdminCheck>(); }

}  // namespace kspm::checks::container
