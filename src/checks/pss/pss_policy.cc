#include "checks/pss/pss_policy.h"

#include <algorithm>

namespace kspm::checks::pss {

std::vector<const Check*> pssChecksFor(const Catalog& catalog, PssLevel level, uint32_t minor) {
  std::vector<const Check*> out;
  if (level == PssLevel::kNone) return out;
  minor = std::min(minor, kPssLatestMinor);
  auto effective = [&](const CheckInfo& info, PssLevel at) {
    return info.pss_level == at && info.pss_min_minor <= minor && !info.pss_id.empty();
  };
  std::vector<std::string_view> overridden;
  if (level == PssLevel::kRestricted) {
    for (const Check* check : catalog.all()) {
      const CheckInfo& info = check->info();
      if (effective(info, PssLevel::kRestricted) && !info.pss_overrides.empty()) {
        overridden.push_back(info.pss_overrides);
      }
    }
  }
  for (const Check* check : catalog.all()) {
    const CheckInfo& info = check->info();
    if (effective(info, PssLevel::kBaseline)) {
      if (std::find(overridden.begin(), overridden.end(), info.pss_id) == overridden.end()) {
        out.push_back(check);
      }
    } else if (level == PssLevel::kRestricted && effective(info, PssLevel::kRestricted)) {
      out.push_back(check);
    }
  }
  return out;
}

bool parsePssVersion(std::string_view text, uint32_t* minor) {
  if (text == "latest") {
    *minor = kPssLatestMinor;
    return true;
  }
  if (text.starts_with("v")) text.remove_prefix(1);
  if (!text.starts_with("1.")) return false;
  text.remove_prefix(2);
  if (text.empty() || text.size() > 2) return false;
  if (text.size() == 2 && text[0] == '0') return false;  // no leading zeros: "1.05"
  uint32_t value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    value = value * 10 + static_cast<uint32_t>(ch - '0');
  }
  if (value > kPssLatestMinor) return false;
  *minor = value;
  return true;
}

bool parsePssVersionLabel(std::string_view text, uint64_t* minor, bool* latest) {
  if (text == "latest") {
    *latest = true;
    *minor = kPssLatestMinor;
    return true;
  }
  if (!text.starts_with("v1.") || text.size() < 4) return false;
  std::string_view digits = text.substr(3);
  if (digits.size() > 1 && digits[0] == '0') return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || v > 1000000000) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *latest = false;
  *minor = v;
  return true;
}

}  // namespace kspm::checks::pss
