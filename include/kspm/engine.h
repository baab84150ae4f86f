// The engine: runs the selected checks over an ObjectSet and hands back findings per object, in
// input order, evaluated on several threads.
//
// Selection: Framework::kAll runs every catalog check, with the Pod Security checks of the
// restricted level at the chosen version (overridden baseline checks replaced, as upstream);
// kPssBaseline / kPssRestricted run exactly that level's checks at that version and nothing else;
// kCis / kNsa run the checks mapped to that framework. Several frameworks run the union. Then the
// policy's enabled/disabled check lists apply. After evaluation: severity overrides, suppression
// annotations (ignore-check.kspm.dev/<id>) and policy exceptions mark findings suppressed; they are
// never dropped.
// Thread safety: an Engine is immutable after construction (but for counters of exception use);
// run() may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/catalog.h"
#include "kspm/check.h"
#include "kspm/coverage.h"
#include "kspm/finding.h"
#include "kspm/object.h"
#include "kspm/object_index.h"

namespace kspm::vulns {
class Database;
}

namespace kspm {

enum class Framework : uint8_t { kAll, kCis, kNsa, kPssBaseline, kPssRestricted };
/** "all", "cis", "nsa", "pss-baseline", "pss-restricted": also the ControlRef::framework names. */
std::string_view frameworkName(Framework framework);
/** Parses one framework name; false if unknown. */
bool parseFramework(std::string_view text, Framework* out);
/** Parses a comma-separated list ("cis,nsa"); false (and *bad = the unknown name) if any is unknown. */
bool parseFrameworkList(std::string_view text, std::vector<Framework>* out, std::string* bad);

/** Which objects an exception covers; every non-empty part must match. Patterns are globs. */
struct ObjectMatcher {
  std::string kind;        // "" = any kind
  std::string namespace_;  // "" = any namespace (a namespaced pattern never matches cluster-scoped objects)
  std::string name;        // "" = any name
  std::vector<std::pair<std::string, std::string>> match_labels;  // on the object's metadata.labels
  struct Expression {
    std::string key, op;  // op: In, NotIn, Exists, DoesNotExist
    std::vector<std::string> values;
  };
  std::vector<Expression> match_expressions;
};

/**
 * The label part of `matcher` (match_labels and match_expressions, metav1.LabelSelector semantics) against a
 * metadata.labels mapping. `labels` may be nullptr or a non-mapping: the object then has no labels. True when the
 * matcher has no label terms.
 */
bool labelsMatch(const ObjectMatcher& matcher, const Node* labels);

/**
 * An exception: findings of `checks` (IDs or globs) on `objects` are suppressed with `reason`,
 * until `expires` (YYYY-MM-DD, inclusive; "" = never). Expired exceptions no longer apply.
 */
struct PolicyException {
  std::vector<std::string> checks;
  std::vector<ObjectMatcher> objects;
  std::string reason;
  std::string expires;
  std::string source;  // "file:line" where it is written, for messages
};

/** What a scan runs and how. Built by the frontend from flags and the config file. */
struct ScanPolicy {
  /**
   * The frameworks whose checks run: kAll = every check (Pod Security at the restricted level).
   * kCis / kNsa: the checks mapped to that framework. kPss*: exactly that Pod Security level.
   */
  std::vector<Framework> frameworks = {Framework::kAll};
  uint32_t pss_minor = kPssLatestMinor;
  bool pss_latest = true;  // the version was given as "latest" (reported as such)
  uint32_t k8s_minor = kDefaultK8sMinor;  // target Kubernetes version for deprecated-API checks
  bool k8s_default = true;                 // k8s_minor was not given (reported as assumed)
  std::vector<std::string> enabled_checks;   // when not empty: only these check IDs may run
  std::vector<std::string> disabled_checks;  // check IDs never run
  std::unordered_map<std::string, Severity> severity_overrides;  // by check ID
  CheckParameters parameters;
  std::vector<std::string> namespace_include;  // globs; empty = all (cluster-scoped objects always scanned)
  std::vector<std::string> namespace_exclude;
  std::vector<PolicyException> exceptions;
  std::string today;  // YYYY-MM-DD, to decide which exceptions have expired ("" = none has)
  /** Workload custom resources (pod-spec paths per kind); defaultWorkloadKinds() plus config. */
  std::vector<checks::WorkloadKind> workload_kinds = checks::defaultWorkloadKinds();
  /** Vulnerability data for the security graph checks (--vulns, --kev, ...); nullptr: none. Not owned. */
  const vulns::Database* vulns = nullptr;
  /** Admin-equivalent cloud principals (--cloud-iam) for the security graph checks. */
  std::vector<std::string> cloud_admin_arns;
  /**
   * Give every finding a risk score (Finding::risk) from its severity and, through the security graph,
   * its object's internet exposure, exploitability and blast radius. Builds the graph: costs time.
   */
  bool risk_scores = false;
  /**
   * Resources the input could not show (a live cluster's forbidden or unlisted resources). Checks
   * that read one of these kinds (CheckInfo::reads) do not run; checks whose own kinds are among
   * them run on what was read; both are reported by Engine::coverage() as not assessable.
   */
  std::vector<UnreadableResource> unreadable;

