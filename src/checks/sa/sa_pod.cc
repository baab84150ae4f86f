#include "checks/sa/sa_pod.h"

#include "checks/common/fields.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/engine.h"

namespace kspm::checks::sa {

PodServiceAccount podServiceAccount(const Object& object, const PodSpecRef& pod, const EvalContext& context) {
  PodServiceAccount out;
  out.name = "default";
  for (std::string_view key : {"serviceAccountName", "serviceAccount"}) {
    const Node* value = field(pod.spec, key);
    if (value == nullptr) continue;
    if (!value->isString()) {
      out.valid = false;
      return out;
    }
    if (value->str().empty()) continue;
    out.name = value->str();
    out.name_node = value;
    out.name_field = key;
    break;
  }
  out.pod_automount = field(pod.spec, "automountServiceAccountToken");
  if (out.pod_automount != nullptr && !out.pod_automount->isBool()) out.valid = false;
  if (context.scan != nullptr) {
    const Object* account =
        context.scan->index.find("ServiceAccount", rbac::namespaceFor(object, context), out.name);
    if (account != nullptr && account->group().empty()) {
      out.account = account;
      out.account_automount = field(account->root, "automountServiceAccountToken");
    }
  }
  return out;
}

bool tokenMounted(const PodServiceAccount& account) {
  if (account.pod_automount != nullptr) return !isFalse(account.pod_automount);
  return !isFalse(account.account_automount);
}

}  // namespace kspm::checks::sa
