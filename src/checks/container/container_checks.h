// Factories for the container hardening checks, one per folder under src/checks/container/.
// registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::container {

std::unique_ptr<Check> makeReadOnlyRootFsCheck();          // container-read-only-root-fs
std::unique_ptr<Check> makeCpuLimitCheck();                // container-cpu-limit
std::unique_ptr<Check> makeMemoryLimitCheck();             // container-memory-limit
std::unique_ptr<Check> makeCpuRequestCheck();              // container-cpu-request
std::unique_ptr<Check> makeMemoryRequestCheck();           // container-memory-request
std::unique_ptr<Check> makeLivenessProbeCheck();           // container-liveness-probe
std::unique_ptr<Check> makeReadinessProbeCheck();          // container-readiness-probe
std::unique_ptr<Check> makeProbePortNotExposedCheck();     // container-probe-port-not-exposed
std::unique_ptr<Check> makeRunAsRootUserCheck();           // container-run-as-root-user
std::unique_ptr<Check> makeLowUidCheck();                  // container-low-uid
std::unique_ptr<Check> makeRunAsRootGroupCheck();          // container-run-as-root-group
std::unique_ptr<Check> makeNetRawCheck();                  // container-net-raw
std::unique_ptr<Check> makeSysAdminCheck();                // container-sys-admin
std::unique_ptr<Check> makeDangerousCapabilitiesCheck();   // container-dangerous-capabilities
std::unique_ptr<Check> makeSshPortCheck();                 // container-ssh-port
std::unique_ptr<Check> makeDuplicateEnvCheck();            // container-duplicate-env

}  // namespace kspm::checks::container
