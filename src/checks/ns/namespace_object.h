// Helpers for checks on Namespace objects of the input.
#pragma once

#include <string>
#include <string_view>

#include "checks/common/fields.h"
#include "kspm/object.h"

namespace kspm::checks::ns {

/** A core Namespace object with a name; its name, else "". */
inline std::string_view namespaceName(const Object& object) {
  if (object.kind != "Namespace" || !object.group().empty()) return {};
  return object.name;
}

/** Where a finding about the whole namespace goes: metadata.name (else metadata, else the root). */
inline const Node& namespaceAnchor(const Object& object) {
  const Node* metadata = object.metadata();
  const Node* name = field(metadata, "name");
  if (name != nullptr) return *name;
  return metadata != nullptr ? *metadata : *object.root;
}

}  // namespace kspm::checks::ns
