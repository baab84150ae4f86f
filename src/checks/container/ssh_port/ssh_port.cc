// container-ssh-port: a container declares TCP containerPort 22. An SSH daemon in a container is a
// second, unaudited way in (credentials in the image, no RBAC, no audit log) beside kubectl exec.
// Only the declaration is visible in a manifest, so an undeclared listener is not found.
#include "checks/container/container_checks.h"
#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {
namespace {

constexpr int64_t kSshPort = 22;

class SshPortCheck final : public PodSpecCheck {
 public:
  SshPortCheck()
      : PodSpecCheck({
            .id = "container-ssh-port",
            .title = "Container exposes the SSH port",
            .severity = Severity::kMedium,
            .description =
                "A container that declares port 22 most likely runs an SSH server: a remote shell that "
                "bypasses Kubernetes authentication, RBAC and audit logging, usually with long-lived "
                "credentials baked into the image or a Secret.",
            .remediation =
                "Remove the SSH server and port 22 from the container; use kubectl exec or kubectl debug, "
                "which RBAC controls and the API server audits.",
            .controls = {},
            .scope = Scope::kPodSpec,
        }) {}

 protected:
  void evaluatePod(const Object&, const PodSpecRef& pod, const EvalContext&, FindingSink& sink) const override {
    forEachContainer(pod, [&](const ContainerRef& c) {
      const Node* ports = field(c.node, "ports");
      if (ports == nullptr || !ports->isArray()) return;
      uint32_t index = 0;
      for (const Node& port : ports->items()) {
        const Node* number = field(&port, "containerPort");
        const Node* protocol = field(&port, "protocol");
        bool tcp = protocol == nullptr || protocol->is("TCP");
        if (tcp && integerValue(number) == kSshPort) {
          std::string path = c.path + ".ports[" + std::to_string(index) + "].containerPort";
          sink.add(*number, containerLabel(c) + " declares containerPort 22 (SSH)", path,
                   c.field + ".ports[" + itemKey(port, index) + "].containerPort", std::string(c.name));
        }
        ++index;
      }
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeSshPortCheck() { return std::make_unique<SshPortCheck>(); }

}  // namespace kspm::checks::container
