// A finding: one check's verdict about one place in one object.
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kspm {

enum class Severity : uint8_t { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

std::string_view severityName(Severity severity);  // "info" ... "critical"
/** Parses "info|low|medium|high|critical" (any case); false if unknown. */
bool parseSeverity(std::string_view text, Severity* out);

struct CheckInfo;

struct Finding {
  const CheckInfo* check = nullptr;
  Severity severity = Severity::kInfo;  // the check's default unless the check chose otherwise
  std::string message;
  std::string path;        // field path, e.g. spec.template.spec.containers[0].securityContext.privileged
  std::string field;       // stable path for fingerprints: list items by name, e.g. containers[web].securityContext.privileged
  std::string container;   // container name, when the finding is about one container
  uint32_t line = 0;       // line of the offending field or of its nearest existing parent
  int16_t risk = -1;        // 0-100 when risk scores were asked for (kspm scan --sort risk), else -1
  std::string risk_factors; // what the score is made of: "high; internet-exposed; reaches cluster-admin (1.00)"
  bool suppressed = false;
  bool suppressed_by_exception = false;  // by a policy exception (else by an annotation on the object)
  std::string suppression_reason;
};

}  // namespace kspm
