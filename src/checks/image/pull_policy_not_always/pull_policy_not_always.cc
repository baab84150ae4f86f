// image-pull-policy-not-always: an image referenced by a mutable tag (no digest) whose effective
// imagePullPolicy is IfNotPresent or Never. The API server defaults a missing policy to Always for
// "latest" (written, or no tag and no digest) and to IfNotPresent otherwise (core/v1
// SetDefaults_Container). With IfNotPresent a node reuses its cached copy: other pods on the node
// run a private image without presenting pull credentials (unless the cluster enables the
// AlwaysPullImages admission plugin), and a re-pushed tag is not picked up. Digest-pinned images are
// immutable and not reported.
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

class PullPolicyNotAlwaysCheck final : public PodSpecCheck {
 public:
  PullPolicyNotAlwaysCheck()
      : PodSpecCheck({
            .id = "image-pull-policy-not-always",
            .title = "Mutable image tag without imagePullPolicy Always",
            .severity = Severity::kLow,
            .description =
                "With IfNotPresent or Never, a node runs its cached copy of a tagged image: any pod on that "
                "node can then start a private image without presenting the pull secret (unless the "
                "AlwaysPullImages admission plugin is on), and a tag re-pushed after a fix is not picked up. "
                "A tag without imagePullPolicy defaults to IfNotPresent.",
            .remediation =
                "Pin the image by digest, or set imagePullPolicy: Always (and consider the AlwaysPullImages "
                "admission plugin for multi-tenant clusters).",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachParsedImage(pod, [&](const ContainerRef& c, const Node& image, const ImageRef& ref) {
      if (ref.hasDigest()) return;
      const Node* policy = field(c.node, "imagePullPolicy");
      if (policy != nullptr) {
        if (!policy->is("IfNotPresent") && !policy->is("Never")) return;
        sink.add(*policy,
                 containerLabel(c) + " uses imagePullPolicy " + std::string(policy->str()) + " with image " +
                     quoted(image.str()) + ", which is not pinned by digest",
                 c.path + ".imagePullPolicy", c.field + ".imagePullPolicy", std::string(c.name));
        return;
      }
      if (ref.impliesLatest()) return;  // defaults to Always
      sink.add(image,
               containerLabel(c) + " sets no imagePullPolicy, so the tagged image " + quoted(image.str()) +
                   " defaults to IfNotPresent",
               c.path + ".imagePullPolicy", c.field + ".imagePullPolicy", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makePullPolicyNotAlwaysCheck() { return std::make_unique<PullPolicyNotAlwaysCheck>(); }

}  // namespace kspm::checks::image
