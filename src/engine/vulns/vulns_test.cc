#include "kspm/vulns.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <zlib.h>

#include "engine/vulns/internal.h"

namespace kspm::vulns {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return std::string(KSPM_SOURCE_DIR) + "/src/engine/vulns/testdata/" + name;
}

const std::string kNginxDigest = "sha256:124b44bfc9ccd1f3cedf4b592d4d1e8bddb78b51ec2ed5056c52d3692baebc19";
const std::string kWebDigest = "sha256:" + std::string(64, 'a');
const std::string kApiDigest = "sha256:" + std::string(64, 'b');

// A scratch directory per test.
class TempDir {
 public:
  TempDir() {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("kspm_vulns_" + std::string(info->test_suite_name()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

const Vulnerability* find(const ImageReport& image, std::string_view id, std::string_view package = {}) {
  for (const Vulnerability& v : image.vulns) {
    if (v.id == id && (package.empty() || v.package == package)) return &v;
  }
  return nullptr;
}

template <typename T>
T ok(Result<T> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describeInputError(r.error()));
  return r.ok() ? r.value() : T{};
}

// ---- formats -----------------------------------------------------------------------------------

TEST(VulnReportTest, TrivyImage) {
  Database db;
  EXPECT_EQ(ok(db.loadReport(fixture("trivy_image.json"))), 1u);
  ASSERT_EQ(db.images().size(), 1u);
  const ImageReport& r = db.images()[0];
  EXPECT_EQ(r.format, ReportFormat::kTrivyImage);
  EXPECT_EQ(r.name, "nginx:1.27");
  EXPECT_EQ(r.tags, std::vector<std::string>{"nginx:1.27"});
  EXPECT_EQ(r.repo_digests, std::vector<std::string>{"nginx@" + kNginxDigest});
  EXPECT_EQ(r.source, fixture("trivy_image.json"));
  ASSERT_EQ(r.vulns.size(), 4u);  // three OS packages + one Go module; the secret result has none
  const Vulnerability* expat = find(r, "CVE-2024-45490");
  ASSERT_NE(expat, nullptr);
  EXPECT_EQ(expat->severity, VulnSeverity::kCritical);
  EXPECT_EQ(expat->package, "libexpat1");
  EXPECT_EQ(expat->installed_version, "2.5.0-1");
  EXPECT_EQ(expat->fixed_version, "2.5.0-1+deb12u1");
  EXPECT_DOUBLE_EQ(expat->cvss, 9.8);  // highest v3 over sources, v2 5.0 ignored
  const Vulnerability* apt = find(r, "CVE-2011-3374");
  ASSERT_NE(apt, nullptr);
  EXPECT_DOUBLE_EQ(apt->cvss, 4.3);  // v2 only
  EXPECT_EQ(apt->severity, VulnSeverity::kLow);
  const Vulnerability* net = find(r, "GHSA-qppj-fm5r-hxr3");
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->package, "golang.org/x/net");
  EXPECT_EQ(net->cvss, 0);
  EXPECT_FALSE(net->kev);
  EXPECT_FALSE(net->epss.has_value());
}

TEST(VulnReportTest, TrivyK8sOneImagePerDistinctImage) {
  Database db;
  EXPECT_EQ(ok(db.loadReport(fixture("trivy_k8s.json"))), 2u);
  ASSERT_EQ(db.images().size(), 2u);
  const ImageReport& web = db.images()[0];
  EXPECT_EQ(web.format, ReportFormat::kTrivyK8s);
  EXPECT_EQ(web.name, "Registry.Example.com:5000/team/web:v1");
  EXPECT_EQ(web.repo_digests.size(), 1u);
  ASSERT_EQ(web.vulns.size(), 2u);  // the canary's duplicate image is not a second report
  EXPECT_EQ(find(web, "CVE-2024-6119")->severity, VulnSeverity::kHigh);
  const ImageReport& exporter = db.images()[1];
  EXPECT_EQ(exporter.name, "quay.io/prometheus/node-exporter:v1.7.0");  // from the result target
  EXPECT_TRUE(exporter.tags.empty());
  ASSERT_EQ(exporter.vulns.size(), 1u);
  EXPECT_EQ(db.match("quay.io/prometheus/node-exporter:v1.7.0"), &exporter);
}

TEST(VulnReportTest, TrivyK8sOlderVulnerabilitiesKey) {
  TempDir dir;
  std::string path = dir.write("old.json", R"J({"ClusterName":"prod","Vulnerabilities":[
    {"Namespace":"default","Kind":"Deployment","Name":"redis","Results":[
      {"Target":"redis:7.2 (debian 12.4)","Class":"os-pkgs","Vulnerabilities":[
        {"VulnerabilityID":"CVE-2023-45853","PkgName":"zlib1g","InstalledVersion":"1:1.2.13.dfsg-1","Severity":"CRITICAL"}]}]}],
    "Misconfigurations":[{"Namespace":"default","Kind":"Deployment","Name":"redis","Results":[]}]})J");
  Database db;
  EXPECT_EQ(ok(db.loadReport(path)), 1u);
  const ImageReport* r = db.match("docker.io/library/redis:7.2");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->vulns.at(0).id, "CVE-2023-45853");
}

