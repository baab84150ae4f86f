// container-run-as-root-group: a process with GID 0 can read and write every file owned by group
// root (on the image and on host mounts). Reported: a container's effective runAsGroup of 0
// (container, else pod), the pod's fsGroup 0 (volumes become group-root owned and every container
// gets GID 0 as a supplemental group) and 0 in the pod's supplementalGroups. An unset runAsGroup
// (image default) is not reported. In a user namespace (hostUsers: false) GID 0 is not the host's
// root group and the finding drops to low.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

class RunAsRootGroupCheck final : public PodSpecCheck {
 public:
  RunAsRootGroupCheck()
      : PodSpecCheck({
            .id = "container-run-as-root-group",
            .title = "Container runs with the root group (GID 0)",
            .severity = Severity::kMedium,
            .description =
                "With runAsGroup, fsGroup or a supplemental group of 0, the container's processes belong to "
                "group root and can use every file and device that group root may access, in the image and "
                "on mounted host paths.",
            .remediation =
                "Set runAsGroup and fsGroup to a non-zero GID and remove 0 from supplementalGroups.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    const bool user_namespace = usesUserNamespace(pod);
    const std::string userns_note = user_namespace ? " (in a user namespace, hostUsers: false)" : "";
    auto add = [&](const Node& at, std::string message, std::string path, std::string field, std::string container) {
      Finding& finding = sink.add(at, message + userns_note, std::move(path), std::move(field), std::move(container));
      if (user_namespace) finding.severity = Severity::kLow;
    };
    forEachContainer(pod, [&](const ContainerRef& c) {
      EffectiveValue group = effectiveSecurityValue(pod, c, "runAsGroup");
      if (integerValue(group.node) != 0) return;
      add(*group.node,
          containerLabel(c) + (group.from_pod ? " inherits runAsGroup 0 from the pod securityContext"
                                              : " sets runAsGroup 0"),
          group.path, group.field, std::string(c.name));
    });
    const Node* context = podSecurityContextOf(pod);
    if (const Node* fs_group = field(context, "fsGroup"); integerValue(fs_group) == 0) {
      add(*fs_group, "the pod sets fsGroup 0: its volumes are owned by group root and every container runs with GID 0",
          pod.spec_path + ".securityContext.fsGroup", "securityContext.fsGroup", {});
    }
    const Node* groups = field(context, "supplementalGroups");
    if (groups != nullptr && groups->isArray()) {
      uint32_t index = 0;
      for (const Node& group : groups->items()) {
        if (integerValue(&group) == 0) {
          add(group, "the pod lists 0 in supplementalGroups: every container runs with the root group",
              pod.spec_path + ".securityContext.supplementalGroups[" + std::to_string(index) + "]",
              "securityContext.supplementalGroups[0]", {});
        }
        ++index;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeRunAsRootGroupCheck() { return std::make_unique<RunAsRootGroupCheck>(); }

}  // namespace kspm::checks::container
