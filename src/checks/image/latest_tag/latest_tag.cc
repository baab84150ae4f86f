// image-latest-tag: the image runs whatever "latest" points to at pull time: written as ":latest",
// or with neither tag nor digest (the runtimes then pull "latest"). A digest pins the image whatever
// the tag says, so "app:latest@sha256:..." is not reported.
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

class LatestTagCheck final : public PodSpecCheck {
 public:
  LatestTagCheck()
      : PodSpecCheck({
            .id = "image-latest-tag",
            .title = "Image uses the latest tag",
            .severity = Severity::kMedium,
            .description =
                "An image tagged latest (or untagged, which means latest) changes whenever someone pushes: "
                "nodes run different code, rollbacks are impossible to reason about and a compromised "
                "registry account ships code straight into the cluster.",
            .remediation =
                "Reference a specific version tag, and preferably pin the digest (image: repo:1.2.3@sha256:...).",
            .controls = {{"nsa", "secure-images"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachParsedImage(pod, [&](const ContainerRef& c, const Node& image, const ImageRef& ref) {
      if (ref.hasDigest() || !ref.impliesLatest()) return;
      std::string message = containerLabel(c) + " uses image " + quoted(image.str());
      message += ref.tag.empty() ? " without a tag or digest, which pulls \"latest\"" : " with the mutable tag \"latest\"";
      sink.add(image, std::move(message), c.path + ".image", c.field + ".image", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeLatestTagCheck() { return std::make_unique<LatestTagCheck>(); }

}  // namespace kspm::checks::image
