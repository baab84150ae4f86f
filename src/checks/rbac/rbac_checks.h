// Factories of the RBAC checks (src/checks/rbac/<rest>, one folder per check).
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::rbac {

std::unique_ptr<Check> makeBindVerbCheck();             // rbac-bind-verb
std::unique_ptr<Check> makeBroadGroupBindingCheck();    // rbac-broad-group-binding
std::unique_ptr<Check> makeClusterAdminBindingCheck();  // rbac-cluster-admin-binding
std::unique_ptr<Check> makeCsrApprovalCheck();          // rbac-csr-approval
std::unique_ptr<Check> makeDefaultSaAutomountCheck();   // rbac-default-sa-automount
std::unique_ptr<Check> makeDefaultSaBindingCheck();     // rbac-default-sa-binding
std::unique_ptr<Check> makeEphemeralContainersCheck();  // rbac-ephemeral-containers
std::unique_ptr<Check> makeEscalateVerbCheck();         // rbac-escalate-verb
std::unique_ptr<Check> makeImpersonateVerbCheck();      // rbac-impersonate-verb
std::unique_ptr<Check> makeNodeWriteCheck();            // rbac-node-write
std::unique_ptr<Check> makeNodesProxyCheck();           // rbac-nodes-proxy
std::unique_ptr<Check> makePodCreateCheck();            // rbac-pod-create
std::unique_ptr<Check> makePodExecCheck();              // rbac-pod-exec
std::unique_ptr<Check> makePvCreateCheck();             // rbac-pv-create
std::unique_ptr<Check> makeSaTokenCreateCheck();        // rbac-sa-token-create
std::unique_ptr<Check> makeSecretsAccessCheck();        // rbac-secrets-access
std::unique_ptr<Check> makeWebhookConfigWriteCheck();   // rbac-webhook-config-write
std::unique_ptr<Check> makeWildcardCheck();             // rbac-wildcard
std::unique_ptr<Check> makeWorkloadCreateCheck();       // rbac-workload-create
std::unique_ptr<Check> makeAwsAuthWriteCheck();  // rbac-aws-auth-write
std::unique_ptr<Check> makeBindingMissingRoleCheck();  // rbac-binding-missing-role
std::unique_ptr<Check> makeBindingMissingServiceAccountCheck();  // rbac-binding-missing-service-account
std::unique_ptr<Check> makeCrdWriteCheck();  // rbac-crd-write
std::unique_ptr<Check> makeEvictionCheck();  // rbac-eviction
std::unique_ptr<Check> makeNetworkpolicyWriteCheck();  // rbac-networkpolicy-write
std::unique_ptr<Check> makePortForwardCheck();  // rbac-port-forward
std::unique_ptr<Check> makeSecretsWriteCheck();  // rbac-secrets-write
std::unique_ptr<Check> makeStatusWriteCheck();  // rbac-status-write
std::unique_ptr<Check> makeStorageWriteCheck();  // rbac-storage-write

}  // namespace kspm::checks::rbac
