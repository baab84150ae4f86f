// CIS v1.12 4.3.1: kube-proxy's metrics endpoint bound to localhost. Read from the configuration
// kube-proxy runs with: the kube-system ConfigMap kubeadm writes (kube-proxy, key config.conf; EKS:
// kube-proxy-config, key config) holding a KubeProxyConfiguration as YAML text, or a
// KubeProxyConfiguration (kubeproxy.config.k8s.io) given as a file. An absent or empty
// metricsBindAddress means the default, 127.0.0.1:10249.
// A ConfigMap whose text does not parse as a KubeProxyConfiguration is neither a finding nor a pass:
// the check does not apply to it (applies_to is false), so with no other kube-proxy configuration
// the control is not assessable.
#include <optional>
#include <string>

#include "checks/cis/cis_checks.h"
#include "kspm/loader.h"

namespace kspm::checks::cis {
namespace {

constexpr std::string_view kKubeProxyReason =
    "no kube-proxy configuration is visible: no kube-system/kube-proxy ConfigMap holding a "
    "KubeProxyConfiguration (some clusters run no kube-proxy, or configure it with flags only) and no "
    "KubeProxyConfiguration file in the input";

constexpr uint64_t kMaxEmbeddedConfigBytes = 1 << 20;  // a ConfigMap holds at most 1 MiB

bool isKubeProxyConfiguration(const Node& root) {
  const Node* kind = root.get("kind");
  return root.isObject() && kind != nullptr && kind->is("KubeProxyConfiguration");
}

// The embedded configuration of a kube-proxy ConfigMap: its text node and the parsed document.
struct Embedded {
  const Node* text = nullptr;
  std::string key;
  LoadResult loaded;
  const Node* root() const {
    return loaded.errors.empty() && !loaded.documents.empty() ? loaded.documents[0].root() : nullptr;
  }
};

std::optional<Embedded> embeddedConfig(const Object& object) {
  if (object.kind != "ConfigMap" || !object.group().empty()) return std::nullopt;
  if (!object.namespace_.empty() && object.namespace_ != "kube-system") return std::nullopt;
  if (object.name != "kube-proxy" && object.name != "kube-proxy-config") return std::nullopt;
  const Node* data = object.root->get("data");
  if (data == nullptr || !data->isObject()) return std::nullopt;
  for (std::string_view key : {"config.conf", "config"}) {
    const Node* text = data->get(key);
    if (text == nullptr || !text->isString() || text->str().size() > kMaxEmbeddedConfigBytes) continue;
    Embedded out;
    out.text = text;
    out.key = std::string(key);
    LoadLimits limits;
    limits.max_document_bytes = kMaxEmbeddedConfigBytes;
    limits.max_depth = 64;
    out.loaded = loadBuffer(object.name, text->str(), limits);
    if (out.root() != nullptr && isKubeProxyConfiguration(*out.root())) return out;
  }
  return std::nullopt;
}

bool isKubeProxyConfigurationFile(const Object& object) {
  return object.kind == "KubeProxyConfiguration" && object.group() == "kubeproxy.config.k8s.io";
}

bool appliesTo(const Object& object) {
  return isKubeProxyConfigurationFile(object) || embeddedConfig(object).has_value();
}

// The host part of "host:port", "[v6]:port", "v6" or "host".
std::string_view hostOf(std::string_view address) {
  if (address.starts_with("[")) {
    size_t close = address.find(']');
    return address.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  }
  size_t colon = address.find(':');
  if (colon != std::string_view::npos && address.find(':', colon + 1) == std::string_view::npos) {
    return address.substr(0, colon);
  }
  return address;
}

bool isLoopback(std::string_view host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}

class MetricsBindAddressCheck final : public Check {
 public:
  MetricsBindAddressCheck() {
    info_.id = "cis-kube-proxy-metrics-bind-address";
    info_.title = "kube-proxy serves metrics beyond localhost";
    info_.severity = Severity::kMedium;
    info_.description =
        "kube-proxy's metrics endpoint (metricsBindAddress, 127.0.0.1:10249 by default) bound to a "
        "non-loopback address serves the node's proxy rules and Service topology, unauthenticated, to "
        "anything that reaches the node.";
    info_.remediation =
        "Set metricsBindAddress in the KubeProxyConfiguration (kube-system/kube-proxy ConfigMap) to "
        "127.0.0.1:10249, or remove it to get that default.";
    info_.controls = {{"cis", "4.3.1"}};
    info_.scope = Scope::kKinds;
    info_.kinds = {"ConfigMap", "KubeProxyConfiguration"};
    info_.applies_to = &appliesTo;
    info_.not_applicable_reason = kKubeProxyReason;
  }
  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (isKubeProxyConfigurationFile(object)) {
      const Node* address = object.root->get("metricsBindAddress");
      if (address != nullptr && address->isString() && !address->str().empty() &&
          !isLoopback(hostOf(address->str()))) {
        sink.add(*address, message(address->str()), "metricsBindAddress", "metricsBindAddress");
      }
      return;
    }
    std::optional<Embedded> embedded = embeddedConfig(object);
    if (!embedded) return;
    const Node* address = embedded->root()->get("metricsBindAddress");
    if (address != nullptr && address->isString() && !address->str().empty() &&
        !isLoopback(hostOf(address->str()))) {
      std::string path = "data." + embedded->key;
      sink.add(*embedded->text,
               message(address->str()) + " (" + embedded->key + " line " + std::to_string(address->line()) + ")",
               path, path + ".metricsBindAddress");
    }
  }

 private:
  static std::string message(std::string_view address) {
    return "metricsBindAddress is \"" + std::string(address) + "\": kube-proxy metrics are served beyond localhost";
  }
  CheckInfo info_;
};

}  // namespace

std::vector<std::unique_ptr<Check>> makeKubeProxyChecks() {
  std::vector<std::unique_ptr<Check>> out;
  out.push_back(std::make_unique<MetricsBindAddressCheck>());
  return out;
}

}  // namespace kspm::checks::cis