  /** "all", or the frameworks joined by commas. */
  std::string frameworksName() const;
  bool has(Framework framework) const;
};

/** Pod Security labels of one Namespace object from the input. */
struct NamespacePss {
  const Object* object = nullptr;
  bool has_labels = false;
  // For each mode (enforce, warn, audit): level name as written ("" if absent), version as written.
  std::string_view level[3];
  std::string_view version[3];
  uint32_t line[3] = {0, 0, 0};
};

/** Cross-object facts computed once per scan, read by checks through EvalContext. */
struct ScanContext {
  const Catalog* catalog = nullptr;
  std::unordered_map<std::string_view, NamespacePss> namespaces;  // by namespace name
  ObjectIndex index;  // by kind, namespace, name and workload pod labels
  std::vector<checks::WorkloadKind> workload_kinds = checks::defaultWorkloadKinds();  // those the index was built with
  const vulns::Database* vulns = nullptr;       // ScanPolicy::vulns
  std::vector<std::string> cloud_admin_arns;    // ScanPolicy::cloud_admin_arns
  bool risk_scores = false;                     // ScanPolicy::risk_scores
  /** checks::pss::pssChecksFor(catalog, level, minor) for every level and version, computed once. */
  const std::vector<const Check*>& pssChecks(PssLevel level, uint32_t minor) const;
  std::vector<std::vector<const Check*>> pss_checks;  // [(level - 1) * (kPssLatestMinor + 1) + minor]

  /**
   * A fact about the whole input that a check derives once per scan instead of once per object
   * (e.g. which workloads some NetworkPolicy selects), computed by the first caller and shared.
   * `key` names the fact and is owned by one check family; `compute` must be a pure function of
   * this context, so the result does not depend on which thread computes it. Thread-safe.
   */
  template <typename T, typename Fn>
  const T& derived(std::string_view key, Fn&& compute) const {
    std::lock_guard lock(memo_->mutex);
    auto it = memo_->facts.find(key);
    if (it == memo_->facts.end()) {
      it = memo_->facts.emplace(std::string(key), std::make_shared<T>(compute())).first;
    }
    return *static_cast<const T*>(it->second.get());
  }

 private:
  struct Memo {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<void>, std::less<>> facts;
  };
  std::unique_ptr<Memo> memo_ = std::make_unique<Memo>();
};

/** Builds the ScanContext for an ObjectSet (workload_kinds: which custom resources carry pods). */
ScanContext buildScanContext(const Catalog& catalog, const ObjectSet& objects,
                             const std::vector<checks::WorkloadKind>& workload_kinds = checks::defaultWorkloadKinds());

struct ObjectFindings {
  const Object* object = nullptr;
  bool has_pod_spec = false;  // the object carries a pod spec (built-in kind or workload custom resource)
  bool excluded = false;      // its namespace is excluded by the policy: not evaluated
  std::vector<Finding> findings;
};

/** Totals for a scan. */
struct ScanSummary {
  uint64_t files = 0;
  uint64_t documents = 0;
  uint64_t objects = 0;
  uint64_t objects_with_pod_spec = 0;
  uint64_t objects_with_findings = 0;
  uint64_t findings = 0;
  uint64_t suppressed = 0;
  uint64_t by_severity[5] = {0, 0, 0, 0, 0};  // unsuppressed, indexed by Severity
  uint64_t errors = 0;
  uint64_t excluded = 0;  // objects in namespaces the policy excludes (not evaluated)
  std::unordered_map<std::string_view, uint64_t> unsuppressed_by_check;  // check ID -> findings
  std::unordered_map<std::string_view, uint64_t> objects_by_kind;        // evaluated objects
  void add(const ObjectFindings& result);
};

class Engine {
 public:
  Engine(const Catalog& catalog, ScanPolicy policy);

  const ScanPolicy& policy() const { return policy_; }
  /** The checks this engine runs, sorted by ID. */
  const std::vector<const Check*>& checks() const { return checks_; }