TEST(VulnReportTest, Grype) {
  Database db;
  EXPECT_EQ(ok(db.loadReport(fixture("grype.json"))), 1u);
  const ImageReport& r = db.images().at(0);
  EXPECT_EQ(r.format, ReportFormat::kGrype);
  EXPECT_EQ(r.name, "ghcr.io/acme/payments:2.3.1");
  EXPECT_EQ(r.tags, std::vector<std::string>{"ghcr.io/acme/payments:2.3.1"});
  // repoDigests plus the manifest digest under the repository of userInput.
  ASSERT_EQ(r.repo_digests.size(), 2u);
  EXPECT_EQ(r.repo_digests[1],
            "ghcr.io/acme/payments@sha256:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b");
  ASSERT_EQ(r.vulns.size(), 3u);  // ignoredMatches are not vulnerabilities
  const Vulnerability& log4j = r.vulns[0];
  EXPECT_EQ(log4j.id, "GHSA-jfh8-c2jp-5v3q");
  EXPECT_EQ(log4j.aliases, std::vector<std::string>{"CVE-2021-44228"});
  EXPECT_EQ(log4j.package, "log4j-core");
  EXPECT_EQ(log4j.installed_version, "2.14.1");
  EXPECT_EQ(log4j.fixed_version, "2.12.2, 2.15.0");
  EXPECT_EQ(log4j.severity, VulnSeverity::kCritical);
  EXPECT_DOUBLE_EQ(log4j.cvss, 10);
  const Vulnerability& glibc = r.vulns[1];
  EXPECT_TRUE(glibc.aliases.empty());   // the related entry is the same id
  EXPECT_DOUBLE_EQ(glibc.cvss, 7.8);   // from relatedVulnerabilities when the match has none
  EXPECT_EQ(r.vulns[2].severity, VulnSeverity::kNegligible);
  EXPECT_EQ(r.vulns[2].fixed_version, "");
}

