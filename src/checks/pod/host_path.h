// hostPath volumes for pod-sensitive-host-path and pod-container-runtime-socket: lexical path
// normalisation and which containers mount a volume.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/container/pod_spec_check.h"

namespace kspm::checks::pod {

/**
 * `path` cleaned lexically like Go's path.Clean: repeated and trailing slashes removed, "." dropped,
 * ".." resolved (never above "/"). A relative path stays relative.
 */
inline std::string cleanPath(std::string_view path) {
  const bool absolute = path.starts_with('/');
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out.append(parts[i]);
  }
  return out.empty() ? "." : out;
}

/** True when `path` is `dir` or below it (both clean and absolute). */
inline bool isUnder(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.starts_with('/');
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

/** The last component of a path. */
inline std::string_view baseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/**
 * The container runtime socket a cleaned hostPath exposes, or "": `clean` itself when it is a file
 * named like a runtime socket, else the default socket location it is (or contains). /var/run is
 * read as /run (a symlink on current distributions); "/var" is not an ancestor of /var/run/...,
 * because that symlink resolves inside the container.
 */
inline std::string exposedRuntimeSocket(const std::string& clean) {
  // containerd first: the most common runtime, named for directories that hold several.
  static constexpr std::string_view kSockets[] = {
      "/run/containerd/containerd.sock", "/run/crio/crio.sock",     "/run/docker.sock",
      "/run/cri-dockerd.sock",           "/run/podman/podman.sock", "/run/k3s/containerd/containerd.sock",
      "/run/dockershim.sock",
  };
  static constexpr std::string_view kSocketNames[] = {
      "docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock", "dockershim.sock",
  };
  std::string path = clean;
  if (isUnder(path, "/var/run")) path = "/run" + path.substr(8);
  for (std::string_view name : kSocketNames) {
    if (baseName(path) == name) return clean;
  }
  for (std::string_view socket : kSockets) {
    if (isUnder(socket, path)) return std::string(socket);
  }
  return {};
}

/** One container's volumeMount of a volume. */
struct VolumeUse {
  std::string_view container;
  bool read_only = false;
};

/** Every volumeMount of the volume `name`, in container order (init and ephemeral included). */
inline std::vector<VolumeUse> mountsOf(const PodSpecRef& pod, std::string_view name) {
  std::vector<VolumeUse> uses;
  forEachContainer(pod, [&](const ContainerRef& c) {
    const Node* mounts = field(c.node, "volumeMounts");
    if (mounts == nullptr || !mounts->isArray()) return;
    for (const Node& mount : mounts->items()) {
      const Node* volume = field(&mount, "name");
      if (volume != nullptr && volume->is(name)) uses.push_back({c.name, isTrue(field(&mount, "readOnly"))});
    }
  });
  return uses;
}

/** Calls fn(const Node& volume, uint32_t index, std::string_view name, const Node& path) per hostPath volume. */
template <typename Fn>
void forEachHostPathVolume(const PodSpecRef& pod, Fn&& fn) {
  forEachVolume(pod, [&](const Node& volume, uint32_t index) {
    const Node* path = field(&volume, {"hostPath", "path"});
    if (path == nullptr || !path->isString()) return;
    const Node* name = field(&volume, "name");
    fn(volume, index, name != nullptr ? name->str() : std::string_view(), *path);
  });
}

}  // namespace kspm::checks::pod
