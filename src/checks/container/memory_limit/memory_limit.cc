// container-memory-limit: see resource_check.h for when a container counts as having one.
#include "checks/container/container_checks.h"
#include "checks/container/resource_check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeMemoryLimitCheck() {
  return std::make_unique<ResourceCheck>(
      CheckInfo{
          .id = "container-memory-limit",
          .title = "Container has no memory limit",
          .severity = Severity::kMedium,
          .description =
              "Without a memory limit (from the manifest, pod-level resources or a LimitRange default), one container "
              "can use all memory of its node, so that the kernel kills other pods and node daemons when the node "
              "runs out of memory: an easy denial of service.",
          .remediation =
              "Set resources.limits.memory on every container, or give the namespace a LimitRange with a default "
              "memory limit.",
          .controls = {{"nsa", "resource-policies"}},
          .scope = Scope::kPodSpec,
      },
      "memory", ResourceBound::kLimit);
}

}  // namespace kspm::checks::container
