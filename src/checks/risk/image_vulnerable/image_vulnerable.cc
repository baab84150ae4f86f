// risk-image-vulnerable: a container whose image a vulnerability report (kspm scan --vulns) lists
// with vulnerabilities. One finding per container, at the image field; the finding's severity is
// that of its most severe vulnerability (negligible and unknown count as info), the message gives
// the counts by severity and the most severe ones, known exploited (CISA KEV) first.
//
// Without vulnerability data, or for an image no report matched, nothing is reported: kspm cannot
// tell (the scan's JSON lists the reports that matched nothing; kspm paths does too).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "checks/common/fields.h"
#include "checks/risk/risk_checks.h"
#include "kspm/engine.h"
#include "kspm/vulns.h"

namespace kspm::checks::risk {
namespace {

Severity severityOf(vulns::VulnSeverity s) {
  switch (s) {
    case vulns::VulnSeverity::kCritical: return Severity::kCritical;
    case vulns::VulnSeverity::kHigh: return Severity::kHigh;
    case vulns::VulnSeverity::kMedium: return Severity::kMedium;
    case vulns::VulnSeverity::kLow: return Severity::kLow;
    default: return Severity::kInfo;
  }
}

class ImageVulnerableCheck final : public Check {
 public:
  const CheckInfo& info() const override {
    static const CheckInfo kInfo{
        .id = "risk-image-vulnerable",
        .title = "Container image with known vulnerabilities",
        .severity = Severity::kHigh,
        .description =
            "A vulnerability report given to the scan (--vulns: Trivy, Grype or CycloneDX; VEX removes what does "
            "not apply) lists vulnerabilities in the container's image. The finding takes the severity of the "
            "worst one; with --sort risk its score also weighs the workload's internet exposure, the "
            "exploitability of the vulnerability (CISA KEV, FIRST EPSS) and what the workload's compromise "
            "reaches, so a medium vulnerability on an exposed, privileged workload ranks above a critical one on "
            "an isolated workload without permissions.",
        .remediation =
            "Rebuild the image on a patched base or upgrade the listed packages to their fixed versions, most "
            "exploitable first (KEV, high EPSS); record not_affected vulnerabilities in a VEX document.",
        .scope = Scope::kPodSpec,
        .reads = {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount", "Service", "Ingress", "NetworkPolicy", "Namespace"},
    };
    return kInfo;
  }

  void evaluate(const Object& /*object*/, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.scan->vulns == nullptr || context.pod == nullptr) return;
    for (const ContainerRef& c : context.pod->containers) {
      const Node* image = field(c.node, "image");
      if (image == nullptr || !image->isString()) continue;
      const vulns::ImageReport* report = context.scan->vulns->match(image->str());
      if (report == nullptr || report->vulns.empty()) continue;
      std::array<size_t, 6> by_severity{};
      std::vector<const vulns::Vulnerability*> ranked;
      for (const vulns::Vulnerability& v : report->vulns) {
        ++by_severity[static_cast<size_t>(v.severity)];
        ranked.push_back(&v);
      }
      std::stable_sort(ranked.begin(), ranked.end(), [](const vulns::Vulnerability* a, const vulns::Vulnerability* b) {
        if (a->kev != b->kev) return a->kev;
        if (a->severity != b->severity) return a->severity > b->severity;
        return a->epss.value_or(0) > b->epss.value_or(0);
      });
      std::string counts;
      for (int s = 5; s >= 0; --s) {
        if (by_severity[s] == 0) continue;
        counts += (counts.empty() ? "" : ", ") + std::to_string(by_severity[s]) + " " +
                  std::string(vulns::vulnSeverityName(static_cast<vulns::VulnSeverity>(s)));
      }
      std::string worst;
      for (size_t i = 0; i < ranked.size() && i < 3; ++i) {
        const vulns::Vulnerability& v = *ranked[i];
        worst += (i ? "; " : "") + v.id + " " + std::string(vulns::vulnSeverityName(v.severity)) + (v.kev ? " KEV" : "") +
                 " in " + v.package + (v.fixed_version.empty() ? "" : " (fixed in " + v.fixed_version + ")");
      }
      Severity severity = Severity::kInfo;
      for (const vulns::Vulnerability& v : report->vulns) severity = std::max(severity, severityOf(v.severity));
      Finding& f = sink.add(*image,
                            "container " + quoted(c.name) + " image " + quoted(image->str()) + " has " + counts +
                                " vulnerabilities (report " + report->source + "): " + worst,
                            c.path + ".image", c.field + ".image", std::string(c.name));
      f.severity = severity;
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeImageVulnerableCheck() { return std::make_unique<ImageVulnerableCheck>(); }

}  // namespace kspm::checks::risk
