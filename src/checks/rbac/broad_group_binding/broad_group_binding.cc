// rbac-broad-group-binding: a RoleBinding or ClusterRoleBinding granting a role to a group (or
// user) that takes in every identity of a kind: system:unauthenticated and system:anonymous
// (anyone who can reach the API server: critical), system:authenticated and
// system:serviceaccounts[:<ns>] (high).
//
// Not findings: Kubernetes' own bootstrap bindings (plugin/pkg/auth/authorizer/rbac/bootstrappolicy
// clusterRoleBindings): system:discovery and system:basic-user to system:authenticated,
// system:public-info-viewer to system:authenticated and system:unauthenticated,
// system:service-account-issuer-discovery to system:serviceaccounts. Low: other bindings of roles
// that grant only discovery and self-review, and kubeadm's cluster-info binding for node joins.
#include <algorithm>

#include "checks/common/fields.h"
#include "checks/rbac/rbac_checks.h"
#include "checks/rbac/rbac_rules.h"
#include "kspm/engine.h"

namespace kspm::checks::rbac {
namespace {

struct BootstrapBinding {
  std::string_view cluster_role;
  std::string_view group;
};
constexpr BootstrapBinding kBootstrapBindings[] = {
    {"system:discovery", "system:authenticated"},
    {"system:basic-user", "system:authenticated"},
    {"system:public-info-viewer", "system:authenticated"},
    {"system:public-info-viewer", "system:unauthenticated"},
    {"system:service-account-issuer-discovery", "system:serviceaccounts"},
};

// The bootstrap ClusterRoles that grant only discovery, health, version and self-review.
constexpr std::string_view kTrivialBootstrapRoles[] = {"system:discovery", "system:basic-user",
                                                       "system:public-info-viewer",
                                                       "system:service-account-issuer-discovery"};

// URLs of the bootstrap discovery roles: API discovery, health, version, OpenAPI, OIDC discovery.
constexpr std::string_view kDiscoveryUrls[] = {"/api",
                                               "/api/*",
                                               "/apis",
                                               "/apis/*",
                                               "/healthz",
                                               "/livez",
                                               "/readyz",
                                               "/version",
                                               "/version/",
                                               "/openapi",
                                               "/openapi/*",
                                               "/.well-known/openid-configuration",
                                               "/.well-known/openid-configuration/",
                                               "/openid/v1/jwks",
                                               "/openid/v1/jwks/"};
constexpr std::string_view kSelfReviews[] = {"selfsubjectaccessreviews", "selfsubjectrulesreviews",
                                             "selfsubjectreviews"};

constexpr std::string_view kKubeadmClusterInfoRole = "kubeadm:bootstrap-signer-clusterinfo";

template <typename Range>
bool allIn(const std::vector<std::string_view>& items, const Range& allowed) {
  return std::all_of(items.begin(), items.end(), [&](std::string_view item) {
    return std::find(std::begin(allowed), std::end(allowed), item) != std::end(allowed);
  });
}

// A rule that grants only reads of discovery URLs or creation of self reviews.
bool isTrivialRule(const Node& rule) {
  std::vector<std::string_view> verbs = ruleList(rule, "verbs");
  std::vector<std::string_view> urls = ruleList(rule, "nonResourceURLs");
  std::vector<std::string_view> resources = ruleList(rule, "resources");
  static constexpr std::string_view kReadVerbs[] = {"get", "head"};
  static constexpr std::string_view kCreate[] = {"create"};
  static constexpr std::string_view kReviewGroups[] = {"authorization.k8s.io", "authentication.k8s.io"};
  if (!urls.empty() && (!resources.empty() || !allIn(verbs, kReadVerbs) || !allIn(urls, kDiscoveryUrls))) {
    return false;
  }
  if (!resources.empty() && (!allIn(verbs, kCreate) || !allIn(resources, kSelfReviews) ||
                             !allIn(ruleList(rule, "apiGroups"), kReviewGroups))) {
    return false;
  }
  return true;
}

// True when every rule of the role object is trivial (an aggregated role without rules is not:
// what it aggregates is unknown).
bool isTrivialRole(const Object& role) {
  const Node* rules = field(role.root, "rules");
  if (field(role.root, "aggregationRule") != nullptr) return false;
  if (rules == nullptr) return true;
  if (!rules->isArray()) return false;
  return std::all_of(rules->items().begin(), rules->items().end(),
                     [](const Node& r) { return isTrivialRule(r); });
}

// kubeadm's Role in kube-public: get on the ConfigMap cluster-info only.
bool isClusterInfoRole(const Object& role) {
  const Node* rules = field(role.root, "rules");
  if (rules == nullptr || !rules->isArray() || rules->size() == 0) return false;
  for (const Node& rule : rules->items()) {
    std::vector<std::string_view> names = ruleList(rule, "resourceNames");
    if (ruleList(rule, "verbs") != std::vector<std::string_view>{"get"} ||
        ruleList(rule, "resources") != std::vector<std::string_view>{"configmaps"} ||
        names != std::vector<std::string_view>{"cluster-info"} ||
        !ruleList(rule, "nonResourceURLs").empty()) {
      return false;
    }
  }
  return true;
}

class BroadGroupBindingCheck final : public Check {
 public:
  BroadGroupBindingCheck()
      : info_({
            .id = "rbac-broad-group-binding",
            .title = "Role bound to a broad group",
            .severity = Severity::kHigh,
            .description =
                "system:unauthenticated and system:anonymous are anyone who can reach the API server; "
                "system:authenticated is every identity with any credential, every service account of every "
                "namespace included; system:serviceaccounts[:<ns>] is every service account (of the "
                "namespace). A role bound to them is held by every compromised pod or leaked token.",
            .remediation =
                "Bind the role to the specific users, groups or service accounts that need it instead of a "
                "system: group that includes everyone.",
            .controls = {{"nsa", "rbac"}},
            .scope = Scope::kKinds,
            .kinds = {"ClusterRoleBinding", "RoleBinding"},
        }) {}

