// Factories for the checks built on the security graph (include/kspm/graph.h), one per folder under
// src/checks/risk/. registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::risk {

std::unique_ptr<Check> makeImageVulnerableCheck();   // risk-image-vulnerable
std::unique_ptr<Check> makeToxicCombinationCheck();  // risk-toxic-combination

}  // namespace kspm::checks::risk
