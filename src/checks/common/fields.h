// Reading fields of the node tree the way the Go API types would decode them: a null value is an
// unset pointer, and a value of the wrong type is never "true" (the API server would reject such
// an object anyway). Shared by every check family.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "kspm/node.h"

namespace kspm::checks {

/** The member `key` of `node`, or nullptr when missing or null (a nil pointer in Go). */
inline const Node* field(const Node* node, std::string_view key) {
  if (node == nullptr) return nullptr;
  const Node* v = node->get(key);
  return (v == nullptr || v->isNull()) ? nullptr : v;
}
inline const Node* field(const Node* node, std::initializer_list<std::string_view> keys) {
  const Node* cur = node;
  for (std::string_view k : keys) {
    cur = field(cur, k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

/** True only for a bool true. */
inline bool isTrue(const Node* node) { return node != nullptr && node->isBool() && node->boolean(); }
/** True only for a bool false. */
inline bool isFalse(const Node* node) { return node != nullptr && node->isBool() && !node->boolean(); }

/** A scalar as text (strings unquoted); "" for null or a missing node. */
inline std::string text(const Node* node) {
  if (node == nullptr) return {};
  if (node->isString()) return std::string(node->str());
  return node->scalarText();
}

inline std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

/** Stable key of a list item: its `name`, else its index. */
inline std::string itemKey(const Node& item, uint32_t index) {
  const Node* name = item.get("name");
  if (name != nullptr && name->isString() && !name->str().empty()) return std::string(name->str());
  return std::to_string(index);
}

}  // namespace kspm::checks
