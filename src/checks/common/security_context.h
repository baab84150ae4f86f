// The security context that applies to one container: container fields override the pod's
// (PodSecurityContext holds runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile,
// appArmorProfile and windowsOptions; the rest is container-only). Also capability names as the
// container runtimes compare them. Values are read the way the Go API types decode them: null is
// unset, a value of the wrong type is never a match.
#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "kspm/node.h"

namespace kspm::checks {

/** spec.securityContext, or nullptr. */
inline const Node* podSecurityContextOf(const PodSpecRef& pod) { return field(pod.spec, "securityContext"); }
/** The container's securityContext, or nullptr. */
inline const Node* containerSecurityContextOf(const ContainerRef& c) { return field(c.node, "securityContext"); }

/** Where a security-context value that applies to a container is set. */
struct EffectiveValue {
  const Node* node = nullptr;  // the value; nullptr when neither the container nor the pod sets it
  bool from_pod = false;       // inherited from spec.securityContext
  std::string path;            // full path of the value (pod or container)
  std::string field;           // stable path: "securityContext.<key>" or "<container field>.securityContext.<key>"
};

/** The container's securityContext.<key> when set, else the pod's (for keys both levels have). */
inline EffectiveValue effectiveSecurityValue(const PodSpecRef& pod, const ContainerRef& c, std::string_view key) {
  EffectiveValue out;
  if (const Node* own = field(containerSecurityContextOf(c), key)) {
    out.node = own;
    out.path = c.path + ".securityContext." + std::string(key);
    out.field = c.field + ".securityContext." + std::string(key);
    return out;
  }
  if (const Node* inherited = field(podSecurityContextOf(pod), key)) {
    out.node = inherited;
    out.from_pod = true;
    out.path = pod.spec_path + ".securityContext." + std::string(key);
    out.field = "securityContext." + std::string(key);
  }
  return out;
}

/** An integer field value (runAsUser, fsGroup, ...); nullopt when unset or not an integer. */
inline std::optional<int64_t> integerValue(const Node* node) {
  if (node == nullptr || !node->isInt()) return std::nullopt;
  return node->integer();
}

/** spec.os.name == "windows": Linux-only fields (capabilities, runAsUser, ...) do not apply. */
inline bool isWindowsPodSpec(const PodSpecRef& pod) {
  const Node* name = field(pod.spec, {"os", "name"});
  return name != nullptr && name->is("windows");
}

/** spec.hostUsers == false: the pod runs in a user namespace, so its UID 0 is not the host's root. */
inline bool usesUserNamespace(const PodSpecRef& pod) { return isFalse(field(pod.spec, "hostUsers")); }

/** securityContext.privileged == true (all capabilities, whatever add/drop say). */
inline bool isPrivilegedContainer(const ContainerRef& c) {
  return isTrue(field(containerSecurityContextOf(c), "privileged"));
}

/**
 * A capability name as the runtimes compare it when adding: upper case, without "CAP_" (CRI-O strips
 * the prefix in any case; containerd upper-cases and prefixes "CAP_" itself). "ALL" stays "ALL";
 * "CAP_ALL" is no keyword for either runtime and stays as it is.
 */
inline std::string canonicalCapability(std::string_view name) {
  std::string out(name);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (out.starts_with("CAP_") && out.size() > 4 && out != "CAP_ALL") out.erase(0, 4);
  return out;
}

/** True when a drop entry `name` means every capability ("ALL" in any case; both runtimes agree). */
inline bool isAllCapabilities(std::string_view name) {
  if (name.size() != 3) return false;
  return std::toupper(static_cast<unsigned char>(name[0])) == 'A' &&
         std::toupper(static_cast<unsigned char>(name[1])) == 'L' &&
         std::toupper(static_cast<unsigned char>(name[2])) == 'L';
}

/**
 * True when the drop entry is written with a "CAP_" prefix: CRI-O drops the capability, containerd
 * prefixes again ("CAP_CAP_NET_RAW") and silently drops nothing.
 */
inline bool hasCapPrefix(std::string_view name) {
  return name.size() > 4 && std::toupper(static_cast<unsigned char>(name[0])) == 'C' &&
         std::toupper(static_cast<unsigned char>(name[1])) == 'A' &&
         std::toupper(static_cast<unsigned char>(name[2])) == 'P' && name[3] == '_';
}

}  // namespace kspm::checks
