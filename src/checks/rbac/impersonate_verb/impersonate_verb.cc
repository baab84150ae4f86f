// rbac-impersonate-verb: a Role/ClusterRole rule with the impersonate verb (CIS 5.1.8).
// Impersonation is authorized as impersonate on users, groups and serviceaccounts (core group) and
// on uids and userextras/<key> (authentication.k8s.io).
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

constexpr std::string_view kAuthenticationGroup = "authentication.k8s.io";

class ImpersonateVerbCheck final : public RoleGrantCheck {
 public:
  ImpersonateVerbCheck()
      : RoleGrantCheck({
            .id = "rbac-impersonate-verb",
            .title = "Role can impersonate users, groups or service accounts",
            .severity = Severity::kHigh,
            .description =
                "The impersonate verb lets a subject send requests as another user, group or service account "
                "(kubectl --as): without resourceNames it can act as system:masters or any administrator.",
            .remediation = "Remove impersonate, or limit it with resourceNames to the identities the subject "
                           "must act as.",
            .controls = {{"cis", "5.1.8"}, {"nsa", "rbac"}},
        }) {}

 protected:
  bool match(const Object&, const Node& rule, uint32_t, const EvalContext&, RuleMatch* out) const override {
    std::vector<GrantTarget> targets = {
        {"", "users"}, {"", "groups"}, {"", "serviceaccounts"}, {kAuthenticationGroup, "uids"}};
    // userextras/<key>: one subresource per extra key; match the keys the rule names.
    for (std::string_view resource : ruleList(rule, "resources")) {
      if (resource.starts_with("userextras/")) targets.push_back({kAuthenticationGroup, resource});
    }
    if (!matchGrants(rule, {"impersonate"}, targets, out)) return false;
    out->anchor = "verbs";
    return true;
  }
};

}  // namespace

std::unique_ptr<Check> makeImpersonateVerbCheck() { return std::make_unique<ImpersonateVerbCheck>(); }

}  // namespace kspm::checks::rbac
