// Factories for the pod-level hardening checks, one per folder under src/checks/pod/.
// registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::pod {

std::unique_ptr<Check> makeSensitiveHostPathCheck();              // pod-sensitive-host-path
std::unique_ptr<Check> makeContainerRuntimeSocketCheck();         // pod-container-runtime-socket
std::unique_ptr<Check> makeShareProcessNamespaceCheck();          // pod-share-process-namespace
std::unique_ptr<Check> makeSecretsInEnvCheck();                   // pod-secrets-in-env
std::unique_ptr<Check> makeSecurityContextMissingCheck();         // pod-security-context-missing
std::unique_ptr<Check> makeRequiredLabelsCheck();                 // pod-required-labels
std::unique_ptr<Check> makeDeprecatedServiceAccountFieldCheck();  // pod-deprecated-service-account-field

}  // namespace kspm::checks::pod
