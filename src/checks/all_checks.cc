// The built-in check catalog: one explicit line per check, grouped by family, sorted by ID within.
#include "checks/api/api_checks.h"
#include "checks/builtin_checks.h"
#include "checks/cis/cis_checks.h"
#include "checks/container/container_checks.h"
#include "checks/image/image_checks.h"
#include "checks/net/net_checks.h"
#include "checks/ns/ns_checks.h"
#include "checks/pod/pod_checks.h"
#include "checks/pss/pss_checks.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/risk/risk_checks.h"
#include "checks/sa/sa_checks.h"
#include "checks/secret/secret_checks.h"
#include "checks/workload/workload_checks.h"
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
  catalog.add(checks::rbac::makeBindVerbCheck());             // rbac-bind-verb
  catalog.add(checks::rbac::makeBroadGroupBindingCheck());    // rbac-broad-group-binding
  catalog.add(checks::rbac::makeClusterAdminBindingCheck());  // rbac-cluster-admin-binding
  catalog.add(checks::rbac::makeCsrApprovalCheck());          // rbac-csr-approval
  catalog.add(checks::rbac::makeDefaultSaAutomountCheck());   // rbac-default-sa-automount
  catalog.add(checks::rbac::makeDefaultSaBindingCheck());     // rbac-default-sa-binding
  catalog.add(checks::rbac::makeEphemeralContainersCheck());  // rbac-ephemeral-containers
  catalog.add(checks::rbac::makeEscalateVerbCheck());         // rbac-escalate-verb
  catalog.add(checks::rbac::makeImpersonateVerbCheck());      // rbac-impersonate-verb
  catalog.add(checks::rbac::makeNodeWriteCheck());            // rbac-node-write
  catalog.add(checks::rbac::makeNodesProxyCheck());           // rbac-nodes-proxy
  catalog.add(checks::rbac::makePodCreateCheck());            // rbac-pod-create
  catalog.add(checks::rbac::makePodExecCheck());              // rbac-pod-exec
  catalog.add(checks::rbac::makePvCreateCheck());             // rbac-pv-create
  catalog.add(checks::rbac::makeSaTokenCreateCheck());        // rbac-sa-token-create
  catalog.add(checks::rbac::makeSecretsAccessCheck());        // rbac-secrets-access
  catalog.add(checks::rbac::makeWebhookConfigWriteCheck());   // rbac-webhook-config-write
  catalog.add(checks::rbac::makeWildcardCheck());             // rbac-wildcard
  catalog.add(checks::rbac::makeWorkloadCreateCheck());       // rbac-workload-create
  catalog.add(checks::rbac::makeAwsAuthWriteCheck());          // rbac-aws-auth-write
  catalog.add(checks::rbac::makeBindingMissingRoleCheck());    // rbac-binding-missing-role
  catalog.add(checks::rbac::makeBindingMissingServiceAccountCheck());  // rbac-binding-missing-service-account
  catalog.add(checks::rbac::makeCrdWriteCheck());              // rbac-crd-write
  catalog.add(checks::rbac::makeEvictionCheck());              // rbac-eviction
  catalog.add(checks::rbac::makeNetworkpolicyWriteCheck());    // rbac-networkpolicy-write
  catalog.add(checks::rbac::makePortForwardCheck());           // rbac-port-forward
  catalog.add(checks::rbac::makeSecretsWriteCheck());          // rbac-secrets-write
  catalog.add(checks::rbac::makeStatusWriteCheck());           // rbac-status-write
  catalog.add(checks::rbac::makeStorageWriteCheck());          // rbac-storage-write
  catalog.add(checks::sa::makeDefaultServiceAccountCheck());  // sa-default-service-account
  catalog.add(checks::sa::makeTokenAutomountCheck());         // sa-token-automount

  // --- containers, pods and images (src/checks/container, src/checks/pod, src/checks/image) ---
  catalog.add(checks::container::makeCpuLimitCheck());                 // container-cpu-limit
  catalog.add(checks::container::makeCpuRequestCheck());               // container-cpu-request
  catalog.add(checks::container::makeDangerousCapabilitiesCheck());    // container-dangerous-capabilities
  catalog.add(checks::container::makeDuplicateEnvCheck());             // container-duplicate-env
  catalog.add(checks::container::makeLivenessProbeCheck());            // container-liveness-probe
  catalog.add(checks::container::makeLowUidCheck());                   // container-low-uid
  catalog.add(checks::container::makeMemoryLimitCheck());              // container-memory-limit
  catalog.add(checks::container::makeMemoryRequestCheck());            // container-memory-request
  catalog.add(checks::container::makeNetRawCheck());                   // container-net-raw
  catalog.add(checks::container::makeProbePortNotExposedCheck());      // container-probe-port-not-exposed
  catalog.add(checks::container::makeReadOnlyRootFsCheck());           // container-read-only-root-fs
  catalog.add(checks::container::makeReadinessProbeCheck());           // container-readiness-probe
  catalog.add(checks::container::makeRunAsRootGroupCheck());           // container-run-as-root-group
  catalog.add(checks::container::makeRunAsRootUserCheck());            // container-run-as-root-user
  catalog.add(checks::container::makeSshPortCheck());                  // container-ssh-port
  catalog.add(checks::container::makeSysAdminCheck());                 // container-sys-admin
  catalog.add(checks::image::makeLatestTagCheck());                    // image-latest-tag
  catalog.add(checks::image::makeNotAssessableCheck());                // image-not-assessable
  catalog.add(checks::image::makeNotPinnedByDigestCheck());            // image-not-pinned-by-digest
  catalog.add(checks::image::makePullPolicyNotAlwaysCheck());          // image-pull-policy-not-always
  catalog.add(checks::image::makeRegistryNotAllowedCheck());           // image-registry-not-allowed
  catalog.add(checks::image::makeUntrustedPrefixCheck());              // image-untrusted-prefix
  catalog.add(checks::pod::makeContainerRuntimeSocketCheck());         // pod-container-runtime-socket
  catalog.add(checks::pod::makeDeprecatedServiceAccountFieldCheck());  // pod-deprecated-service-account-field
  catalog.add(checks::pod::makeRequiredLabelsCheck());                 // pod-required-labels
  catalog.add(checks::pod::makeSecretsInEnvCheck());                   // pod-secrets-in-env
  catalog.add(checks::pod::makeSecurityContextMissingCheck());         // pod-security-context-missing
  catalog.add(checks::pod::makeSensitiveHostPathCheck());              // pod-sensitive-host-path
  catalog.add(checks::pod::makeShareProcessNamespaceCheck());          // pod-share-process-namespace

  // --- secrets in manifests (src/checks/secret) and API versions (src/checks/api) ---
  catalog.add(checks::api::makeApiDeprecatedCheck());               // api-deprecated
  catalog.add(checks::api::makeApiRemovedCheck());                  // api-removed
  catalog.add(checks::secret::makeSecretInAnnotationCheck());       // secret-in-annotation
  catalog.add(checks::secret::makeSecretInArgsCheck());             // secret-in-args
  catalog.add(checks::secret::makeSecretInConfigMapCheck());        // secret-in-configmap
  catalog.add(checks::secret::makeSecretInCustomResourceCheck());   // secret-in-custom-resource
  catalog.add(checks::secret::makeSecretInEnvCheck());              // secret-in-env
  catalog.add(checks::secret::makeSecretObjectWithDataCheck());     // secret-object-with-data

  // --- services, ingress, network policies, namespaces, cross-object (src/checks/net, ns, workload) ---
  catalog.add(checks::net::makeEgressBlocksDnsCheck());                // net-egress-blocks-dns
  catalog.add(checks::net::makeEgressInternetFromSensitiveNamespaceCheck());  // net-egress-internet-from-sensitive-namespace
  catalog.add(checks::net::makeIngressBackendMissingServiceCheck());  // net-ingress-backend-missing-service
  catalog.add(checks::net::makeIngressBackendPortMissingCheck());     // net-ingress-backend-port-missing
  catalog.add(checks::net::makeIngressNoTlsCheck());                  // net-ingress-no-tls
  catalog.add(checks::net::makeIngressWildcardHostCheck());           // net-ingress-wildcard-host
  catalog.add(checks::net::makeInternetExposedNoPolicyCheck());       // net-internet-exposed-no-policy
  catalog.add(checks::net::makeLoadBalancerNoSourceRangesCheck());    // net-loadbalancer-no-source-ranges
  catalog.add(checks::net::makeNetworkPolicyAllowAllCheck());         // net-networkpolicy-allow-all
  catalog.add(checks::net::makeNetworkPolicySelectsNothingCheck());   // net-networkpolicy-selects-nothing
  catalog.add(checks::net::makeNodePortServiceCheck());               // net-nodeport-service
  catalog.add(checks::net::makeServiceExternalIpsCheck());            // net-service-external-ips
  catalog.add(checks::net::makeServiceSelectorNoMatchCheck());        // net-service-selector-no-match
  catalog.add(checks::net::makeServiceTargetPortMissingCheck());      // net-service-target-port-missing
  catalog.add(checks::net::makeWorkloadNotIsolatedCheck());           // net-workload-not-isolated
  catalog.add(checks::ns::makeDefaultNamespaceCheck());               // ns-default-namespace
  catalog.add(checks::ns::makeNoDefaultDenyCheck());                  // ns-no-default-deny
  catalog.add(checks::ns::makeNoLimitRangeCheck());                   // ns-no-limit-range
  catalog.add(checks::ns::makeNoNetworkPolicyCheck());                // ns-no-network-policy
  catalog.add(checks::ns::makeNoResourceQuotaCheck());                // ns-no-resource-quota
  // --- the security graph (src/checks/risk) ---
  catalog.add(checks::risk::makeImageVulnerableCheck());              // risk-image-vulnerable
  catalog.add(checks::risk::makeToxicCombinationCheck());             // risk-toxic-combination
  catalog.add(checks::workload::makeHpaTargetMissingCheck());         // workload-hpa-target-missing
  catalog.add(checks::workload::makeMissingConfigMapCheck());         // workload-missing-configmap
  catalog.add(checks::workload::makeMissingSecretCheck());            // workload-missing-secret
  catalog.add(checks::workload::makeMissingServiceAccountCheck());    // workload-missing-service-account
  catalog.add(checks::workload::makePdbBlocksEvictionCheck());        // workload-pdb-blocks-eviction
  catalog.add(checks::workload::makePdbSelectsNothingCheck());        // workload-pdb-selects-nothing
  catalog.add(checks::workload::makeSelectorMismatchCheck());         // workload-selector-mismatch
  catalog.add(checks::workload::makeSingleReplicaPdbCheck());         // workload-single-replica-pdb

  // --- CIS sections 1-4: control-plane flags, kubelet, kube-proxy (src/checks/cis) ---
  // Table-driven: each table in src/checks/cis/*_checks.cc lists its checks in benchmark order,
  // one entry (ID, control, metadata, rule) per check, each with its folder of fixtures.
  for (auto* make : {&checks::cis::makeControlPlaneChecks, &checks::cis::makeKubeletChecks,
                     &checks::cis::makeKubeProxyChecks}) {
    for (std::unique_ptr<Check>& check : make()) catalog.add(std::move(check));
  }
}

}  // namespace kspm
