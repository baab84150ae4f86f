// Factories for the namespace checks, one per folder under src/checks/ns/.
// registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::ns {

std::unique_ptr<Check> makeDefaultNamespaceCheck();  // ns-default-namespace
std::unique_ptr<Check> makeNoDefaultDenyCheck();     // ns-no-default-deny
std::unique_ptr<Check> makeNoLimitRangeCheck();      // ns-no-limit-range
std::unique_ptr<Check> makeNoNetworkPolicyCheck();   // ns-no-network-policy
std::unique_ptr<Check> makeNoResourceQuotaCheck();   // ns-no-resource-quota

}  // namespace kspm::checks::ns