TEST(VulnReportTest, CycloneDx) {
  Database db;
  EXPECT_EQ(ok(db.loadReport(fixture("cyclonedx.json"))), 1u);
  const ImageReport& r = db.images().at(0);
  EXPECT_EQ(r.format, ReportFormat::kCycloneDx);
  EXPECT_EQ(r.name, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024.11.3");
  // Percent-decoded purl: repository_url@digest and repository_url:tag (the RepoTag property is the same).
  EXPECT_EQ(r.repo_digests,
            std::vector<std::string>{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@" + kApiDigest});
  EXPECT_EQ(r.tags, std::vector<std::string>{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024.11.3"});
  ASSERT_EQ(r.vulns.size(), 2u);  // CVE-2022-4450 has analysis.state not_affected
  EXPECT_EQ(find(r, "CVE-2022-4450"), nullptr);
  EXPECT_EQ(db.vexRemoved(), 1u);
  const Vulnerability* zlib = find(r, "CVE-2022-37434");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ(zlib->package, "zlib1g");  // bom-ref resolved to the component
  EXPECT_EQ(zlib->installed_version, "1:1.2.11.dfsg-2ubuntu9.2");
  EXPECT_EQ(zlib->severity, VulnSeverity::kCritical);  // highest rating
  EXPECT_DOUBLE_EQ(zlib->cvss, 9.8);
  const Vulnerability* ssl = find(r, "CVE-2023-0286");
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(ssl->package, "libssl3");  // nested component
  EXPECT_EQ(ssl->aliases, std::vector<std::string>{"GHSA-x4qr-2fvf-3mr5"});
}

TEST(VulnReportTest, SeverityNames) {
  EXPECT_EQ(parseVulnSeverity("CRITICAL"), VulnSeverity::kCritical);
  EXPECT_EQ(parseVulnSeverity("Moderate"), VulnSeverity::kMedium);
  EXPECT_EQ(parseVulnSeverity("info"), VulnSeverity::kNegligible);
  EXPECT_EQ(parseVulnSeverity("whatever"), VulnSeverity::kUnknown);
  EXPECT_EQ(vulnSeverityName(VulnSeverity::kHigh), "high");
  EXPECT_EQ(reportFormatName(ReportFormat::kCycloneDx), "cyclonedx");
}

TEST(VulnReportTest, PurlParsing) {
  auto p = internal::parsePurl(
      "pkg:oci/debian@sha256%3A244fd47e07d10?repository_url=ghcr.io%2Fdebian&tag=bullseye#sub/path");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, "oci");
  EXPECT_EQ(p->name, "debian");
  EXPECT_EQ(p->version, "sha256:244fd47e07d10");
  EXPECT_EQ(p->qualifier("repository_url"), "ghcr.io/debian");
  EXPECT_EQ(p->qualifier("tag"), "bullseye");
  auto maven = internal::parsePurl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  ASSERT_TRUE(maven.has_value());
  EXPECT_EQ(maven->namespace_, "org.apache.logging.log4j");
  EXPECT_EQ(maven->name, "log4j-core");
  EXPECT_FALSE(internal::parsePurl("nginx:1.27").has_value());
  EXPECT_TRUE(internal::packageMatches("org.apache.logging.log4j:log4j-core", "log4j-core"));
  EXPECT_TRUE(internal::packageMatches("golang.org/x/net", "net"));
  EXPECT_FALSE(internal::packageMatches("libssl3", "ssl3"));
}

TEST(VulnReportTest, OnlyImageReports) {
  TempDir dir;
  Database db;
  Result<size_t> fs_scan = db.loadReport(dir.write("fs.json", R"({"SchemaVersion":2,"ArtifactName":".","ArtifactType":"filesystem","Results":[]})"));
  ASSERT_FALSE(fs_scan.ok());
  EXPECT_NE(fs_scan.error().message.find("filesystem"), std::string::npos);
  EXPECT_FALSE(db.loadReport(dir.write("dir.json", R"({"matches":[],"source":{"type":"directory","target":"/src"}})")).ok());
  EXPECT_FALSE(db.loadReport(dir.write("app.json", R"({"bomFormat":"CycloneDX","metadata":{"component":{"type":"application","name":"shop"}},"vulnerabilities":[]})")).ok());
  EXPECT_TRUE(db.images().empty());
}

TEST(VulnReportTest, SyftStyleCycloneDxAndPurlWithoutRepository) {
  TempDir dir;
  Database db;
  // Syft: the image digest is the component version.
  ok(db.loadReport(dir.write("syft.json", R"({"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"container","name":"redis:7.2","version":")" +
                                              kWebDigest + R"("}},"vulnerabilities":[{"id":"CVE-2023-45853","affects":[{"ref":"pkg:deb/debian/zlib1g@1.2.13"}]}]})")));
  ASSERT_EQ(db.images().size(), 1u);
  EXPECT_EQ(db.images()[0].repo_digests, std::vector<std::string>{"docker.io/library/redis@" + kWebDigest});
  EXPECT_EQ(db.images()[0].vulns.at(0).package, "zlib1g");  // from the purl when no component has the ref
  EXPECT_EQ(db.images()[0].vulns.at(0).installed_version, "1.2.13");
  EXPECT_EQ(db.match("redis:7.2"), &db.images()[0]);
  EXPECT_EQ(db.match("redis@" + kWebDigest), &db.images()[0]);
  // pkg:oci without repository_url: the registry is unknown, so the tag does not join; the digest does.
  ok(db.loadReport(dir.write("oci.json", R"({"bomFormat":"CycloneDX","metadata":{"component":{"type":"container","name":"api","purl":"pkg:oci/api@sha256%3A)" +
                                             std::string(64, 'c') + R"(?tag=v2"}},"vulnerabilities":[]})")));
  EXPECT_EQ(db.match("api:v2"), nullptr);
  EXPECT_EQ(db.match("registry.internal/x/api@sha256:" + std::string(64, 'c')), &db.images()[1]);
}

TEST(VulnReportTest, ByteOrderMarkAndUtf16) {
  TempDir dir;
  Database db;
  EXPECT_EQ(ok(db.loadReport(dir.write("bom.json", "\xEF\xBB\xBF" R"({"SchemaVersion":2,"ArtifactName":"alpine:3.20","Results":[]})"))), 1u);
  Result<size_t> r = db.loadReport(dir.write("utf16.json", std::string("\xFF\xFE{\0\"\0", 6)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBinaryInput);
}

TEST(VulnReportTest, TrivyK8sNameFromTheOsResult) {
  TempDir dir;
  std::string path = dir.write("k8s.json", R"J({"ClusterName":"c","Resources":[{"Namespace":"a","Kind":"Deployment","Name":"api","Results":[
    {"Target":"app/go.sum","Class":"lang-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-2023-39325","PkgName":"golang.org/x/net","Severity":"HIGH"}]},
    {"Target":"ghcr.io/acme/api:3.1 (alpine 3.20.1)","Class":"os-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-5535","PkgName":"libssl3","Severity":"LOW"}]}]}]})J");
  Database db;
  EXPECT_EQ(ok(db.loadReport(path)), 1u);
  EXPECT_EQ(db.images()[0].name, "ghcr.io/acme/api:3.1");
  EXPECT_EQ(db.images()[0].vulns.size(), 2u);
  EXPECT_NE(db.match("ghcr.io/acme/api:3.1"), nullptr);
}

