#include "kspm/cpus.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <thread>

namespace kspm {
namespace {

TEST(UsableCpus, CgroupV2Limit) {
  EXPECT_EQ(cpuLimitFromCgroupV2("200000 100000"), 2u);
  EXPECT_EQ(cpuLimitFromCgroupV2("150000 100000\n"), 2u);  // 1.5 CPUs: rounded up
  EXPECT_EQ(cpuLimitFromCgroupV2("25000 100000"), 1u);     // 250m: at least one
  EXPECT_EQ(cpuLimitFromCgroupV2("max 100000"), std::nullopt);
  EXPECT_EQ(cpuLimitFromCgroupV2(""), std::nullopt);
  EXPECT_EQ(cpuLimitFromCgroupV2("garbage"), std::nullopt);
  EXPECT_EQ(cpuLimitFromCgroupV2("0 100000"), std::nullopt);
}

TEST(UsableCpus, CgroupV1Limit) {
  EXPECT_EQ(cpuLimitFromCgroupV1("400000\n", "100000\n"), 4u);
  EXPECT_EQ(cpuLimitFromCgroupV1("-1", "100000"), std::nullopt);
  EXPECT_EQ(cpuLimitFromCgroupV1("", ""), std::nullopt);
}

TEST(UsableCpus, FollowsTheAffinityMask) {
  unsigned all = usableCpuCount();
  EXPECT_GE(all, 1u);
  EXPECT_LE(all, std::max(1u, std::thread::hardware_concurrency()));
  // A thread pinned to one CPU (as `taskset -c 0` would pin the process) may use one CPU.
  unsigned pinned = 0;
  std::thread t([&pinned] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0) pinned = usableCpuCount();
  });
  t.join();
  EXPECT_EQ(pinned, 1u);
}

}  // namespace
}  // namespace kspm
