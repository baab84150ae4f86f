// container-cpu-request: see resource_check.h for when a container counts as having one.
#include "checks/container/container_checks.h"
#include "checks/container/resource_check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeCpuRequestCheck() {
  return std::make_unique<ResourceCheck>(
      CheckInfo{
          .id = "container-cpu-request",
          .title = "Container has no CPU request",
          .severity = Severity::kLow,
          .description =
              "Without a CPU request (written, defaulted from the limit, from pod-level resources or from a LimitRange), "
              "the scheduler reserves no CPU for the container and it gets the lowest CPU share under contention; "
              "nodes can be overcommitted without bound.",
          .remediation =
              "Set resources.requests.cpu on every container, or give the namespace a LimitRange with a default CPU "
              "request.",
          .controls = {{"nsa", "resource-policies"}},
          .scope = Scope::kPodSpec,
      },
      "cpu", ResourceBound::kRequest);
}

}  // namespace kspm::checks::container
