// How many CPUs this process may use: the default for worker threads and event loops.
// Thread safety: pure functions over the process's state.
#pragma once

#include <optional>
#include <string_view>

namespace kspm {

/**
 * The CPUs this process can actually use: the CPUs of the calling thread's affinity mask
 * (taskset, cpusets), further capped by a cgroup CPU quota (a container's CPU limit, rounded up),
 * and at least 1. Falls back to std::thread::hardware_concurrency() when the mask is unavailable.
 */
unsigned usableCpuCount();

/**
 * The CPU limit in a cgroup v2 `cpu.max` ("200000 100000" -> 2, "150000 100000" -> 2 (rounded up),
 * "max 100000" -> nothing) or, with `period` given, a cgroup v1 quota in microseconds ("-1" -> nothing).
 */
std::optional<unsigned> cpuLimitFromCgroupV2(std::string_view cpu_max);
std::optional<unsigned> cpuLimitFromCgroupV1(std::string_view quota_us, std::string_view period_us);

}  // namespace kspm
