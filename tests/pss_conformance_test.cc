// Conformance with upstream Pod Security Admission: every fixture of the upstream corpus
// (/work/shared/corpus/pss, see its README.md) evaluated at its level and version.
//
//  - pass/<fixture>.yaml: no finding from any check upstream runs at that level and version.
//  - fail/<fixture>.yaml: a finding from the check the file name names (lower-cased upstream ID
//    before the trailing digits) or, at restricted, from the effective check that overrides it;
//    plus only the extra checks listed in kExpectedExtras below.
//
// Every disagreement is printed (file, expected, got). The bar is 100% agreement.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checks/pss/pss_policy.h"
#include "kspm/catalog.h"
#include "kspm/check.h"
#include "kspm/object.h"
#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;

// Fail fixtures that legitimately violate more than the check they are named after, at the
// level given ("" = both), with the extra upstream check IDs they also trip. Each was checked by
// hand against the fixture content; anything else that fires is a disagreement.
struct Extra {
  std::string_view level;
  std::string_view fixture;
  std::set<std::string_view> checks;
  std::string_view why;
};
const std::vector<Extra>& expectedExtras() {
  static const std::vector<Extra> kExtras = {
      // HostProcess pods must use the host network (API validation), so these fixtures also set
      // spec.hostNetwork: true, which hostNamespaces forbids.
      {"", "windowshostprocess0", {"hostNamespaces"}, "hostNetwork: true required for hostProcess"},
      {"", "windowshostprocess1", {"hostNamespaces"}, "hostNetwork: true required for hostProcess"},
      // privileged: true cannot be combined with allowPrivilegeEscalation: false (API validation),
      // so the restricted fixtures drop that field from the privileged container.
      {"restricted", "privileged0", {"allowPrivilegeEscalation"}, "privileged implies escalation"},
      {"restricted", "privileged1", {"allowPrivilegeEscalation"}, "privileged implies escalation"},
      // container1 has no securityContext at all, so from 1.22 it also lacks capabilities.drop=[ALL].
      {"restricted", "allowprivilegeescalation3", {"capabilities_restricted"}, "no securityContext"},
  };
  return kExtras;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct LevelVersion {
  PssLevel level;
  uint32_t minor;
};

std::vector<LevelVersion> allLevelVersions() {
  std::vector<LevelVersion> out;
  for (PssLevel level : {PssLevel::kBaseline, PssLevel::kRestricted}) {
    for (uint32_t minor = 0; minor <= kPssLatestMinor; ++minor) out.push_back({level, minor});
  }
  return out;
}

// Totals over every parameter, printed at the end.
struct Tally {
  int fixtures = 0;
  int agree = 0;
};
Tally& tally() {
  static Tally t;
  return t;
}

class TallyPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    if (tally().fixtures > 0) {
      std::printf("[ PSS conformance ] %d/%d fixtures agree with upstream\n", tally().agree, tally().fixtures);
    }
  }
};
const auto* const kTallyPrinter = ::testing::AddGlobalTestEnvironment(new TallyPrinter);

class PssConformance : public ::testing::TestWithParam<LevelVersion> {};

