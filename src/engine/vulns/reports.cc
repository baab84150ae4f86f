// Trivy (image, k8s), Grype and CycloneDX vulnerability reports, in one streaming pass.
//
// The four formats have disjoint top-level keys, so one schema serves them all and the format is
// decided at the end from the keys that were seen:
//   trivy image: SchemaVersion, ArtifactName, Metadata{RepoTags,RepoDigests}, Results[]
//   trivy k8s:   ClusterName, Resources[] (v0.50+) | Vulnerabilities[] (older) | Findings[]
//                (consolidated), each {Namespace,Kind,Name,Metadata,Results[]}
//   grype:       matches[]{vulnerability,relatedVulnerabilities,artifact}, source{type,target}
//   CycloneDX:   bomFormat, serialNumber, metadata.component, components[], vulnerabilities[]
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "engine/vulns/internal.h"

namespace kspm::vulns::internal {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

namespace {

struct Nodes {
  Schema schema;
  // root keys
  int t_artifact, t_meta, t_results, k_cluster, k_resources, g_matches, g_source, c_format, c_serial, c_meta,
      c_components, c_vulns;
  // trivy
  int t_tag, t_digest, t_result, t_target, t_vuln, t_id, t_pkg, t_installed, t_fixed, t_severity, t_cvss_v2,
      t_cvss_v3, t_cvss_v4, k_resource, k_namespace, k_kind, k_name;
  // grype
  int g_match, g_id, g_severity, g_cvss_item, g_cvss_version, g_cvss_score, g_fix_version, g_rel, g_rel_id,
      g_rel_cvss_item, g_rel_cvss_version, g_rel_cvss_score, g_art_name, g_art_version, g_src_type, g_user, t_artifact_type,
      c_comp_type, c_comp_version,
      g_tag, g_digest, g_manifest;
  // cyclonedx
  int c_comp_name, c_comp_purl, c_comp_ref, c_prop, c_prop_name, c_prop_value, c_component, c_cref, c_cname,
      c_cversion, c_vuln, c_id, c_rating, c_score, c_rseverity, c_method, c_affect_ref, c_state, c_ref_id,
      c_recommendation;