// ---- join ----------------------------------------------------------------------------------------

TEST(VulnMatchTest, ByTagWithNormalisation) {
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  const ImageReport* nginx = &db.images()[0];
  EXPECT_EQ(db.match("nginx:1.27"), nginx);
  EXPECT_EQ(db.match("docker.io/library/nginx:1.27"), nginx);
  EXPECT_EQ(db.match("index.docker.io/library/nginx:1.27"), nginx);
  EXPECT_EQ(db.match("library/nginx:1.27"), nginx);
  EXPECT_EQ(db.match("nginx:1.26"), nullptr);
  EXPECT_EQ(db.match("nginx"), nullptr);  // :latest
  EXPECT_EQ(db.match("quay.io/nginx:1.27"), nullptr);
  EXPECT_EQ(db.match(""), nullptr);
  EXPECT_EQ(db.match("NGINX:1.27"), nullptr);  // invalid reference (upper-case repository)
}

TEST(VulnMatchTest, NoTagMeansLatest) {
  TempDir dir;
  std::string path = dir.write("t.json", R"({"SchemaVersion":2,"ArtifactName":"busybox","Metadata":{"RepoTags":["busybox:latest"]},
    "Results":[{"Target":"busybox","Vulnerabilities":[{"VulnerabilityID":"CVE-2022-48174","PkgName":"busybox","Severity":"CRITICAL"}]}]})");
  Database db;
  ok(db.loadReport(path));
  EXPECT_NE(db.match("busybox"), nullptr);
  EXPECT_NE(db.match("docker.io/library/busybox:latest"), nullptr);
  EXPECT_EQ(db.match("busybox:1.36"), nullptr);
}

