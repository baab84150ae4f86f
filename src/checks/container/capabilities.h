// How securityContext.capabilities add/drop combine, as containerd and CRI-O apply them: start from
// the runtime's default set; add "ALL" grants every capability, then drop "ALL" removes every one,
// then each named add is applied, then each named drop. "ALL" matches in any case. Named entries
// are compared upper-cased; CRI-O also accepts a "CAP_" prefix, but containerd prefixes "CAP_"
// itself, so a drop written "CAP_NET_RAW" removes nothing there ("CAP_CAP_NET_RAW"). A drop only
// counts when written without the prefix, an add counts in either form.
#pragma once

#include <string>
#include <string_view>

#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {

struct CapabilityLists {
  const Node* capabilities = nullptr;  // securityContext.capabilities mapping, or nullptr
  const Node* add = nullptr;           // its add list, or nullptr
  const Node* drop = nullptr;          // its drop list, or nullptr
};

inline CapabilityLists capabilityLists(const ContainerRef& c) {
  CapabilityLists lists;
  lists.capabilities = field(containerSecurityContextOf(c), "capabilities");
  const Node* add = field(lists.capabilities, "add");
  const Node* drop = field(lists.capabilities, "drop");
  lists.add = add != nullptr && add->isArray() ? add : nullptr;
  lists.drop = drop != nullptr && drop->isArray() ? drop : nullptr;
  return lists;
}

/** True when `list` holds "ALL" (any case). */
inline bool listHasAll(const Node* list) {
  if (list == nullptr) return false;
  for (const Node& item : list->items()) {
    if (item.isString() && isAllCapabilities(item.str())) return true;
  }
  return false;
}

/** True when `drop` removes the capability `canonical` on every runtime (named without "CAP_"). */
inline bool dropsPortably(const Node* drop, std::string_view canonical) {
  if (drop == nullptr) return false;
  for (const Node& item : drop->items()) {
    if (item.isString() && !hasCapPrefix(item.str()) && canonicalCapability(item.str()) == canonical) return true;
  }
  return false;
}

/** The drop entry naming `canonical` with a "CAP_" prefix (which containerd ignores), or nullptr. */
inline const Node* prefixedDrop(const Node* drop, std::string_view canonical) {
  if (drop == nullptr) return nullptr;
  for (const Node& item : drop->items()) {
    if (item.isString() && hasCapPrefix(item.str()) && canonicalCapability(item.str()) == canonical) return &item;
  }
  return nullptr;
}

/**
 * Calls fn(const Node& item, uint32_t index, const std::string& canonical) for every add entry that
 * still grants a capability after the drops: a named add survives unless a portable named drop
 * removes it; "ALL" survives unless drop also holds "ALL".
 */
template <typename Fn>
void forEachEffectiveAdd(const CapabilityLists& lists, Fn&& fn) {
  if (lists.add == nullptr) return;
  const bool drop_all = listHasAll(lists.drop);
  uint32_t index = 0;
  for (const Node& item : lists.add->items()) {
    if (item.isString()) {
      if (isAllCapabilities(item.str())) {
        if (!drop_all) fn(item, index, std::string("ALL"));
      } else {
        std::string canonical = canonicalCapability(item.str());
        if (!dropsPortably(lists.drop, canonical)) fn(item, index, canonical);
      }
    }
    ++index;
  }
}

}  // namespace kspm::checks::container
