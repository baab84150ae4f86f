// Factories of the service account checks on pod specs (src/checks/sa/<rest>, one folder per check).
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::sa {

std::unique_ptr<Check> makeDefaultServiceAccountCheck();  // sa-default-service-account
std::unique_ptr<Check> makeTokenAutomountCheck();         // sa-token-automount

}  // namespace kspm::checks::sa
