// secret-in-annotation: a credential in an annotation of the object or of its pod template,
// including kubectl.kubernetes.io/last-applied-configuration, the JSON copy of the whole object
// that `kubectl apply` keeps: for a Secret it repeats the data, and for anything else it repeats
// every literal (env values, args) in one more place. Helm's checksum/* annotations are hashes.
#include <string>
#include <vector>

#include "checks/common/pod_spec.h"
#include "checks/common/secret_detect.h"
#include "checks/secret/secret_checks.h"
#include "checks/secret/secret_tree.h"
#include "kspm/loader.h"

namespace kspm::checks::secret {
namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
constexpr size_t kMaxLastAppliedBytes = 1 << 20;

/** True when a Secret's data or stringData holds at least one non-empty value. */
bool hasSecretData(const Node& secret) {
  for (std::string_view map : {"data", "stringData"}) {
    const Node* values = secret.get(map);
    if (values == nullptr || !values->isObject()) continue;
    for (const Member& m : values->members()) {
      if (m.value.isString() && !m.value.str().empty()) return true;
    }
  }
  return false;
}

class SecretInAnnotationCheck final : public Check {
 public:
  SecretInAnnotationCheck()
      : info_({
            .id = "secret-in-annotation",
            .title = "Credential in an annotation",
            .severity = Severity::kHigh,
            .description =
                "An annotation holds a credential, or kubectl.kubernetes.io/last-applied-configuration "
                "repeats a Secret's data or a literal credential. Annotations are readable by anyone who can "
                "get the object, are copied by tooling and are never treated as secret.",
            .remediation =
                "Remove the credential from the annotation; for last-applied-configuration, create Secrets "
                "with server-side apply or kubectl create (which keep no such copy) and rotate the exposed "
                "credential.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kAnyObject,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    const Node* metadata = object.metadata();
    bool is_secret = object.group().empty() && object.kind == "Secret";
    checkAnnotations(metadata, "metadata", is_secret, sink);
    if (context.pod != nullptr && context.pod->metadata != nullptr && context.pod->metadata != metadata) {
      checkAnnotations(context.pod->metadata, context.pod->metadata_path, false, sink);
    }
  }

 private:
  void checkAnnotations(const Node* metadata, const std::string& metadata_path, bool is_secret,
                        FindingSink& sink) const {
    const Node* annotations = metadata != nullptr ? metadata->get("annotations") : nullptr;
    if (annotations == nullptr || !annotations->isObject()) return;
    for (const Member& m : annotations->members()) {
      if (!m.value.isString()) continue;
      std::string_view key = m.key.str();
      std::string path = metadata_path + ".annotations[" + std::string(key) + "]";
      if (key == kLastApplied) {
        checkLastApplied(m.value, path, is_secret, sink);
        continue;
      }
      std::string_view value = m.value.str();
      SecretHit hit = detectSecret(key, value);
      if (!hit && value.find('\n') != std::string_view::npos) hit = detectSecretInText(value).hit;
      if (hit) sink.add(m.value, "annotation " + std::string(key) + " holds " + describeSecret(hit), path, path);
    }
  }

  void checkLastApplied(const Node& value, const std::string& path, bool is_secret, FindingSink& sink) const {
    std::string_view json = value.str();
    if (json.empty() || json.size() > kMaxLastAppliedBytes) return;
    LoadResult loaded = loadBuffer(kLastApplied, json);
    if (loaded.documents.size() != 1 || loaded.documents[0].root() == nullptr) return;
    const Node& applied = *loaded.documents[0].root();
    if (!applied.isObject()) return;
    const Node* kind = applied.get("kind");
    if ((is_secret || (kind != nullptr && kind->is("Secret"))) && hasSecretData(applied)) {
      sink.add(value,
               "annotation " + std::string(kLastApplied) + " repeats the Secret's data (" +
                   std::to_string(value.str().size()) + " characters, redacted)",
               path, path);
      return;
    }
    TreeWalkLimits limits;
    limits.max_hits = 1;
    std::vector<TreeSecret> found = findSecretsInTree(applied, "", {}, limits);
    if (found.empty()) return;
    sink.add(value,
             "annotation " + std::string(kLastApplied) + " holds " + describeSecret(found[0].hit) + " at " +
                 found[0].path,
             path, path);
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretInAnnotationCheck() { return std::make_unique<SecretInAnnotationCheck>(); }

}  // namespace kspm::checks::secret
