// net-ingress-backend-missing-service: an Ingress backend names a Service the input does not
// define. Judged only when the input defines Services in the Ingress's namespace (definesKindNear:
// from the same directory when the namespace is unspecified) and nothing there
// creates Services behind the input's back (operator custom resources); otherwise the Service
// may simply live in another file or be created elsewhere.
#include "checks/net/cross_object.h"
#include "checks/net/ingress_backends.h"
#include "checks/net/net_checks.h"
#include "kspm/engine.h"

namespace kspm::checks::net {
namespace {

class IngressBackendMissingServiceCheck final : public BasicCheck {
 public:
  IngressBackendMissingServiceCheck()
      : BasicCheck({
            .id = "net-ingress-backend-missing-service",
            .title = "Ingress backend Service not defined",
            .severity = Severity::kLow,
            .description =
                "The Ingress routes to a Service that the manifests of its namespace do not define: the "
                "controller answers 503 for those paths, and whoever later creates a Service of that name "
                "in the namespace receives the traffic.",
            .remediation = "Fix the backend's service name, or add the Service to the manifests.",
            .controls = {},
            .scope = Scope::kKinds,
            .kinds = {"Ingress"},
            .reads = {"Service"},
        }) {}

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isIngress(object)) return;
    const ObjectIndex& index = context.scan->index;
    std::string_view ns = context.objects->namespaceOf(object);
    if (!definesKindNear(index, *context.objects, "Service", ns, object) || mayCreateUnseenObjects(context, ns))
      return;
    forEachIngressBackend(object, [&](const IngressBackend& backend) {
      if (index.find("Service", ns, backend.name->str()) != nullptr) return;
      sink.add(*backend.name,
               "backend service " + quoted(backend.name->str()) + " is not defined in namespace " +
                   quoted(ns.empty() ? "(unspecified)" : ns),
               backend.path, backend.field);
    });
  }
};

}  // namespace

std::unique_ptr<Check> makeIngressBackendMissingServiceCheck() {
  return std::make_unique<IngressBackendMissingServiceCheck>();
}

}  // namespace kspm::checks::net
