// container-liveness-probe: a long-running container without a liveness probe is never restarted
// when it hangs. See probe_check.h for which containers and workloads are checked.
#include "checks/container/container_checks.h"
#include "checks/container/probe_check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeLivenessProbeCheck() {
  return std::make_unique<ProbeCheck>(
      CheckInfo{
          .id = "container-liveness-probe",
          .title = "Container has no liveness probe",
          .severity = Severity::kLow,
          .description =
              "Without a liveness probe the kubelet restarts a container only when its process exits: a "
              "deadlocked or wedged process keeps running and serving errors. Run-to-completion workloads "
              "(Jobs, CronJobs, workflow pods, restartPolicy Never or OnFailure) are not checked.",
          .remediation =
              "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) to every long-running container, with "
              "thresholds that tolerate slow starts (or a startupProbe).",
          .controls = {},
          .scope = Scope::kPodSpec,
      },
      "livenessProbe", "liveness probe");
}

}  // namespace kspm::checks::container
