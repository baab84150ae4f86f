// The deprecated and removed Kubernetes API versions, by apiVersion and kind, and the target
// Kubernetes version they are judged against (--k8s-version, EvalContext::k8s_minor).
//
// Sources (see the table in api_versions.cc and docs/secrets-and-api-versions.md): the official
// Deprecated API Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide/) for
// the removal releases and replacements, and the prerelease-lifecycle-gen tags of the API types
// (staging/src/k8s.io/api/<group>/<version>/zz_generated.prerelease-lifecycle.go) for the release
// each version was deprecated in. Thread safety: immutable data and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kspm::checks::api {

struct ApiVersionEntry {
  std::string_view api_version;       // as written in manifests: "extensions/v1beta1", "v1"
  std::string_view kind;              // "Ingress"
  uint32_t deprecated_in = 0;         // first 1.<minor> that deprecates it; 0 = not deprecated
  uint32_t removed_in = 0;            // first 1.<minor> that no longer serves it; 0 = no removal planned
  std::string_view replacement;       // apiVersion to migrate to; "" = none
  std::string_view replacement_kind;  // kind to migrate to when it differs ("" = same kind)
  std::string_view note;              // what to do when there is no replacement, or ""
};

enum class ApiStatus : uint8_t { kServed, kDeprecated, kRemoved };

/** Every entry, ordered by removal release then apiVersion and kind. */
std::span<const ApiVersionEntry> apiVersionTable();

/**
 * The entry for an apiVersion/kind pair, or nullptr. PodSecurityPolicy of the policy or extensions
 * group is found whatever its version (the kind itself was removed in 1.25).
 */
const ApiVersionEntry* findApiVersion(std::string_view api_version, std::string_view kind);

/** Status of an entry on Kubernetes 1.<minor>. */
ApiStatus apiStatusAt(const ApiVersionEntry& entry, uint32_t minor);

/**
 * What to do on 1.<minor>, as a clause for a message: follows replacements that are themselves
 * deprecated or removed at that version (policy/v1beta1 PodSecurityPolicy -> nothing; flowcontrol
 * v1beta1 -> v1beta3 -> v1). Returns e.g. "migrate to networking.k8s.io/v1", "migrate to
 * discovery.k8s.io/v1 EndpointSlice", or the note of the last entry when nothing replaces it.
 */
std::string migrationAdvice(const ApiVersionEntry& entry, uint32_t minor);

/**
 * Parses a Kubernetes version: "1.32", "v1.32", "1.32.4" (also "v1.32.4"). Only major 1; minor
 * 0..99. Sets *minor and returns true, or returns false and leaves *minor unchanged.
 */
bool parseK8sVersion(std::string_view text, uint32_t* minor);

}  // namespace kspm::checks::api