  Nodes() {
    Schema& s = schema;
    const int root = 0;
    // Trivy image (and the shape of a trivy k8s resource).
    t_artifact = s.add(root, "ArtifactName");
    t_artifact_type = s.add(root, "ArtifactType");
    t_meta = s.add(root, "Metadata");
    t_tag = s.add(s.add(t_meta, "RepoTags"), "[]");
    t_digest = s.add(s.add(t_meta, "RepoDigests"), "[]");
    t_results = s.add(root, "Results");
    t_result = s.add(t_results, "[]");
    t_target = s.add(t_result, "Target");
    t_vuln = s.add(s.add(t_result, "Vulnerabilities"), "[]");
    t_id = s.add(t_vuln, "VulnerabilityID");
    t_pkg = s.add(t_vuln, "PkgName");
    t_installed = s.add(t_vuln, "InstalledVersion");
    t_fixed = s.add(t_vuln, "FixedVersion");
    t_severity = s.add(t_vuln, "Severity");
    int cvss_source = s.add(s.add(t_vuln, "CVSS"), "*");
    t_cvss_v2 = s.add(cvss_source, "V2Score");
    t_cvss_v3 = s.add(cvss_source, "V3Score");
    t_cvss_v4 = s.add(cvss_source, "V40Score");
    // Trivy k8s.
    k_cluster = s.add(root, "ClusterName");
    k_resources = s.add(root, "Resources");
    s.link(root, "Vulnerabilities", k_resources);
    s.link(root, "Findings", k_resources);
    k_resource = s.add(k_resources, "[]");
    k_namespace = s.add(k_resource, "Namespace");
    k_kind = s.add(k_resource, "Kind");
    k_name = s.add(k_resource, "Name");
    s.link(k_resource, "Metadata", t_meta);
    s.link(k_resource, "Results", t_results);
    // Grype.
    g_matches = s.add(root, "matches");
    g_match = s.add(g_matches, "[]");
    int gv = s.add(g_match, "vulnerability");
    g_id = s.add(gv, "id");
    g_severity = s.add(gv, "severity");
    g_cvss_item = s.add(s.add(gv, "cvss"), "[]");
    g_cvss_version = s.add(g_cvss_item, "version");
    g_cvss_score = s.add(s.add(g_cvss_item, "metrics"), "baseScore");
    g_fix_version = s.add(s.add(s.add(gv, "fix"), "versions"), "[]");
    g_rel = s.add(s.add(g_match, "relatedVulnerabilities"), "[]");
    g_rel_id = s.add(g_rel, "id");
    g_rel_cvss_item = s.add(s.add(g_rel, "cvss"), "[]");
    g_rel_cvss_version = s.add(g_rel_cvss_item, "version");
    g_rel_cvss_score = s.add(s.add(g_rel_cvss_item, "metrics"), "baseScore");
    int ga = s.add(g_match, "artifact");
    g_art_name = s.add(ga, "name");
    g_art_version = s.add(ga, "version");
    g_source = s.add(root, "source");
    g_src_type = s.add(g_source, "type");
    int gt = s.add(g_source, "target");
    g_user = s.add(gt, "userInput");
    g_tag = s.add(s.add(gt, "tags"), "[]");
    g_digest = s.add(s.add(gt, "repoDigests"), "[]");
    g_manifest = s.add(gt, "manifestDigest");
    // CycloneDX.
    c_format = s.add(root, "bomFormat");
    c_serial = s.add(root, "serialNumber");
    c_meta = s.add(root, "metadata");
    int mc = s.add(c_meta, "component");
    c_comp_name = s.add(mc, "name");
    c_comp_purl = s.add(mc, "purl");
    c_comp_type = s.add(mc, "type");
    c_comp_version = s.add(mc, "version");
    c_comp_ref = s.add(mc, "bom-ref");
    c_prop = s.add(s.add(mc, "properties"), "[]");
    c_prop_name = s.add(c_prop, "name");
    c_prop_value = s.add(c_prop, "value");
    c_components = s.add(root, "components");
    c_component = s.add(c_components, "[]");
    c_cref = s.add(c_component, "bom-ref");
    c_cname = s.add(c_component, "name");
    c_cversion = s.add(c_component, "version");
    s.link(c_component, "components", c_components);  // nested components
    c_vulns = s.add(root, "vulnerabilities");
    c_vuln = s.add(c_vulns, "[]");
    c_id = s.add(c_vuln, "id");
    c_rating = s.add(s.add(c_vuln, "ratings"), "[]");
    c_score = s.add(c_rating, "score");
    c_rseverity = s.add(c_rating, "severity");
    c_method = s.add(c_rating, "method");
    c_affect_ref = s.add(s.add(s.add(c_vuln, "affects"), "[]"), "ref");
    c_state = s.add(s.add(c_vuln, "analysis"), "state");
    c_ref_id = s.add(s.add(s.add(c_vuln, "references"), "[]"), "id");
    c_recommendation = s.add(c_vuln, "recommendation");
  }
};

const Nodes& nodes() {
  static const Nodes n;
  return n;
}

void addUnique(std::vector<std::string>* list, std::string_view value) {
  if (value.empty()) return;
  for (const auto& v : *list) {
    if (v == value) return;
  }
  list->emplace_back(value);
}

// Highest score per CVSS generation: v3/v4 beat v2 whatever the number.
struct ScoreAcc {
  double modern = 0;
  double v2 = 0;
  bool any_modern = false;
  void add(double score, bool is_v2) {
    if (is_v2) {
      v2 = std::max(v2, score);
    } else {
      any_modern = true;
      modern = std::max(modern, score);
    }
  }
  bool empty() const { return !any_modern && v2 == 0; }
  double value() const { return any_modern ? modern : v2; }
};

class ReportEvents : public Events {
 public:
  explicit ReportEvents(ParsedReport* out) : n_(nodes()), out_(out) {}

