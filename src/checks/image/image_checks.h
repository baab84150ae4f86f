// Factories for the container image checks, one per folder under src/checks/image/.
// registerBuiltinChecks (src/checks/all_checks.cc) calls each once.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::image {

std::unique_ptr<Check> makeNotAssessableCheck();        // image-not-assessable
std::unique_ptr<Check> makeLatestTagCheck();            // image-latest-tag
std::unique_ptr<Check> makeNotPinnedByDigestCheck();    // image-not-pinned-by-digest
std::unique_ptr<Check> makeRegistryNotAllowedCheck();   // image-registry-not-allowed
std::unique_ptr<Check> makeUntrustedPrefixCheck();      // image-untrusted-prefix
std::unique_ptr<Check> makePullPolicyNotAlwaysCheck();  // image-pull-policy-not-always

}  // namespace kspm::checks::image
