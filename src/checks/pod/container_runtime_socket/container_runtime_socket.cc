// pod-container-runtime-socket: a hostPath volume that is a container runtime's API socket
// (Docker, containerd, CRI-O, cri-dockerd, Podman, k3s' containerd), a file with such a socket's
// name anywhere, or a directory that holds one of the default sockets (/, /run, /run/containerd,
// ...). /var/run is a symlink to /run on current distributions, so /var/run/... is compared as
// /run/...; "/var" itself is not reported: the symlink inside it resolves in the container. Whoever
// can talk to the socket can start a privileged container on the node, and a read-only mount does
// not prevent connecting, so every such volume is critical.
#include "checks/pod/host_path.h"
#include "checks/pod/pod_checks.h"

namespace kspm::checks::pod {
namespace {

class ContainerRuntimeSocketCheck final : public PodSpecCheck {
 public:
  ContainerRuntimeSocketCheck()
      : PodSpecCheck({
            .id = "pod-container-runtime-socket",
            .title = "Pod mounts the container runtime socket",
            .severity = Severity::kCritical,
            .description =
                "The Docker, containerd, CRI-O or Podman socket is the runtime's unauthenticated admin API: "
                "through it a container can start a privileged container with the host filesystem, read "
                "every container's environment and exec into them. A read-only mount still allows "
                "connecting to the socket.",
            .remediation =
                "Remove the hostPath volume of the runtime socket (or of its directory). Build images with a "
                "daemonless builder and read container metadata from the Kubernetes API instead.",
            .controls = {{"nsa", "host-path"}},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachHostPathVolume(pod, [&](const Node& volume, uint32_t index, std::string_view name, const Node& path) {
      const std::string clean = cleanPath(path.str());
      const std::string socket = exposedRuntimeSocket(clean);
      if (socket.empty()) return;
      std::vector<std::string_view> containers;
      for (const VolumeUse& use : mountsOf(pod, name)) containers.push_back(use.container);
      std::string message = "hostPath volume " + quoted(name);
      if (socket == clean) {
        message += " is the container runtime socket " + quoted(path.str());
      } else {
        message += " mounts " + quoted(path.str()) + ", which contains the default location of a container runtime "
                   "socket (" + socket + ")";
      }
      message += containers.empty() ? "; no container mounts it yet, but an ephemeral container could"
                                    : std::string(", mounted in ") + (containers.size() == 1 ? "container " : "containers ") +
                                          quotedList(containers);
      sink.add(path, std::move(message), pod.spec_path + ".volumes[" + std::to_string(index) + "].hostPath.path",
               "volumes[" + itemKey(volume, index) + "].hostPath.path",
               containers.size() == 1 ? std::string(containers[0]) : std::string());
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeContainerRuntimeSocketCheck() { return std::make_unique<ContainerRuntimeSocketCheck>(); }

}  // namespace kspm::checks::pod
