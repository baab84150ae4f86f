// The table for people: findings grouped by object, then counts by severity.
#include <algorithm>
#include <cstdio>

#include "kspm/baseline.h"
#include "kspm/owners.h"
#include "kspm/report.h"
#include "report/report_common.h"

namespace kspm::report {

std::unique_ptr<Reporter> makeJsonReporter(const Engine&, const ObjectSet&, const ReportOptions&);
std::unique_ptr<Reporter> makeSarifReporter(const Engine&, const ObjectSet&, const ReportOptions&);
std::unique_ptr<Reporter> makeJunitReporter(const Engine&, const ObjectSet&, const ReportOptions&);

namespace {

std::string_view colorOf(Severity s) {
  switch (s) {
    case Severity::kCritical: return "\033[1;31m";
    case Severity::kHigh: return "\033[31m";
    case Severity::kMedium: return "\033[33m";
    case Severity::kLow: return "\033[36m";
    case Severity::kInfo: return "\033[2m";
  }
  return "";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class TableReporter final : public Reporter {
 public:
  TableReporter(const Engine& engine, const ObjectSet& objects, const ReportOptions& options)
      : engine_(engine), objects_(objects), options_(options) {
    for (const Check* c : engine.checks()) id_width_ = std::max(id_width_, c->info().id.size());
  }

  std::string begin() override {
    if (!options_.cluster) return {};
    const ClusterSource& c = *options_.cluster;
    std::string out = bold("Cluster " + (c.context.empty() ? std::string("(in-cluster)") : c.context)) + " " + c.server;
    if (!c.server_version.empty()) out += " (Kubernetes " + c.server_version + ")";
    if (!c.id.empty()) out += ", cluster ID " + c.id;
    out += c.snapshot.empty() ? ", read at " + c.taken_at : ", snapshot " + c.snapshot + " taken at " + c.taken_at;
    return out + "\n\n";
  }

  std::string formatBatch(std::span<const ObjectFindings> batch) const override {
    std::string out;
    for (const ObjectFindings& r : batch) {
      if (r.findings.empty()) continue;
      const Object& o = *r.object;
      // A live read's "file" is the list it came from (context:/api/v1/pods): no line to give.
      bool live = options_.cluster && options_.cluster->snapshot.empty();
      out += bold(live ? objects_.pathOf(o) : objects_.pathOf(o) + ":" + std::to_string(o.line));
      out += "  " + std::string(o.kind) + " ";
      if (!isClusterScopedKind(o.kind)) {
        std::string_view ns = objects_.namespaceOf(o);
        out += ns.empty() ? std::string("(namespace unspecified)/") : std::string(ns) + "/";
      }
      out += o.name.empty() ? std::string("(unnamed)") : std::string(o.name);
      if (o.document != nullptr && !o.document->helmSource().empty()) {
        out += "  [template " + o.document->helmSource() + "]";
      }
      if (options_.owners != nullptr) out += "  owner: " + std::string(options_.owners->ownerView(o));
      out += "\n";
      std::vector<const Finding*> sorted;
      for (const Finding& f : r.findings) sorted.push_back(&f);
      std::stable_sort(sorted.begin(), sorted.end(), [](const Finding* a, const Finding* b) {
        return a->risk != b->risk ? a->risk > b->risk : a->severity > b->severity;
      });
      for (const Finding* f : sorted) {
        char sev[16];
        std::snprintf(sev, sizeof sev, "%-8s", upper(severityName(f->severity)).c_str());
        out += "  ";
        if (options_.color) out += colorOf(f->severity);
        out += sev;
        if (options_.color) out += "\033[0m";
        if (options_.baseline != nullptr) {
          out += options_.baseline->contains(*f, o, objects_.namespaceOf(o)) ? "     " : "  NEW";
        }
        std::string id(f->check->id);
        id.resize(std::max(id.size(), id_width_), ' ');
        out += "  " + id;
        if (!live) out += "  line " + std::to_string(f->line);
        if (f->risk >= 0) out += "  risk " + std::to_string(f->risk);
        out += "  " + f->message;
        if (live && !f->path.empty()) out += "  (" + f->path + ")";
        if (f->risk >= 0) out += "  [risk: " + f->risk_factors + "]";
        if (f->suppressed) {
          out += std::string("  (suppressed by ") + (f->suppressed_by_exception ? "exception" : "annotation") + ": " +
                 f->suppression_reason + ")";
        }
        out += "\n";
      }
      out += "\n";
    }
    return out;
  }

  std::string accept(std::span<const ObjectFindings>, std::string&& text) override { return std::move(text); }

  std::string end(const ScanSummary& s, const std::vector<InputError>& errors) override {
    std::string out;
    if (!errors.empty()) {
      out += bold("Input errors (" + std::to_string(errors.size()) + "):") + "\n";
      for (const InputError& e : errors) {
        out += "  " + describeInputError(e) + "\n";
      }
      out += "\n";
    }
    const ScanPolicy& p = engine_.policy();
    std::string pss = pssVersionName(p.pss_minor) + (p.pss_latest ? " (latest)" : "");
    bool live = options_.cluster && options_.cluster->snapshot.empty();
    out += "Scanned " + std::to_string(s.files) + (live ? " list pages, " : " files, ") + std::to_string(s.documents) + " documents, " +
           std::to_string(s.objects) + " objects (" + std::to_string(s.objects_with_pod_spec) +
           " with a pod spec) with " + std::to_string(engine_.checks().size()) + " checks (framework " +
           p.frameworksName() + ", Pod Security " + pss + ").\n";
    uint64_t open = s.findings - s.suppressed;
    out += "Findings: " + std::to_string(open);
    out += " (";
    for (int i = static_cast<int>(Severity::kCritical); i >= 0; --i) {
      out += std::to_string(s.by_severity[i]) + " " + std::string(severityName(static_cast<Severity>(i)));
      if (i > 0) out += ", ";
    }
    out += ") on " + std::to_string(s.objects_with_findings) + " objects";
    if (s.suppressed > 0) out += "; " + std::to_string(s.suppressed) + " suppressed";
    out += ".\n";
    if (const BaselineComparison* b = options_.baseline) {
      out += "Baseline " + b->baseline().source + ": " + std::to_string(b->newFindings()) + " new (";
      for (int i = static_cast<int>(Severity::kCritical); i >= 0; --i) {
        out += std::to_string(b->newBySeverity(static_cast<Severity>(i))) + " " +
               std::string(severityName(static_cast<Severity>(i)));
        if (i > 0) out += ", ";
      }
      out += "), " + std::to_string(b->existing()) + " existing, " + std::to_string(b->fixed()) + " fixed.\n";
    }
    if (s.excluded > 0) {
      out += "Excluded by namespace filters: " + std::to_string(s.excluded) + " objects (not evaluated).\n";
    }
    if (s.errors > 0) out += "Input errors: " + std::to_string(s.errors) + " (see above); the scan is incomplete.\n";
    if (!p.unreadable.empty()) {
      out += bold("Not assessable") + ": kspm could not read " + std::to_string(p.unreadable.size()) +
             " resource(s), so these checks " + "are not assessable (not passed):\n";
      for (const UnreadableResource& u : p.unreadable) {
        out += "  cannot read " + (u.resource.empty() ? u.kind : u.resource) +
               (u.group.empty() ? std::string() : "." + u.group) +
               (u.namespace_.empty() ? std::string() : " in " + u.namespace_) + ": " + u.reason + "\n";
      }
      for (const Engine::CheckCoverage& c : engine_.coverage()) {
        out += "  " + std::string(c.check->info().id) + (c.skipped ? " (not run)" : " (run on what was read)") + "\n";
      }
    }
    std::vector<FrameworkCompliance> compliance = computeCompliance(engine_, s);
    if (!compliance.empty()) out += "\n" + bold("Compliance") + " (score = passed / (passed + failed); docs/compliance.md):\n";
    for (const FrameworkCompliance& c : compliance) {
      char score[16];
      std::snprintf(score, sizeof score, "%.1f%%", c.score);
      out += "  " + std::string(frameworkTitle(c.framework)) + ": " + std::to_string(c.passed) + " passed, " +
             std::to_string(c.failed) + " failed, " + std::to_string(c.not_assessable) + " not assessable; score " +
             (c.passed + c.failed == 0 ? std::string("n/a") : std::string(score)) + "\n";
      std::string failed;
      for (const ControlResult& r : c.controls) {
        if (r.status == ControlStatus::kFailed) failed += (failed.empty() ? "" : ", ") + std::string(r.control.id);
      }
      if (!failed.empty()) out += "    failed: " + failed + "\n";
    }
    return out;
  }

 private:
  std::string bold(const std::string& s) const { return options_.color ? "\033[1m" + s + "\033[0m" : s; }

  const Engine& engine_;
  const ObjectSet& objects_;
  ReportOptions options_;
  size_t id_width_ = 0;
};

}  // namespace
}  // namespace kspm::report

namespace kspm {

std::unique_ptr<Reporter> makeReporter(OutputFormat format, const Engine& engine, const ObjectSet& objects,
                                       const ReportOptions& options) {
  switch (format) {
    case OutputFormat::kJson: return report::makeJsonReporter(engine, objects, options);
    case OutputFormat::kSarif: return report::makeSarifReporter(engine, objects, options);
    case OutputFormat::kJunit: return report::makeJunitReporter(engine, objects, options);
    case OutputFormat::kTable: break;
  }
  return std::make_unique<report::TableReporter>(engine, objects, options);
}

}  // namespace kspm