TEST_P(PssConformance, MatchesUpstream) {
  KSPM_REQUIRE_SHARED(corpus, "corpus/pss");
  const LevelVersion lv = GetParam();
  const std::string level_name(pssLevelName(lv.level));
  const fs::path dir = fs::path(corpus) / level_name / ("v1." + std::to_string(lv.minor));
  ASSERT_TRUE(fs::is_directory(dir)) << dir;

  const std::vector<const Check*> checks = checks::pss::pssChecksFor(Catalog::builtin(), lv.level, lv.minor);
  std::map<std::string, const Check*> by_lower_id;      // lower-cased upstream ID -> effective check
  std::map<std::string, const Check*> by_lower_override;  // lower-cased overridden ID -> overrider
  for (const Check* c : checks) {
    by_lower_id[lower(c->info().pss_id)] = c;
    if (!c->info().pss_overrides.empty()) by_lower_override[lower(c->info().pss_overrides)] = c;
  }

  int count = 0;
  for (std::string_view verdict : {"pass", "fail"}) {
    const fs::path sub = dir / std::string(verdict);
    ASSERT_TRUE(fs::is_directory(sub)) << sub;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(sub)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      ++count;
      ++tally().fixtures;
      const std::string fixture = file.stem().string();
      const std::string where = level_name + "/v1." + std::to_string(lv.minor) + "/" + std::string(verdict) +
                                "/" + file.filename().string();
      ObjectSet set;
      auto source = std::make_unique<SourceFile>();
      source->path = file.string();
      source->content = testing::readFile(file.string());
      set.addFile(std::move(source), LoadLimits{});
      if (!set.errors().empty() || set.objects().size() != 1 || set.objects()[0].kind != "Pod") {
        ADD_FAILURE() << where << ": expected one Pod, got " << set.objects().size() << " objects and "
                      << set.errors().size() << " errors";
        continue;
      }
      std::set<std::string> fired;
      std::vector<Finding> findings;
      for (const Check* c : checks) {
        std::vector<Finding> out;
        FindingSink sink(&out);
        sink.setCheck(&c->info());
        EvalContext context;
        context.objects = &set;
        context.pss_minor = lv.minor;
        c->evaluate(set.objects()[0], context, sink);
        if (!out.empty()) fired.insert(std::string(c->info().pss_id));
        findings.insert(findings.end(), out.begin(), out.end());
      }
      auto got = [&] {
        std::string s;
        for (const std::string& id : fired) s += (s.empty() ? "" : ", ") + id;
        for (const Finding& f : findings) s += "\n      " + f.path + " (line " + std::to_string(f.line) + "): " + f.message;
        return s.empty() ? std::string("(nothing)") : s;
      };

      if (verdict == "pass") {
        if (fired.empty()) {
          ++tally().agree;
        } else {
          ADD_FAILURE() << where << ": expected no finding, got " << got();
        }
        continue;
      }

      // fail/: the named check, or at restricted the effective check that overrides it.
      std::string prefix = fixture;
      while (!prefix.empty() && std::isdigit(static_cast<unsigned char>(prefix.back()))) prefix.pop_back();
      const Check* expected = nullptr;
      if (auto it = by_lower_id.find(prefix); it != by_lower_id.end()) {
        expected = it->second;
      } else if (auto ov = by_lower_override.find(prefix); ov != by_lower_override.end()) {
        expected = ov->second;
      }
      if (expected == nullptr) {
        ADD_FAILURE() << where << ": no effective check named " << prefix << " at this level/version";
        continue;
      }
      const std::string expected_id(expected->info().pss_id);
      std::set<std::string> allowed = {expected_id};
      for (const Extra& extra : expectedExtras()) {
        if (extra.fixture == fixture && (extra.level.empty() || extra.level == level_name)) {
          allowed.insert(extra.checks.begin(), extra.checks.end());
        }
      }
      bool ok = fired.count(expected_id) > 0;
      std::string unexpected;
      for (const std::string& id : fired) {
        if (allowed.count(id) == 0) unexpected += (unexpected.empty() ? "" : ", ") + id;
      }
      if (ok && unexpected.empty()) {
        ++tally().agree;
      } else {
        ADD_FAILURE() << where << ": expected " << expected_id
                      << (unexpected.empty() ? "" : " (unexpected extra: " + unexpected + ")") << ", got " << got();
      }
    }
  }
  EXPECT_GT(count, 0) << dir;
}

INSTANTIATE_TEST_SUITE_P(AllLevelsAndVersions, PssConformance, ::testing::ValuesIn(allLevelVersions()),
                         [](const ::testing::TestParamInfo<LevelVersion>& info) {
                           return std::string(pssLevelName(info.param.level)) + "_v1_" +
                                  std::to_string(info.param.minor);
                         });

// The corpus is complete: exactly the 76 level/version folders and 4,537 fixtures.
TEST(PssConformanceCorpus, HasEveryFolderAndFixture) {
  KSPM_REQUIRE_SHARED(corpus, "corpus/pss");
  int fixtures = 0;
  for (const LevelVersion& lv : allLevelVersions()) {
    const fs::path dir = fs::path(corpus) / std::string(pssLevelName(lv.level)) / ("v1." + std::to_string(lv.minor));
    EXPECT_TRUE(fs::is_directory(dir / "pass")) << dir;
    EXPECT_TRUE(fs::is_directory(dir / "fail")) << dir;
    for (std::string_view verdict : {"pass", "fail"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(dir / std::string(verdict), ec)) {
        if (entry.path().extension() == ".yaml") ++fixtures;
      }
    }
  }
  EXPECT_EQ(fixtures, 4537);
}

}  // namespace
}  // namespace kspm
