// secret-in-configmap: a credential in a ConfigMap's data or binaryData. Values that are whole
// files (application.properties, .env, YAML, JSON) are scanned line by line, up to
// kMaxScannedBytes and kMaxScannedLines per value; binaryData is base64-decoded first.
#include <string>

#include "checks/common/secret_detect.h"
#include "checks/secret/secret_checks.h"

namespace kspm::checks::secret {
namespace {

class SecretInConfigMapCheck final : public Check {
 public:
  SecretInConfigMapCheck()
      : info_({
            .id = "secret-in-configmap",
            .title = "Credential in a ConfigMap",
            .severity = Severity::kHigh,
            .description =
                "A ConfigMap holds a credential. ConfigMaps are not meant for secrets: RBAC commonly grants "
                "read access to them broadly, encryption at rest is usually configured for Secrets only, "
                "and kubectl describe prints them in full.",
            .remediation =
                "Move the credential into a Secret (mounted as a file or referenced with secretKeyRef) or an "
                "external secret store, keep only non-secret settings in the ConfigMap, and rotate the "
                "exposed credential.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kKinds,
            .kinds = {"ConfigMap"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (!object.group().empty()) return;
    if (const Node* data = object.root->get("data"); data != nullptr && data->isObject()) {
      for (const Member& m : data->members()) {
        if (!m.value.isString()) continue;
        report(m.key.str(), m.value, m.value.str(), "data", sink);
      }
    }
    if (const Node* binary = object.root->get("binaryData"); binary != nullptr && binary->isObject()) {
      for (const Member& m : binary->members()) {
        if (!m.value.isString()) continue;
        std::string decoded;
        if (!decodeBase64(m.value.str().substr(0, kMaxScannedBytes), &decoded)) continue;
        report(m.key.str(), m.value, decoded, "binaryData", sink);
      }
    }
  }

 private:
  static void report(std::string_view key, const Node& node, std::string_view text, std::string_view map,
                     FindingSink& sink) {
    TextSecretHit found;
    if (text.find('\n') == std::string_view::npos) found.hit = detectSecret(key, text);
    if (!found) found = detectSecretInText(text);
    if (!found) return;
    bool multi_line = text.find('\n') != std::string_view::npos;
    std::string path = std::string(map) + "[" + std::string(key) + "]";
    std::string where = multi_line && found.line > 0 ? " (line " + std::to_string(found.line) + " of the value)" : "";
    sink.add(node, "ConfigMap key " + std::string(key) + where + " holds " + describeSecret(found.hit), path, path);
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretInConfigMapCheck() { return std::make_unique<SecretInConfigMapCheck>(); }

}  // namespace kspm::checks::secret