  void begin(int node, bool array) override {
    const Nodes& n = n_;
    if (node == 0) {
      if (array) failure = "the document is a list, not a vulnerability report";
      return;
    }
    if (node == n.k_resource) {
      in_resource_ = true;
      resource_ = ImageReport();
      resource_namespace_.clear();
      resource_kind_.clear();
      resource_name_.clear();
      first_target_.clear();
    } else if (node == n.t_vuln || node == n.g_match || node == n.c_vuln) {
      vuln_ = Vulnerability();
      score_ = ScoreAcc();
      rel_score_ = ScoreAcc();
      cvss_is_v2_ = false;
      affects_.clear();
      state_.clear();
    } else if (node == n.g_cvss_item || node == n.g_rel_cvss_item) {
      cvss_is_v2_ = false;
      cvss_score_.reset();
    } else if (node == n.c_rating) {
      rating_score_.reset();
      rating_method_.clear();
    } else if (node == n.c_prop) {
      prop_name_.clear();
      prop_value_.clear();
    } else if (node == n.c_component) {
      comp_stack_.push_back({});
    } else if (node == n.k_resources) {
      seen_k8s_ = true;
    }
  }

  void end(int node) override {
    const Nodes& n = n_;
    if (node == n.t_vuln) {
      if (!score_.empty()) vuln_.cvss = score_.value();
      if (!vuln_.id.empty()) target().vulns.push_back(std::move(vuln_));
    } else if (node == n.g_match) {
      if (!score_.empty()) {
        vuln_.cvss = score_.value();
      } else if (!rel_score_.empty()) {
        vuln_.cvss = rel_score_.value();
      }
      if (!vuln_.id.empty()) doc_.vulns.push_back(std::move(vuln_));
    } else if (node == n.g_cvss_item || node == n.g_rel_cvss_item) {
      if (cvss_score_) (node == n.g_cvss_item ? score_ : rel_score_).add(*cvss_score_, cvss_is_v2_);
    } else if (node == n.c_rating) {
      if (rating_score_) {
        std::string_view m = rating_method_;
        bool v2 = m == "CVSSv2";
        if (v2 || m.substr(0, 5) == "CVSSv") score_.add(*rating_score_, v2);
      }
    } else if (node == n.c_vuln) {
      endCycloneDxVuln();
    } else if (node == n.c_prop) {
      if (prop_name_ == "aquasecurity:trivy:RepoTag") addUnique(&doc_.tags, prop_value_);
      if (prop_name_ == "aquasecurity:trivy:RepoDigest") addUnique(&doc_.repo_digests, prop_value_);
    } else if (node == n.c_component) {
      ComponentInfo info = std::move(comp_stack_.back());
      comp_stack_.pop_back();
      if (!info.ref.empty()) components_[info.ref] = {std::move(info.name), std::move(info.version)};
    } else if (node == n.k_resource) {
      endResource();
      in_resource_ = false;
    }
  }

