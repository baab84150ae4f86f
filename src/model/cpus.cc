#include "kspm/cpus.h"

#include <sched.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace kspm {
namespace {

std::optional<long long> parseNumber(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<unsigned> ceilRatio(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  long long cpus = (quota + period - 1) / period;
  return static_cast<unsigned>(std::max(1LL, std::min(cpus, 4096LL)));
}

std::string readSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

std::optional<unsigned> cpuLimitFromCgroupV2(std::string_view cpu_max) {
  size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::optional<long long> quota = parseNumber(cpu_max.substr(0, space));  // "max" fails: no limit
  std::optional<long long> period = parseNumber(cpu_max.substr(space + 1));
  if (!quota || !period) return std::nullopt;
  return ceilRatio(*quota, *period);
}

std::optional<unsigned> cpuLimitFromCgroupV1(std::string_view quota_us, std::string_view period_us) {
  std::optional<long long> quota = parseNumber(quota_us);
  std::optional<long long> period = parseNumber(period_us);
  if (!quota || !period) return std::nullopt;
  return ceilRatio(*quota, *period);
}

unsigned usableCpuCount() {
  unsigned cpus = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cpus = static_cast<unsigned>(CPU_COUNT(&set));
  if (cpus == 0) cpus = std::thread::hardware_concurrency();
  if (cpus == 0) cpus = 1;
  std::optional<unsigned> limit = cpuLimitFromCgroupV2(readSmallFile("/sys/fs/cgroup/cpu.max"));
  if (!limit) {
    limit = cpuLimitFromCgroupV1(readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                                 readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  }
  if (limit && *limit < cpus) cpus = *limit;
  return cpus;
}

}  // namespace kspm
