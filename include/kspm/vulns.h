// Vulnerability input for the security graph: image vulnerability reports, VEX, CISA KEV and
// FIRST EPSS, joined to the images that pod specs name.
//
// Reports (Database::loadReport, format detected from the document's keys):
//   - `trivy image -f json`  (SchemaVersion 2: ArtifactName, Metadata.RepoTags/RepoDigests,
//                              Results[].Vulnerabilities[])
//   - `trivy k8s -f json`    (ClusterName + Resources[] (or the older Vulnerabilities[] /
//                              consolidated Findings[]), each resource with Metadata and Results)
//   - `grype -o json`        (matches[], source.target.userInput/tags/repoDigests/manifestDigest)
//   - CycloneDX JSON         (bomFormat "CycloneDX"; metadata.component with a `pkg:oci` purl, or
//                              Syft's name + "sha256:" version; vulnerabilities[] with ratings,
//                              affects and analysis.state: not_affected, false_positive and
//                              resolved entries are dropped and counted in vexRemoved())
// Only reports about container images are accepted (Trivy ArtifactType container_image, Grype
// source.type image, CycloneDX metadata.component.type container when given): a filesystem or
// repository scan says nothing about what a pod runs.
// VEX (Database::loadVex): OpenVEX (v0.0.x and v0.2.0) and CycloneDX VEX.
// KEV (Database::loadKev): CISA known_exploited_vulnerabilities.json.
// EPSS (Database::loadEpss): FIRST daily CSV, gzipped or not (detected by the 1f 8b magic bytes).
//
// Everything is streamed (RapidJSON SAX, zlib for gzip): no document is held in memory, only the
// fields kept below. Untrusted input is bounded by LoadLimits. A file that fails to load leaves the
// Database exactly as it was (nothing of that file is kept) and never stops other files loading.
//
// Order independence: VEX, KEV and EPSS apply to every report whatever the order of the load calls.
// Thread safety: a Database is not synchronised; const member functions may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/status.h"

namespace kspm::vulns {

/** Severity as the scanners report it. kNegligible: Grype "Negligible", CycloneDX "info"/"none". */
enum class VulnSeverity : uint8_t { kUnknown = 0, kNegligible = 1, kLow = 2, kMedium = 3, kHigh = 4, kCritical = 5 };

/** "unknown", "negligible", "low", "medium", "high", "critical". */
std::string_view vulnSeverityName(VulnSeverity severity);

/** Case-insensitive: "CRITICAL", "High", "moderate" (GHSA) -> medium, "info"/"none" -> negligible. */
VulnSeverity parseVulnSeverity(std::string_view text);

enum class ReportFormat : uint8_t { kTrivyImage, kTrivyK8s, kGrype, kCycloneDx };

/** "trivy-image", "trivy-k8s", "grype", "cyclonedx". */
std::string_view reportFormatName(ReportFormat format);

/** One vulnerability of one package of one image. */
struct Vulnerability {
  std::string id;                    // as the report names it: CVE-..., GHSA-..., ALAS-...
  std::vector<std::string> aliases;  // other ids of the same flaw (Grype relatedVulnerabilities, CycloneDX references)
  VulnSeverity severity = VulnSeverity::kUnknown;
  std::string package;               // package name ("openssl", "golang.org/x/net")
  std::string installed_version;
  std::string fixed_version;         // "" when no fix is known; Grype's several versions joined by ", "
  double cvss = 0;                   // highest CVSS v3/v4 base score in the report (v2 only when no v3/v4); 0 if none
  bool kev = false;                  // id or an alias is in a loaded CISA KEV catalog
  bool kev_ransomware = false;       // ... with knownRansomwareCampaignUse "Known"
  std::optional<double> epss;        // FIRST EPSS probability [0,1] of the id (or first CVE alias) when loaded
  std::optional<double> epss_percentile;
};

/** One scanned image. */
struct ImageReport {
  std::string name;                       // as the report names it: "nginx:1.27", "ghcr.io/org/app@sha256:..."
  std::vector<std::string> repo_digests;  // "repo@sha256:<hex>" as the report writes them
  std::vector<std::string> tags;          // "repo:tag" as the report writes them (name joins too when empty)
  std::string source;                     // the file it came from
  ReportFormat format = ReportFormat::kTrivyImage;
  std::vector<Vulnerability> vulns;       // after VEX; order of the report
};

/** Bounds for untrusted input. */
struct LoadLimits {
  uint32_t max_depth = 128;                  // JSON nesting; deeper -> kDepthLimit
  size_t max_string_bytes = size_t{1} << 24; // one JSON token (string) or CSV line; longer -> kDocumentTooLarge
};

/** Metadata of the loaded EPSS feed (the last one loaded). */
struct EpssInfo {
  std::string model_version;  // "v2025.03.14"
  std::string score_date;     // "2025-03-14T00:00:00+0000" as written
  size_t scores = 0;          // rows loaded
};

/** Metadata of the loaded KEV catalog (the last one loaded). */
struct KevInfo {
  std::string catalog_version;
  std::string date_released;
  size_t entries = 0;
};

/**
 * Reports, VEX statements, KEV and EPSS, and the join to pod-spec images.
 *
 * Errors are InputError values naming the file; `line` is set for CSV, and JSON errors carry
 * "at byte N" in the message. Codes: kIoError (unreadable, bad or truncated gzip), kJsonSyntax
 * (RapidJSON rejected the text), kDepthLimit, kDocumentTooLarge (a token above
 * max_string_bytes), kBinaryInput (UTF-16 text; a UTF-8 byte order mark is skipped),
 * kInvalidObject (well-formed but not a format this reader knows, or a field of the wrong kind).
 */
class Database {
 public:
  explicit Database(LoadLimits limits = {});
  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;

