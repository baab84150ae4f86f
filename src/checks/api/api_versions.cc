// The table of deprecated and removed API versions.
//
// Removal releases and replacements: Kubernetes "Deprecated API Migration Guide"
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/, sections v1.16, v1.22, v1.25,
// v1.26, v1.27, v1.29, v1.32; the guide lists no removal after v1.32). Deprecation releases: the
// prerelease-lifecycle-gen tags of each type (APILifecycleDeprecated in
// staging/src/k8s.io/api/<group>/<version>/zz_generated.prerelease-lifecycle.go, and
// kube-aggregator's apiregistration/v1beta1). v1 Endpoints: deprecated in 1.33 (KEP-4974, the
// "v1 Endpoints is deprecated in v1.33+" API warning), no removal planned. v1 ComponentStatus:
// deprecated in 1.19, still served. Alpha versions the guide does not list (rbac v1alpha1 and
// scheduling v1alpha1, no longer served from 1.23; node v1alpha1, from 1.24): the Kubernetes
// changelogs of those releases and the API server's storage registration (pkg/registry/<group>/rest).
//
// Not listed: beta APIs added after 1.24, which are off by default (ValidatingAdmissionPolicy
// v1beta1, LeaseCandidate v1beta1, ...): a cluster serves them only when an administrator enables
// them, so manifests using them are a cluster-specific choice rather than a portability problem.
#include "checks/api/api_versions.h"

#include <array>

namespace kspm::checks::api {
namespace {

constexpr std::string_view kPsaNote =
    "nothing replaces it: enforce Pod Security Standards with Pod Security Admission namespace labels "
    "(pod-security.kubernetes.io/enforce)";

// Kept sorted by removal release, then apiVersion, then kind.
constexpr std::array kTable = {
    // Removed in 1.16.
    ApiVersionEntry{"apps/v1beta1", "ControllerRevision", 8, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta1", "Deployment", 8, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta1", "ReplicaSet", 8, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta1", "StatefulSet", 8, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta2", "ControllerRevision", 9, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta2", "DaemonSet", 9, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta2", "Deployment", 9, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta2", "ReplicaSet", 9, 16, "apps/v1"},
    ApiVersionEntry{"apps/v1beta2", "StatefulSet", 9, 16, "apps/v1"},
    ApiVersionEntry{"extensions/v1beta1", "DaemonSet", 8, 16, "apps/v1"},
    ApiVersionEntry{"extensions/v1beta1", "Deployment", 8, 16, "apps/v1"},
    ApiVersionEntry{"extensions/v1beta1", "NetworkPolicy", 9, 16, "networking.k8s.io/v1"},
    ApiVersionEntry{"extensions/v1beta1", "PodSecurityPolicy", 11, 16, "policy/v1beta1"},
    ApiVersionEntry{"extensions/v1beta1", "ReplicaSet", 8, 16, "apps/v1"},
    // Removed in 1.22.
    ApiVersionEntry{"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", 16, 22,
                    "admissionregistration.k8s.io/v1"},
    ApiVersionEntry{"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", 16, 22,
                    "admissionregistration.k8s.io/v1"},
    ApiVersionEntry{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", 16, 22, "apiextensions.k8s.io/v1"},
    ApiVersionEntry{"apiregistration.k8s.io/v1beta1", "APIService", 19, 22, "apiregistration.k8s.io/v1"},
    ApiVersionEntry{"authentication.k8s.io/v1beta1", "TokenReview", 19, 22, "authentication.k8s.io/v1"},
    ApiVersionEntry{"authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", 19, 22, "authorization.k8s.io/v1"},
    ApiVersionEntry{"authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", 19, 22, "authorization.k8s.io/v1"},
    ApiVersionEntry{"authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", 19, 22, "authorization.k8s.io/v1"},
    ApiVersionEntry{"authorization.k8s.io/v1beta1", "SubjectAccessReview", 19, 22, "authorization.k8s.io/v1"},
    ApiVersionEntry{"certificates.k8s.io/v1beta1", "CertificateSigningRequest", 19, 22, "certificates.k8s.io/v1"},
    ApiVersionEntry{"coordination.k8s.io/v1beta1", "Lease", 19, 22, "coordination.k8s.io/v1"},
    ApiVersionEntry{"extensions/v1beta1", "Ingress", 14, 22, "networking.k8s.io/v1"},
    ApiVersionEntry{"networking.k8s.io/v1beta1", "Ingress", 19, 22, "networking.k8s.io/v1"},
    ApiVersionEntry{"networking.k8s.io/v1beta1", "IngressClass", 19, 22, "networking.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1beta1", "ClusterRole", 17, 22, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", 17, 22, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1beta1", "Role", 17, 22, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1beta1", "RoleBinding", 17, 22, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"scheduling.k8s.io/v1beta1", "PriorityClass", 14, 22, "scheduling.k8s.io/v1"},
    ApiVersionEntry{"storage.k8s.io/v1beta1", "CSIDriver", 19, 22, "storage.k8s.io/v1"},
    ApiVersionEntry{"storage.k8s.io/v1beta1", "CSINode", 17, 22, "storage.k8s.io/v1"},
    ApiVersionEntry{"storage.k8s.io/v1beta1", "StorageClass", 19, 22, "storage.k8s.io/v1"},
    ApiVersionEntry{"storage.k8s.io/v1beta1", "VolumeAttachment", 19, 22, "storage.k8s.io/v1"},
    // Removed in 1.23 (alpha versions: kube-apiserver stopped registering them; CHANGELOG-1.23, #104248).
    ApiVersionEntry{"rbac.authorization.k8s.io/v1alpha1", "ClusterRole", 17, 23, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding", 17, 23,
                    "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1alpha1", "Role", 17, 23, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"rbac.authorization.k8s.io/v1alpha1", "RoleBinding", 17, 23, "rbac.authorization.k8s.io/v1"},
    ApiVersionEntry{"scheduling.k8s.io/v1alpha1", "PriorityClass", 14, 23, "scheduling.k8s.io/v1"},
    // Removed in 1.24 (alpha, never tagged deprecated; CHANGELOG-1.24, #103061).
    ApiVersionEntry{"node.k8s.io/v1alpha1", "RuntimeClass", 0, 24, "node.k8s.io/v1"},
    // Removed in 1.25.
    ApiVersionEntry{"autoscaling/v2beta1", "HorizontalPodAutoscaler", 22, 25, "autoscaling/v2"},
    ApiVersionEntry{"batch/v1beta1", "CronJob", 21, 25, "batch/v1"},
    ApiVersionEntry{"discovery.k8s.io/v1beta1", "EndpointSlice", 21, 25, "discovery.k8s.io/v1"},
    ApiVersionEntry{"events.k8s.io/v1beta1", "Event", 22, 25, "events.k8s.io/v1"},
    ApiVersionEntry{"node.k8s.io/v1beta1", "RuntimeClass", 22, 25, "node.k8s.io/v1"},
    ApiVersionEntry{"policy/v1beta1", "PodDisruptionBudget", 22, 25, "policy/v1"},
    ApiVersionEntry{"policy/v1beta1", "PodSecurityPolicy", 21, 25, "", "", kPsaNote},
    // Removed in 1.26.
    ApiVersionEntry{"autoscaling/v2beta2", "HorizontalPodAutoscaler", 23, 26, "autoscaling/v2"},
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 23, 26, "flowcontrol.apiserver.k8s.io/v1beta3"},
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", 23, 26,
                    "flowcontrol.apiserver.k8s.io/v1beta3"},
    // Removed in 1.27.
    ApiVersionEntry{"storage.k8s.io/v1beta1", "CSIStorageCapacity", 24, 27, "storage.k8s.io/v1"},
    // Removed in 1.29.
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 26, 29, "flowcontrol.apiserver.k8s.io/v1beta3"},
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", 26, 29,
                    "flowcontrol.apiserver.k8s.io/v1beta3"},
    // Removed in 1.32.
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 29, 32, "flowcontrol.apiserver.k8s.io/v1"},
    ApiVersionEntry{"flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", 29, 32,
                    "flowcontrol.apiserver.k8s.io/v1"},
    // Deprecated, no removal planned.
    ApiVersionEntry{"v1", "ComponentStatus", 19, 0, "", "",
                    "read component health from the components' own /livez and /readyz endpoints"},
    ApiVersionEntry{"v1", "Endpoints", 33, 0, "discovery.k8s.io/v1", "EndpointSlice"},
};

