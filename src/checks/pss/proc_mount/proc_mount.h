#pragma once

#include "checks/common/pod_spec.h"
#include "kspm/check.h"

namespace kspm::checks::pss {

/**
 * Reports every container whose securityContext.procMount is set to anything but "Default"
 * (upstream procMount_1_0, shared by procMount and procMount_restricted).
 */
void reportNonDefaultProcMount(const PodSpecRef& pod, FindingSink& sink);

}  // namespace kspm::checks::pss
