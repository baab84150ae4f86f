// rbac-wildcard: `*` in a Role/ClusterRole rule's verbs, resources (also `*/<subresource>`),
// apiGroups or nonResourceURLs (CIS 5.1.3). A wildcard grants whatever the API server serves now
// and later: new resources, CRDs, verbs.
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

class WildcardCheck final : public RoleGrantCheck {
 public:
  WildcardCheck()
      : RoleGrantCheck({
            .id = "rbac-wildcard",
            .title = "Role uses wildcards",
            .severity = Severity::kMedium,
            .description = "A * in verbs, resources or apiGroups grants everything that matches now and "
                           "everything added "
                           "later (new resources, custom resources, subresources such as pods/exec), which "
                           "is rarely what "
                           "the role needs.",
            .remediation = "List the verbs, resources and API groups the role needs instead of *.",
            .controls = {{"cis", "5.1.3"}, {"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    static constexpr std::string_view kFields[] = {"verbs", "resources", "apiGroups", "nonResourceURLs"};
    std::vector<std::string> wild;
    std::string_view anchor;
    for (std::string_view key : kFields) {
      bool found = false;
      for (std::string_view item : ruleList(rule, key)) {
        if (item == "*" || (key == "resources" && item.starts_with("*/"))) found = true;
      }
      if (!found) continue;
      wild.emplace_back(key);
      if (anchor.empty()) anchor = key;
    }
    if (wild.empty()) return false;
    out->what = "uses * in " + joinNames(wild, 4);
    out->anchor = anchor;
    out->named_only = !ruleList(rule, "resourceNames").empty();
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makeWildcardCheck() { return std::make_unique<WildcardCheck>(); }

}  // namespace kspm::checks::rbac
