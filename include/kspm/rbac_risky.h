// Risky RBAC permissions and one-step escalation chains, computed on a built rbac::Model.
//
// The catalogue (riskCatalogue) is the consolidated list of ../shared/reference/anchors-graph.md 2.7:
// each entry is one or more requests; an entry is held by a subject when the Model's whoCan() allows any of
// its requests (or, for an `all_of` entry, every one of them, each granted to the same bound subject).
// Every entry is answered with indexed whoCan() queries, never by scanning every binding.
//
// A grant on a cluster-scoped resource (nodes, CSRs, signers, webhook configurations, CRDs, persistent
// volumes, storage classes, impersonated users/groups/uids) counts only cluster-wide: through a RoleBinding
// the API server never asks for it.
//
// Escalation chains (one step): a subject that can bind roles and create bindings, or escalate and update
// roles, reaches any role (bind or escalate alone open no chain); create pods in a
// namespace reaches the service accounts of that namespace; read secrets there reaches the service accounts
// whose kubernetes.io/service-account-token secrets are in the input; create serviceaccounts/token reaches
// the service accounts it may request tokens for; impersonate reaches the impersonated users, groups
// (system:masters) or service accounts. Each chain names the most privileged subject it reaches (the one
// holding the most severe, then the most, catalogue entries through its own bindings); a chain whose target
// holds no entry the subject lacks is left out, and a subject with cluster-wide `*` on `*` has none.
//
// Limits: only what the input shows (no bootstrap roles, no authenticator groups); an all_of entry needs
// every part granted to the same bound subject (a user holding one part through a group and the other
// directly is not combined).
//
// Thread safety: pure function of an immutable Model; the report points into the Model and the ObjectSet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kspm/finding.h"
#include "kspm/object.h"
#include "kspm/rbac.h"

namespace kspm::rbac {

struct RiskEntry {
  std::string_view id;      // "pods-exec"
  std::string_view title;   // "create pods/exec"
  std::string_view attack;  // what it gives an attacker, one sentence
  Severity severity = Severity::kHigh;
  std::vector<Request> requests;
  bool all_of = false;       // every request is needed (else any one)
  uint32_t below_minor = 0;  // only for Kubernetes 1.<minor> < below_minor (0: every version)
};

/** The catalogue, in report order. */
const std::vector<RiskEntry>& riskCatalogue();

/** One grant of a catalogue entry: the entry, which of its requests, and the evidence. */
struct RiskGrant {
  const RiskEntry* entry = nullptr;
  uint32_t request = 0;  // index in entry->requests
  Access access;         // never a system:masters access
  /**
   * On the first grant of an entry to a subject: further accesses to the same entry not listed (one per
   * request, binding and rule). At most 4 distinct (binding, rule) grants are listed per subject and entry.
   */
  uint32_t more = 0;
};

/** A one-step escalation: what the subject can become. */
struct Chain {
  std::string_view kind;   // "bind-escalate", "create-pods", "read-secrets", "token-request", "impersonate"
  const RiskGrant* via = nullptr;  // the grant that opens the chain
  Subject target;                  // the most privileged subject reached (Group system:masters for "any role")
  Severity severity = Severity::kInfo;        // most severe catalogue entry the target holds
  std::vector<std::string_view> target_risks;  // ids of the target's catalogue entries
  std::string text;  // "can create pods in ns shop -> runs as ServiceAccount shop/deployer which holds ..."
};

enum class SubjectKind : uint8_t { kOrdinary, kBroad, kSystem };

struct RiskySubject {
  Subject subject;
  SubjectKind cls = SubjectKind::kOrdinary;
  Severity max_severity = Severity::kInfo;
  std::vector<RiskGrant> grants;  // catalogue order, then whoCan order
  std::vector<Chain> chains;      // kinds in the order above; at most one per (kind, scope)
};

struct RiskyOptions {
  uint32_t k8s_minor = 37;  // target Kubernetes 1.<minor>
};

struct RiskyReport {
  /** Subjects holding at least one entry: most severe first, then by label. Includes system subjects. */
  std::vector<RiskySubject> subjects;
};

/** Runs the catalogue on `model` (built from `objects`) and computes the chains. */
RiskyReport analyzeRisky(const Model& model, const ObjectSet& objects, const RiskyOptions& options);

/** "create pods/exec", "get secrets", "update configmaps (kube-system/aws-auth)": a request as text. */
std::string requestText(const Request& request);

}  // namespace kspm::rbac
