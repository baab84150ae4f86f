// container-readiness-probe: without a readiness probe a container receives Service traffic as soon
// as it starts. See probe_check.h for which containers and workloads are checked; Knative Services
// and Configurations are skipped because Knative adds a TCP readiness probe to the user container.
#include "checks/container/container_checks.h"
#include "checks/container/probe_check.h"

namespace kspm::checks::container {
namespace {

class ReadinessProbeCheck final : public ProbeCheck {
 public:
  ReadinessProbeCheck()
      : ProbeCheck(
            {
                .id = "container-readiness-probe",
                .title = "Container has no readiness probe",
                .severity = Severity::kLow,
                .description =
                    "Without a readiness probe a pod counts as ready, and receives Service traffic, as soon as "
                    "its containers start, before the application can serve; rolling updates then proceed "
                    "past broken replicas. Run-to-completion workloads (Jobs, CronJobs, workflow pods, "
                    "restartPolicy Never or OnFailure) are not checked.",
                .remediation =
                    "Add a readinessProbe to every long-running container that reflects whether it can serve "
                    "requests.",
                .controls = {},
                .scope = Scope::kPodSpec,
            },
            "readinessProbe", "readiness probe") {}

 protected:
  bool platformProvidesProbe(const Object& object) const override {
    return object.group() == "serving.knative.dev" && (object.kind == "Service" || object.kind == "Configuration");
  }
};

}  // namespace

std::unique_ptr<Check> makeReadinessProbeCheck() { return std::make_unique<ReadinessProbeCheck>(); }

}  // namespace kspm::checks::container
