// Every check is one folder with pass and fail fixtures; this runs the non-PSS checks on theirs
// (src/checks/pss/pss_checks_test.cc runs the PSS family) and checks that the catalog and the
// folders agree for both families.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "kspm/vulns.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

// A fixture folder may hold params.yaml: `name: [values]` lines giving check parameters, so that
// checks which only act when configured (allowed registries, required labels) are tested too; and
// vulns.json, a vulnerability report for the security graph checks (kspm scan --vulns).
ScanPolicy fixturePolicy(const fs::path& testdata) {
  ScanPolicy policy;
  if (fs::path report = testdata / "vulns.json"; fs::exists(report)) {
    static std::vector<std::unique_ptr<vulns::Database>> databases;  // live as long as the test binary
    databases.push_back(std::make_unique<vulns::Database>());
    auto loaded = databases.back()->loadReport(report.string());
    EXPECT_TRUE(loaded.ok());
    policy.vulns = databases.back().get();
  }
  fs::path params = testdata / "params.yaml";
  if (!fs::exists(params)) return policy;
  const std::string text = testing::readFile(params.string());
  LoadResult loaded = loadBuffer(params.string(), text);
  EXPECT_TRUE(loaded.errors.empty());
  for (const Document& doc : loaded.documents) {
    if (doc.root() == nullptr || !doc.root()->isObject()) continue;
    for (const Member& m : doc.root()->members()) {
      std::vector<std::string> values;
      if (m.value.isArray()) {
        for (const Node& v : m.value.items()) values.emplace_back(v.str());
      }
      policy.parameters.set(std::string(m.key.str()), std::move(values));
    }
  }
  return policy;
}

TEST(CheckFixturesTest, EveryCatalogCheckHasAFolderWithPassAndFailFixtures) {
  for (const Check* check : Catalog::builtin().all()) {
    fs::path dir = testing::checkFolder(check->info().id);
    SCOPED_TRACE(dir.string());
    ASSERT_TRUE(fs::is_directory(dir / "testdata"));
    int pass = 0, fail = 0;
    for (const auto& entry : fs::directory_iterator(dir / "testdata")) {
      std::string name = entry.path().filename().string();
      if (name.starts_with("pass_")) ++pass;
      EXPECT_TRUE(name.starts_with("pass_") || name.starts_with("fail_") || name == "params.yaml" || name == "vulns.json")
          << name;
      if (name.starts_with("fail_")) ++fail;
    }
    EXPECT_GE(pass, 1);
    EXPECT_GE(fail, 1);
  }
}

TEST(CheckFixturesTest, NonPssChecksFireOnFailFixturesOnly) {
  for (const Check* check : Catalog::builtin().all()) {
    if (!check->info().pss_id.empty()) continue;
    fs::path dir = fs::path(testing::checkFolder(check->info().id)) / "testdata";
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      if (name == "params.yaml" || name == "vulns.json") continue;
      SCOPED_TRACE(std::string(check->info().id) + " " + name);
      ObjectSet set = testing::loadText(testing::readFile(entry.path().string()), entry.path().string());
      ASSERT_TRUE(set.errors().empty()) << set.errors()[0].message;
      ASSERT_FALSE(set.objects().empty());
      std::vector<Finding> findings = testing::evaluateCheck(*check, set, fixturePolicy(dir));
      if (name.starts_with("fail_")) {
        EXPECT_FALSE(findings.empty());
        for (const Finding& f : findings) {
          EXPECT_GT(f.line, 0u);
          EXPECT_FALSE(f.message.empty());
          EXPECT_FALSE(f.path.empty());
        }
      } else {
        EXPECT_TRUE(findings.empty()) << findings[0].message;
      }
    }
  }
}

}  // namespace
}  // namespace kspm
