// image-registry-not-allowed: the image's registry host (after reference normalisation: no host
// means docker.io, index.docker.io is docker.io) is not one of the parameter allowed-registries.
// Hosts compare case-insensitively and exactly, port included: "registry.example.com" does not
// allow "registry.example.com:5000" or "eu.registry.example.com". Does nothing when the parameter
// is not set.
#include "checks/image/image_check.h"
#include "checks/image/image_checks.h"

namespace kspm::checks::image {
namespace {

class RegistryNotAllowedCheck final : public PodSpecCheck {
 public:
  RegistryNotAllowedCheck()
      : PodSpecCheck({
            .id = "image-registry-not-allowed",
            .title = "Image from a registry that is not allowed",
            .severity = Severity::kHigh,
            .description =
                "Images from registries outside the organisation's approved list bypass its scanning, "
                "signing and provenance controls; typosquatted or hijacked public images are a common "
                "supply-chain entry point.",
            .remediation =
                "Pull the image from an approved registry (mirror it there first) or add the registry to "
                "allowed-registries after review.",
            .controls = {{"nsa", "secure-images"}},
            .scope = Scope::kPodSpec,
            .parameters = {{"allowed-registries",
                            "Registry hosts images may come from, e.g. registry.example.com, ghcr.io, docker.io "
                            "(Docker Hub, also for images written without a registry). Exact host[:port] "
                            "match, case-insensitive. Nothing is checked when no registry is given."}},
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext& context, FindingSink& sink) const override {
    if (context.params == nullptr) return;
    const std::vector<std::string>& allowed = context.params->get("allowed-registries");
    if (allowed.empty()) return;
    forEachParsedImage(pod, [&](const ContainerRef& c, const Node& image, const ImageRef& ref) {
      const std::string registry = normalizeRegistry(ref.registry);
      for (const std::string& entry : allowed) {
        if (normalizeRegistry(entry) == registry) return;
      }
      sink.add(image,
               containerLabel(c) + " pulls image " + quoted(image.str()) + " from registry " + quoted(registry) +
                   ", which is not in allowed-registries",
               c.path + ".image", c.field + ".image", std::string(c.name));
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeRegistryNotAllowedCheck() { return std::make_unique<RegistryNotAllowedCheck>(); }

}  // namespace kspm::checks::image
