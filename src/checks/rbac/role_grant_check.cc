#include "checks/rbac/role_grant_check.h"

#include <algorithm>
#include <optional>

#include "checks/common/fields.h"

namespace kspm::checks::rbac {
namespace {

void addUnique(std::vector<std::string>* list, std::string_view value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) list->emplace_back(value);
}

std::string joinAll(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

bool matchGrants(const Node& rule, const std::vector<std::string_view>& verbs,
                 const std::vector<GrantTarget>& targets, RuleMatch* out) {
  std::vector<std::string> granted_verbs, granted_resources;
  bool all_named = true, all_through_wildcard = true;
  for (const GrantTarget& target : targets) {
    for (std::string_view verb : verbs) {
      Grant grant = ruleGrants(rule, verb, target.group, target.resource);
      if (grant == Grant::kNone) continue;
      addUnique(&granted_verbs, verb);
      addUnique(&granted_resources, target.resource);
      if (grant == Grant::kAll) all_named = false;
      bool literal = ruleListHas(rule, "verbs", verb) && ruleListHas(rule, "resources", target.resource) &&
                     ruleListHas(rule, "apiGroups", target.group);
      if (literal) all_through_wildcard = false;
    }
  }
  if (granted_verbs.empty()) return false;
  // Verbs in the order given, not the order found.
  std::vector<std::string> ordered;
  for (std::string_view verb : verbs) {
    if (std::find(granted_verbs.begin(), granted_verbs.end(), verb) != granted_verbs.end())
      ordered.emplace_back(verb);
  }
  out->what = "grants " + joinAll(ordered) + " on " + joinAll(granted_resources);
  if (all_named) {
    std::vector<std::string> names;
    for (std::string_view n : ruleList(rule, "resourceNames")) names.emplace_back(n);
    out->what += " named " + joinNames(names);
  }
  if (all_through_wildcard) out->what += " (through *)";
  out->anchor = "resources";
  out->named_only = all_named;
  return true;
}

CheckInfo roleCheckInfo(CheckInfo info) {
  info.scope = Scope::kKinds;
  info.kinds = {"Role", "ClusterRole"};
  return info;
}

RoleGrantCheck::RoleGrantCheck(CheckInfo info) : info_(roleCheckInfo(std::move(info))) {}

void RoleGrantCheck::evaluate(const Object& object, const EvalContext& context,
                              FindingSink& sink) const noexcept {
  if (!isRole(object)) return;
  // No rules: nothing granted. This includes an aggregated ClusterRole as written in a manifest
  // (aggregationRule, rules filled in by the controller): its grants are reported on the roles it
  // aggregates, which name who holds them.
  const Node* rules = field(object.root, "rules");
  if (rules == nullptr || !rules->isArray() || rules->size() == 0) return;
  std::optional<RoleSubjects> subjects;  // looked up on the first match only
  uint32_t index = 0;
  for (const Node& rule : rules->items()) {
    uint32_t i = index++;
    RuleMatch m;
    if (!rule.isObject() || !match(object, rule, i, context, &m)) continue;
    if (!subjects) subjects = roleSubjects(object, context);
    GrantVerdict verdict = grantVerdict(object, *subjects, info_.severity, m.named_only);
    std::string path = itemPath("rules", i);
    const Node* at = &rule;
    if (const Node* anchor = m.anchor.empty() ? nullptr : field(&rule, m.anchor); anchor != nullptr) {
      at = anchor;
      path += '.';
      path += m.anchor;
    }
    Finding& finding = sink.add(*at, m.what + verdict.to_whom, path, path);
    finding.severity = verdict.severity;
  }
}

}  // namespace kspm::checks::rbac
