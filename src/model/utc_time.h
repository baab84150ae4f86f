// RFC 3339 UTC timestamps, as kspm writes them (scan and store times, watch lines, delivery payloads).
#pragma once

#include <ctime>
#include <string>

namespace kspm {

/** `t` as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds). */
std::string utcRfc3339(std::time_t t);

/** The current time as utcRfc3339. */
std::string nowRfc3339();

}  // namespace kspm
