// image-not-assessable: a container image kspm cannot judge: missing, not a string, empty, left
// with template syntax (${...}, {{ }}) by an unrendered chart or overlay, or not a valid reference
// (upper case in the repository, a bad tag or digest, ...). The other image checks skip such images
// instead of guessing, so this check reports each one once, as info. An invalid reference also
// fails to pull (InvalidImageName).
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

class NotAssessableCheck final : public PodSpecCheck {
 public:
  NotAssessableCheck()
      : PodSpecCheck({
            .id = "image-not-assessable",
            .title = "Container image cannot be assessed",
            .severity = Severity::kInfo,
            .description =
                "The image is missing, not a string, empty, an unrendered template or not a valid image "
                "reference, so the registry, tag and digest checks cannot judge it. Scan rendered manifests "
                "(helm template, kustomize build) to cover it.",
            .remediation =
                "Scan the rendered manifests, or write a valid image reference such as "
                "registry.example.com/team/app:1.2.3@sha256:<digest>.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachImage(pod, [&](const ContainerRef& c, const Node* image, const ParsedImage& parsed) {
      if (parsed.status == ImageRefStatus::kOk) return;
      sink.add(image != nullptr ? *image : *c.node,
               containerLabel(c) + " " + describeUnassessableImage(parsed, image) + ", so its image is not assessed",
               c.path + ".image", c.field + ".image", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeNotAssessableCheck() { return std::make_unique<NotAssessableCheck>(); }

}  // namespace kspm::checks::image
