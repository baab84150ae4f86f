// net-ingress-no-tls: an Ingress served over plain HTTP. Reported when spec.tls is missing or
// empty, or when a rule's host is covered by no spec.tls[].hosts entry (an exact name, or a
// "*.example.com" entry covering one more label). A tls entry without hosts covers every host (it
// applies to the controller's wildcard host), and host-less rules are not judged once spec.tls is
// set. Controllers that terminate TLS from annotations instead of spec.tls (AWS ALB certificate-arn
// or an HTTPS listen-port, GKE, Traefik, Azure Application Gateway) and GKE's allow-http: "false"
// are not reported.
#include "checks/net/cross_object.h"
#include "checks/net/net_checks.h"

namespace kspm::checks::net {
namespace {

// Annotations that give an Ingress TLS (or turn plain HTTP off) without spec.tls.
bool tlsFromAnnotations(const Object& object) {
  static constexpr std::string_view kAnyValue[] = {
      "alb.ingress.kubernetes.io/certificate-arn",          // AWS Load Balancer Controller
      "ingress.gcp.kubernetes.io/pre-shared-cert",          // GKE
      "networking.gke.io/managed-certificates",             // GKE
      "appgw.ingress.kubernetes.io/appgw-ssl-certificate",  // Azure Application Gateway
  };
  for (std::string_view key : kAnyValue) {
    if (!annotation(object, key).empty()) return true;
  }
  // The AWS Load Balancer Controller discovers ACM certificates for an HTTPS listener by host.
  if (annotation(object, "alb.ingress.kubernetes.io/listen-ports").find("HTTPS") != std::string_view::npos) {
    return true;
  }
  return annotation(object, "traefik.ingress.kubernetes.io/router.tls") == "true" ||
         annotation(object, "kubernetes.io/ingress.allow-http") == "false";
}

// True when the tls host entry `pattern` covers the rule host `host`.
bool covers(std::string_view pattern, std::string_view host) {
  if (pattern == host) return true;
  if (!pattern.starts_with("*.") || host.starts_with("*.")) return false;
  size_t dot = host.find('.');
  return dot != std::string_view::npos && dot > 0 && host.substr(dot) == pattern.substr(1);
}

class IngressNoTlsCheck final : public BasicCheck {
 public:
  IngressNoTlsCheck()
      : BasicCheck({
            .id = "net-ingress-no-tls",
            .title = "Ingress served without TLS",
            .severity = Severity::kMedium,
            .description =
                "An Ingress without TLS for its hosts serves them over plain HTTP: credentials, session "
                "cookies and data cross the network readable and alterable by anyone on the path.",
            .remediation =
                "Add spec.tls with a certificate Secret covering every host of spec.rules (for example "
                "issued by cert-manager), and redirect HTTP to HTTPS.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Ingress"},
        }) {}

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!isIngress(object) || tlsFromAnnotations(object)) return;
    const Node* spec = field(object.root, "spec");
    const Node* tls = field(spec, "tls");
    if (tls == nullptr || !tls->isArray() || tls->size() == 0) {
      const Node& at = spec != nullptr ? *spec : *object.root;
      sink.add(at, "ingress has no spec.tls: its hosts are served over plain HTTP", "spec.tls", "spec.tls");
      return;
    }
    for (const Node& entry : tls->items()) {
      const Node* hosts = field(&entry, "hosts");
      if (hosts == nullptr || !hosts->isArray() || hosts->size() == 0) return;  // the wildcard host
    }
    const Node* rules = field(spec, "rules");
    if (rules == nullptr || !rules->isArray()) return;
    uint32_t index = 0;
    for (const Node& rule : rules->items()) {
      const Node* host = field(&rule, "host");
      if (host != nullptr && host->isString() && !host->str().empty() && !covered(*tls, host->str())) {
        sink.add(*host,
                 "host " + quoted(host->str()) +
                     " is not in any spec.tls hosts entry: it is served over plain HTTP",
                 "spec.rules[" + std::to_string(index) + "].host",
                 "spec.rules[" + std::string(host->str()) + "].host");
      }
      ++index;
    }
  }

 private:
  static bool covered(const Node& tls, std::string_view host) {
    for (const Node& entry : tls.items()) {
      const Node* hosts = field(&entry, "hosts");
      if (hosts == nullptr) continue;
      for (const Node& pattern : hosts->items()) {
        if (pattern.isString() && covers(pattern.str(), host)) return true;
      }
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Check> makeIngressNoTlsCheck() { return std::make_unique<IngressNoTlsCheck>(); }

}  // namespace kspm::checks::net