TEST(VulnMatchTest, RegistryHostIsCaseInsensitive) {
  Database db;
  ok(db.loadReport(fixture("trivy_k8s.json")));
  const ImageReport* web = &db.images()[0];
  EXPECT_EQ(db.match("registry.example.com:5000/team/web:v1"), web);
  EXPECT_EQ(db.match("REGISTRY.example.COM:5000/team/web:v1"), web);
  EXPECT_EQ(db.match("registry.example.com:5000/team/web:v2"), nullptr);
  EXPECT_EQ(db.match("registry.example.com/team/web:v1"), nullptr);  // another port is another registry
}

TEST(VulnMatchTest, ByDigestFirst) {
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("grype.json")));
  const ImageReport* nginx = &db.images()[0];
  const ImageReport* payments = &db.images()[1];
  EXPECT_EQ(db.match("nginx@" + kNginxDigest), nginx);
  EXPECT_EQ(db.match("docker.io/library/nginx:whatever@" + kNginxDigest), nginx);
  // The same manifest through a mirror.
  EXPECT_EQ(db.match("mirror.internal/library/nginx@" + kNginxDigest), nginx);
  // Grype: repoDigests and the manifest digest both join.
  EXPECT_EQ(db.match("ghcr.io/acme/payments@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"),
            payments);
  EXPECT_EQ(db.match("ghcr.io/acme/payments@sha256:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"),
            payments);
  // Pinned to another build: the tag does not join.
  EXPECT_EQ(db.match("nginx:1.27@sha256:" + std::string(64, 'e')), nullptr);
  EXPECT_EQ(db.match("nginx@sha256:" + std::string(64, 'e')), nullptr);
}

TEST(VulnMatchTest, DigestBeatsTag) {
  TempDir dir;
  // Two reports: one joins by tag, the other by digest; the digest wins although loaded later.
  std::string by_tag = dir.write("tag.json", R"({"SchemaVersion":2,"ArtifactName":"app:1","Metadata":{"RepoTags":["app:1"]},"Results":[]})");
  std::string by_digest = dir.write("digest.json", R"({"SchemaVersion":2,"ArtifactName":"app@)" + kWebDigest +
                                                       R"(","Metadata":{"RepoDigests":["app@)" + kWebDigest + R"("]},"Results":[]})");
  Database db;
  ok(db.loadReport(by_tag));
  ok(db.loadReport(by_digest));
  const ImageReport* r = db.match("app:1@" + kWebDigest);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source, by_digest);
  EXPECT_EQ(db.match("app:1")->source, by_tag);
}

TEST(VulnMatchTest, CycloneDxPurlJoins) {
  Database db;
  ok(db.loadReport(fixture("cyclonedx.json")));
  EXPECT_NE(db.match("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024.11.3"), nullptr);
  EXPECT_NE(db.match("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@" + kApiDigest), nullptr);
  EXPECT_EQ(db.match("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024.11.4"), nullptr);
}

TEST(VulnMatchTest, Unmatched) {
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("grype.json")));
  ok(db.loadReport(fixture("cyclonedx.json")));
  std::vector<std::string_view> input = {"docker.io/library/nginx:1.27", "busybox", "ghcr.io/acme/payments:2.3.1"};
  std::vector<const ImageReport*> left = db.unmatched(input);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]->format, ReportFormat::kCycloneDx);
  EXPECT_EQ(db.unmatched({}).size(), 3u);
}

TEST(VulnMatchTest, UnmatchedCountsTiesAndMergedLoads) {
  Database db;
  // The same image scanned twice: both reports count as matched.
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_TRUE(db.unmatched({"nginx:1.27"}).empty());
  EXPECT_EQ(db.match("nginx:1.27"), &db.images()[0]);  // earlier wins
}

// ---- VEX -----------------------------------------------------------------------------------------

