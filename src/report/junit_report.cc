// JUnit XML for CI systems (Jenkins, GitLab, Azure DevOps).
//
// Grouped by object (default): one <testsuite> per input file, one <testcase> per evaluated object
// named "Kind namespace/name"; a case fails when it has an unsuppressed finding at or above
// --fail-on, and every finding is listed in its <failure> or <system-out>. Suites are flushed when
// the file changes, so memory stays bounded by the largest file. Grouped by check: one <testcase>
// per check that ran, listing the objects it reported. Text is escaped for XML 1.0 (characters XML
// cannot carry are dropped). Secret values never reach findings, so none reach this report.
#include <map>

#include "kspm/report.h"
#include "report/report_common.h"

namespace kspm::report {
namespace {

std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') break;  // not allowed in XML 1.0
        out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

class JunitReporter final : public Reporter {
 public:
  JunitReporter(const Engine& engine, const ObjectSet& objects, const ReportOptions& options)
      : engine_(engine), objects_(objects), options_(options) {}

  std::string begin() override { return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kspm\">\n"; }

  std::string formatBatch(std::span<const ObjectFindings> batch) const override {
    if (options_.junit_grouping == JunitGrouping::kCheck) return {};
    std::string out;
    for (const ObjectFindings& r : batch) {
      if (r.excluded) continue;
      out += testCase(r);
    }
    return out;
  }

  std::string accept(std::span<const ObjectFindings> batch, std::string&& text) override {
    if (options_.junit_grouping == JunitGrouping::kCheck) {
      for (const ObjectFindings& r : batch) {
        for (const Finding& f : r.findings) by_check_[f.check->id].push_back(findingLine(*r.object, f, true));
      }
      return {};
    }
    // Cases arrive concatenated per batch; split them by file to open and close suites.
    std::string out;
    size_t pos = 0;
    for (const ObjectFindings& r : batch) {
      if (r.excluded) continue;
      size_t end = text.find("</testcase>\n", pos);
      end = end == std::string::npos ? text.size() : end + 12;
      const std::string& file = objects_.pathOf(*r.object);
      if (file != suite_file_) {
        out += closeSuite();
        suite_file_ = file;
      }
      suite_.append(text, pos, end - pos);
      ++suite_tests_;
      if (failing(r)) ++suite_failures_;
      pos = end;
    }
    return out;
  }

