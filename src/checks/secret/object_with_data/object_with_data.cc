// secret-object-with-data: a Secret committed with its values. Whatever the type, data and
// stringData in a manifest put the secret material in the repository (base64 is an encoding, not
// encryption). Empty maps, empty values and placeholder values (${VAR}, {{ }}, changeme...) are
// fine, and so is a service-account-token Secret without data (the control plane fills it in).
// Severity is raised to high for private keys (kubernetes.io/tls with tls.key, ssh-auth), registry
// credentials (dockerconfigjson/dockercfg with auths), service account and bootstrap tokens, and
// basic-auth passwords.
#include <string>
#include <vector>

#include "checks/common/secret_detect.h"
#include "checks/secret/secret_checks.h"

namespace kspm::checks::secret {
namespace {

constexpr size_t kMaxListedKeys = 8;

class SecretObjectWithDataCheck final : public Check {
 public:
  SecretObjectWithDataCheck()
      : info_({
            .id = "secret-object-with-data",
            .title = "Secret manifest with committed values",
            .severity = Severity::kMedium,
            .description =
                "A Secret manifest carries its values in data or stringData. Base64 is only an encoding: "
                "anyone who can read the repository, a rendered chart or a CI log can read the secret, and "
                "it stays in version control history after it is rotated.",
            .remediation =
                "Keep Secret values out of manifests: create them from an external secret store (External "
                "Secrets Operator, Secrets Store CSI driver, Vault), encrypt them (Sealed Secrets, SOPS), or "
                "generate them in the cluster; rotate values that were committed.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kKinds,
            .kinds = {"Secret"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!object.group().empty()) return;
    const Node* type_node = object.root->get("type");
    std::string_view type = type_node != nullptr && type_node->isString() ? type_node->str() : "Opaque";
    std::vector<std::string_view> keys;
    const Node* at = nullptr;
    std::string path;
    bool registry_auths = false;
    for (std::string_view map : {"data", "stringData"}) {
      const Node* values = object.root->get(map);
      if (values == nullptr || !values->isObject()) continue;
      for (const Member& m : values->members()) {
        if (!m.value.isString() || m.value.str().empty()) continue;
        std::string plain;
        std::string_view value = m.value.str();
        if (map == "data") {
          if (!decodeBase64(value.substr(0, kMaxScannedBytes), &plain)) plain.clear();
          value = plain;
        }
        // Placeholders are short single values; a file (JSON, XML, properties) is content.
        std::string_view trimmed = value;
        while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
        bool single = trimmed.size() <= 256 && trimmed.find('\n') == std::string_view::npos;
        if (value.empty() || (single && isPlaceholderValue(value))) continue;
        if ((m.key.str() == ".dockerconfigjson" || m.key.str() == ".dockercfg") &&
            value.find("\"auth") != std::string_view::npos) {
          registry_auths = true;
        }
        if (at == nullptr) {
          at = values;
          path = std::string(map);
        }
        keys.push_back(m.key.str());
      }
    }
    if (keys.empty()) return;
    std::string list;
    for (size_t i = 0; i < keys.size() && i < kMaxListedKeys; ++i) list += (i ? ", " : "") + std::string(keys[i]);
    if (keys.size() > kMaxListedKeys) list += ", and " + std::to_string(keys.size() - kMaxListedKeys) + " more";
    std::string message = "Secret \"" + std::string(object.name) + "\" of type " + std::string(type) +
                          " commits " + std::to_string(keys.size()) + (keys.size() == 1 ? " value" : " values") +
                          " (keys: " + list + ")";
    bool high = false;
    if (type == "kubernetes.io/tls" && hasKey(keys, "tls.key")) {
      high = true;
      message += ", including a TLS private key";
    } else if (type == "kubernetes.io/ssh-auth" && hasKey(keys, "ssh-privatekey")) {
      high = true;
      message += ", including an SSH private key";
    } else if ((type == "kubernetes.io/dockerconfigjson" || type == "kubernetes.io/dockercfg") && registry_auths) {
      high = true;
      message += ", including registry credentials";
    } else if (type == "kubernetes.io/service-account-token" && hasKey(keys, "token")) {
      high = true;
      message += ", including a service account token";
    } else if (type == "bootstrap.kubernetes.io/token" && hasKey(keys, "token-secret")) {
      high = true;
      message += ", including a bootstrap token that lets a machine join the cluster";
    } else if (type == "kubernetes.io/basic-auth" && hasKey(keys, "password")) {
      high = true;
      message += ", including a password";
    }
    Finding& f = sink.add(*at, std::move(message), path, path);
    if (high) f.severity = Severity::kHigh;
  }

 private:
  static bool hasKey(const std::vector<std::string_view>& keys, std::string_view key) {
    for (std::string_view k : keys) {
      if (k == key) return true;
    }
    return false;
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretObjectWithDataCheck() { return std::make_unique<SecretObjectWithDataCheck>(); }

}  // namespace kspm::checks::secret
