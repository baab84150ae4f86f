// The Service backends of an Ingress, in both API shapes: networking.k8s.io/v1
// (backend.service.name, backend.service.port.number|name, spec.defaultBackend) and the old
// extensions|networking.k8s.io/v1beta1 (backend.serviceName, backend.servicePort, spec.backend).
// Resource backends (backend.resource) are not Services and are skipped.
#pragma once

#include <string>

#include "checks/common/fields.h"
#include "kspm/object.h"

namespace kspm::checks::net {

struct IngressBackend {
  const Node* name = nullptr;  // the Service name (a string node)
  const Node* port = nullptr;  // port.number, port.name or servicePort; nullptr when absent
  std::string path;   // full path of the name field, e.g. spec.rules[0].http.paths[1].backend.service.name
  std::string field;  // stable path: rules by host, paths by path
  std::string port_path;   // full path of the port field (or where it belongs)
  std::string port_field;  // stable path of the port field
};

namespace detail {

inline bool readBackend(const Node* backend, const std::string& path, const std::string& stable,
                        IngressBackend* out) {
  if (backend == nullptr || !backend->isObject()) return false;
  if (const Node* service = field(backend, "service"); service != nullptr) {
    const Node* name = field(service, "name");
    if (name == nullptr || !name->isString() || name->str().empty()) return false;
    const Node* port = field(service, "port");
    const Node* number = field(port, "number");
    const Node* port_name = field(port, "name");
    out->name = name;
    out->port = number != nullptr ? number : port_name;
    out->path = path + ".service.name";
    out->field = stable + ".service.name";
    std::string port_key =
        number != nullptr || port_name == nullptr ? ".service.port.number" : ".service.port.name";
    out->port_path = path + port_key;
    out->port_field = stable + port_key;
    return true;
  }
  const Node* name = field(backend, "serviceName");
  if (name == nullptr || !name->isString() || name->str().empty()) return false;
  out->name = name;
  out->port = field(backend, "servicePort");
  out->path = path + ".serviceName";
  out->field = stable + ".serviceName";
  out->port_path = path + ".servicePort";
  out->port_field = stable + ".servicePort";
  return true;
}

}  // namespace detail

/** Calls fn(const IngressBackend&) for the default backend, then every path backend in rule order. */
template <typename Fn>
void forEachIngressBackend(const Object& ingress, Fn&& fn) {
  const Node* spec = field(ingress.root, "spec");
  IngressBackend backend;
  if (detail::readBackend(field(spec, "defaultBackend"), "spec.defaultBackend", "spec.defaultBackend",
                          &backend) ||
      detail::readBackend(field(spec, "backend"), "spec.backend", "spec.backend", &backend)) {
    fn(static_cast<const IngressBackend&>(backend));
  }
  const Node* rules = field(spec, "rules");
  if (rules == nullptr || !rules->isArray()) return;
  uint32_t rule_index = 0;
  for (const Node& rule : rules->items()) {
    const Node* host = field(&rule, "host");
    std::string rule_path = "spec.rules[" + std::to_string(rule_index) + "]";
    std::string rule_field =
        "spec.rules[" + (host != nullptr && host->isString() ? std::string(host->str()) : std::string("*")) +
        "]";
    ++rule_index;
    const Node* paths = field(&rule, {"http", "paths"});
    if (paths == nullptr || !paths->isArray()) continue;
    uint32_t path_index = 0;
    for (const Node& item : paths->items()) {
      const Node* url = field(&item, "path");
      std::string item_path = rule_path + ".http.paths[" + std::to_string(path_index) + "].backend";
      std::string item_field =
          rule_field + ".http.paths[" +
          (url != nullptr && url->isString() ? std::string(url->str()) : std::to_string(path_index)) +
          "].backend";
      ++path_index;
      if (detail::readBackend(field(&item, "backend"), item_path, item_field, &backend)) {
        fn(static_cast<const IngressBackend&>(backend));
      }
    }
  }
}

}  // namespace kspm::checks::net
