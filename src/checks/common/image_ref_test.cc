#include "checks/common/image_ref.h"

#include <string>

#include <gtest/gtest.h>

namespace kspm::checks {
namespace {

const std::string kHex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

ImageRef parseOk(std::string_view text) {
  ParsedImage parsed = parseImageRef(text);
  EXPECT_EQ(parsed.status, ImageRefStatus::kOk) << text << ": " << parsed.reason;
  return parsed.ref;
}

TEST(ImageRefTest, FamiliarNamesAreDockerHubLibraryImages) {
  ImageRef ref = parseOk("nginx");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.path, "library/nginx");
  EXPECT_EQ(ref.tag, "");
  EXPECT_EQ(ref.digest, "");
  EXPECT_TRUE(ref.impliesLatest());
  EXPECT_EQ(ref.normalized(), "docker.io/library/nginx");

  ref = parseOk("nginx:1.25");
  EXPECT_EQ(ref.path, "library/nginx");
  EXPECT_EQ(ref.tag, "1.25");
  EXPECT_FALSE(ref.impliesLatest());
  EXPECT_EQ(ref.normalized(), "docker.io/library/nginx:1.25");

  ref = parseOk("bitnami/redis:7.2");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.path, "bitnami/redis");
}

TEST(ImageRefTest, ExplicitDockerHubAndTheLegacyIndexNormalise) {
  EXPECT_EQ(parseOk("docker.io/library/nginx").normalized(), "docker.io/library/nginx");
  EXPECT_EQ(parseOk("docker.io/nginx").normalized(), "docker.io/library/nginx");
  EXPECT_EQ(parseOk("index.docker.io/nginx:1").normalized(), "docker.io/library/nginx:1");
  EXPECT_EQ(parseOk("index.docker.io/grafana/grafana").registry, "docker.io");
}

TEST(ImageRefTest, RegistryIsTheFirstComponentOnlyWithDotColonOrLocalhost) {
  ImageRef ref = parseOk("localhost:5000/a/b:tag");
  EXPECT_EQ(ref.registry, "localhost:5000");
  EXPECT_EQ(ref.path, "a/b");
  EXPECT_EQ(ref.tag, "tag");

  ref = parseOk("localhost/a");
  EXPECT_EQ(ref.registry, "localhost");
  EXPECT_EQ(ref.path, "a");

  ref = parseOk("registry:5000/x");  // a port, not a tag
  EXPECT_EQ(ref.registry, "registry:5000");
  EXPECT_EQ(ref.path, "x");
  EXPECT_EQ(ref.tag, "");

  ref = parseOk("quay.io/prometheus/node-exporter:v1.8.2");
  EXPECT_EQ(ref.registry, "quay.io");
  EXPECT_EQ(ref.path, "prometheus/node-exporter");
  EXPECT_EQ(ref.tag, "v1.8.2");

  ref = parseOk("registry/x");  // no dot, colon or localhost: a Docker Hub namespace
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.path, "registry/x");

  ref = parseOk("Registry/x");  // upper case cannot be a namespace, so it is a host
  EXPECT_EQ(ref.registry, "Registry");
  EXPECT_EQ(ref.path, "x");

  ref = parseOk("[::1]:5000/img");
  EXPECT_EQ(ref.registry, "[::1]:5000");
  ref = parseOk("10.0.0.1:5000/team/app:1.0");
  EXPECT_EQ(ref.registry, "10.0.0.1:5000");
  EXPECT_EQ(ref.path, "team/app");
}

TEST(ImageRefTest, Digests) {
  ImageRef ref = parseOk("x@sha256:" + kHex64);
  EXPECT_EQ(ref.path, "library/x");
  EXPECT_EQ(ref.tag, "");
  EXPECT_EQ(ref.digest, "sha256:" + kHex64);
  EXPECT_TRUE(ref.hasDigest());
  EXPECT_FALSE(ref.impliesLatest());

  ref = parseOk("x:tag@sha256:" + kHex64);
  EXPECT_EQ(ref.tag, "tag");
  EXPECT_TRUE(ref.hasDigest());
  EXPECT_EQ(ref.normalized(), "docker.io/library/x:tag@sha256:" + kHex64);

  ref = parseOk("x:latest@sha256:" + kHex64);
  EXPECT_TRUE(ref.impliesLatest());

  ref = parseOk("ghcr.io/org/app@sha512:" + kHex64 + kHex64);
  EXPECT_EQ(ref.registry, "ghcr.io");
}

TEST(ImageRefTest, InvalidReferences) {
  EXPECT_EQ(parseImageRef("Nginx").status, ImageRefStatus::kInvalid);          // upper-case repository
  EXPECT_EQ(parseImageRef("quay.io/Org/app").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("nginx:").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("nginx:-1").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("nginx:" + std::string(129, 'a')).status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("x@sha256:abc").status, ImageRefStatus::kInvalid);   // too short
  EXPECT_EQ(parseImageRef("x@md5:" + kHex64).status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("x@sha256:" + std::string(64, 'A')).status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef(kHex64).status, ImageRefStatus::kInvalid);           // an image ID
  EXPECT_EQ(parseImageRef(" nginx").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("a//b").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("a/b/").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("my_reg.io/x").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("reg.io:port/x").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("a__b___c").status, ImageRefStatus::kInvalid);
  EXPECT_EQ(parseImageRef("a__b").status, ImageRefStatus::kOk);
  EXPECT_EQ(parseImageRef("a---b.c_d").status, ImageRefStatus::kOk);
  EXPECT_FALSE(parseImageRef("Nginx").reason.empty());
}

TEST(ImageRefTest, NotAssessable) {
  EXPECT_EQ(parseImageRef("").status, ImageRefStatus::kEmpty);
  EXPECT_EQ(parseImageRef("  ").status, ImageRefStatus::kEmpty);
  EXPECT_EQ(parseImageRef("${REGISTRY}/app:1").status, ImageRefStatus::kTemplated);
  EXPECT_EQ(parseImageRef("{{ .Values.image }}").status, ImageRefStatus::kTemplated);
  EXPECT_EQ(parseImageField(nullptr).status, ImageRefStatus::kMissing);
}

TEST(ImageRefTest, NormalizeRegistry) {
  EXPECT_EQ(normalizeRegistry("index.docker.io"), "docker.io");
  EXPECT_EQ(normalizeRegistry("GHCR.io/"), "ghcr.io");
  EXPECT_EQ(normalizeRegistry("localhost:5000"), "localhost:5000");
}

}  // namespace
}  // namespace kspm::checks
