// container-memory-request: see resource_check.h for when a container counts as having one.
#include "checks/container/container_checks.h"
#include "checks/container/resource_check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeMemoryRequestCheck() {
  return std::make_unique<ResourceCheck>(
      CheckInfo{
          .id = "container-memory-request",
          .title = "Container has no memory request",
          .severity = Severity::kLow,
          .description =
              "Without a memory request (written, defaulted from the limit, from pod-level resources or from a "
              "LimitRange), the scheduler reserves no memory for the container, the pod is BestEffort or Burstable "
              "and is among the first evicted under memory pressure.",
          .remediation =
              "Set resources.requests.memory on every container, or give the namespace a LimitRange with a default "
              "memory request.",
          .controls = {{"nsa", "resource-policies"}},
          .scope = Scope::kPodSpec,
      },
      "memory", ResourceBound::kRequest);
}

}  // namespace kspm::checks::container
