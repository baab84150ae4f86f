// The shape shared by the role-grant checks (rbac-secrets-access, rbac-pod-create, ...): look at
// each rule of a Role/ClusterRole, report the rules that grant what the check is about on the line
// of that rule, name who is bound to the role, and set the severity from who that is (see
// grantVerdict in rbac_rules.h).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "checks/rbac/rbac_rules.h"
#include "kspm/check.h"
#include "kspm/rbac.h"

namespace kspm::checks::rbac {

/** A resource in an API group, e.g. {"", "pods/exec"} or {"apps", "deployments"}. */
struct GrantTarget {
  std::string_view group;
  std::string_view resource;  // "resource" or "resource/subresource"
};

/** What one rule grants that a check is about. */
struct RuleMatch {
  std::string what;         // "grants get, list on secrets", "uses * in verbs and resources"
  std::string_view anchor;  // the rule's field to report at ("resources", "verbs", ...); "" = the rule
  bool named_only = false;  // limited to the objects in resourceNames
};

/**
 * Whether `rule` grants any of `verbs` on any of `targets`, described as "grants <verbs> on
 * <resources>[ named <names>][ (through *)]". Verbs and resources are listed in the given order.
 */
bool matchGrants(const Node& rule, const std::vector<std::string_view>& verbs,
                 const std::vector<GrantTarget>& targets, RuleMatch* out);

class RoleGrantCheck : public Check {
 public:
  explicit RoleGrantCheck(CheckInfo info);
  const CheckInfo& info() const override { return info_; }
  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override;

 protected:
  /** True (and *out filled) when `rule` (rules[index] of `role`) grants what this check is about. */
  virtual bool match(const Object& role, const Node& rule, uint32_t index, const EvalContext& context,
                     RuleMatch* out) const = 0;

 private:
  CheckInfo info_;
};

/**
 * A role-grant check about fixed verbs on fixed resources (most of them). A namespaced Role is
 * judged only on the targets that are namespaced: RoleBindings never grant cluster-scoped
 * resources (nodes, persistentvolumes, webhook configurations...), so such rules in a Role grant
 * nothing (rbac::isClusterScopedResource).
 */
class VerbsOnResourcesCheck : public RoleGrantCheck {
 public:
  VerbsOnResourcesCheck(CheckInfo info, std::vector<std::string_view> verbs, std::vector<GrantTarget> targets)
      : RoleGrantCheck(std::move(info)), verbs_(std::move(verbs)), targets_(std::move(targets)) {
    for (const GrantTarget& t : targets_) {
      if (!kspm::rbac::isClusterScopedResource(t.group, t.resource)) namespaced_targets_.push_back(t);
    }
  }

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    if (role.kind == "Role") return !namespaced_targets_.empty() && matchGrants(rule, verbs_, namespaced_targets_, out);
    return matchGrants(rule, verbs_, targets_, out);
  }

 private:
  std::vector<std::string_view> verbs_;
  std::vector<GrantTarget> targets_;
  std::vector<GrantTarget> namespaced_targets_;  // targets_ without the cluster-scoped ones
};

/** Role/ClusterRole CheckInfo defaults: Scope::kKinds with those two kinds. */
CheckInfo roleCheckInfo(CheckInfo info);

}  // namespace kspm::checks::rbac
