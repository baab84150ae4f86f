#include "kspm/finding.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "kspm/check.h"

namespace kspm {

std::string_view severityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

bool parseSeverity(std::string_view text, Severity* out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (int i = 0; i <= static_cast<int>(Severity::kCritical); ++i) {
    if (severityName(static_cast<Severity>(i)) == lower) {
      *out = static_cast<Severity>(i);
      return true;
    }
  }
  return false;
}

std::string_view pssLevelName(PssLevel level) {
  switch (level) {
    case PssLevel::kBaseline: return "baseline";
    case PssLevel::kRestricted: return "restricted";
    case PssLevel::kNone: break;
  }
  return "";
}

Finding& FindingSink::add(const Node& at, std::string message, std::string path, std::string field,
                          std::string container) {
  Finding& f = out_->emplace_back();
  f.check = check_;
  f.severity = check_ != nullptr ? check_->severity : Severity::kInfo;
  f.message = std::move(message);
  f.path = std::move(path);
  f.field = std::move(field);
  f.container = std::move(container);
  f.line = at.line();
  return f;
}

}  // namespace kspm