TEST(VulnVexTest, OpenVexAfterReports) {
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("grype.json")));
  ok(db.loadReport(fixture("trivy_k8s.json")));
  EXPECT_EQ(ok(db.loadVex(fixture("openvex.json"))), 2u);  // affected and under_investigation are not kept
  const ImageReport* nginx = db.match("nginx:1.27");
  ASSERT_NE(nginx, nullptr);
  EXPECT_EQ(find(*nginx, "CVE-2023-44487"), nullptr);    // not_affected for libnghttp2-14
  EXPECT_NE(find(*nginx, "CVE-2024-45490"), nullptr);    // "affected" keeps it
  const ImageReport* payments = db.match("ghcr.io/acme/payments:2.3.1");
  EXPECT_EQ(find(*payments, "GHSA-jfh8-c2jp-5v3q"), nullptr);  // fixed, matched by alias, product by tag
  EXPECT_NE(find(*payments, "CVE-2023-4911"), nullptr);
  const ImageReport* web = db.match("registry.example.com:5000/team/web:v1");
  EXPECT_NE(find(*web, "CVE-2024-2511"), nullptr);  // under_investigation keeps it
  EXPECT_EQ(db.vexRemoved(), 2u);
}

TEST(VulnVexTest, OpenVexBeforeReportsGivesTheSameResult) {
  Database before, after;
  ok(before.loadVex(fixture("openvex.json")));
  ok(before.loadReport(fixture("trivy_image.json")));
  ok(after.loadReport(fixture("trivy_image.json")));
  ok(after.loadVex(fixture("openvex.json")));
  ASSERT_EQ(before.images().size(), 1u);
  EXPECT_EQ(before.images()[0].vulns.size(), 3u);
  EXPECT_EQ(after.images()[0].vulns.size(), 3u);
  EXPECT_EQ(find(before.images()[0], "CVE-2023-44487"), nullptr);
}

TEST(VulnVexTest, SubcomponentsNarrowToPackages) {
  TempDir dir;
  std::string vex = dir.write("vex.json", R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[
    {"vulnerability":{"name":"CVE-2024-45490"},"products":[{"@id":"nginx:1.27","subcomponents":[{"@id":"pkg:deb/debian/apt@2.6.1"}]}],"status":"not_affected","justification":"component_not_present"}]})");
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_EQ(ok(db.loadVex(vex)), 1u);
  EXPECT_NE(find(db.images()[0], "CVE-2024-45490"), nullptr);  // the CVE is in libexpat1, not apt
  EXPECT_EQ(db.vexRemoved(), 0u);
}

TEST(VulnVexTest, OpenVex001StringsAndPurlWithPort) {
  Database db;
  ok(db.loadReport(fixture("trivy_k8s.json")));
  EXPECT_EQ(ok(db.loadVex(fixture("openvex_v001.json"))), 1u);
  const ImageReport* web = db.match("registry.example.com:5000/team/web:v1");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(find(*web, "CVE-2024-6119"), nullptr);
  EXPECT_NE(find(*web, "CVE-2024-2511"), nullptr);
}

TEST(VulnVexTest, CycloneDxVexByBomLink) {
  Database db;
  ok(db.loadReport(fixture("cyclonedx.json")));
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_EQ(ok(db.loadVex(fixture("cyclonedx_vex.json"))), 1u);  // "exploitable" is not kept
  const ImageReport& api = db.images()[0];
  EXPECT_EQ(find(api, "CVE-2023-0286"), nullptr);
  EXPECT_NE(find(api, "CVE-2022-37434"), nullptr);
  EXPECT_EQ(db.images()[1].vulns.size(), 4u);  // another BOM: untouched
}

