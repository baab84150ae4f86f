// Factories for the 19 Pod Security Standards checks, one per folder under src/checks/pss/.
// registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::pss {

// Baseline (upstream level "baseline").
std::unique_ptr<Check> makePrivilegedCheck();                  // pss-privileged
std::unique_ptr<Check> makeHostNamespacesCheck();              // pss-host-namespaces
std::unique_ptr<Check> makeHostPortsCheck();                   // pss-host-ports
std::unique_ptr<Check> makeHostPathVolumesCheck();             // pss-host-path-volumes
std::unique_ptr<Check> makeCapabilitiesBaselineCheck();        // pss-capabilities-baseline
std::unique_ptr<Check> makeAppArmorProfileCheck();             // pss-apparmor-profile
std::unique_ptr<Check> makeSeLinuxOptionsCheck();              // pss-selinux-options
std::unique_ptr<Check> makeProcMountCheck();                   // pss-proc-mount
std::unique_ptr<Check> makeSeccompProfileBaselineCheck();      // pss-seccomp-profile-baseline
std::unique_ptr<Check> makeSysctlsCheck();                     // pss-sysctls
std::unique_ptr<Check> makeWindowsHostProcessCheck();          // pss-windows-host-process
std::unique_ptr<Check> makeHostProbesAndHostLifecycleCheck();  // pss-host-probes-and-host-lifecycle

// Restricted (upstream level "restricted").
std::unique_ptr<Check> makeRestrictedVolumesCheck();           // pss-restricted-volumes
std::unique_ptr<Check> makeAllowPrivilegeEscalationCheck();    // pss-allow-privilege-escalation
std::unique_ptr<Check> makeRunAsNonRootCheck();                // pss-run-as-non-root
std::unique_ptr<Check> makeRunAsUserCheck();                   // pss-run-as-user
std::unique_ptr<Check> makeSeccompProfileRestrictedCheck();    // pss-seccomp-profile-restricted
std::unique_ptr<Check> makeCapabilitiesRestrictedCheck();      // pss-capabilities-restricted
std::unique_ptr<Check> makeProcMountRestrictedCheck();         // pss-proc-mount-restricted

}  // namespace kspm::checks::pss