std::string_view groupOf(std::string_view api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

}  // namespace

std::span<const ApiVersionEntry> apiVersionTable() { return kTable; }

const ApiVersionEntry* findApiVersion(std::string_view api_version, std::string_view kind) {
  for (const ApiVersionEntry& e : kTable) {
    if (e.api_version == api_version && e.kind == kind) return &e;
  }
  if (kind == "PodSecurityPolicy") {
    std::string_view group = groupOf(api_version);
    if (group == "policy" || group == "extensions") return findApiVersion("policy/v1beta1", kind);
  }
  return nullptr;
}

ApiStatus apiStatusAt(const ApiVersionEntry& entry, uint32_t minor) {
  if (entry.removed_in != 0 && minor >= entry.removed_in) return ApiStatus::kRemoved;
  if (entry.deprecated_in != 0 && minor >= entry.deprecated_in) return ApiStatus::kDeprecated;
  return ApiStatus::kServed;
}

std::string migrationAdvice(const ApiVersionEntry& entry, uint32_t minor) {
  const ApiVersionEntry* current = &entry;
  for (int hops = 0; hops < 8; ++hops) {
    if (current->replacement.empty()) break;
    std::string_view kind = current->replacement_kind.empty() ? current->kind : current->replacement_kind;
    const ApiVersionEntry* next = findApiVersion(current->replacement, kind);
    if (next == nullptr || apiStatusAt(*next, minor) == ApiStatus::kServed) {
      std::string advice = "migrate to " + std::string(current->replacement);
      if (!current->replacement_kind.empty()) advice += " " + std::string(current->replacement_kind);
      return advice;
    }
    current = next;
  }
  return current->note.empty() ? std::string("nothing replaces it") : std::string(current->note);
}

bool parseK8sVersion(std::string_view text, uint32_t* minor) {
  if (text.starts_with('v')) text.remove_prefix(1);
  if (!text.starts_with("1.")) return false;
  text.remove_prefix(2);
  size_t digits = 0;
  uint32_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    value = value * 10 + static_cast<uint32_t>(text[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits > 2) return false;
  text.remove_prefix(digits);
  if (!text.empty()) {
    if (text.front() != '.' || text.size() == 1) return false;
    for (char c : text.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  *minor = value;
  return true;
}

}  // namespace kspm::checks::api
