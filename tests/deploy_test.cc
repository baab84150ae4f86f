// kspm's own deploy manifests: they pass kspm's own checks, and the ClusterRole grants exactly
// what `kspm scan --cluster` reads (get/list), nothing that reveals Secret values or reaches the
// kubelet, and nothing that writes.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kspm/cluster_read.h"
#include "kspm/node.h"
#include "test_util.h"

namespace kspm {
namespace {

std::string deployFile() { return testing::sourceDir() + "/deploy/kspm-cronjob.yaml"; }

TEST(DeployManifests, PassKspmsOwnChecksIncludingPodSecurityRestricted) {
  testing::CommandResult all =
      testing::run(testing::kspm() + " scan --no-config -o json --fail-on info '" + deployFile() + "'");
  EXPECT_EQ(all.exit_code, 0) << all.out;
  rapidjson::Document report;
  report.Parse(all.out.c_str());
  ASSERT_FALSE(report.HasParseError());
  EXPECT_EQ(report["summary"]["findings"].GetUint64(), 0u);
  EXPECT_EQ(report["summary"]["objects"].GetUint64(), 8u);
  testing::CommandResult pss = testing::run(testing::kspm() + " scan --no-config --framework pss-restricted --fail-on info '" +
                                            deployFile() + "'");
  EXPECT_EQ(pss.exit_code, 0) << pss.out;
}

// Kubernetes' default plural of a kind (what CRDs and the built-in kinds kspm reads use).
std::string plural(std::string_view kind) {
  std::string s(kind);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.size() > 1 && s.ends_with("y") && std::string_view("aeiou").find(s[s.size() - 2]) == std::string_view::npos) {
    return s.substr(0, s.size() - 1) + "ies";
  }
  if (s.ends_with("s")) return s + "es";
  return s + "s";
}

TEST(DeployManifests, ClusterRoleGrantsExactlyWhatTheScanReads) {
  ObjectSet set = testing::loadText(testing::readFile(deployFile()), deployFile());
  ASSERT_TRUE(set.errors().empty());
  const Object* role = nullptr;
  for (const Object& o : set.objects()) {
    if (o.kind == "ClusterRole") role = &o;
  }
  ASSERT_NE(role, nullptr);
  std::set<std::pair<std::string, std::string>> granted;  // (group, resource) with get and list
  for (const Node& rule : role->root->get("rules")->items()) {
    std::set<std::string> verbs;
    for (const Node& v : rule.get("verbs")->items()) verbs.insert(std::string(v.str()));
    EXPECT_EQ(verbs, (std::set<std::string>{"get", "list"})) << "only get and list, never write or watch-all";
    for (const Node& g : rule.get("apiGroups")->items()) {
      EXPECT_NE(g.str(), "*");
      for (const Node& r : rule.get("resources")->items()) {
        EXPECT_NE(r.str(), "*");
        EXPECT_NE(r.str(), "secrets") << "listing Secrets returns their values";
        EXPECT_NE(r.str(), "nodes/proxy") << "nodes/proxy reaches the kubelet's exec";
        EXPECT_EQ(r.str().find('/'), std::string_view::npos) << "no subresources: " << r.str();
        granted.emplace(std::string(g.str()), std::string(r.str()));
      }
    }
  }
  std::set<std::pair<std::string, std::string>> needed;
  for (const cluster::WantedKind& k : cluster::kindsToList(cluster::ReadOptions{})) {
    needed.emplace(k.group, plural(k.kind));
  }
  for (const auto& [group, resource] : needed) {
    EXPECT_TRUE(granted.count({group, resource})) << "the scan reads " << resource << "." << group << " but the ClusterRole does not grant it";
  }
  for (const auto& [group, resource] : granted) {
    EXPECT_TRUE(needed.count({group, resource})) << "the ClusterRole grants " << resource << "." << group << ", which the scan never reads";
  }
}

}  // namespace
}  // namespace kspm
