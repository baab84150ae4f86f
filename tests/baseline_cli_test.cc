// kspm scan --baseline / --fail-on-new and --owners through the real binary: exit codes, the JSON
// "baseline" and "owner" fields and summary, SARIF baselineState, the table, bad baselines.
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "test_util.h"

namespace kspm {
namespace {

namespace fs = std::filesystem;
using testing::kspm;
using testing::TempDir;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun runCli(const std::string& args, const TempDir& dir) {
  static int counter = 0;
  std::string err_file = dir.path() + "/stderr-" + std::to_string(++counter);
  testing::CommandResult r = testing::run(kspm() + " " + args + " 2>'" + err_file + "'");
  return CliRun{r.exit_code, std::move(r.out), testing::readFile(err_file)};
}

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

// A Deployment with a privileged container (critical) and one that may run as root (medium).
constexpr const char* kBase = R"(apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {team: storefront}
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        securityContext: {privileged: true}
      - name: sidecar
        image: registry.example.com/sidecar@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
)";

// The same, moved to apps/v1 with the containers in the other order (and so on other lines).
constexpr const char* kMoved = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {team: storefront}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: sidecar
        image: registry.example.com/sidecar@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      - name: app
        image: registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        securityContext: {privileged: true}
)";

std::string withHostNetwork(std::string yaml) {
  // A new high finding (pss-host-namespaces) on the same object.
  size_t at = yaml.find("      containers:");
  yaml.insert(at, "      hostNetwork: true\n");
  return yaml;
}

std::string withHostPid(std::string yaml) {
  size_t at = yaml.find("      containers:");
  yaml.insert(at, "      hostPID: true\n");
  return yaml;
}

class BaselineCli : public ::testing::Test {
 protected:
  void SetUp() override {
    base_dir_ = dir_.path() + "/base";
    fs::create_directories(base_dir_);
    manifest_ = dir_.write("base/web.yaml", kBase);
    CliRun r = runCli("scan --no-config -o json --output-file '" + dir_.path() + "/baseline.json' '" + manifest_ + "'", dir_);
    ASSERT_EQ(r.exit_code, 1) << r.err;  // critical findings without a baseline
    baseline_ = dir_.path() + "/baseline.json";
  }
  std::string scanWith(const std::string& yaml) { return dir_.write("base/web.yaml", yaml); }

  TempDir dir_;
  std::string base_dir_, manifest_, baseline_;
};

TEST_F(BaselineCli, SameScanHasNothingNewAndPassesDespiteCriticalFindings) {
  CliRun r = runCli("scan --no-config -o json --baseline '" + baseline_ + "' '" + manifest_ + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  ASSERT_GT(d["findings"].Size(), 1u);
  for (const auto& f : d["findings"].GetArray()) {
    EXPECT_STREQ(f["baseline"].GetString(), "existing");
    EXPECT_STREQ(f["owner"].GetString(), "storefront");
  }
  EXPECT_GT(d["summary"]["bySeverity"]["critical"].GetUint64(), 0u);
  const auto& b = d["summary"]["baseline"];
  EXPECT_EQ(std::string(b["source"].GetString()), baseline_);
  EXPECT_EQ(b["new"].GetUint64(), 0u);
  EXPECT_EQ(b["existing"].GetUint64(), d["summary"]["findings"].GetUint64() - d["summary"]["suppressed"].GetUint64());
  EXPECT_EQ(b["fixed"].GetUint64(), 0u);
  EXPECT_EQ(b["newBySeverity"]["critical"].GetUint64(), 0u);
  // Without the baseline the same scan fails: the baseline is what makes it pass.
  EXPECT_EQ(runCli("scan --no-config -o json '" + manifest_ + "'", dir_).exit_code, 1);
}

TEST_F(BaselineCli, ReorderedContainersAndApiVersionMoveAreNotNew) {
  std::string moved = scanWith(kMoved);
  CliRun r = runCli("scan --no-config -o json --baseline '" + baseline_ + "' '" + moved + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 2000);
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["summary"]["baseline"]["new"].GetUint64(), 0u) << r.out.substr(0, 3000);
  // The one finding the move fixes: the removed extensions/v1beta1 API.
  EXPECT_EQ(d["summary"]["baseline"]["fixed"].GetUint64(), 1u);
  for (const auto& f : d["findings"].GetArray()) EXPECT_STREQ(f["baseline"].GetString(), "existing");
}

