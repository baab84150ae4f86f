// net-loadbalancer-no-source-ranges: a LoadBalancer Service that accepts every client address.
// Cloud providers read spec.loadBalancerSourceRanges and, only when it is empty, the annotation
// service.beta.kubernetes.io/load-balancer-source-ranges (comma-separated CIDRs). A range of
// 0.0.0.0/0 or ::/0 is no restriction. A load balancer marked internal by a cloud annotation is
// reachable from the private network only, so its finding is low.
#include <algorithm>
#include <cctype>

#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"
#include "kspm/netpol.h"

namespace kspm::checks::net {
namespace {

constexpr std::string_view kRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool isOpenRange(std::string_view cidr) { return cidr == "0.0.0.0/0" || cidr == "::/0"; }

class LoadBalancerNoSourceRangesCheck final : public BasicCheck {
 public:
  LoadBalancerNoSourceRangesCheck()
      : BasicCheck({
            .id = "net-loadbalancer-no-source-ranges",
            .title = "LoadBalancer Service open to every source address",
            .severity = Severity::kMedium,
            .description =
                "Without loadBalancerSourceRanges the cloud load balancer accepts connections from any "
                "address, usually the whole internet, and the pods behind it are the first thing an "
                "attacker scanning the provider's IP ranges reaches. Internal load balancers (cloud "
                "annotations) are reported at low severity.",
            .remediation =
                "Set spec.loadBalancerSourceRanges to the client CIDRs that need access, or mark the load "
                "balancer internal, or put the service behind an Ingress or Gateway.",
            .controls = {{"nsa", "network-policies"}},
            .scope = Scope::kKinds,
            .kinds = {"Service"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isCoreService(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* type = field(spec, "type");
    if (type == nullptr || !type->is("LoadBalancer")) return;
    std::string_view internal = netpol::internalLoadBalancerAnnotation(object);

    const Node* ranges = field(spec, "loadBalancerSourceRanges");
    if (ranges != nullptr && ranges->isArray() && ranges->size() > 0) {
      uint32_t index = 0;
      for (const Node& range : ranges->items()) {
        if (isOpenRange(trim(range.str()))) {
          std::string at = "spec.loadBalancerSourceRanges[" + std::to_string(index) + "]";
          report(sink, range,
                 "loadBalancerSourceRanges allows " + quoted(trim(range.str())) + ", every source address",
                 at, at, internal);
          return;
        }
        ++index;
      }
      return;
    }
    std::string_view annotated = trim(annotation(object, kRangesAnnotation));
    if (!annotated.empty()) {
      bool open = false;
      for (std::string_view rest = annotated; !rest.empty();) {
        size_t comma = rest.find(',');
        if (isOpenRange(trim(rest.substr(0, comma)))) open = true;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      if (!open) return;
      const Node* annotations = field(object.metadata(), "annotations");
      const Node* value = annotations != nullptr ? annotations->get(kRangesAnnotation) : nullptr;
      std::string at = "metadata.annotations[" + std::string(kRangesAnnotation) + "]";
      report(sink, value != nullptr ? *value : *type,
             "the load-balancer-source-ranges annotation allows every source address", at, at, internal);
      return;
    }
    report(sink, *type,
           "LoadBalancer service has no loadBalancerSourceRanges: every source address can connect",
           "spec.loadBalancerSourceRanges", "spec.loadBalancerSourceRanges", internal);
  }

 private:
  static void report(FindingSink& sink, const Node& at, std::string message, std::string path,
                     std::string stable, std::string_view internal) {
    if (!internal.empty()) message += " (internal load balancer: " + std::string(internal) + ")";
    Finding& finding = sink.add(at, std::move(message), std::move(path), std::move(stable));
    if (!internal.empty()) finding.severity = Severity::kLow;
  }
};

}  // namespace

std::unique_ptr<Check> makeLoadBalancerNoSourceRangesCheck() {
  return std::make_unique<LoadBalancerNoSourceRangesCheck>();
}

}  // namespace kspm::checks::net
