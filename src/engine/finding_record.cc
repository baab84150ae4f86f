#include "kspm/finding_record.h"

#include <array>

namespace kspm {
namespace {

constexpr std::array<std::string_view, 4> kLifecycleNames = {"new", "open", "resolved", "reopened"};
constexpr std::array<std::string_view, 3> kStateNames = {"active", "suppressed", "excepted"};

}  // namespace

std::string_view lifecycleName(Lifecycle lifecycle) { return kLifecycleNames[static_cast<size_t>(lifecycle)]; }

bool parseLifecycle(std::string_view text, Lifecycle* out) {
  for (size_t i = 0; i < kLifecycleNames.size(); ++i) {
    if (text == kLifecycleNames[i]) {
      *out = static_cast<Lifecycle>(i);
      return true;
    }
  }
  return false;
}

std::string_view findingStateName(FindingState state) { return kStateNames[static_cast<size_t>(state)]; }

bool parseFindingState(std::string_view text, FindingState* out) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (text == kStateNames[i]) {
      *out = static_cast<FindingState>(i);
      return true;
    }
  }
  return false;
}

void appendFindingRecords(std::span<const ObjectFindings> batch, const ObjectSet& objects, std::string_view cluster,
                          const std::function<std::string(const Object&)>& owner_of,
                          std::vector<FindingRecord>* out) {
  for (const ObjectFindings& result : batch) {
    if (result.findings.empty()) continue;
    const Object& object = *result.object;
    std::string_view ns = isClusterScopedKind(object.kind) ? std::string_view() : objects.namespaceOf(object);
    std::string owner = owner_of ? owner_of(object) : std::string();
    if (owner.empty()) owner = "unowned";
    for (const Finding& f : result.findings) {
      FindingRecord r;
      char fp[17];
      fingerprintInto(f, object, ns, fp, cluster);
      r.fingerprint.assign(fp, 16);
      r.check_id = f.check != nullptr ? std::string(f.check->id) : std::string();
      r.severity = f.severity;
      r.state = !f.suppressed                 ? FindingState::kActive
                : f.suppressed_by_exception ? FindingState::kExcepted
                                            : FindingState::kSuppressed;
      r.message = f.message;
      r.api_group = canonicalGroup(object.group(), object.kind);
      r.kind = object.kind;
      r.namespace_ = ns;
      r.name = object.name;
      r.container = f.container;
      r.field = f.field;
      r.path = f.path;
      r.file = objects.pathOf(object);
      r.line = f.line;
      r.owner = owner;
      r.risk = f.risk;
      out->push_back(std::move(r));
    }
  }
}

}  // namespace kspm
