// yaml-duplicate-key: a mapping that sets the same key twice. kubectl (sigs.k8s.io/yaml,
// non-strict) keeps the last value, kustomize and strict decoders reject the file, and a reviewer
// or another tool may read the first one: the manifest does not mean one thing.
#include "checks/builtin_checks.h"

namespace kspm::checks {
namespace {

/** For an item of a List document, the line range [begin, end) its text covers; else everything. */
void objectLineRange(const Object& object, uint32_t* begin, uint32_t* end) {
  *begin = 0;
  *end = UINT32_MAX;
  if (object.list_index < 0 || object.document == nullptr || object.document->root() == nullptr) return;
  const Node* items = object.document->root()->get("items");
  if (items == nullptr || !items->isArray()) return;
  auto list = items->items();
  auto i = static_cast<size_t>(object.list_index);
  if (i >= list.size()) return;
  *begin = list[i].line();
  if (i + 1 < list.size()) *end = list[i + 1].line();
}

class YamlDuplicateKeyCheck final : public Check {
 public:
  YamlDuplicateKeyCheck()
      : info_({
            .id = "yaml-duplicate-key",
            .title = "Duplicate key in a YAML or JSON mapping",
            .severity = Severity::kMedium,
            .description =
                "The same key appears twice in one mapping. kubectl applies the last value, but "
                "kustomize and strict decoders reject the file, and people or tools that read the first "
                "value review something other than what the cluster runs.",
            .remediation = "Delete one of the two keys so that the mapping sets each key once.",
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext&, FindingSink& sink) const noexcept override {
    if (object.document == nullptr || object.document->keyDiagnostics().empty()) return;
    uint32_t begin = 0, end = 0;
    objectLineRange(object, &begin, &end);
    for (const KeyDiagnostic& d : object.document->keyDiagnostics()) {
      if (d.line < begin || d.line >= end) continue;
      std::string path = d.path.empty() ? d.key : d.path + "." + d.key;
      Finding& f = sink.add(*object.root,
                            "key \"" + d.key + "\" is set twice (lines " + std::to_string(d.first_line) + " and " +
                                std::to_string(d.line) +
                                "): kubectl uses the last value; kustomize rejects the file",
                            path, path);
      f.line = d.line;
    }
  }

 private:
  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeYamlDuplicateKeyCheck() { return std::make_unique<YamlDuplicateKeyCheck>(); }

}  // namespace kspm::checks
