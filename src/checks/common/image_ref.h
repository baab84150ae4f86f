// Container image references, parsed the way the kubelet and the container runtimes do it:
// github.com/distribution/reference ParseNormalizedNamed (the Docker "familiar name" rules).
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain "/"] path          domain := host [":" port]
//
// The first "/"-separated component is the registry only if it contains "." or ":", is
// "localhost", or has upper-case letters; otherwise the registry is Docker Hub ("docker.io") and a
// one-component path gets the "library/" prefix. "index.docker.io" is normalised to "docker.io".
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "kspm/node.h"

namespace kspm::checks {

/** The Docker Hub registry as references name it after normalisation. */
inline constexpr std::string_view kDockerHubRegistry = "docker.io";

struct ImageRef {
  std::string registry;  // host[:port] as written, "docker.io" for Docker Hub (also "index.docker.io")
  std::string path;      // repository path: "library/nginx" for "nginx"
  std::string tag;       // "" when no tag is written
  std::string digest;    // "sha256:<hex>", "" when no digest is written

  bool hasDigest() const { return !digest.empty(); }
  /** registry/path. */
  std::string name() const { return registry + "/" + path; }
  /** The normalised full reference: registry/path[:tag][@digest] (no implicit tag is added). */
  std::string normalized() const;
  /**
   * True when the kubelet treats the reference as the "latest" tag: written as `:latest`, or with
   * neither tag nor digest (k8s.io/kubernetes pkg/util/parsers.ParseImageName).
   */
  bool impliesLatest() const { return tag == "latest" || (tag.empty() && digest.empty()); }
};

enum class ImageRefStatus {
  kOk,
  kMissing,    // no `image` field (or null)
  kNotString,  // a number, list or mapping
  kEmpty,      // "" or only white space
  kTemplated,  // contains ${...} or {{ }} left by a template renderer
  kInvalid,    // does not match the reference grammar
};

struct ParsedImage {
  ImageRefStatus status = ImageRefStatus::kMissing;
  ImageRef ref;        // set when status == kOk
  std::string reason;  // for kInvalid: why, e.g. "repository name must be lowercase"
};

/** Parses a reference string (see the file comment). */
ParsedImage parseImageRef(std::string_view text);

/** Parses a container's `image` field node (may be null). */
ParsedImage parseImageField(const Node* image);

/** True when `text` holds template syntax a renderer would have replaced: "${", "{{" or "}}". */
bool isTemplatedImage(std::string_view text);

/**
 * A registry host as allow-lists compare it: lower case (host names are case-insensitive), without
 * a trailing "/", and "index.docker.io" as "docker.io".
 */
std::string normalizeRegistry(std::string_view registry);

/** What a not-assessable image is, for messages: "has no image", "has a templated image \"...\"". */
std::string describeUnassessableImage(const ParsedImage& parsed, const Node* image);

}  // namespace kspm::checks
