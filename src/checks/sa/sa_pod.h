// The service account a pod spec runs as and whether its token is mounted, as the API server and
// the ServiceAccount admission plugin decide it. Shared by the sa-* checks.
#pragma once

#include <string_view>

#include "checks/common/pod_spec.h"
#include "kspm/check.h"
#include "kspm/node.h"
#include "kspm/object.h"

namespace kspm::checks::sa {

struct PodServiceAccount {
  std::string_view name;            // effective: serviceAccountName, else serviceAccount, else "default"
  const Node* name_node = nullptr;  // the field that named it, or nullptr when defaulted
  std::string_view name_field;  // "serviceAccountName" or "serviceAccount" (deprecated); "" when defaulted
  const Node* pod_automount = nullptr;      // spec.automountServiceAccountToken, or nullptr when unset
  const Object* account = nullptr;          // the ServiceAccount in the input, or nullptr
  const Node* account_automount = nullptr;  // its automountServiceAccountToken, or nullptr when unset
  bool valid = true;                        // false when a field has a type the API server would refuse
};

/**
 * Reads the pod spec's service account. v1 conversion: serviceAccountName wins; when it is empty
 * the deprecated serviceAccount is used; when both are empty admission sets "default". The
 * ServiceAccount is looked up in the object's namespace.
 */
PodServiceAccount podServiceAccount(const Object& object, const PodSpecRef& pod, const EvalContext& context);

/**
 * Whether the token is mounted: the pod's automountServiceAccountToken when set, else the
 * ServiceAccount's when it is in the input, else (unknown) assumed mounted, the default.
 */
bool tokenMounted(const PodServiceAccount& account);

}  // namespace kspm::checks::sa
