// net-ingress-backend-port-missing: an Ingress backend's service port (a number or a name) is not
// one of the ports the Service in the input declares. ExternalName Services and Services without
// ports are not judged; a backend whose Service is not in the input is
// net-ingress-backend-missing-service's business.
#include "checks/net/cross_object.h"
#include "checks/net/ingress_backends.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

// True when `wanted` (a port number, or a port name; a quoted number in the old servicePort is
// matched both ways, as controllers do) is one of the Service's ports.
bool serviceDeclares(const Node* ports, const Node& wanted) {
  if (!wanted.isInt() && !wanted.isString()) return true;  // not a port value: not this check's business
  for (const Node& port : ports->items()) {
    const Node* number = field(&port, "port");
    const Node* name = field(&port, "name");
    std::string number_text = number != nullptr && number->isInt() ? number->scalarText() : std::string();
    if (wanted.isInt() && !number_text.empty() && number->integer() == wanted.integer()) return true;
    if (wanted.isString() && name != nullptr && name->isString() && name->str() == wanted.str()) return true;
    if (wanted.isString() && !number_text.empty() && number_text == wanted.str()) return true;
  }
  return false;
}

class IngressBackendPortMissingCheck final : public BasicCheck {
 public:
  IngressBackendPortMissingCheck()
      : BasicCheck({
            .id = "net-ingress-backend-port-missing",
            .title = "Ingress backend port not declared by its Service",
            .severity = Severity::kLow,
            .description =
                "The Ingress routes to a service port that the Service does not declare, so the controller "
                "finds no endpoints and answers 503 for those paths.",
            .remediation =
                "Use one of the Service's spec.ports (its port number or its name) in the backend.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Ingress"},
            .reads = {"Service"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isIngress(object)) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    forEachIngressBackend(object, [&](const IngressBackend& backend) {
      if (backend.port == nullptr) return;
      const Object* service = index.find("Service", ns, backend.name->str());
      if (service == nullptr || !isCoreService(*service)) return;
      const Node* spec = field(service->root, "spec");
      const Node* type = field(spec, "type");
      if (type != nullptr && type->is("ExternalName")) return;
      const Node* ports = field(spec, "ports");
      if (ports == nullptr || !ports->isArray() || ports->size() == 0) return;
      if (serviceDeclares(ports, *backend.port)) return;
      std::string wanted =
          backend.port->isString() ? quoted(backend.port->str()) : backend.port->scalarText();
      sink.add(*backend.port,
               "service " + quoted(backend.name->str()) + " declares no port " + wanted + " for this backend",
               backend.port_path, backend.port_field);
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeIngressBackendPortMissingCheck() {
  return std::make_unique<IngressBackendPortMissingCheck>();
}

}  // namespace kspm::checks::net
