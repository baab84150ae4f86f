// Factories of the built-in checks outside the Pod Security family (one per folder).
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks {

std::unique_ptr<Check> makePsaNamespaceVerdictCheck();   // psa-namespace-verdict
std::unique_ptr<Check> makePsaNamespaceUnlabeledCheck(); // psa-namespace-unlabeled
std::unique_ptr<Check> makeYamlDuplicateKeyCheck();      // yaml-duplicate-key
std::unique_ptr<Check> makeYamlNonStringValueCheck();    // yaml-non-string-value

}  // namespace kspm::checks