  void string(int node, std::string_view v) override {
    const Nodes& n = n_;
    // Trivy (image, or a k8s resource).
    if (node == n.t_id) {
      vuln_.id = v;
    } else if (node == n.t_pkg || node == n.g_art_name) {
      vuln_.package = v;
    } else if (node == n.t_installed || node == n.g_art_version) {
      vuln_.installed_version = v;
    } else if (node == n.t_fixed) {
      vuln_.fixed_version = v;
    } else if (node == n.t_severity || node == n.g_severity) {
      vuln_.severity = parseVulnSeverity(v);
    } else if (node == n.t_tag) {
      seen_trivy_image_ |= !in_resource_;
      addUnique(&target().tags, v);
    } else if (node == n.t_digest) {
      seen_trivy_image_ |= !in_resource_;
      addUnique(&target().repo_digests, v);
    } else if (node == n.t_target) {
      // Prefer an OS result: "IMAGE (debian 12.5)"; language results name files.
      if (in_resource_ && (first_target_.empty() || (first_target_.find(" (") == std::string::npos &&
                                                       v.find(" (") != std::string_view::npos))) {
        first_target_ = v;
      }
    } else if (node == n.t_artifact_type) {
      artifact_type_ = v;
    } else if (node == n.c_comp_type) {
      component_type_ = v;
    } else if (node == n.c_comp_version) {
      component_version_ = v;
    } else if (node == n.t_artifact) {
      seen_trivy_image_ = true;
      doc_.name = v;
    } else if (node == n.k_namespace) {
      resource_namespace_ = v;
    } else if (node == n.k_kind) {
      resource_kind_ = v;
    } else if (node == n.k_name) {
      resource_name_ = v;
    } else if (node == n.k_cluster) {
      seen_k8s_ = true;
      // Grype.
    } else if (node == n.g_id) {
      vuln_.id = v;
    } else if (node == n.g_fix_version) {
      if (!vuln_.fixed_version.empty()) vuln_.fixed_version += ", ";
      vuln_.fixed_version += v;
    } else if (node == n.g_rel_id) {
      if (v != vuln_.id) addUnique(&vuln_.aliases, v);
    } else if (node == n.g_cvss_version || node == n.g_rel_cvss_version) {
      cvss_is_v2_ = v.substr(0, 1) == "2";
    } else if (node == n.g_src_type) {
      seen_grype_ = true;
      grype_source_type_ = v;
    } else if (node == n.g_user) {
      seen_grype_ = true;
      doc_.name = v;
    } else if (node == n.g_tag) {
      addUnique(&doc_.tags, v);
    } else if (node == n.g_digest) {
      addUnique(&doc_.repo_digests, v);
    } else if (node == n.g_manifest) {
      manifest_digest_ = v;
      // CycloneDX.
    } else if (node == n.c_format) {
      bom_format_ = v;
    } else if (node == n.c_serial) {
      serial_ = v;
    } else if (node == n.c_comp_name) {
      doc_.name = v;
    } else if (node == n.c_comp_purl) {
      image_purl_ = v;
    } else if (node == n.c_comp_ref) {
      image_ref_ = v;
    } else if (node == n.c_prop_name) {
      prop_name_ = v;
    } else if (node == n.c_prop_value) {
      prop_value_ = v;
    } else if (node == n.c_cref) {
      comp_stack_.back().ref = v;
    } else if (node == n.c_cname) {
      comp_stack_.back().name = v;
    } else if (node == n.c_cversion) {
      comp_stack_.back().version = v;
    } else if (node == n.c_id) {
      vuln_.id = v;
    } else if (node == n.c_rseverity) {
      VulnSeverity s = parseVulnSeverity(v);
      if (s > vuln_.severity) vuln_.severity = s;
    } else if (node == n.c_method) {
      rating_method_ = v;
    } else if (node == n.c_affect_ref) {
      affects_.emplace_back(v);
    } else if (node == n.c_state) {
      state_ = v;
    } else if (node == n.c_ref_id) {
      addUnique(&vuln_.aliases, v);
    }
  }

  void number(int node, double v) override {
    const Nodes& n = n_;
    if (node == n.t_cvss_v3 || node == n.t_cvss_v4) {
      score_.add(v, false);
    } else if (node == n.t_cvss_v2) {
      score_.add(v, true);
    } else if (node == n.g_cvss_score || node == n.g_rel_cvss_score) {
      cvss_score_ = v;
    } else if (node == n.c_score) {
      rating_score_ = v;
    }
  }

