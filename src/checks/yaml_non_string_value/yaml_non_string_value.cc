// yaml-non-string-value: a boolean or number where the Kubernetes API expects a string. kubectl
// converts YAML to JSON with go-yaml v2's resolver, so a plain `on`, `yes`, `y` or `true` becomes a
// JSON boolean and `8080` a number; the API server then rejects the whole object ("cannot
// unmarshal bool into Go struct field ... of type string"). Covered fields: metadata name,
// namespace, labels and annotations (of the object and of its pod template), ConfigMap data,
// Secret stringData, and every container's image, command, args and env values.
#include <string>

#include "checks/builtin_checks.h"
#include "checks/common/pod_spec.h"
#include "checks/common/secret_detect.h"

namespace kspm::checks {
namespace {

/**
 * A number is shown only where it cannot be a credential (`reveal`): never for Secret data, command
 * and args items, or values whose key name says password/token/secret...; there it is "a number
 * (N characters, redacted)". Booleans are always shown.
 */
std::string describe(const Node& value, bool reveal) {
  switch (value.type()) {
    case NodeType::kBool:
      return std::string("the boolean ") + (value.boolean() ? "true" : "false") +
             (value.boolean() ? " (a plain true, yes, y or on)" : " (a plain false, no, n or off)");
    case NodeType::kInt:
    case NodeType::kFloat:
      if (reveal) return "the number " + value.scalarText();
      return "a number (" + std::to_string(value.scalarText().size()) + " characters, redacted)";
    default: return std::string(nodeTypeName(value.type()));
  }
}

/** The finding message: `<what> is <the boolean true ...>, not a string: ...`. */
std::string notAString(const std::string& what, const Node& value, bool reveal) {
  return what + " is " + describe(value, reveal) + ", not a string: the API server rejects the object";
}

bool isWrongScalar(const Node& value) { return value.isBool() || value.isNumber(); }

class YamlNonStringValueCheck final : public Check {
 public:
  YamlNonStringValueCheck()
      : info_({
            .id = "yaml-non-string-value",
            .title = "Boolean or number where Kubernetes expects a string",
            .severity = Severity::kMedium,
            .description =
                "YAML reads plain on, off, yes, no, y, n, true and false as booleans and digits as "
                "numbers. Where the API expects a string (labels, annotations, env values, ConfigMap "
                "data, container args...) the API server rejects the object.",
            .remediation = "Quote the value, for example \"on\" or \"8080\", so that it stays a string.",
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    checkMetadata(object.root->get("metadata"), "metadata", sink, true);
    if (object.group().empty() && object.kind == "ConfigMap") {
      checkStringMap(object.root->get("data"), "data", sink, Reveal::kUnlessSecretName);
    }
    if (object.group().empty() && object.kind == "Secret") {
      checkStringMap(object.root->get("stringData"), "stringData", sink, Reveal::kNever);
    }
    std::optional<PodSpecRef> resolved;
    const PodSpecRef* pod = context.pod;
    if (pod == nullptr && (resolved = podSpecOf(object))) pod = &*resolved;
    if (pod == nullptr) return;
    if (pod->metadata != nullptr && pod->metadata != object.root->get("metadata")) {
      checkMetadata(pod->metadata, pod->metadata_path, sink, false);
    }
    forEachContainer(*pod, [&](const ContainerRef& c) {
      std::string container(c.name);
      auto report = [&](const Node& value, const std::string& suffix, const std::string& what, bool reveal) {
        sink.add(value, notAString(what, value, reveal),
                 c.path + suffix, c.field + suffix, container);
      };
      if (const Node* image = c.node->get("image"); image != nullptr && isWrongScalar(*image)) {
        report(*image, ".image", "image", true);
      }
      for (std::string_view list : {"command", "args"}) {
        const Node* items = c.node->get(list);
        if (items == nullptr || !items->isArray()) continue;
        uint32_t i = 0;
        for (const Node& item : items->items()) {
          if (isWrongScalar(item)) {
            report(item, "." + std::string(list) + "[" + std::to_string(i) + "]",
                   std::string(list) + " item " + std::to_string(i), false);
          }
          ++i;
        }
      }
      if (const Node* env = c.node->get("env"); env != nullptr && env->isArray()) {
        uint32_t i = 0;
        for (const Node& var : env->items()) {
          const Node* value = var.get("value");
          if (value != nullptr && isWrongScalar(*value)) {
            const Node* name = var.get("name");
            std::string var_name = name != nullptr ? std::string(name->str()) : std::to_string(i);
            sink.add(*value,
                     notAString("env \"" + var_name + "\" value", *value, !isSecretLikeName(var_name)),
                     c.path + ".env[" + std::to_string(i) + "].value", c.field + ".env[" + var_name + "].value",
                     container);
          }
          ++i;
        }
      }
    });
  }

 private:
  void checkMetadata(const Node* metadata, const std::string& path, FindingSink& sink, bool top) const {
    if (metadata == nullptr || !metadata->isObject()) return;
    if (top) {
      for (std::string_view key : {"name", "namespace", "generateName"}) {
        const Node* v = metadata->get(key);
        if (v != nullptr && isWrongScalar(*v)) {
          std::string p = path + "." + std::string(key);
          sink.add(*v, notAString(p, *v, true), p, p);
        }
      }
    }
    checkStringMap(metadata->get("labels"), path + ".labels", sink, Reveal::kAlways);
    checkStringMap(metadata->get("annotations"), path + ".annotations", sink, Reveal::kUnlessSecretName);
  }

  enum class Reveal { kAlways, kUnlessSecretName, kNever };

  void checkStringMap(const Node* map, const std::string& path, FindingSink& sink, Reveal reveal) const {
    if (map == nullptr || !map->isObject()) return;
    for (const Member& m : map->members()) {
      if (!isWrongScalar(m.value)) continue;
      std::string p = path + "[" + std::string(m.key.str()) + "]";
      bool show = reveal == Reveal::kAlways || (reveal == Reveal::kUnlessSecretName && !isSecretLikeName(m.key.str()));
      sink.add(m.value, notAString(p, m.value, show), p, p);
    }
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeYamlNonStringValueCheck() { return std::make_unique<YamlNonStringValueCheck>(); }

}  // namespace kspm::checks
