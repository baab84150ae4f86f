// Every check is one folder with pass and fail fixtures; this runs the non-PSS checks on theirs
// (src/checks/pss/pss_checks_test.cc runs the PSS family) and checks that the catalog and the
// folders agree for both families.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

TEST(CheckFixturesTest, EveryCatalogCheckHasAFolderWithPassAndFailFixtures) {
  for (const Check* check : Catalog::builtin().all()) {
    fs::path dir = testing::checkFolder(check->info().id);
    SCOPED_TRACE(dir.string());
    ASSERT_TRUE(fs::is_directory(dir / "testdata"));
    int pass = 0, fail = 0;
    for (const auto& entry : fs::directory_iterator(dir / "testdata")) {
      std::string name = entry.path().filename().string();
      if (name.starts_with("pass_")) ++pass;
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
      SCOPED_TRACE(std::string(check->info().id) + " " + name);
      ObjectSet set = testing::loadText(testing::readFile(entry.path().string()), entry.path().string());
      ASSERT_TRUE(set.errors().empty()) << set.errors()[0].message;
      ASSERT_FALSE(set.objects().empty());
      ScanContext context = buildScanContext(Catalog::builtin(), set);
      std::vector<Finding> findings;
      EvalContext eval;
      eval.objects = &set;
      eval.scan = &context;
      FindingSink sink(&findings);
      sink.setCheck(&check->info());
      for (const Object& o : set.objects()) check->evaluate(o, eval, sink);
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
