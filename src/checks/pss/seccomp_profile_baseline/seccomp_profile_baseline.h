#pragma once

#include "kspm/node.h"

namespace kspm::checks::pss {

/** True for seccompProfile.type RuntimeDefault or Localhost (a missing type is not allowed). */
inline bool isAllowedSeccompType(const Node* type) {
  return type != nullptr && (type->is("RuntimeDefault") || type->is("Localhost"));
}

}  // namespace kspm::checks::pss
