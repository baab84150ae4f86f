// The built-in check catalog: one explicit line per check, grouped by family, sorted by ID within.
#include "checks/builtin_checks.h"
#include "checks/pss/pss_checks.h"
#include "kspm/catalog.h"

namespace kspm {

void registerBuiltinChecks(Catalog& catalog) {
  catalog.add(checks::pss::makeAllowPrivilegeEscalationCheck());    // pss-allow-privilege-escalation
  catalog.add(checks::pss::makeAppArmorProfileCheck());             // pss-apparmor-profile
  catalog.add(checks::pss::makeCapabilitiesBaselineCheck());        // pss-capabilities-baseline
  catalog.add(checks::pss::makeCapabilitiesRestrictedCheck());      // pss-capabilities-restricted
  catalog.add(checks::pss::makeHostNamespacesCheck());              // pss-host-namespaces
  catalog.add(checks::pss::makeHostPathVolumesCheck());             // pss-host-path-volumes
  catalog.add(checks::pss::makeHostPortsCheck());                   // pss-host-ports
  catalog.add(checks::pss::makeHostProbesAndHostLifecycleCheck());  // pss-host-probes-and-host-lifecycle
  catalog.add(checks::pss::makePrivilegedCheck());                  // pss-privileged
  catalog.add(checks::pss::makeProcMountCheck());                   // pss-proc-mount
  catalog.add(checks::pss::makeProcMountRestrictedCheck());         // pss-proc-mount-restricted
  catalog.add(checks::pss::makeRestrictedVolumesCheck());           // pss-restricted-volumes
  catalog.add(checks::pss::makeRunAsNonRootCheck());                // pss-run-as-non-root
  catalog.add(checks::pss::makeRunAsUserCheck());                   // pss-run-as-user
  catalog.add(checks::pss::makeSeccompProfileBaselineCheck());      // pss-seccomp-profile-baseline
  catalog.add(checks::pss::makeSeccompProfileRestrictedCheck());    // pss-seccomp-profile-restricted
  catalog.add(checks::pss::makeSeLinuxOptionsCheck());              // pss-selinux-options
  catalog.add(checks::pss::makeSysctlsCheck());                     // pss-sysctls
  catalog.add(checks::pss::makeWindowsHostProcessCheck());          // pss-windows-host-process
  catalog.add(checks::makePsaNamespaceUnlabeledCheck());            // psa-namespace-unlabeled
  catalog.add(checks::makePsaNamespaceVerdictCheck());              // psa-namespace-verdict
  catalog.add(checks::makeYamlDuplicateKeyCheck());                 // yaml-duplicate-key
  catalog.add(checks::makeYamlNonStringValueCheck());               // yaml-non-string-value

  // --- RBAC and service accounts (src/checks/rbac, src/checks/sa) ---

  // --- containers, pods and images (src/checks/container, src/checks/pod, src/checks/image) ---

  // --- secrets in manifests (src/checks/secret) and API versions (src/checks/api) ---

  // --- services, ingress, network policies, namespaces, cross-object (src/checks/net, ns, workload) ---
}

}  // namespace kspm