  /** Decides the format and fills `out`. Returns an error message or "". */
  std::string finish() {
    bool cdx = !bom_format_.empty();
    int kinds = int(cdx) + int(seen_grype_) + int(seen_k8s_) + int(seen_trivy_image_ && !seen_k8s_);
    if (cdx && bom_format_ != "CycloneDX") return "bomFormat is \"" + bom_format_ + "\", not CycloneDX";
    if (kinds == 0) {
      return "not a vulnerability report (no Trivy ArtifactName/Resources, Grype matches/source or CycloneDX "
             "bomFormat)";
    }
    if (kinds > 1) return "keys of several report formats in one document";
    // Only image reports join to pods: a scan of a directory, repository or SBOM of an application
    // says nothing about an image.
    if (!cdx && !seen_grype_ && !seen_k8s_ && !artifact_type_.empty() && artifact_type_ != "container_image") {
      return "a Trivy report of a " + artifact_type_ + ", not of a container image";
    }
    if (seen_grype_ && !grype_source_type_.empty() && grype_source_type_ != "image") {
      return "a Grype report of a " + grype_source_type_ + ", not of a container image";
    }
    if (cdx && !component_type_.empty() && component_type_ != "container") {
      return "a CycloneDX document about a " + component_type_ + ", not a container image";
    }
    if (cdx) {
      finishCycloneDx();
    } else if (seen_grype_) {
      finishGrype();
    } else if (seen_k8s_) {
      for (auto& image : resources_) {
        out_->images.push_back(std::move(image));
        out_->bom_serials.emplace_back();
      }
      return {};
    } else {
      doc_.format = ReportFormat::kTrivyImage;
    }
    out_->images.push_back(std::move(doc_));
    out_->bom_serials.push_back(cdx ? serial_ : std::string());
    return {};
  }

 private:
  struct ComponentInfo {
    std::string ref, name, version;
  };

  ImageReport& target() { return in_resource_ ? resource_ : doc_; }

  void endResource() {
    ImageReport& r = resource_;
    r.format = ReportFormat::kTrivyK8s;
    if (!r.tags.empty()) {
      r.name = r.tags.front();
    } else if (!r.repo_digests.empty()) {
      r.name = r.repo_digests.front();
    } else {
      // Older trivy k8s output has no image metadata: the OS result's target is
      // "IMAGE (debian 12.5)".
      std::string_view t = first_target_;
      if (size_t paren = t.find(" ("); paren != std::string_view::npos) t = t.substr(0, paren);
      r.name = t;
    }
    if (r.name.empty() || (r.vulns.empty() && r.tags.empty() && r.repo_digests.empty())) return;  // no image
    // The same image in several workloads: keep it once.
    std::string key = r.name + "\n" + (r.repo_digests.empty() ? "" : r.repo_digests.front());
    auto [it, inserted] = resource_index_.emplace(std::move(key), resources_.size());
    if (!inserted) {
      ImageReport& existing = resources_[it->second];
      if (existing.vulns.empty()) existing.vulns = std::move(r.vulns);
      return;
    }
    resources_.push_back(std::move(r));
  }

  void finishGrype() {
    doc_.format = ReportFormat::kGrype;
    if (!manifest_digest_.empty()) {
      // The manifest digest under the repository the user named.
      std::string_view user = doc_.name;
      if (size_t at = user.find('@'); at != std::string_view::npos) user = user.substr(0, at);
      ImageKeys keys;
      if (addReferenceKeys(user, &keys) && !keys.repos.empty()) {
        addUnique(&doc_.repo_digests, keys.repos.front() + "@" + manifest_digest_);
      }
    }
  }

  void finishCycloneDx() {
    doc_.format = ReportFormat::kCycloneDx;
    if (std::optional<Purl> p = parsePurl(image_purl_); p && p->type == "oci") {
      std::string repo = p->qualifier("repository_url");
      if (repo.empty()) repo = p->name;
      if (!p->version.empty()) addUnique(&doc_.repo_digests, repo + "@" + p->version);
      // Without repository_url the registry is unknown: the digest still joins, a tag would not.
      std::string tag = p->qualifier("tag");
      if (!tag.empty() && !p->qualifier("repository_url").empty()) addUnique(&doc_.tags, repo + ":" + tag);
      if (doc_.name.empty()) doc_.name = repo;
    } else if (component_version_.substr(0, 7) == "sha256:" && !doc_.name.empty() &&
               doc_.name.find('@') == std::string::npos) {
      // Syft: {"type": "container", "name": "nginx:1.27", "version": "sha256:..."}
      ImageKeys keys;
      if (addReferenceKeys(doc_.name, &keys) && !keys.repos.empty()) {
        addUnique(&doc_.repo_digests, keys.repos.front() + "@" + component_version_);
      }
    }
    for (Vulnerability& v : doc_.vulns) {
      auto it = components_.find(v.package);
      if (it != components_.end()) {
        v.installed_version = it->second.second;
        v.package = it->second.first;
      } else if (std::optional<Purl> p = parsePurl(v.package)) {
        v.installed_version = p->version;
        v.package = p->name;
      }
    }
  }