TEST_F(BaselineCli, NewHighFindingFailsAtHighNotAtCritical) {
  std::string changed = scanWith(withHostNetwork(kBase));
  std::string args = "scan --no-config -o json --baseline '" + baseline_ + "' '" + changed + "'";
  CliRun high = runCli(args + " --fail-on-new high", dir_);
  EXPECT_EQ(high.exit_code, 1) << high.err;
  rapidjson::Document d = parseJson(high.out);
  ASSERT_TRUE(d.IsObject());
  const auto& b = d["summary"]["baseline"];
  EXPECT_GE(b["newBySeverity"]["high"].GetUint64(), 1u);
  EXPECT_EQ(b["newBySeverity"]["critical"].GetUint64(), 0u);
  std::set<std::string> new_checks;
  for (const auto& f : d["findings"].GetArray()) {
    if (std::string(f["baseline"].GetString()) == "new") new_checks.insert(f["check"].GetString());
  }
  EXPECT_EQ(new_checks.count("pss-host-namespaces"), 1u);
  EXPECT_EQ(new_checks.count("pss-privileged"), 0u);
  EXPECT_EQ(runCli(args + " --fail-on-new critical", dir_).exit_code, 0);
  // Without --fail-on-new the --fail-on threshold applies to new findings.
  EXPECT_EQ(runCli(args, dir_).exit_code, 1);
  EXPECT_EQ(runCli(args + " --fail-on critical", dir_).exit_code, 0);
  EXPECT_EQ(runCli(args + " --fail-on-new none", dir_).exit_code, 0);
}

