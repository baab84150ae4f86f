// Factories for the cross-object workload checks (references, selectors, disruption budgets,
// autoscalers), one per folder under src/checks/workload/. registerBuiltinChecks
// (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::workload {

std::unique_ptr<Check> makeHpaTargetMissingCheck();       // workload-hpa-target-missing
std::unique_ptr<Check> makeMissingConfigMapCheck();       // workload-missing-configmap
std::unique_ptr<Check> makeMissingSecretCheck();          // workload-missing-secret
std::unique_ptr<Check> makeMissingServiceAccountCheck();  // workload-missing-service-account
std::unique_ptr<Check> makePdbBlocksEvictionCheck();      // workload-pdb-blocks-eviction
std::unique_ptr<Check> makePdbSelectsNothingCheck();      // workload-pdb-selects-nothing
std::unique_ptr<Check> makeSelectorMismatchCheck();       // workload-selector-mismatch
std::unique_ptr<Check> makeSingleReplicaPdbCheck();       // workload-single-replica-pdb

}  // namespace kspm::checks::workload