TEST(VulnVexTest, PackageProductAppliesEverywhere) {
  TempDir dir;
  std::string vex = dir.write("vex.json", R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[
    {"vulnerability":{"name":"CVE-2011-3374"},"products":[{"@id":"pkg:deb/debian/apt@2.6.1?arch=amd64"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]})");
  Database db;
  ok(db.loadVex(vex));
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_EQ(find(db.images()[0], "CVE-2011-3374"), nullptr);
  EXPECT_EQ(db.vexRemoved(), 1u);
}

// ---- KEV and EPSS --------------------------------------------------------------------------------

void expectEnriched(const Database& db) {
  const ImageReport* nginx = db.match("nginx:1.27");
  ASSERT_NE(nginx, nullptr);
  const Vulnerability* rapid = find(*nginx, "CVE-2023-44487");
  ASSERT_NE(rapid, nullptr);
  EXPECT_TRUE(rapid->kev);
  EXPECT_FALSE(rapid->kev_ransomware);
  ASSERT_TRUE(rapid->epss.has_value());
  EXPECT_DOUBLE_EQ(*rapid->epss, 0.94414);
  EXPECT_DOUBLE_EQ(*rapid->epss_percentile, 0.99984);
  const Vulnerability* apt = find(*nginx, "CVE-2011-3374");
  EXPECT_FALSE(apt->kev);
  EXPECT_FALSE(apt->epss.has_value());
  const ImageReport* payments = db.match("ghcr.io/acme/payments:2.3.1");
  ASSERT_NE(payments, nullptr);
  const Vulnerability* log4j = find(*payments, "GHSA-jfh8-c2jp-5v3q");
  ASSERT_NE(log4j, nullptr);
  EXPECT_TRUE(log4j->kev);  // through the CVE alias
  EXPECT_TRUE(log4j->kev_ransomware);
  ASSERT_TRUE(log4j->epss.has_value());
  EXPECT_DOUBLE_EQ(*log4j->epss, 0.94358);
}

TEST(VulnFeedTest, KevAndEpssAfterReports) {
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("grype.json")));
  EXPECT_EQ(ok(db.loadKev(fixture("kev.json"))), 3u);
  EXPECT_EQ(ok(db.loadEpss(fixture("epss.csv"))), 6u);
  expectEnriched(db);
  EXPECT_EQ(db.kevInfo().catalog_version, "2025.03.13");
  EXPECT_EQ(db.kevInfo().date_released, "2025-03-13T17:02:16.6436Z");
  EXPECT_EQ(db.epssInfo().model_version, "v2025.03.14");
  EXPECT_EQ(db.epssInfo().score_date, "2025-03-14T00:00:00+0000");
  EXPECT_EQ(db.epssInfo().scores, 6u);
}

TEST(VulnFeedTest, KevAndEpssBeforeReports) {
  Database db;
  ok(db.loadEpss(fixture("epss.csv")));
  ok(db.loadKev(fixture("kev.json")));
  ok(db.loadReport(fixture("trivy_image.json")));
  ok(db.loadReport(fixture("grype.json")));
  expectEnriched(db);
}

void writeGzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(VulnFeedTest, GzippedEpss) {
  TempDir dir;
  std::string gz = dir.path("epss_scores-2025-03-14.csv.gz");
  writeGzip(gz, readFile(fixture("epss.csv")));
  std::string bytes = readFile(gz);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);  // really gzip on disk
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_EQ(ok(db.loadEpss(gz)), 6u);
  EXPECT_EQ(db.epssInfo().score_date, "2025-03-14T00:00:00+0000");
  const Vulnerability* expat = find(db.images()[0], "CVE-2024-45490");
  ASSERT_TRUE(expat->epss.has_value());
  EXPECT_DOUBLE_EQ(*expat->epss, 0.00364);
}

TEST(VulnFeedTest, TruncatedGzipIsAnError) {
  TempDir dir;
  std::string gz = dir.path("full.csv.gz");
  std::string csv = "#model_version:v1,score_date:2025-01-01\ncve,epss,percentile\n";
  for (int i = 0; i < 20000; ++i) csv += "CVE-2024-" + std::to_string(10000 + i) + ",0.0" + std::to_string(i % 10) + ",0.5\n";
  writeGzip(gz, csv);
  std::string bytes = readFile(gz);
  std::string cut = dir.write("cut.csv.gz", bytes.substr(0, bytes.size() / 2));
  Database db;
  Result<size_t> r = db.loadEpss(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIoError);
  EXPECT_EQ(r.error().file, cut);
  EXPECT_EQ(db.epssInfo().scores, 0u);  // nothing kept
}

TEST(VulnFeedTest, EpssWithoutCommentLineAndCrLf) {
  TempDir dir;
  std::string path = dir.write("old.csv", "cve,epss,percentile\r\nCVE-2023-44487,0.5,0.9\r\n");
  Database db;
  EXPECT_EQ(ok(db.loadEpss(path)), 1u);
  EXPECT_EQ(db.epssInfo().score_date, "");
  ok(db.loadReport(fixture("trivy_image.json")));
  EXPECT_DOUBLE_EQ(*find(db.images()[0], "CVE-2023-44487")->epss, 0.5);
}