  /** Findings for one object, checks in ID order, suppressions applied; true if it has a pod spec. */
  bool evaluate(const Object& object, const ObjectSet& objects, const ScanContext& context,
                std::vector<Finding>* out) const;
  /** False when the policy's namespace include/exclude lists leave this object out. */
  bool inScope(const Object& object, const ObjectSet& objects) const;

  /** For each policy exception, in order: findings it suppressed (so far), and whether it has expired. */
  struct ExceptionUse {
    const PolicyException* exception;
    bool expired;
    uint64_t matched;  // findings suppressed, or for an expired one: findings it would have covered
  };
  std::vector<ExceptionUse> exceptionUse() const;

  /** A selected check the scan could not fully assess because of ScanPolicy::unreadable. */
  struct CheckCoverage {
    const Check* check;
    bool skipped;        // not run: it reads a kind that could not be read
    std::string reason;  // "clusterroles: forbidden; rolebindings: forbidden"
  };
  /** The impaired checks, in ID order; empty when everything could be read. */
  const std::vector<CheckCoverage>& coverage() const { return coverage_; }
  /** The coverage entry of a selected check, or nullptr when it was fully assessed. */
  const CheckCoverage* coverageOf(std::string_view check_id) const;

  /**
   * For a check with CheckInfo::applies_to: how many evaluated objects it applied to (so far);
   * 0 for checks this engine does not run. For other checks: 0 (compliance uses the scan's
   * kinds for those).
   */
  uint64_t appliedCount(const Check& check) const;

  /**
   * Evaluates every object on `threads` worker threads (0 = hardware concurrency) in batches.
   * `work` runs on a worker for each batch (it may format output; it must be thread-safe);
   * `deliver` runs on the calling thread with each batch's `work` result, strictly in input
   * order. Output is therefore identical whatever the thread count.
   */
  void run(const ObjectSet& objects, unsigned threads,
           const std::function<std::string(std::span<const ObjectFindings>)>& work,
           const std::function<void(std::span<const ObjectFindings>, std::string&&)>& deliver) const;

 private:
  void computeCoverage();  // fills coverage_ and drops skipped checks from checks_

  const Catalog& catalog_;
  ScanPolicy policy_;
  std::vector<const Check*> checks_;
  // The checks that apply to one object, in ID order, computed once in the constructor instead
  // of per object: [0] for kinds without a pod spec, [1] for pod-bearing; by_kind_ for the kinds
  // that some Scope::kKinds check names.
  std::vector<const Check*> applicable_default_[2];
  std::unordered_map<std::string_view, std::vector<const Check*>> applicable_by_kind_[2];
  std::vector<CheckCoverage> coverage_;
  std::vector<bool> exception_expired_;
  // Counters only: how often each exception matched. Updated concurrently by evaluate().
  std::unique_ptr<std::atomic<uint64_t>[]> exception_matches_;
  // Counters only: per check with applies_to (index into applied_counts_), the objects it applied to.
  std::unordered_map<const Check*, size_t> applied_index_;
  std::unique_ptr<std::atomic<uint64_t>[]> applied_counts_;
};

/** Annotation prefix that suppresses a check for one object: ignore-check.kspm.dev/<id>: <reason>. */
inline constexpr std::string_view kSuppressAnnotationPrefix = "ignore-check.kspm.dev/";

/**
 * Stable fingerprint (16 hex digits) of a finding on an object: a hash of the check ID, the cluster
 * (when not empty), the canonical API group (canonicalGroup), kind, namespace (none for
 * cluster-scoped kinds), name, container name and Finding::field. Not list indices, lines or versions.
 */
std::string fingerprint(const Finding& finding, const Object& object, std::string_view ns,
                        std::string_view cluster = {});
/** The same, written into `out` (16 digits and a NUL) without allocating. */
void fingerprintInto(const Finding& finding, const Object& object, std::string_view ns, char out[17],
                     std::string_view cluster = {});
/**
 * The group a kind lives in today: extensions/v1beta1 Deployments, DaemonSets and ReplicaSets are
 * apps, its Ingresses and NetworkPolicies networking.k8s.io, its PodSecurityPolicies policy; any
 * other group is returned as given. So a move from extensions/v1beta1 to apps/v1 keeps fingerprints.
 */
std::string_view canonicalGroup(std::string_view group, std::string_view kind);

/** True for kinds that are cluster-scoped in Kubernetes (Namespace, ClusterRole, ...). */
bool isClusterScopedKind(std::string_view kind);

}  // namespace kspm
