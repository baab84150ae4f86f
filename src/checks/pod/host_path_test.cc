#include "checks/pod/host_path.h"

#include <gtest/gtest.h>

namespace kspm::checks::pod {
namespace {

TEST(HostPathTest, CleanPathIsLexicalLikeGo) {
  EXPECT_EQ(cleanPath("/etc/"), "/etc");
  EXPECT_EQ(cleanPath("//"), "/");
  EXPECT_EQ(cleanPath("/"), "/");
  EXPECT_EQ(cleanPath("/var//lib/./kubelet/"), "/var/lib/kubelet");
  EXPECT_EQ(cleanPath("/data/../etc/kubernetes"), "/etc/kubernetes");
  EXPECT_EQ(cleanPath("/../../etc"), "/etc");
  EXPECT_EQ(cleanPath("data/../.."), "..");
  EXPECT_EQ(cleanPath(""), ".");
}

TEST(HostPathTest, IsUnderMatchesWholeComponents) {
  EXPECT_TRUE(isUnder("/etc", "/etc"));
  EXPECT_TRUE(isUnder("/etc/ssl", "/etc"));
  EXPECT_FALSE(isUnder("/etcd", "/etc"));
  EXPECT_TRUE(isUnder("/anything", "/"));
  EXPECT_FALSE(isUnder("relative", "/"));
}

}  // namespace
}  // namespace kspm::checks::pod
