// Shared plumbing for the Pod Security Standards checks (src/checks/pss/*/).
//
// Every PSS check is a PssCheck: evaluate() finds the pod spec (podSpecOf), skips policy versions
// before the check exists (CheckInfo::pss_min_minor) and calls evaluatePod(). The helpers below
// read fields the way the Go API types would decode them: a null value is an unset pointer, and a
// value of the wrong type is never "true" (the API server would reject such an object anyway).
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "checks/common/pod_spec.h"
#include "kspm/check.h"

namespace kspm::checks::pss {

class PssCheck : public Check {
 public:
  explicit PssCheck(CheckInfo info) : info_(std::move(info)) {}
  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context,
                FindingSink& sink) const noexcept override {
    if (context.pss_minor < info_.pss_min_minor) return;
    std::optional<PodSpecRef> pod = podSpecOf(object);
    if (!pod) return;
    evaluatePod(*pod, context.pss_minor, sink);
  }

 protected:
  /** Checks one pod spec at policy version v1.<minor> (minor >= pss_min_minor). */
  virtual void evaluatePod(const PodSpecRef& pod, uint32_t minor, FindingSink& sink) const = 0;

 private:
  CheckInfo info_;
};

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

/** `container "web"`, the way PSA names a container in its messages. */
inline std::string containerLabel(const ContainerRef& c) { return "container " + quoted(c.name); }

/** spec.hostUsers == false: the pod runs in a user namespace (KEP-127). */
inline bool inUserNamespace(const PodSpecRef& pod) { return isFalse(field(pod.spec, "hostUsers")); }

/** spec.os.name == "windows". */
inline bool isWindowsPod(const PodSpecRef& pod) {
  const Node* name = field(pod.spec, {"os", "name"});
  return name != nullptr && name->is("windows");
}

/** The pod-level security context, or nullptr. */
inline const Node* podSecurityContext(const PodSpecRef& pod) {
  return field(pod.spec, "securityContext");
}
/** A container's security context, or nullptr. */
inline const Node* securityContext(const ContainerRef& c) { return field(c.node, "securityContext"); }

/** Stable key of a list item: its `name`, else its index. */
inline std::string itemKey(const Node& item, uint32_t index) {
  const Node* name = item.get("name");
  if (name != nullptr && name->isString() && !name->str().empty()) return std::string(name->str());
  return std::to_string(index);
}

/** The controls of a PSS check: baseline checks belong to both profiles. */
inline std::vector<ControlRef> pssControls(PssLevel level, std::string_view pss_id) {
  if (level == PssLevel::kBaseline) return {{"pss-baseline", pss_id}, {"pss-restricted", pss_id}};
  return {{"pss-restricted", pss_id}};
}

}  // namespace kspm::checks::pss
