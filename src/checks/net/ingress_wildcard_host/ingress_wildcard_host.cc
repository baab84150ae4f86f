// net-ingress-wildcard-host: an Ingress rule whose host is a wildcard ("*.example.com"), which
// routes every matching subdomain to the backend.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"

namespace kspm::checks::net {
namespace {

class IngressWildcardHostCheck final : public BasicCheck {
 public:
  IngressWildcardHostCheck()
      : BasicCheck({
            .id = "net-ingress-wildcard-host",
            .title = "Ingress rule with a wildcard host",
            .severity = Severity::kLow,
            .description =
                "A wildcard host sends every subdomain that resolves to the ingress controller to this "
                "backend: forgotten or dangling DNS names, and names meant for services that have since "
                "been removed, reach it too. It usually comes with a wildcard certificate whose key "
                "covers every subdomain.",
            .remediation = "List the exact host names the service answers for, one rule per host.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Ingress"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isIngress(object)) return;
    const Node* rules = field(object.root, {"spec", "rules"});
    if (rules == nullptr || !rules->isArray()) return;
    uint32_t index = 0;
    for (const Node& rule : rules->items()) {
      const Node* host = field(&rule, "host");
      if (host != nullptr && host->str().starts_with("*")) {
        sink.add(*host,
                 "rule host " + quoted(host->str()) + " routes every matching subdomain to its backends",
                 "spec.rules[" + std::to_string(index) + "].host",
                 "spec.rules[" + std::string(host->str()) + "].host");
      }
      ++index;
    }
  }
};

}  // namespace

std::unique_ptr<Check> makeIngressWildcardHostCheck() { return std::make_unique<IngressWildcardHostCheck>(); }

}  // namespace kspm::checks::net
