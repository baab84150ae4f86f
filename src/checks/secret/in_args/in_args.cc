// secret-in-args: a credential in a container's command or args (a token in a flag, a password in
// `--password=...` or `--password <value>`, a connection string, a secret inside an `sh -c`
// script), in the exec command of its probes and lifecycle hooks, or in their HTTP headers
// (`Authorization: Bearer ...`). Command lines show up in `ps`, in the pod spec and in audit logs.
#include <string>

#include "checks/common/fields.h"
#include "checks/common/pod_spec.h"
#include "checks/common/secret_detect.h"
#include "checks/secret/secret_checks.h"

namespace kspm::checks::secret {
namespace {

class SecretInArgsCheck final : public Check {
 public:
  SecretInArgsCheck()
      : info_({
            .id = "secret-in-args",
            .title = "Credential in a container command, arguments or probe",
            .severity = Severity::kHigh,
            .description =
                "A container's command, args, or a probe or lifecycle hook (exec command or HTTP header) holds "
                "a literal credential. "
                "Command lines are visible in the manifest, in the pod spec, to every process on the node "
                "through /proc and in audit logs.",
            .remediation =
                "Read the credential from a file mounted from a Secret, or from an env var set with "
                "valueFrom.secretKeyRef and referenced as $(VAR); rotate the exposed credential.",
            .controls = {{"nsa", "secrets"}},
            .scope = Scope::kPodSpec,
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object&, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (context.pod == nullptr) return;
    forEachContainer(*context.pod, [&](const ContainerRef& c) {
      checkList(c, c.node->get("command"), "command", sink);
      checkList(c, c.node->get("args"), "args", sink);
      for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        checkList(c, field(c.node, {probe, "exec", "command"}), std::string(probe) + ".exec.command", sink);
      }
      for (std::string_view hook : {"postStart", "preStop"}) {
        checkList(c, field(c.node, {"lifecycle", hook, "exec", "command"}),
                  "lifecycle." + std::string(hook) + ".exec.command", sink);
      }
      for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        checkHeaders(c, field(c.node, {probe, "httpGet", "httpHeaders"}), std::string(probe) + ".httpGet.httpHeaders",
                     sink);
      }
      for (std::string_view hook : {"postStart", "preStop"}) {
        checkHeaders(c, field(c.node, {"lifecycle", hook, "httpGet", "httpHeaders"}),
                     "lifecycle." + std::string(hook) + ".httpGet.httpHeaders", sink);
      }
    });
  }

 private:
  /** HTTP headers of probes and hooks: judged by header name, and `Bearer|Basic|Token <credential>`. */
  void checkHeaders(const ContainerRef& c, const Node* headers, const std::string& where, FindingSink& sink) const {
    if (headers == nullptr || !headers->isArray()) return;
    uint32_t index = 0;
    for (const Node& header : headers->items()) {
      const Node* name = header.get("name");
      const Node* value = header.get("value");
      if (value != nullptr && value->isString()) {
        std::string_view text = value->str();
        SecretHit hit = detectSecret(name != nullptr ? name->str() : std::string_view(), text);
        size_t space = text.find(' ');
        if (!hit && space != std::string_view::npos) {
          std::string_view scheme = text.substr(0, space);
          if (scheme == "Bearer" || scheme == "Basic" || scheme == "Token" || scheme == "bearer" || scheme == "basic" ||
              scheme == "token") {
            hit = detectSecret("token", text.substr(space + 1));
          }
        }
        if (hit) {
          std::string at = where + "[" + std::to_string(index) + "].value";
          sink.add(*value,
                   where.substr(0, where.find(".httpGet")) + " header " +
                       std::string(name != nullptr ? name->str() : std::string_view()) +
                       " of container \"" + std::string(c.name) + "\" holds " + describeSecret(hit),
                   c.path + "." + at, c.field + "." + where + "[" + itemKey(header, index) + "].value",
                   std::string(c.name));
        }
      }
      ++index;
    }
  }

  void checkList(const ContainerRef& c, const Node* list, const std::string& where, FindingSink& sink) const {
    if (list == nullptr || !list->isArray()) return;
    std::string_view previous_flag;
    uint32_t index = 0;
    for (const Node& item : list->items()) {
      std::string_view text = item.str();
      if (item.isString()) {
        if (SecretHit hit = detectSecretInArgument(text, previous_flag)) {
          std::string at = where + "[" + std::to_string(index) + "]";
          sink.add(item, at + " of container \"" + std::string(c.name) + "\" holds " + describeSecret(hit),
                   c.path + "." + at, c.field + "." + at, std::string(c.name));
        }
      }
      bool bare_flag = item.isString() && text.starts_with("-") && text.find('=') == std::string_view::npos &&
                       text.find(' ') == std::string_view::npos;
      previous_flag = bare_flag ? text : std::string_view();
      ++index;
    }
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeSecretInArgsCheck() { return std::make_unique<SecretInArgsCheck>(); }

}  // namespace kspm::checks::secret
