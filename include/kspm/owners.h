// Owners: which team owns an object, so that each finding reaches that team.
//
// Sources, tried in the configured order (default: labels, namespace, file); the first that names
// an owner wins, else the owner is "unowned":
//  - labels: for each configured key in order (default team, owner, app.kubernetes.io/part-of):
//    the object's label, then its annotation; then, for objects with a pod template (workloads and
//    workload custom resources), the same keys on the pod template's labels.
//  - namespace: the same keys (label, then annotation) on the object's Namespace, when the
//    Namespace object is in the input. A Namespace object is its own namespace.
//  - file: the owners rules (the `owners.rules:` of .kspm.yaml, then the rules of the owners file),
//    first matching rule wins.
// Values are trimmed; an empty value names no owner.
//
// Format reference: docs/owners-and-baselines.md.
// Thread safety: an OwnerResolver is immutable after construction; ownerOf may be called from any
// number of threads.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/config.h"
#include "kspm/engine.h"
#include "kspm/object.h"

namespace kspm {

/** What a finding's owner is when no source names one. */
inline constexpr std::string_view kUnowned = "unowned";

enum class OwnerSource : uint8_t { kLabels, kNamespace, kFile };
std::string_view ownerSourceName(OwnerSource source);  // "labels", "namespace", "file"
bool parseOwnerSource(std::string_view text, OwnerSource* out);

/**
 * One owners rule: `team` owns the objects that match every condition given (at least one is):
 * a namespace glob (any of `namespaces`; never matches cluster-scoped objects but for a Namespace
 * object, matched by its name), a source path glob (any of `paths`, matched against the file the
 * object was read from, without a leading "./"; `*` also matches '/'), and `object` (kind, name
 * globs and a label selector on metadata.labels, as in exceptions).
 */
struct OwnerRule {
  std::string team;
  std::vector<std::string> namespaces;
  std::vector<std::string> paths;
  ObjectMatcher object;  // its namespace_ is unused (see `namespaces`)
  std::string source;    // "file:line", for messages
};

struct OwnersConfig {
  std::vector<std::string> keys = {"team", "owner", "app.kubernetes.io/part-of"};
  std::vector<OwnerSource> order = {OwnerSource::kLabels, OwnerSource::kNamespace, OwnerSource::kFile};
  std::vector<OwnerRule> rules;  // inline rules first, then the owners file's
  std::string file;              // the owners file (resolved against the config file's directory), "" = none
};

/**
 * Parses an owners file: a mapping with `rules:` (the same schema as `owners.rules` in the
 * config). Every problem goes to `errors` with the file and line. Implemented in config.cc.
 */
std::vector<OwnerRule> parseOwnersFile(std::string_view path, std::string_view text, std::vector<ConfigError>* errors);

class OwnerResolver {
 public:
  /** Builds the namespace table once (O(objects)); `objects` must outlive the resolver. */
  OwnerResolver(OwnersConfig config, const ObjectSet& objects, std::vector<checks::WorkloadKind> workload_kinds);

  /** The owning team, or "unowned". The view points into the input or the config. */
  std::string_view ownerView(const Object& object) const;
  std::string ownerOf(const Object& object) const { return std::string(ownerView(object)); }

  const OwnersConfig& config() const { return config_; }

 private:
  std::string_view fromKeys(const Node* labels, const Node* annotations) const;
  std::string_view fromLabels(const Object& object) const;
  std::string_view fromNamespace(const Object& object) const;
  std::string_view fromRules(const Object& object) const;

  OwnersConfig config_;
  const ObjectSet& objects_;
  std::vector<checks::WorkloadKind> workload_kinds_;
  std::unordered_map<std::string_view, std::string_view> namespace_owner_;  // Namespace name -> owner
};

}  // namespace kspm
