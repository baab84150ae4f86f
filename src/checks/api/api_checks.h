// Factories of the API version checks (one folder each under src/checks/api/).
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::api {

std::unique_ptr<Check> makeApiDeprecatedCheck();  // api-deprecated
std::unique_ptr<Check> makeApiRemovedCheck();     // api-removed

}  // namespace kspm::checks::api