  void endCycloneDxVuln() {
    if (state_ == "not_affected" || state_ == "false_positive" || state_ == "resolved" ||
        state_ == "resolved_with_pedigree") {
      out_->removed_by_analysis += std::max<size_t>(1, affects_.size());
      return;
    }
    if (vuln_.id.empty()) return;
    if (!score_.empty()) vuln_.cvss = score_.value();
    if (affects_.empty()) {
      doc_.vulns.push_back(std::move(vuln_));
      return;
    }
    for (size_t i = 0; i < affects_.size(); ++i) {
      Vulnerability v = i + 1 == affects_.size() ? std::move(vuln_) : vuln_;
      v.package = std::move(affects_[i]);  // a bom-ref, resolved in finishCycloneDx
      doc_.vulns.push_back(std::move(v));
    }
  }

  const Nodes& n_;
  ParsedReport* out_;
  ImageReport doc_;
  ImageReport resource_;
  std::vector<ImageReport> resources_;
  std::unordered_map<std::string, size_t> resource_index_;
  bool in_resource_ = false;
  std::string resource_namespace_, resource_kind_, resource_name_, first_target_;
  Vulnerability vuln_;
  ScoreAcc score_, rel_score_;
  std::optional<double> cvss_score_;
  bool cvss_is_v2_ = false;
  bool seen_trivy_image_ = false, seen_k8s_ = false, seen_grype_ = false;
  std::string grype_source_type_, manifest_digest_, artifact_type_, component_type_, component_version_;
  std::string bom_format_, serial_, image_purl_, image_ref_, prop_name_, prop_value_, rating_method_, state_;
  std::optional<double> rating_score_;
  std::vector<std::string> affects_;
  std::vector<ComponentInfo> comp_stack_;
  std::unordered_map<std::string, std::pair<std::string, std::string>> components_;
};

}  // namespace

std::optional<InputError> parseReport(const std::string& path, const LoadLimits& limits, ParsedReport* out) {
  ReportEvents events(out);
  if (auto error = walkJsonFile(path, nodes().schema, events, limits)) return error;
  std::string message = events.finish();
  if (!message.empty()) return makeError(ErrorCode::kInvalidObject, path, message);
  for (ImageReport& image : out->images) image.source = path;
  return std::nullopt;
}

}  // namespace kspm::vulns::internal

namespace kspm::vulns {

std::string_view vulnSeverityName(VulnSeverity severity) {
  switch (severity) {
    case VulnSeverity::kUnknown: return "unknown";
    case VulnSeverity::kNegligible: return "negligible";
    case VulnSeverity::kLow: return "low";
    case VulnSeverity::kMedium: return "medium";
    case VulnSeverity::kHigh: return "high";
    case VulnSeverity::kCritical: return "critical";
  }
  return "unknown";
}

VulnSeverity parseVulnSeverity(std::string_view text) {
  if (internal::iequals(text, "critical")) return VulnSeverity::kCritical;
  if (internal::iequals(text, "high")) return VulnSeverity::kHigh;
  if (internal::iequals(text, "medium") || internal::iequals(text, "moderate")) return VulnSeverity::kMedium;
  if (internal::iequals(text, "low")) return VulnSeverity::kLow;
  if (internal::iequals(text, "negligible") || internal::iequals(text, "info") || internal::iequals(text, "none")) return VulnSeverity::kNegligible;
  return VulnSeverity::kUnknown;
}

std::string_view reportFormatName(ReportFormat format) {
  switch (format) {
    case ReportFormat::kTrivyImage: return "trivy-image";
    case ReportFormat::kTrivyK8s: return "trivy-k8s";
    case ReportFormat::kGrype: return "grype";
    case ReportFormat::kCycloneDx: return "cyclonedx";
  }
  return "trivy-image";
}

}  // namespace kspm::vulns