  const CheckInfo& info() const override { return info_; }

  void evaluate(const Object& object, const EvalContext& context, FindingSink& sink) const noexcept override {
    if (!isBinding(object)) return;
    RoleRef ref;
    if (!roleRefOf(object, &ref)) return;
    std::string_view ns = namespaceFor(object, context);
    const Object* role = nullptr;
    if (context.scan != nullptr) {
      role = ref.kind == "ClusterRole" ? context.scan->index.find("ClusterRole", {}, ref.name)
                                       : context.scan->index.find("Role", ns, ref.name);
      if (role != nullptr && !isRole(*role)) role = nullptr;
    }
    for (const SubjectRef& s : subjectsOf(object, ns)) {
      if (s.cls != SubjectClass::kBroad) continue;
      if (isBootstrapBinding(ref, s, role)) continue;
      std::string message =
          "binds " + std::string(ref.kind) + " " + std::string(ref.name) + " to " + s.label();
      Severity severity = isUnauthenticatedSubject(s.kind, s.name) ? Severity::kCritical : Severity::kHigh;
      if (isKubeadmClusterInfo(object, ns, ref, s, role)) {
        severity = Severity::kLow;
        message +=
            ": kubeadm's cluster-info binding for node joins (kubeadm's documentation suggests "
            "deleting it once nodes have joined)";
      } else if (role != nullptr ? isTrivialRole(*role) : isTrivialBootstrapRole(ref)) {
        severity = Severity::kLow;
        message +=
            ", a role granting only discovery and self-review, in a binding Kubernetes does not create";
      } else {
        message += " (" + broadSubjectMeaning(s.kind, s.name) + ")";
        if (role == nullptr) message += "; the role is not in the input";
      }
      std::string path = itemPath("subjects", s.index);
      Finding& finding = sink.add(*s.node, message, path, "subjects[" + s.label() + "]");
      finding.severity = severity;
    }
  }

 private:
  static bool isTrivialBootstrapRole(const RoleRef& ref) {
    return ref.kind == "ClusterRole" &&
           std::find(std::begin(kTrivialBootstrapRoles), std::end(kTrivialBootstrapRoles), ref.name) !=
               std::end(kTrivialBootstrapRoles);
  }

  // An upstream bootstrap binding, unless the input redefines its role with more than it grants.
  static bool isBootstrapBinding(const RoleRef& ref, const SubjectRef& s, const Object* role) {
    if (ref.kind != "ClusterRole" || s.kind != "Group") return false;
    bool listed = std::any_of(
        std::begin(kBootstrapBindings), std::end(kBootstrapBindings),
        [&](const BootstrapBinding& b) { return b.cluster_role == ref.name && b.group == s.name; });
    return listed && (role == nullptr || isTrivialRole(*role));
  }

  static bool isKubeadmClusterInfo(const Object& binding, std::string_view ns, const RoleRef& ref,
                                   const SubjectRef& s, const Object* role) {
    return binding.kind == "RoleBinding" && ns == "kube-public" && ref.kind == "Role" &&
           ref.name == kKubeadmClusterInfoRole && s.kind == "User" && s.name == "system:anonymous" &&
           (role == nullptr || isClusterInfoRole(*role));
  }

  CheckInfo info_;
};

}  // namespace

std::unique_ptr<Check> makeBroadGroupBindingCheck() { return std::make_unique<BroadGroupBindingCheck>(); }

}  // namespace kspm::checks::rbac
