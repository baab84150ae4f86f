// net-service-external-ips: a core Service with spec.externalIPs. kube-proxy routes traffic for
// those addresses to the Service on every node whoever owns them, which is how CVE-2020-8554
// intercepts another tenant's or an external host's traffic. Any Service type.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"

namespace kspm::checks::net {
namespace {

class ServiceExternalIpsCheck final : public BasicCheck {
 public:
  ServiceExternalIpsCheck()
      : BasicCheck({
            .id = "net-service-external-ips",
            .title = "Service with externalIPs",
            .severity = Severity::kHigh,
            .description =
                "kube-proxy sends traffic addressed to a Service's externalIPs to that Service's pods on "
                "every node, without checking who owns the addresses. Anyone who can create such a Service "
                "can intercept traffic meant for other services or external hosts (CVE-2020-8554, "
                "unpatchable in Kubernetes itself).",
            .remediation =
                "Remove spec.externalIPs and expose the service with a LoadBalancer, Ingress or Gateway; "
                "enable the DenyServiceExternalIPs admission plugin or an admission policy that restricts "
                "externalIPs.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Service"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isCoreService(object)) return;
    const Node* ips = field(object.root, {"spec", "externalIPs"});
    if (ips == nullptr || !ips->isArray() || ips->size() == 0) return;
    std::string list;
    for (const Node& ip : ips->items()) {
      if (!list.empty()) list += ", ";
      list += text(&ip);
    }
    sink.add(*ips, "spec.externalIPs sends traffic for " + list + " to this service from every node",
             "spec.externalIPs", "spec.externalIPs");
  }
};

}  // namespace

std::unique_ptr<Check> makeServiceExternalIpsCheck() { return std::make_unique<ServiceExternalIpsCheck>(); }

}  // namespace kspm::checks::net
