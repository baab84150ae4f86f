// container-cpu-limit: see resource_check.h for when a container counts as having one.
#include "checks/container/container_checks.h"
#include "checks/container/resource_check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeCpuLimitCheck() {
  return std::make_unique<ResourceCheck>(
      CheckInfo{
          .id = "container-cpu-limit",
          .title = "Container has no CPU limit",
          .severity = Severity::kMedium,
          .description =
              "Without a CPU limit (from the manifest, pod-level resources or a LimitRange default), a container "
              "may consume all spare CPU of its node: a compromised workload (a crypto miner, say) runs unbounded "
              "and degrades every pod that relies on burst capacity.",
          .remediation =
              "Set resources.limits.cpu on every container, or give the namespace a LimitRange with a default CPU "
              "limit.",
          .controls = {{"nsa", "resource-policies"}},
          .scope = Scope::kPodSpec,
      },
      "cpu", ResourceBound::kLimit);
}

}  // namespace kspm::checks::container
