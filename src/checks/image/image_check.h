// Shared by the image checks: every container's image parsed once per check (containers, init,
// ephemeral and custom-resource containers). Checks other than image-not-assessable skip images
// that do not parse; image-not-assessable reports those once, as info.
#pragma once

#include <string>

#include "checks/common/image_ref.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::image {

/** Calls fn(const ContainerRef&, const Node* image, const ParsedImage&) per container; image may be null. */
template <typename Fn>
void forEachImage(const PodSpecRef& pod, Fn&& fn) {
  forEachContainer(pod, [&](const ContainerRef& c) {
    const Node* image = field(c.node, "image");
    ParsedImage parsed = parseImageField(image);
    fn(c, image, parsed);
  });
}

/** Calls fn(const ContainerRef&, const Node& image, const ImageRef&) per container whose image parses. */
template <typename Fn>
void forEachParsedImage(const PodSpecRef& pod, Fn&& fn) {
  forEachImage(pod, [&](const ContainerRef& c, const Node* image, const ParsedImage& parsed) {
    if (parsed.status == ImageRefStatus::kOk) fn(c, *image, parsed.ref);
  });
}

}  // namespace kspm::checks::image
