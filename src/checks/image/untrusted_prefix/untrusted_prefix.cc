// image-untrusted-prefix: the image starts with none of the parameter trusted-image-prefixes. Each
// prefix is compared with the image as written and with its normalised reference
// (docker.io/library/nginx:1.27 for nginx:1.27), so "docker.io/library/" trusts "nginx" too; a
// prefix written with index.docker.io/ is read as docker.io/. Comparison is a plain string prefix:
// end a prefix with "/" to trust one namespace only ("ghcr.io/acme" also matches
// "ghcr.io/acme-evil/x"). Does nothing when the parameter is not set.
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

std::string normalizePrefix(const std::string& prefix) {
  constexpr std::string_view kLegacy = "index.docker.io/";
  if (prefix.starts_with(kLegacy)) return "docker.io/" + prefix.substr(kLegacy.size());
  return prefix;
}

class UntrustedPrefixCheck final : public PodSpecCheck {
 public:
  UntrustedPrefixCheck()
      : PodSpecCheck({
            .id = "image-untrusted-prefix",
            .title = "Image outside the trusted image prefixes",
            .severity = Severity::kHigh,
            .description =
                "Only images under the organisation's trusted repositories (e.g. ghcr.io/acme/) have gone "
                "through its build, scanning and signing pipeline; anything else is third-party code that "
                "nobody vetted for this cluster.",
            .remediation =
                "Use an image from a trusted repository (rebuild or mirror it there), or extend "
                "trusted-image-prefixes after review.",
            .controls = {{"nsa", "secure-images"}},
            .scope = Scope::kPodSpec,
            .parameters = {{"trusted-image-prefixes",
                            "Image reference prefixes to trust, e.g. ghcr.io/acme/ or registry.example.com/; "
                            "matched against the image as written and its normalised form "
                            "(docker.io/library/nginx for nginx). End a prefix with / to trust one namespace "
                            "only. Nothing is checked when no prefix is given."}},
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext& context, FindingSink& sink) const override {
    if (context.params == nullptr) return;
    const std::vector<std::string>& prefixes = context.params->get("trusted-image-prefixes");
    if (prefixes.empty()) return;
    forEachParsedImage(pod, [&](const ContainerRef& c, const Node& image, const ImageRef& ref) {
      const std::string normalized = ref.normalized();
      for (const std::string& prefix : prefixes) {
        if (prefix.empty()) continue;
        if (image.str().starts_with(prefix) || normalized.starts_with(normalizePrefix(prefix))) return;
      }
      std::string shown = quoted(image.str());
      if (normalized != image.str()) shown += " (" + normalized + ")";
      sink.add(image, containerLabel(c) + " image " + shown + " matches none of trusted-image-prefixes",
               c.path + ".image", c.field + ".image", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeUntrustedPrefixCheck() { return std::make_unique<UntrustedPrefixCheck>(); }

}  // namespace kspm::checks::image
