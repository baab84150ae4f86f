// References from a pod spec to ConfigMaps or Secrets: env[].valueFrom.{configMapKeyRef,
// secretKeyRef}, envFrom[].{configMapRef,secretRef} (every container list), and volumes
// (configMap.name / secret.secretName, projected.sources[].configMap|secret.name). A reference with
// optional: true is skipped: the kubelet starts the pod without it. imagePullSecrets are not
// references here: the kubelet pulls anonymously when one is missing.
#pragma once

#include <string>
#include <string_view>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"

namespace kspm::checks::workload {

enum class ConfigKind { kConfigMap, kSecret };

struct ConfigRef {
  const Node* name = nullptr;  // the referenced object's name (a non-empty string node)
  const Node* key = nullptr;   // a key the reference needs in data, or nullptr
  bool key_only = false;       // repeats a volume's name for one of its items[].key
  std::string path;            // full path of `name` (or of `key` when key_only)
  std::string field;           // stable path
  std::string container;       // the container, for env references
  std::string what;            // "env LOG_LEVEL of container \"web\"", "volume \"config\"", ...
};

/**
 * Reports that `ref` needs key `ref.key` (not null), which the `kind` object (ConfigMap, Secret)
 * called `name` does not define.
 */
inline void reportMissingKey(const ConfigRef& ref, std::string_view kind, std::string_view name, FindingSink& sink) {
  // A key-only reference points at the key itself; otherwise `path` ends in "name": swap it for "key".
  sink.add(*ref.key,
           ref.what + " needs key " + quoted(ref.key->str()) + ", which " + std::string(kind) + " " + quoted(name) +
               " does not define",
           ref.key_only ? ref.path : ref.path.substr(0, ref.path.size() - 4) + "key",
           ref.key_only ? ref.field : ref.field.substr(0, ref.field.size() - 4) + "key", ref.container);
}

namespace detail {

inline bool usableName(const Node* name) {
  return name != nullptr && name->isString() && !name->str().empty();
}

template <typename Fn>
void volumeSourceRefs(const Node* source, std::string_view name_key, const std::string& path,
                      const std::string& stable, const std::string& what, Fn& fn) {
  const Node* name = field(source, name_key);
  if (!usableName(name) || isTrue(field(source, "optional"))) return;
  ConfigRef ref;
  ref.name = name;
  ref.path = path + "." + std::string(name_key);
  ref.field = stable + "." + std::string(name_key);
  ref.what = what;
  fn(static_cast<const ConfigRef&>(ref));
  const Node* items = field(source, "items");
  if (items == nullptr || !items->isArray()) return;
  uint32_t i = 0;
  for (const Node& item : items->items()) {
    const Node* key = field(&item, "key");
    if (key != nullptr && key->isString()) {
      ConfigRef key_ref = ref;
      key_ref.key = key;
      key_ref.key_only = true;
      key_ref.path = path + ".items[" + std::to_string(i) + "].key";
      key_ref.field = stable + ".items[" + std::string(key->str()) + "].key";
      fn(static_cast<const ConfigRef&>(key_ref));
    }
    ++i;
  }
}

}  // namespace detail

/** Calls fn(const ConfigRef&) for every non-optional reference of `kind` in the pod spec. */
template <typename Fn>
void forEachConfigRef(const PodSpecRef& pod, ConfigKind kind, Fn&& fn) {
  bool secret = kind == ConfigKind::kSecret;
  std::string_view key_ref = secret ? "secretKeyRef" : "configMapKeyRef";
  std::string_view from_ref = secret ? "secretRef" : "configMapRef";
  forEachContainer(pod, [&](const ContainerRef& c) {
    std::string label = "container " + quoted(c.name);
    if (const Node* env = field(c.node, "env"); env != nullptr && env->isArray()) {
      uint32_t i = 0;
      for (const Node& var : env->items()) {
        uint32_t index = i++;
        const Node* ref = field(&var, {"valueFrom", key_ref});
        const Node* name = field(ref, "name");
        if (!detail::usableName(name) || isTrue(field(ref, "optional"))) continue;
        std::string at = ".env[" + std::to_string(index) + "].valueFrom." + std::string(key_ref);
        ConfigRef out;
        out.name = name;
        const Node* key = field(ref, "key");
        out.key = key != nullptr && key->isString() ? key : nullptr;
        out.path = c.path + at + ".name";
        out.field = c.field + ".env[" + itemKey(var, index) + "].valueFrom." + std::string(key_ref) + ".name";
        out.container = std::string(c.name);
        out.what = "env " + text(field(&var, "name")) + " of " + label;
        fn(static_cast<const ConfigRef&>(out));
      }
    }
    if (const Node* env_from = field(c.node, "envFrom"); env_from != nullptr && env_from->isArray()) {
      uint32_t i = 0;
      for (const Node& source : env_from->items()) {
        uint32_t index = i++;
        const Node* ref = field(&source, from_ref);
        const Node* name = field(ref, "name");
        if (!detail::usableName(name) || isTrue(field(ref, "optional"))) continue;
        ConfigRef out;
        out.name = name;
        out.path = c.path + ".envFrom[" + std::to_string(index) + "]." + std::string(from_ref) + ".name";
        out.field = c.field + ".envFrom[" + std::string(name->str()) + "]." + std::string(from_ref) + ".name";
        out.container = std::string(c.name);
        out.what = "envFrom of " + label;
        fn(static_cast<const ConfigRef&>(out));
      }
    }
  });
  std::string_view volume_key = secret ? "secret" : "configMap";
  std::string_view volume_name_key = secret ? "secretName" : "name";
  forEachVolume(pod, [&](const Node& volume, uint32_t index) {
    std::string key = itemKey(volume, index);
    std::string path = pod.spec_path + ".volumes[" + std::to_string(index) + "]";
    std::string stable = "volumes[" + key + "]";
    std::string what = "volume " + quoted(key);
    detail::volumeSourceRefs(field(&volume, volume_key), volume_name_key,
                             path + "." + std::string(volume_key), stable + "." + std::string(volume_key),
                             what, fn);
    const Node* sources = field(&volume, {"projected", "sources"});
    if (sources == nullptr || !sources->isArray()) return;
    uint32_t s = 0;
    for (const Node& source : sources->items()) {
      std::string at = ".projected.sources[" + std::to_string(s++) + "]." + std::string(volume_key);
      detail::volumeSourceRefs(field(&source, volume_key), "name", path + at, stable + at, what, fn);
    }
  });
}

}  // namespace kspm::checks::workload