  std::string end(const ScanSummary&, const std::vector<InputError>& errors) override {
    std::string out;
    if (options_.junit_grouping == JunitGrouping::kCheck) {
      std::string cases;
      uint64_t failures = 0;
      for (const Check* check : engine_.checks()) {
        const CheckInfo& info = check->info();
        auto it = by_check_.find(info.id);
        cases += "    <testcase classname=\"kspm.checks\" name=\"" + xml(info.id) + ": " + xml(info.title) + "\"";
        if (it == by_check_.end()) {
          cases += "/>\n";
          continue;
        }
        std::string failing_lines, other_lines;
        size_t failing_count = 0;
        for (const auto& [fails, line] : it->second) {
          (fails ? failing_lines : other_lines) += line;
          if (fails) ++failing_count;
        }
        cases += ">\n";
        if (failing_count > 0) {
          ++failures;
          cases += "      <failure message=\"" + std::to_string(failing_count) + " finding(s) at or above " +
                   std::string(severityName(options_.fail_on)) + "\" type=\"" + xml(info.id) + "\">" +
                   xml(failing_lines) + "</failure>\n";
        }
        if (!other_lines.empty()) cases += "      <system-out>" + xml(other_lines) + "</system-out>\n";
        cases += "    </testcase>\n";
      }
      out += "  <testsuite name=\"kspm checks\" tests=\"" + std::to_string(engine_.checks().size()) +
             "\" failures=\"" + std::to_string(failures) + "\">\n" + cases + "  </testsuite>\n";
    } else {
      out += closeSuite();
    }
    if (!errors.empty()) {
      // Unreadable input is an error in CI, never a silent pass.
      out += "  <testsuite name=\"kspm input\" tests=\"" + std::to_string(errors.size()) + "\" errors=\"" +
             std::to_string(errors.size()) + "\">\n";
      for (const InputError& e : errors) {
        out += "    <testcase classname=\"kspm.input\" name=\"" + xml(e.file) + ":" + std::to_string(e.line) +
               "\">\n      <error message=\"" + xml(describeInputError(e)) + "\" type=\"" +
               xml(errorCodeName(e.code)) + "\"/>\n    </testcase>\n";
      }
      out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
  }

 private:
  bool fails(const Finding& f) const { return options_.fail_enabled && !f.suppressed && f.severity >= options_.fail_on; }

  bool failing(const ObjectFindings& r) const {
    for (const Finding& f : r.findings) {
      if (fails(f)) return true;
    }
    return false;
  }

  std::string objectName(const Object& o) const {
    std::string name = std::string(o.kind) + " ";
    if (!isClusterScopedKind(o.kind)) {
      std::string_view ns = objects_.namespaceOf(o);
      name += ns.empty() ? std::string("(namespace unspecified)/") : std::string(ns) + "/";
    }
    return name + (o.name.empty() ? std::string("(unnamed)") : std::string(o.name));
  }

  /** One line per finding; `with_object` for the per-check grouping. Returns {fails, line}. */
  std::pair<bool, std::string> findingLine(const Object& o, const Finding& f, bool with_object) const {
    std::string line = std::string(severityName(f.severity)) + " " + std::string(f.check->id) + " " +
                       objects_.pathOf(o) + ":" + std::to_string(f.line) + " ";
    if (with_object) line += objectName(o) + ": ";
    line += f.message;
    if (f.suppressed) line += " (suppressed: " + f.suppression_reason + ")";
    line += "\n";
    return {fails(f), std::move(line)};
  }

  std::string testCase(const ObjectFindings& r) const {
    const Object& o = *r.object;
    std::string kind_ns = std::string(o.kind);
    std::string out = "    <testcase classname=\"" + xml(kind_ns) + "\" name=\"" + xml(objectName(o)) +
                      "\" file=\"" + xml(objects_.pathOf(o)) + "\" line=\"" + std::to_string(o.line) + "\">\n";
    std::string failing_lines, other_lines;
    size_t failing_count = 0;
    for (const Finding& f : r.findings) {
      auto [fail, line] = findingLine(o, f, false);
      (fail ? failing_lines : other_lines) += line;
      if (fail) ++failing_count;
    }
    if (failing_count > 0) {
      out += "      <failure message=\"" + std::to_string(failing_count) + " finding(s) at or above " +
             std::string(severityName(options_.fail_on)) + "\" type=\"kspm\">" + xml(failing_lines) + "</failure>\n";
    }
    if (!other_lines.empty()) out += "      <system-out>" + xml(other_lines) + "</system-out>\n";
    out += "    </testcase>\n";
    return out;
  }

  std::string closeSuite() {
    if (suite_file_.empty() && suite_.empty()) return {};
    std::string out = "  <testsuite name=\"" + xml(suite_file_) + "\" tests=\"" + std::to_string(suite_tests_) +
                      "\" failures=\"" + std::to_string(suite_failures_) + "\">\n" + suite_ + "  </testsuite>\n";
    suite_.clear();
    suite_file_.clear();
    suite_tests_ = suite_failures_ = 0;
    return out;
  }

  const Engine& engine_;
  const ObjectSet& objects_;
  ReportOptions options_;
  std::string suite_file_, suite_;
  uint64_t suite_tests_ = 0, suite_failures_ = 0;
  std::map<std::string_view, std::vector<std::pair<bool, std::string>>> by_check_;
};

}  // namespace

std::unique_ptr<Reporter> makeJunitReporter(const Engine& engine, const ObjectSet& objects,
                                            const ReportOptions& options) {
  return std::make_unique<JunitReporter>(engine, objects, options);
}

}  // namespace kspm::report