TEST_F(BaselineCli, FixedCountsBaselineFindingsNoLongerThere) {
  // The privileged flag goes: its findings are fixed, nothing is new.
  std::string yaml = kMoved;
  yaml.erase(yaml.find("        securityContext: {privileged: true}\n"), std::string("        securityContext: {privileged: true}\n").size());
  std::string fixed = scanWith(yaml);
  CliRun r = runCli("scan --no-config -o json --baseline '" + baseline_ + "' '" + fixed + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  // pss-privileged on app, and the removed extensions/v1beta1 API the move fixed, at least.
  EXPECT_GE(d["summary"]["baseline"]["fixed"].GetUint64(), 2u);
  // (Checks that privileged: true had made moot may now report, at medium at most.)
  EXPECT_EQ(d["summary"]["baseline"]["newBySeverity"]["critical"].GetUint64(), 0u);
  EXPECT_EQ(d["summary"]["baseline"]["newBySeverity"]["high"].GetUint64(), 0u);
  for (const auto& f : d["findings"].GetArray()) EXPECT_STRNE(f["check"].GetString(), "pss-privileged");
}

TEST_F(BaselineCli, SuppressedBaselineFindingsCountAndJsonStreamsAreRead) {
  // A baseline whose privileged finding was suppressed still covers it.
  std::string suppressed = dir_.write("supp/web.yaml", [] {
    std::string y = kBase;
    y.insert(y.find("  labels:"), "  annotations: {ignore-check.kspm.dev/pss-privileged: \"accepted for now\"}\n");
    return y;
  }());
  CliRun b = runCli("scan --no-config -o json --fail-on none '" + suppressed + "'", dir_);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  // Two reports in one stream (as --contexts writes): the second is the one with the finding.
  CliRun other = runCli("scan --no-config -o json --fail-on none '" + manifest_ + "'", dir_);
  std::string stream = dir_.write("stream.json", other.out + "\n" + b.out);
  std::string no_annotation = scanWith(kBase);
  CliRun r = runCli("scan --no-config -o json --baseline '" + stream + "' '" + no_annotation + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Only the suppressed report as baseline: the (now unsuppressed) finding is existing.
  std::string single = dir_.write("single.json", b.out);
  CliRun s = runCli("scan --no-config -o json --baseline '" + single + "' '" + no_annotation + "'", dir_);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  rapidjson::Document d = parseJson(s.out);
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["summary"]["baseline"]["new"].GetUint64(), 0u);
}

TEST_F(BaselineCli, SarifResultsCarryBaselineStateAndOwner) {
  std::string changed = scanWith(withHostPid(kBase));
  CliRun r = runCli("scan --no-config -o sarif --fail-on none --baseline '" + baseline_ + "' '" + changed + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document d = parseJson(r.out);
  ASSERT_TRUE(d.IsObject());
  int fresh = 0, unchanged = 0;
  for (const auto& res : d["runs"][0]["results"].GetArray()) {
    std::string state = res["baselineState"].GetString();
    std::string rule = res["ruleId"].GetString();
    if (state == "new") ++fresh;
    if (state == "unchanged") ++unchanged;
    if (rule == "pss-privileged") EXPECT_EQ(state, "unchanged");
    if (rule == "pss-host-namespaces") EXPECT_EQ(state, "new");
    EXPECT_STREQ(res["properties"]["kspm-owner"].GetString(), "storefront");
  }
  EXPECT_GE(fresh, 1);
  EXPECT_GE(unchanged, 1);
}

TEST_F(BaselineCli, TableMarksNewFindingsAndPrintsTheCounts) {
  std::string changed = scanWith(withHostNetwork(kBase));
  CliRun r = runCli("scan --no-config --color never --fail-on none --baseline '" + baseline_ + "' '" + changed + "'", dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("owner: storefront"), std::string::npos) << r.out;
  size_t line = r.out.find("pss-host-namespaces");
  ASSERT_NE(line, std::string::npos) << r.out;
  size_t start = r.out.rfind('\n', line);
  EXPECT_NE(r.out.substr(start, line - start).find("NEW"), std::string::npos) << r.out;
  size_t priv = r.out.find("pss-privileged");
  ASSERT_NE(priv, std::string::npos);
  start = r.out.rfind('\n', priv);
  EXPECT_EQ(r.out.substr(start, priv - start).find("NEW"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Baseline " + baseline_ + ": "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" existing, 0 fixed."), std::string::npos) << r.out;
}

TEST_F(BaselineCli, BadBaselinesAreUsageErrorsNamingTheFile) {
  struct Case {
    std::string name, content, expect;
  };
  std::vector<Case> cases = {
      {"malformed.json", "{\"schemaVersion\":\"1.0\",\n\"tool\":{\"name\":\"kspm\"},\n\"findings\":[{]}", ":3: baseline: malformed JSON"},
      {"foreign.json", "{\"version\":\"2.1.0\",\"runs\":[]}", "not a kspm JSON report"},
      {"future.json", "{\"schemaVersion\":\"2.0\",\"tool\":{\"name\":\"kspm\"},\"findings\":[]}", "schemaVersion \"2.0\" is not supported"},
      {"badprint.json", "{\"schemaVersion\":\"1.0\",\"tool\":{\"name\":\"kspm\"},\"findings\":[{\"fingerprint\":\"xyz\"}]}", "is not 16 hex digits"},
      {"empty.json", "  \n", "empty"},
      {"deep.json", std::string(200, '[') + std::string(200, ']'), "nested deeper than 64"},
      {"yaml.yaml", "schemaVersion: 1.0\n", "malformed JSON"},
  };
  for (const Case& c : cases) {
    std::string file = dir_.write(c.name, c.content);
    CliRun r = runCli("scan --no-config --baseline '" + file + "' '" + manifest_ + "'", dir_);
    EXPECT_EQ(r.exit_code, 2) << c.name;
    EXPECT_NE(r.err.find(file), std::string::npos) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name;  // nothing was scanned
  }
  CliRun missing = runCli("scan --no-config --baseline '" + dir_.path() + "/nope.json' '" + manifest_ + "'", dir_);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos) << missing.err;
  // --fail-on-new alone is a usage error.
  EXPECT_EQ(runCli("scan --no-config --fail-on-new high '" + manifest_ + "'", dir_).exit_code, 2);
  EXPECT_EQ(runCli("scan --no-config --baseline '" + baseline_ + "' --fail-on-new severe '" + manifest_ + "'", dir_).exit_code, 2);
}

TEST_F(BaselineCli, OwnersFileFlagAndConfigSection) {
  std::string owners = dir_.write("owners.yaml", "rules:\n- team: shop-platform\n  namespaces: [\"sho*\"]\n");
  // Labels come first by default; the config's order puts the file first.
  CliRun labels = runCli("scan --no-config -o json --fail-on none --owners '" + owners + "' '" + manifest_ + "'", dir_);
  ASSERT_EQ(labels.exit_code, 0) << labels.err;
  rapidjson::Document a = parseJson(labels.out);
  ASSERT_TRUE(a.IsObject());
  EXPECT_STREQ(a["findings"][0]["owner"].GetString(), "storefront");
  std::string config = dir_.write("kspm.yaml", "owners:\n  order: [file, labels]\n  file: owners.yaml\n");
  CliRun file_first = runCli("scan --config '" + config + "' -o json --fail-on none '" + manifest_ + "'", dir_);
  ASSERT_EQ(file_first.exit_code, 0) << file_first.err;
  rapidjson::Document b = parseJson(file_first.out);
  ASSERT_TRUE(b.IsObject());
  EXPECT_STREQ(b["findings"][0]["owner"].GetString(), "shop-platform");
  // No owner anywhere: "unowned".
  std::string bare = dir_.write("bare/p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers: [{name: c, image: nginx}]\n");
  CliRun none = runCli("scan --no-config -o json --fail-on none '" + bare + "'", dir_);
  rapidjson::Document c = parseJson(none.out);
  ASSERT_TRUE(c.IsObject());
  ASSERT_GT(c["findings"].Size(), 0u);
  for (const auto& f : c["findings"].GetArray()) EXPECT_STREQ(f["owner"].GetString(), "unowned");
  // A bad owners file: exit 2 with file:line, nothing scanned.
  std::string bad = dir_.write("bad-owners.yaml", "rules:\n- team: x\n  namespaces: [a]\n- team: y\n  labels: {a: b}\n");
  CliRun r = runCli("scan --no-config --owners '" + bad + "' '" + manifest_ + "'", dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":5: rules[1].labels: unknown key"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  CliRun missing = runCli("scan --no-config --owners '" + dir_.path() + "/none.yaml' '" + manifest_ + "'", dir_);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read owners file"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace kspm
