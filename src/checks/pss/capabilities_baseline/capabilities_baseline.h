#pragma once

#include <string_view>

namespace kspm::checks::pss {

/** True for the capabilities the baseline profile allows in securityContext.capabilities.add. */
bool isBaselineAllowedCapability(std::string_view capability);

}  // namespace kspm::checks::pss
