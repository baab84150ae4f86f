// Reading baselines: kspm JSON reports and streams of them, what is refused and where, limits.
#include <gtest/gtest.h>

#include "kspm/baseline.h"
#include "test_util.h"

namespace kspm {
namespace {

std::string report(const std::string& cluster, const std::vector<std::string>& prints) {
  std::string out = "{\"schemaVersion\":\"1.0\",\"tool\":{\"name\":\"kspm\",\"version\":\"0.9\"},";
  if (!cluster.empty()) out += "\"cluster\":{\"id\":\"" + cluster + "\",\"context\":\"c\"},";
  out += "\"policy\":{\"checks\":[\"a\",\"b\"]},\"findings\":[\n";
  for (size_t i = 0; i < prints.size(); ++i) {
    out += std::string(i ? ",\n" : "") + "{\"check\":\"x\",\"object\":{\"kind\":\"Pod\",\"namespace\":null},\"fingerprint\":\"" +
           prints[i] + "\",\"suppressed\":true}";
  }
  return out + "\n],\"summary\":{\"findings\":" + std::to_string(prints.size()) + "}}\n";
}

TEST(BaselineParse, ReadsEveryFingerprintOfEveryReportInAStream) {
  std::string text = report("", {"00000000000000ff", "ABCDEF0123456789"}) + report("prod", {"0000000000000001"});
  Result<Baseline> b = parseBaselineJson(text, "b.json");
  ASSERT_TRUE(b.ok()) << describeInputError(b.error());
  EXPECT_EQ(b.value().source, "b.json");
  ASSERT_EQ(b.value().clusters, (std::vector<std::string>{"", "prod"}));
  EXPECT_EQ(b.value().fingerprints.size(), 3u);
  EXPECT_EQ(b.value().fingerprints.at(0xff), 0u);
  EXPECT_EQ(b.value().fingerprints.at(0xabcdef0123456789ull), 0u);
  EXPECT_EQ(b.value().fingerprints.at(1), 1u);
  // Fingerprints elsewhere in the report (not under findings[]) are not findings.
  Result<Baseline> nested = parseBaselineJson(
      "{\"schemaVersion\":\"1.3\",\"tool\":{\"name\":\"kspm\"},\"x\":{\"fingerprint\":\"0000000000000002\"},\"findings\":[]}", "n");
  ASSERT_TRUE(nested.ok()) << describeInputError(nested.error());
  EXPECT_TRUE(nested.value().fingerprints.empty());
}

TEST(BaselineParse, RefusesWhatIsNotAKspmReportWithFileAndLine) {
  auto error = [](const std::string& text) {
    Result<Baseline> b = parseBaselineJson(text, "base.json");
    EXPECT_FALSE(b.ok());
    return b.ok() ? InputError{} : b.error();
  };
  InputError malformed = error(report("", {"0000000000000001"}) + "{\"schemaVersion\":\n\"1.0\",,}");
  EXPECT_EQ(malformed.code, ErrorCode::kBaseline);
  EXPECT_EQ(malformed.file, "base.json");
  EXPECT_EQ(malformed.line, 5u);  // the second document's second line
  EXPECT_NE(malformed.message.find("malformed JSON"), std::string::npos);
  InputError second = error(report("", {}) + "{\"tool\":{\"name\":\"trivy\"},\"findings\":[]}");
  EXPECT_EQ(second.line, 4u);
  EXPECT_NE(second.message.find("not a kspm JSON report"), std::string::npos);
  EXPECT_NE(error("[1,2]").message.find("not a kspm JSON report"), std::string::npos);
  EXPECT_NE(error("{\"schemaVersion\":\"1.0\",\"tool\":{\"name\":\"kspm\"}}").message.find("not a kspm"), std::string::npos);
  EXPECT_NE(error("{\"schemaVersion\":\"10.0\",\"tool\":{\"name\":\"kspm\"},\"findings\":[]}").message.find("not supported"),
            std::string::npos);
  EXPECT_NE(error("{\"tool\":{\"name\":\"kspm\"},\"findings\":[]}").message.find("schemaVersion"), std::string::npos);
  EXPECT_NE(error(report("", {"000000000000001"})).message.find("16 hex digits"), std::string::npos);
  EXPECT_NE(error("").message.find("empty"), std::string::npos);
  EXPECT_NE(error("\xff\xfe").message.find("malformed"), std::string::npos);
  BaselineLimits shallow;
  shallow.max_depth = 3;
  Result<Baseline> deep = parseBaselineJson(report("", {"0000000000000001"}), "d", shallow);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("deeper than 3"), std::string::npos);
}

TEST(BaselineParse, FileLimitsAndErrors) {
  testing::TempDir dir;
  std::string path = dir.write("b.json", report("", {"0000000000000001"}));
  Result<Baseline> ok = loadBaselineFile(path);
  ASSERT_TRUE(ok.ok()) << describeInputError(ok.error());
  EXPECT_EQ(ok.value().fingerprints.size(), 1u);
  BaselineLimits small;
  small.max_bytes = 10;
  Result<Baseline> big = loadBaselineFile(path, small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().file, path);
  EXPECT_NE(big.error().message.find("larger than 10 bytes"), std::string::npos);
  Result<Baseline> missing = loadBaselineFile(dir.path() + "/none.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kBaseline);
  Result<Baseline> directory = loadBaselineFile(dir.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("directory"), std::string::npos);
}

TEST(BaselineParse, ComparisonCountsNewExistingAndFixedPerCluster) {
  ObjectSet set = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - {name: a, image: nginx, securityContext: {privileged: true}}
)");
  Engine engine(Catalog::builtin(), ScanPolicy{});
  std::vector<ObjectFindings> results;
  engine.run(set, 1, [](std::span<const ObjectFindings>) { return std::string(); },
             [&](std::span<const ObjectFindings> batch, std::string&&) { results.insert(results.end(), batch.begin(), batch.end()); });
  ASSERT_EQ(results.size(), 1u);
  ASSERT_GT(results[0].findings.size(), 1u);
  const Finding& first = results[0].findings[0];
  uint64_t fp = 0;
  ASSERT_TRUE(parseFingerprint(fingerprint(first, set.objects()[0], "shop", "prod"), &fp));
  Baseline baseline;
  baseline.source = "b";
  baseline.clusters = {"prod", "stage"};
  baseline.fingerprints = {{fp, 0}, {0x1234, 0}, {0x5678, 1}};
  BaselineComparison prod(baseline, "prod");
  EXPECT_TRUE(prod.contains(first, set.objects()[0], "shop"));
  EXPECT_FALSE(prod.contains(results[0].findings[1], set.objects()[0], "shop"));
  EXPECT_FALSE(prod.clusterMismatch(nullptr));
  prod.record(results, set);
  EXPECT_EQ(prod.existing(), 1u);
  EXPECT_EQ(prod.newFindings(), results[0].findings.size() - 1);
  EXPECT_EQ(prod.fixed(), 1u);  // 0x1234; 0x5678 is stage's
  // Another cluster: nothing matches, and it says so.
  BaselineComparison dev(baseline, "dev");
  std::string message;
  EXPECT_TRUE(dev.clusterMismatch(&message));
  EXPECT_NE(message.find("cluster \"prod\", cluster \"stage\""), std::string::npos) << message;
  EXPECT_FALSE(dev.contains(first, set.objects()[0], "shop"));
  dev.record(results, set);
  EXPECT_EQ(dev.existing(), 0u);
  EXPECT_EQ(dev.fixed(), 3u);
}

}  // namespace
}  // namespace kspm