TEST(VulnFeedTest, BadEpssRowNamesTheLine) {
  TempDir dir;
  std::string path = dir.write("bad.csv", "#model_version:v1,score_date:2025-01-01\ncve,epss,percentile\nCVE-1,0.1,0.2\nCVE-2,high,0.3\n");
  Database db;
  Result<size_t> r = db.loadEpss(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 4u);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidObject);
  EXPECT_NE(r.error().message.find("high"), std::string::npos);
}

// ---- errors and limits ---------------------------------------------------------------------------

TEST(VulnErrorTest, MalformedFileNamesItAndOthersStillLoad) {
  TempDir dir;
  std::string bad = dir.write("bad.json", R"({"SchemaVersion":2,"ArtifactName":"x:1","Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1",]}]})");
  Database db;
  ok(db.loadReport(fixture("trivy_image.json")));
  Result<size_t> r = db.loadReport(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kJsonSyntax);
  EXPECT_EQ(r.error().file, bad);
  EXPECT_NE(r.error().message.find("at byte "), std::string::npos);
  EXPECT_NE(describeInputError(r.error()).find("bad.json"), std::string::npos);
  ok(db.loadReport(fixture("grype.json")));
  EXPECT_EQ(db.images().size(), 2u);  // nothing of bad.json, both good ones
  EXPECT_EQ(db.match("x:1"), nullptr);
}

TEST(VulnErrorTest, MissingFile) {
  Database db;
  Result<size_t> r = db.loadReport("/nonexistent/report.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIoError);
  EXPECT_EQ(r.error().file, "/nonexistent/report.json");
  EXPECT_FALSE(db.loadEpss("/nonexistent/epss.csv.gz").ok());
}

TEST(VulnErrorTest, UnknownDocuments) {
  TempDir dir;
  Database db;
  Result<size_t> r = db.loadReport(dir.write("pod.json", R"({"apiVersion":"v1","kind":"Pod"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidObject);
  EXPECT_FALSE(db.loadReport(dir.write("list.json", "[1,2]")).ok());
  EXPECT_FALSE(db.loadReport(dir.write("spdx.json", R"({"bomFormat":"SPDX","vulnerabilities":[]})")).ok());
  EXPECT_FALSE(db.loadVex(fixture("trivy_image.json")).ok());
  EXPECT_FALSE(db.loadKev(fixture("grype.json")).ok());
  EXPECT_FALSE(db.loadEpss(fixture("kev.json")).ok());
  EXPECT_TRUE(db.images().empty());
}

TEST(VulnErrorTest, DepthLimit) {
  TempDir dir;
  std::string deep = R"({"SchemaVersion":2,"ArtifactName":"x:1","Results":[{"Extra":)" + std::string(500, '[') +
                     std::string(500, ']') + "}]}";
  Database db;
  Result<size_t> r = db.loadReport(dir.write("deep.json", deep));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDepthLimit);
  LoadLimits generous;
  generous.max_depth = 1000;
  Database db2(generous);
  EXPECT_EQ(ok(db2.loadReport(dir.path("deep.json"))), 1u);
}

TEST(VulnErrorTest, StringCap) {
  TempDir dir;
  std::string big = R"({"SchemaVersion":2,"ArtifactName":"x:1","Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1","Description":")" +
                    std::string(3 << 20, 'A') + R"("}]}]})";
  LoadLimits limits;
  limits.max_string_bytes = 1 << 20;
  Database db(limits);
  Result<size_t> r = db.loadReport(dir.write("big.json", big));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDocumentTooLarge);
  Database unlimited;  // the default cap (16 MiB) lets it through
  EXPECT_EQ(ok(unlimited.loadReport(dir.path("big.json"))), 1u);
  EXPECT_EQ(unlimited.images()[0].vulns.size(), 1u);
}

}  // namespace
}  // namespace kspm::vulns
