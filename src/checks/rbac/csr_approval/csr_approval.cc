// rbac-csr-approval: a Role/ClusterRole rule that lets its subjects approve certificate signing
// requests (CIS 5.1.11). Approving takes update on certificatesigningrequests/approval and, since
// certificates/v1, approve on signers (resourceNames: the signer names or "<domain>/*"); the message
// says whether the same role grants the latter.
#include <span>

#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/role_grant_check.h"

namespace kspm::checks::rbac {
namespace {

constexpr std::string_view kCertificatesGroup = "certificates.k8s.io";

class CsrApprovalCheck final : public RoleGrantCheck {
 public:
  CsrApprovalCheck()
      : RoleGrantCheck({
            .id = "rbac-csr-approval",
            .title = "Role can approve certificate signing requests",
            .severity = Severity::kHigh,
            .description =
                "update on certificatesigningrequests/approval, together with approve on a signer, approves "
                "CSRs: with the kubernetes.io/kube-apiserver-client signer a subject can issue itself a "
                "client "
                "certificate for any user or group, system:masters included.",
            .remediation = "Remove update and patch on certificatesigningrequests/approval, or limit the "
                           "approve verb on "
                           "signers with resourceNames to the signers the approver handles.",
            .controls = {{"cis", "5.1.11"}},
        }) {}

 protected:
  bool match(const Object& role, const Node& rule, uint32_t, const EvalContext&,
             RuleMatch* out) const override {
    if (role.kind == "Role") return false;  // CSRs are cluster-scoped: a Role grants nothing on them
    if (!matchGrants(rule, {"update", "patch"}, {{kCertificatesGroup, "certificatesigningrequests/approval"}},
                     out)) {
      return false;
    }
    out->what += approveOnSigners(role);
    return true;
  }

 private:
  // Which signers the whole role may approve for.
  static std::string approveOnSigners(const Object& role) {
    const Node* rules = field(role.root, "rules");
    std::vector<std::string> signers;
    bool every_signer = false;
    for (const Node& rule : rules != nullptr ? rules->items() : std::span<const Node>()) {
      Grant grant = ruleGrants(rule, "approve", kCertificatesGroup, "signers");
      if (grant == Grant::kAll) every_signer = true;
      if (grant != Grant::kNamed) continue;
      for (std::string_view name : ruleList(rule, "resourceNames")) signers.emplace_back(name);
    }
    if (every_signer) return ", and approve on every signer";
    if (!signers.empty()) return ", and approve on signers " + joinNames(signers);
    return " (approving also needs approve on a signer, which this role does not grant)";
  }
};

}  // namespace

std::unique_ptr<Check> makeCsrApprovalCheck() { return std::make_unique<CsrApprovalCheck>(); }

}  // namespace kspm::checks::rbac
