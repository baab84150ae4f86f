// image-not-pinned-by-digest: the image reference has no @sha256:... digest, so what runs is whatever
// the tag points to when a node pulls it. Tags are mutable in most registries.
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

class NotPinnedByDigestCheck final : public PodSpecCheck {
 public:
  NotPinnedByDigestCheck()
      : PodSpecCheck({
            .id = "image-not-pinned-by-digest",
            .title = "Image is not pinned by digest",
            .severity = Severity::kLow,
            .description =
                "Without a digest the image is resolved from its tag at pull time. Whoever can push to the "
                "repository (or compromise it) can change what the cluster runs without touching the "
                "manifest, and nodes that pull at different times may run different images.",
            .remediation = "Pin the image by digest: image: registry/repo:tag@sha256:<digest>.",
            .controls = {{"nsa", "secure-images"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachParsedImage(pod, [&](const ContainerRef& c, const Node& image, const ImageRef& ref) {
      if (ref.hasDigest()) return;
      sink.add(image, containerLabel(c) + " image " + quoted(image.str()) + " is not pinned by digest",
               c.path + ".image", c.field + ".image", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeNotPinnedByDigestCheck() { return std::make_unique<NotPinnedByDigestCheck>(); }

}  // namespace kspm::checks::image
