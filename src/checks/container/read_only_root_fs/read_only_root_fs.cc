// container-read-only-root-fs: every container should mount its root filesystem read-only
// (securityContext.readOnlyRootFilesystem: true), so that an attacker cannot drop tools or modify
// binaries and configuration inside the container. Containers that need scratch space get an
// emptyDir. Windows pods are skipped: the field is not supported there and validation rejects it.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

class ReadOnlyRootFsCheck final : public PodSpecCheck {
 public:
  ReadOnlyRootFsCheck()
      : PodSpecCheck({
            .id = "container-read-only-root-fs",
            .title = "Container root filesystem is writable",
            .severity = Severity::kMedium,
            .description =
                "Without readOnlyRootFilesystem: true, a compromised process can write to the container's "
                "root filesystem: drop and run tools, replace binaries or tamper with configuration, and "
                "that persists until the container restarts.",
            .remediation =
                "Set securityContext.readOnlyRootFilesystem: true in every container and mount an emptyDir "
                "volume where the application needs to write.",
            .controls = {{"nsa", "read-only-root-fs"}, {"cis", "5.6.3"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    if (isWindowsPodSpec(pod)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* context = containerSecurityContextOf(c);
      const Node* value = field(context, "readOnlyRootFilesystem");
      if (isTrue(value)) return;
      std::string message;
      if (value == nullptr) {
        message = containerLabel(c) + " does not set securityContext.readOnlyRootFilesystem: true, so its root "
                                      "filesystem is writable";
      } else if (value->isBool()) {
        message = containerLabel(c) + " sets readOnlyRootFilesystem to false: its root filesystem is writable";
      } else {
        message = containerLabel(c) + " sets readOnlyRootFilesystem to " + quoted(text(value)) +
                  ", which is not the boolean true: its root filesystem is writable";
      }
      const Node& at = value != nullptr ? *value : (context != nullptr ? *context : *c.node);
      sink.add(at, std::move(message), c.path + ".securityContext.readOnlyRootFilesystem",
               c.field + ".securityContext.readOnlyRootFilesystem", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeReadOnlyRootFsCheck() { return std::make_unique<ReadOnlyRootFsCheck>(); }

}  // namespace kspm::checks::container