  /** Loads one report file (any format above). Returns how many images it added. */
  Result<size_t> loadReport(const std::string& path);

  /**
   * Loads an OpenVEX or CycloneDX VEX document. Statements with status not_affected or fixed
   * (CycloneDX analysis.state not_affected, false_positive or resolved) remove the vulnerability
   * (matched on id or alias) from the images their products name: a `pkg:oci` purl (by digest;
   * by repository_url and tag when it has no digest) or an image reference ("repo@sha256:...",
   * "repo:tag"; no tag and no digest: every tag) or, for CycloneDX, a BOM-Link
   * (urn:cdx:SERIAL/VERSION#ref) into a loaded CycloneDX report. Subcomponents (package purls)
   * narrow the removal to those packages (compared by purl name: "log4j-core" matches
   * "org.apache.logging.log4j:log4j-core"). A package purl as the product means that package in
   * every image. Statements are not ordered by time: a later "affected" does not restore a
   * vulnerability an earlier "not_affected" removed. Returns how many (statement, product) pairs
   * were kept.
   */
  Result<size_t> loadVex(const std::string& path);

  /** Loads a CISA KEV catalog. Returns how many entries it has. */
  Result<size_t> loadKev(const std::string& path);

  /** Loads a FIRST EPSS CSV (plain or gzip). Returns how many scores it has. */
  Result<size_t> loadEpss(const std::string& path);

  /**
   * The report of the image a pod spec names, or nullptr. Join order: repository digest
   * (normalised repo + digest), then the digest alone (the same manifest pulled through a mirror),
   * then the normalised repo:tag (registry host lower-case, index.docker.io = docker.io, Docker Hub
   * "library/", no tag = ":latest"). A pod image pinned by digest does not take a tag match whose
   * report lists other digests (that is another build). Earlier loaded reports win ties.
   */
  const ImageReport* match(std::string_view image_in_pod_spec) const;

  /** Reports that match none of `images_in_input` (same rules as match, all ties count). */
  std::vector<const ImageReport*> unmatched(const std::vector<std::string_view>& images_in_input) const;

  /** All images, in load order. Pointers stay valid until the next load call. */
  const std::vector<ImageReport>& images() const;

  /** Vulnerabilities VEX removed so far. */
  size_t vexRemoved() const;
  const EpssInfo& epssInfo() const;
  const KevInfo& kevInfo() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kspm::vulns
