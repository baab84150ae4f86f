// The admission decision (include/kspm/admission.h): AdmissionReview bodies as the API server sends
// them (tests/testdata/admission/) and built ones for the other kinds.
#include "kspm/admission.h"

#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "kspm/config.h"

namespace kspm::admission {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(KSPM_SOURCE_DIR) + "/tests/testdata/admission/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

class FakeLabels : public NamespaceLabels {
 public:
  std::map<std::string, std::map<std::string, std::string>> namespaces;
  std::optional<std::map<std::string, std::string>> labels(std::string_view name) const override {
    auto it = namespaces.find(std::string(name));
    if (it == namespaces.end()) return std::nullopt;
    return it->second;
  }
};

/** A Controller from a .kspm.yaml text (scan settings, exceptions and the admission: section). */
std::unique_ptr<Controller> controllerFrom(const std::string& config_text, const NamespaceLabels* labels = nullptr,
                                           ControllerOptions options = {}) {
  std::vector<ConfigError> errors;
  Config config;
  if (!config_text.empty()) config = parseConfig(".kspm.yaml", config_text, Catalog::builtin(), &errors);
  for (const ConfigError& e : errors) ADD_FAILURE() << describeConfigError(e);
  ScanPolicy scan;
  applyConfig(config, &scan);
  AdmissionPolicy policy = config.admission ? *config.admission : AdmissionPolicy{};
  return std::make_unique<Controller>(Catalog::builtin(), std::move(scan), std::move(policy), labels, options);
}

/** The parsed response, with accessors for the fields the API server reads. */
struct Response {
  rapidjson::Document doc;
  explicit Response(const Outcome& outcome) {
    EXPECT_EQ(outcome.http_status, 200) << outcome.body;
    doc.Parse(outcome.body.c_str());
    EXPECT_FALSE(doc.HasParseError()) << outcome.body;
    EXPECT_TRUE(doc.IsObject()) << outcome.body;
  }
  const rapidjson::Value& response() const { return doc["response"]; }
  std::string uid() const { return response()["uid"].GetString(); }
  bool allowed() const { return response()["allowed"].GetBool(); }
  int code() const { return response().HasMember("status") ? response()["status"]["code"].GetInt() : 0; }
  std::string message() const {
    return response().HasMember("status") ? response()["status"]["message"].GetString() : "";
  }
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    if (!response().HasMember("warnings")) return out;
    for (const auto& w : response()["warnings"].GetArray()) out.emplace_back(w.GetString());
    return out;
  }
  std::string audit(const char* key) const {
    if (!response().HasMember("auditAnnotations") || !response()["auditAnnotations"].HasMember(key)) return "";
    return response()["auditAnnotations"][key].GetString();
  }
  bool anyWarningContains(std::string_view text) const {
    for (const std::string& w : warnings()) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

/** An AdmissionReview around `object_json` (compact, as the API server writes it). */
std::string reviewOf(std::string_view operation, std::string_view group, std::string_view version,
                     std::string_view kind, std::string_view resource, std::string_view ns, std::string_view name,
                     const std::string& object_json, const std::string& old_json = "null",
                     std::string_view username = "alice@example.com") {
  std::string gvk = R"({"group":")" + std::string(group) + R"(","version":")" + std::string(version) +
                    R"(","kind":")" + std::string(kind) + R"("})";
  std::string gvr = R"({"group":")" + std::string(group) + R"(","version":")" + std::string(version) +
                    R"(","resource":")" + std::string(resource) + R"("})";
  std::string out = R"({"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"uid-)" +
                    std::string(kind) + R"(-1","kind":)" + gvk + R"(,"resource":)" + gvr +
                    R"(,"requestKind":)" + gvk + R"(,"requestResource":)" + gvr + R"(,"name":")" + std::string(name) +
                    R"(")";
  if (!ns.empty()) out += R"(,"namespace":")" + std::string(ns) + R"(")";
  out += R"(,"operation":")" + std::string(operation) + R"(","userInfo":{"username":")" + std::string(username) +
         R"(","groups":["developers","system:authenticated"]},"object":)" + object_json + R"(,"oldObject":)" +
         old_json + R"(,"dryRun":false,"options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}}})";
  return out;
}

constexpr const char* kPrivilegedPodSpec =
    R"({"containers":[{"name":"app","image":"registry.example.com/shop/web:1.0","securityContext":{"privileged":true}}]})";

/** A pod that passes baseline but not restricted (no runAsNonRoot, no seccomp, capabilities kept). */
constexpr const char* kBaselinePod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"legacy","namespace":"NS"},"spec":{"containers":[{"name":"app","image":"registry.example.com/shop/web:1.0","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}}]}})";

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

TEST(AdmissionPolicy, ParsesTheAdmissionSection) {
  std::vector<ConfigError> errors;
  Config config = parseConfig(".kspm.yaml", R"(admission:
  mode: warn
  enforceSeverity: critical
  podSecurity: {level: baseline, version: v1.30}
  exempt: {namespaces: [kube-system, "kspm*"], users: [admin], groups: ["system:masters"]}
  maxWarnings: 3
  namespaces:
  - match: {names: ["dev-*"], matchLabels: {env: dev}, matchExpressions: [{key: team, operator: In, values: [a]}]}
    mode: audit
  - match: {names: [prod]}
    mode: enforce
    podSecurity: {level: restricted, version: latest}
)",
                              Catalog::builtin(), &errors);
  ASSERT_TRUE(errors.empty()) << describeConfigError(errors[0]);
  ASSERT_NE(config.admission, nullptr);
  const AdmissionPolicy& p = *config.admission;
  EXPECT_EQ(p.defaults.mode, Mode::kWarn);
  EXPECT_EQ(p.defaults.enforce_severity, Severity::kCritical);
  EXPECT_EQ(p.defaults.pss_level, PssLevel::kBaseline);
  EXPECT_EQ(p.defaults.pss_minor, 30u);
  EXPECT_FALSE(p.defaults.pss_latest);
  EXPECT_EQ(p.exempt_namespaces, (std::vector<std::string>{"kube-system", "kspm*"}));
  EXPECT_EQ(p.exempt_users, (std::vector<std::string>{"admin"}));
  EXPECT_EQ(p.exempt_groups, (std::vector<std::string>{"system:masters"}));
  EXPECT_EQ(p.max_warnings, 3u);
  ASSERT_EQ(p.namespaces.size(), 2u);
  EXPECT_EQ(p.namespaces[0].selector.names, (std::vector<std::string>{"dev-*"}));
  ASSERT_EQ(p.namespaces[0].selector.match_labels.size(), 1u);
  ASSERT_EQ(p.namespaces[0].selector.match_expressions.size(), 1u);
  EXPECT_EQ(p.namespaces[0].policy.mode, Mode::kAudit);
  // Unset fields inherit the defaults.
  EXPECT_EQ(p.namespaces[0].policy.pss_level, PssLevel::kBaseline);
  EXPECT_EQ(p.namespaces[0].policy.enforce_severity, Severity::kCritical);
  EXPECT_EQ(p.namespaces[0].source, ".kspm.yaml:8");
  EXPECT_EQ(p.namespaces[1].policy.pss_level, PssLevel::kRestricted);
  EXPECT_EQ(p.namespaces[1].policy.pss_minor, kPssLatestMinor);
  EXPECT_TRUE(p.namespaces[1].policy.pss_latest);
}

// The label-selector part of a namespace rule's match is read by the same code as the selectors
// of exceptions and owners rules (ConfigReader::labelSelector): the same errors, all reported.
TEST(AdmissionPolicy, LabelSelectorErrorsAreTheSharedOnes) {
  std::vector<ConfigError> errors;
  parseConfig(".kspm.yaml", R"(admission:
  namespaces:
  - match: {matchLabels: [env], matchExpressions: [{key: team, operator: Maybe}, {key: env, operator: In}]}
    mode: warn
owners:
  rules:
  - team: t
    selector: {matchLabels: [env], matchExpressions: [{key: team, operator: Maybe}, {key: env, operator: In}]}
)",
              Catalog::builtin(), &errors);
  std::vector<std::string> text;
  for (const ConfigError& e : errors) text.push_back(describeConfigError(e));
  for (const std::string where : {"admission.namespaces[0].match", "owners.rules[0].selector"}) {
    int line = where[0] == 'a' ? 3 : 8;
    for (const std::string tail : {".matchLabels: expected a mapping of label keys to values",
                                   ".matchExpressions[0].operator: expected In, NotIn, Exists or DoesNotExist",
                                   ".matchExpressions[1]: In and NotIn need values"}) {
      std::string needle = ".kspm.yaml:" + std::to_string(line) + ": " + where + tail;
      EXPECT_TRUE(std::any_of(text.begin(), text.end(), [&](const std::string& t) { return t == needle; }))
          << needle << "\n" << ::testing::PrintToString(text);
    }
  }
  EXPECT_EQ(errors.size(), 6u) << ::testing::PrintToString(text);
}

TEST(AdmissionPolicy, ErrorsNameFileLineAndKey) {
  std::vector<ConfigError> errors;
  parseConfig(".kspm.yaml", R"(admission:
  mode: block
  podSecurity: {level: strict, version: v2.0}
  exempt: {namespace: [a]}
  maxWarnings: many
  namespaces:
  - mode: warn
  - match: {}
  - match: {names: [a]}
    enforceSeverity: extreme
)",
              Catalog::builtin(), &errors);
  std::vector<std::string> text;
  for (const ConfigError& e : errors) text.push_back(describeConfigError(e));
  auto has = [&](const std::string& needle) {
    return std::any_of(text.begin(), text.end(), [&](const std::string& t) { return t.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has(".kspm.yaml:2: admission.mode: expected enforce, warn or audit"));
  EXPECT_TRUE(has(".kspm.yaml:3: admission.podSecurity.level: expected privileged, baseline or restricted"));
  EXPECT_TRUE(has(".kspm.yaml:3: admission.podSecurity.version: expected latest or v1.0"));
  EXPECT_TRUE(has(".kspm.yaml:4: admission.exempt.namespace: unknown key"));
  EXPECT_TRUE(has(".kspm.yaml:5: admission.maxWarnings: expected a number"));
  EXPECT_TRUE(has(".kspm.yaml:7: admission.namespaces[0]: a namespace rule needs `match`"));
  EXPECT_TRUE(has(".kspm.yaml:8: admission.namespaces[1].match: an empty match"));
  EXPECT_TRUE(has(".kspm.yaml:10: admission.namespaces[2].enforceSeverity: expected info"));
  EXPECT_EQ(errors.size(), 8u) << ::testing::PrintToString(text);

  errors.clear();
  parseConfig(".kspm.yaml", "admission:\n  modes: warn\n", Catalog::builtin(), &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(describeConfigError(errors[0]),
            ".kspm.yaml:2: admission.modes: unknown key (expected one of: mode, enforceSeverity, podSecurity, exempt, "
            "maxWarnings, namespaces)");
}

TEST(AdmissionReview, CompliantPodIsAllowed) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("pod_create_allowed.json"));
  Response r(outcome);
  EXPECT_EQ(r.uid(), "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_TRUE(r.allowed()) << outcome.body;
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(outcome.decision, Outcome::Decision::kAllowed) << outcome.body;
  EXPECT_EQ(outcome.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(outcome.operation, "CREATE");
  EXPECT_EQ(outcome.kind, "Pod");
  EXPECT_EQ(outcome.ns, "shop");
  EXPECT_EQ(outcome.name, "web");
  EXPECT_EQ(outcome.username, "alice@example.com");
  EXPECT_FALSE(outcome.dry_run);
  EXPECT_EQ(r.audit("decision"), "allowed");
  EXPECT_EQ(r.audit("mode"), "enforce");
}

TEST(AdmissionReview, PrivilegedPodIsDeniedWithTheCheckAndAFix) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("pod_create_privileged.json"));
  Response r(outcome);
  EXPECT_EQ(r.uid(), "a1b2c3d4-0000-4000-8000-000000000001");
  EXPECT_FALSE(r.allowed());
  EXPECT_EQ(r.code(), 403);
  EXPECT_EQ(r.response()["status"]["reason"].GetString(), std::string("Forbidden"));
  std::string message = r.message();
  EXPECT_EQ(message.rfind("kspm denied Pod shop/web: ", 0), 0u) << message;
  EXPECT_NE(message.find("pss-privileged: "), std::string::npos) << message;
  EXPECT_NE(message.find("(fix: "), std::string::npos) << message;
  EXPECT_LE(message.size(), 2048u);
  EXPECT_EQ(outcome.decision, Outcome::Decision::kDenied);
  EXPECT_GE(outcome.findings, 1u);
  EXPECT_EQ(r.audit("decision"), "denied");
  EXPECT_NE(r.audit("findings").find("pss-privileged"), std::string::npos);
}

TEST(AdmissionReview, WarnModeAllowsWithWarnings) {
  auto controller = controllerFrom("admission: {mode: warn, maxWarnings: 50}\n");
  Outcome outcome = controller->review(fixture("pod_create_privileged.json"));
  Response r(outcome);
  EXPECT_TRUE(r.allowed());
  EXPECT_EQ(outcome.decision, Outcome::Decision::kWarned);
  EXPECT_EQ(outcome.mode, Mode::kWarn);
  EXPECT_TRUE(r.anyWarningContains("kspm: pss-privileged (critical): ")) << outcome.body;
  for (const std::string& w : r.warnings()) EXPECT_LE(w.size(), 120u) << w;
  EXPECT_EQ(r.audit("mode"), "warn");
}

TEST(AdmissionReview, AuditModeRecordsOnlyInAuditAnnotations) {
  auto controller = controllerFrom("admission: {mode: audit}\n");
  Outcome outcome = controller->review(fixture("pod_create_privileged.json"));
  Response r(outcome);
  EXPECT_TRUE(r.allowed());
  EXPECT_EQ(outcome.decision, Outcome::Decision::kAudited);
  EXPECT_TRUE(r.warnings().empty()) << outcome.body;
  EXPECT_EQ(r.audit("decision"), "audited");
  EXPECT_EQ(r.audit("mode"), "audit");
  EXPECT_NE(r.audit("findings").find("pss-privileged"), std::string::npos) << outcome.body;
}

TEST(AdmissionReview, DryRunDecidesTheSame) {
  auto controller = controllerFrom("");
  std::string body = fixture("pod_create_privileged.json");
  std::string dry = replaceAll(body, R"("dryRun":false)", R"("dryRun":true)");
  ASSERT_NE(dry, body);
  Outcome real = controller->review(body);
  Outcome dry_run = controller->review(dry);
  EXPECT_FALSE(real.dry_run);
  EXPECT_TRUE(dry_run.dry_run);
  EXPECT_EQ(dry_run.decision, Outcome::Decision::kDenied);
  EXPECT_EQ(dry_run.body, real.body);
}

TEST(AdmissionReview, UpdateOfMetadataOnlyIsAllowedForANonCompliantPod) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("pod_update_metadata_only.json"));
  Response r(outcome);
  EXPECT_TRUE(r.allowed()) << outcome.body;
  EXPECT_EQ(outcome.decision, Outcome::Decision::kAllowed);
  EXPECT_EQ(outcome.operation, "UPDATE");
  EXPECT_EQ(r.uid(), "a1b2c3d4-0000-4000-8000-000000000002");
  EXPECT_EQ(r.audit("update"), "metadata or status only");
}

TEST(AdmissionReview, UpdateAddingAPrivilegedContainerIsDenied) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("deployment_update_add_privileged.json"));
  Response r(outcome);
  EXPECT_FALSE(r.allowed()) << outcome.body;
  EXPECT_NE(r.message().find("kspm denied Deployment shop/web: "), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("pss-privileged: "), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("sidecar"), std::string::npos) << r.message();
  EXPECT_EQ(r.message().find("\"app\""), std::string::npos) << "the unchanged container is not blamed: " << r.message();
}

// Pod Security Admission evaluates a pod update that changes an image (isSignificantPodUpdate);
// kspm too: a finding the old pod already had still denies when the container it is about runs a
// new image, since the new code would run with the old privileges.
TEST(AdmissionReview, ImageChangeOfAnAlreadyPrivilegedPodIsDenied) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("pod_update_image_privileged.json"));
  Response r(outcome);
  EXPECT_FALSE(r.allowed()) << outcome.body;
  EXPECT_NE(r.message().find("pss-privileged"), std::string::npos);
}

TEST(AdmissionReview, UnchangedFindingsOfASignificantUpdateOnlyWarn) {
  // A non-compliant Deployment scaled from 3 to 5 replicas: spec changed, no finding is new and no
  // image changed, so it is allowed; the old findings are warnings.
  auto controller = controllerFrom("");
  std::string object = std::string(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":5,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":)") +
                       kPrivilegedPodSpec + "}}}";
  std::string old = replaceAll(object, R"("replicas":5)", R"("replicas":3)");
  Outcome outcome = controller->review(reviewOf("UPDATE", "apps", "v1", "Deployment", "deployments", "shop", "web", object, old));
  Response r(outcome);
  EXPECT_TRUE(r.allowed()) << outcome.body;
  EXPECT_EQ(outcome.decision, Outcome::Decision::kWarned);
  EXPECT_TRUE(r.anyWarningContains("already present")) << outcome.body;
}

TEST(AdmissionReview, EphemeralSysadminDebugContainerIsDenied) {
  auto controller = controllerFrom("");
  Outcome outcome = controller->review(fixture("pod_ephemeral_sysadmin.json"));
  Response r(outcome);
  EXPECT_FALSE(r.allowed()) << outcome.body;
  EXPECT_NE(r.message().find("pss-privileged"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("debugger-8xk2q"), std::string::npos) << r.message();
  EXPECT_EQ(outcome.username, "bob@example.com");

  // Other pod subresources are not judged.
  std::string status = replaceAll(fixture("pod_ephemeral_sysadmin.json"), "ephemeralcontainers", "status");
  Outcome status_outcome = controller->review(status);
  EXPECT_EQ(status_outcome.decision, Outcome::Decision::kNotCovered);
  EXPECT_TRUE(Response(status_outcome).allowed());
}

TEST(AdmissionReview, EveryPodControllerIsJudged) {
  auto controller = controllerFrom("");
  std::string spec = kPrivilegedPodSpec;
  struct Case {
    const char* group;
    const char* kind;
    const char* resource;
    std::string object;
  };
  std::vector<Case> cases = {
      {"apps", "Deployment", "deployments",
       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w","namespace":"shop"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":)" + spec + "}}}"},
      {"apps", "StatefulSet", "statefulsets",
       R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"w","namespace":"shop"},"spec":{"serviceName":"w","selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":)" + spec + "}}}"},
      {"apps", "DaemonSet", "daemonsets",
       R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"w","namespace":"shop"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":)" + spec + "}}}"},
      {"batch", "Job", "jobs",
       R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"w","namespace":"shop"},"spec":{"template":{"spec":)" + spec + "}}}"},
      {"batch", "CronJob", "cronjobs",
       R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"w","namespace":"shop"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":)" + spec + "}}}}}"},
      {"apps", "ReplicaSet", "replicasets",
       R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"w","namespace":"shop"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":)" + spec + "}}}"},
  };
  for (const Case& c : cases) {
    Outcome outcome = controller->review(reviewOf("CREATE", c.group, "v1", c.kind, c.resource, "shop", "w", c.object));
    Response r(outcome);
    EXPECT_FALSE(r.allowed()) << c.kind << ": " << outcome.body;
    EXPECT_NE(r.message().find("kspm denied " + std::string(c.kind) + " shop/w: "), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("pss-privileged"), std::string::npos) << r.message();
  }
}

TEST(AdmissionReview, ClusterRoleWithWildcardsFollowsTheEnforceSeverity) {
  std::string role =
      R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"everything"},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]})";
  std::string body = reviewOf("CREATE", "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "", "everything", role);
  // At the default (high): denied, since * grants bind, escalate and impersonate (high checks).
  Outcome at_high = controllerFrom("")->review(body);
  Response r(at_high);
  EXPECT_FALSE(r.allowed()) << at_high.body;
  EXPECT_NE(r.message().find("kspm denied ClusterRole everything: "), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("rbac-escalate-verb"), std::string::npos) << r.message();
  EXPECT_EQ(r.message().find("rbac-wildcard"), std::string::npos) << "medium: a warning, not a reason: " << r.message();
  EXPECT_NE(r.audit("findings").find("rbac-wildcard"), std::string::npos);
  // Only critical denies: an unbound role's grants are as severe as each check says (nobody is seen
  // holding it), none critical, so it is allowed with warnings.
  Outcome at_critical = controllerFrom("admission: {enforceSeverity: critical, maxWarnings: 50}\n")->review(body);
  Response r2(at_critical);
  EXPECT_TRUE(r2.allowed()) << at_critical.body;
  EXPECT_EQ(at_critical.decision, Outcome::Decision::kWarned);
  EXPECT_TRUE(r2.anyWarningContains("kspm: rbac-wildcard (medium): ")) << at_critical.body;
}

TEST(AdmissionReview, ServicesIngressesAndNetworkPoliciesAreCovered) {
  auto controller = controllerFrom("");
  Outcome service = controller->review(reviewOf(
      "CREATE", "", "v1", "Service", "services", "shop", "web",
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080,"nodePort":30080}]}})"));
  EXPECT_TRUE(Response(service).anyWarningContains("net-nodeport-service")) << service.body;
  EXPECT_EQ(service.decision, Outcome::Decision::kWarned);

  Outcome ingress = controller->review(reviewOf(
      "CREATE", "networking.k8s.io", "v1", "Ingress", "ingresses", "shop", "web",
      R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"shop"},"spec":{"rules":[{"host":"shop.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}})"));
  EXPECT_TRUE(Response(ingress).anyWarningContains("net-ingress-no-tls")) << ingress.body;

  Outcome policy = controller->review(reviewOf(
      "CREATE", "networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "shop", "all",
      R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"all","namespace":"shop"},"spec":{"podSelector":{},"ingress":[{}],"policyTypes":["Ingress"]}})"));
  EXPECT_TRUE(Response(policy).anyWarningContains("net-networkpolicy-allow-all")) << policy.body;
}

TEST(AdmissionReview, ConfigMapsAndDeletesAreNotCovered) {
  auto controller = controllerFrom("");
  Outcome config_map = controller->review(reviewOf(
      "CREATE", "", "v1", "ConfigMap", "configmaps", "shop", "settings",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"shop"},"data":{"password":"hunter2hunter2"}})"));
  Response r(config_map);
  EXPECT_TRUE(r.allowed());
  EXPECT_EQ(config_map.decision, Outcome::Decision::kNotCovered);
  EXPECT_EQ(r.uid(), "uid-ConfigMap-1");

  Outcome del = controller->review(fixture("pod_delete.json"));
  Response d(del);
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(del.decision, Outcome::Decision::kNotCovered);
  EXPECT_EQ(d.uid(), "a1b2c3d4-0000-4000-8000-000000000007");
  EXPECT_EQ(del.operation, "DELETE");
}

TEST(AdmissionReview, ExemptNamespacesUsersAndGroupsAreAllowedAndSaySo) {
  auto controller = controllerFrom(
      "admission:\n  exempt: {namespaces: [\"sho*\"], users: [\"ci-bot\"], groups: [\"platform-admins\"]}\n");
  Outcome by_namespace = controller->review(fixture("pod_create_privileged.json"));
  Response r(by_namespace);
  EXPECT_TRUE(r.allowed());
  EXPECT_EQ(by_namespace.decision, Outcome::Decision::kExempt);
  EXPECT_EQ(r.audit("decision"), "exempt");
  EXPECT_EQ(r.audit("exempt"), "namespace shop");

  std::string object = std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"other"},"spec":)") +
                       kPrivilegedPodSpec + "}";
  Outcome by_user = controller->review(reviewOf("CREATE", "", "v1", "Pod", "pods", "other", "p", object, "null", "ci-bot"));
  EXPECT_EQ(by_user.decision, Outcome::Decision::kExempt);
  EXPECT_EQ(Response(by_user).audit("exempt"), "user ci-bot");

  std::string grouped = replaceAll(reviewOf("CREATE", "", "v1", "Pod", "pods", "other", "p", object), "\"developers\"",
                                   "\"platform-admins\"");
  Outcome by_group = controller->review(grouped);
  EXPECT_EQ(by_group.decision, Outcome::Decision::kExempt);
  EXPECT_EQ(Response(by_group).audit("exempt"), "group platform-admins");

  Outcome not_exempt = controller->review(reviewOf("CREATE", "", "v1", "Pod", "pods", "other", "p", object));
  EXPECT_EQ(not_exempt.decision, Outcome::Decision::kDenied);
}

TEST(AdmissionReview, SuppressionAnnotationsAreNotHonouredAndAreReported) {
  auto controller = controllerFrom("");
  std::string body = replaceAll(fixture("pod_create_privileged.json"), R"("annotations":{)",
                                R"("annotations":{"ignore-check.kspm.dev/pss-privileged":"we need it",)");
  Outcome outcome = controller->review(body);
  Response r(outcome);
  EXPECT_FALSE(r.allowed()) << outcome.body;
  EXPECT_NE(r.message().find("pss-privileged"), std::string::npos);
  EXPECT_TRUE(r.anyWarningContains(
      "kspm: suppression annotation ignore-check.kspm.dev/pss-privileged is not honoured at admission"))
      << outcome.body;
}

TEST(AdmissionReview, PolicyExceptionsAreHonoured) {
  auto controller = controllerFrom(R"(exceptions:
- checks: ["pss-*", "container-*"]
  objects: [{kind: Pod, namespace: shop, name: web}]
  reason: the node agent needs it (SEC-12)
)");
  Outcome outcome = controller->review(fixture("pod_create_privileged.json"));
  Response r(outcome);
  EXPECT_TRUE(r.allowed()) << outcome.body;
  EXPECT_EQ(r.audit("findings").find("pss-privileged"), std::string::npos) << outcome.body;
}

TEST(AdmissionReview, NamespaceRulesMatchByNameThenByLabels) {
  FakeLabels labels;
  labels.namespaces["team-a"] = {{"env", "dev"}, {"team", "a"}};
  labels.namespaces["team-b"] = {{"env", "prod"}, {"team", "b"}};
  auto controller = controllerFrom(R"(admission:
  mode: enforce
  namespaces:
  - match: {names: ["sandbox-*"]}
    mode: audit
  - match: {matchLabels: {env: dev}, matchExpressions: [{key: team, operator: In, values: [a, c]}]}
    mode: warn
)",
                                   &labels);
  std::string object = std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":)") +
                       kPrivilegedPodSpec + "}";
  auto decide = [&](const std::string& ns) {
    return controller->review(reviewOf("CREATE", "", "v1", "Pod", "pods", ns, "p", object));
  };
  EXPECT_EQ(decide("sandbox-1").decision, Outcome::Decision::kAudited);
  EXPECT_EQ(decide("team-a").decision, Outcome::Decision::kWarned);
  EXPECT_EQ(decide("team-a").mode, Mode::kWarn);
  EXPECT_EQ(decide("team-b").decision, Outcome::Decision::kDenied);  // labels do not match: defaults
  EXPECT_EQ(decide("unknown").decision, Outcome::Decision::kDenied);  // no labels known: defaults
  // The namespace comes from the request when the object has none.
  EXPECT_EQ(decide("team-a").ns, "team-a");
}

TEST(AdmissionReview, PodSecurityLevelAndVersionPerNamespace) {
  auto controller = controllerFrom(R"(admission:
  podSecurity: {level: restricted}
  namespaces:
  - match: {names: [legacy]}
    podSecurity: {level: baseline}
  - match: {names: [old-policy]}
    podSecurity: {level: restricted, version: v1.18}
)");
  auto decide = [&](const std::string& ns, const std::string& pod) {
    return controller->review(reviewOf("CREATE", "", "v1", "Pod", "pods", ns, "legacy", replaceAll(pod, "NS", ns)));
  };
  Outcome restricted = decide("shop", kBaselinePod);
  EXPECT_EQ(restricted.decision, Outcome::Decision::kDenied) << restricted.body;
  EXPECT_NE(Response(restricted).message().find("pss-run-as-non-root"), std::string::npos);
  Outcome baseline = decide("legacy", kBaselinePod);
  EXPECT_TRUE(Response(baseline).allowed()) << baseline.body;
  EXPECT_NE(baseline.decision, Outcome::Decision::kDenied);
  std::string privileged = std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"legacy","namespace":"NS"},"spec":)") +
                           kPrivilegedPodSpec + "}";
  EXPECT_EQ(decide("legacy", privileged).decision, Outcome::Decision::kDenied);

  // Restricted v1.18 did not require a seccomp profile yet; latest does.
  std::string almost =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"legacy","namespace":"NS"},"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"app","image":"registry.example.com/shop/web:1.0","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}})";
  Outcome latest = decide("shop", almost);
  EXPECT_EQ(latest.decision, Outcome::Decision::kDenied) << latest.body;
  EXPECT_NE(Response(latest).message().find("pss-seccomp-profile-restricted"), std::string::npos);
  Outcome v118 = decide("old-policy", almost);
  EXPECT_TRUE(Response(v118).allowed()) << v118.body;
  EXPECT_EQ(Response(v118).audit("findings").find("pss-seccomp-profile-restricted"), std::string::npos);
}

TEST(AdmissionReview, WarningsAreBoundedAndSummarised) {
  auto controller = controllerFrom("admission: {mode: warn, maxWarnings: 2}\n");
  Outcome outcome = controller->review(
      reviewOf("CREATE", "", "v1", "Pod", "pods", "shop", "legacy", replaceAll(kBaselinePod, "NS", "shop")));
  Response r(outcome);
  ASSERT_GT(outcome.findings, 3u) << outcome.body;
  std::vector<std::string> warnings = r.warnings();
  ASSERT_EQ(warnings.size(), 3u) << outcome.body;
  EXPECT_EQ(warnings[2], "kspm: " + std::to_string(outcome.findings - 2) + " more findings not shown (kspm scan shows them all)");
}

TEST(AdmissionReview, DenyMessageIsBounded) {
  // Many privileged containers: the message stays under 2 KB and says how many more there are.
  std::string containers;
  for (int i = 0; i < 60; ++i) {
    if (i > 0) containers += ',';
    containers += R"({"name":"container-with-a-long-name-)" + std::to_string(i) +
                  R"(","image":"registry.example.com/x:1","securityContext":{"privileged":true,"runAsUser":0,"capabilities":{"add":["SYS_ADMIN","NET_ADMIN"]}}})";
  }
  std::string object = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},"spec":{"hostPID":true,"containers":[)" +
                       containers + "]}}";
  Outcome outcome = controllerFrom("")->review(reviewOf("CREATE", "", "v1", "Pod", "pods", "shop", "p", object));
  Response r(outcome);
  EXPECT_FALSE(r.allowed());
  EXPECT_LE(r.message().size(), 2048u);
  EXPECT_NE(r.message().find(" more finding"), std::string::npos) << r.message();
}

TEST(AdmissionReview, MalformedBodiesAre400WithAClearMessage) {
  auto controller = controllerFrom("");
  std::string good = fixture("pod_create_allowed.json");
  struct Case {
    std::string body;
    std::string message;
  };
  std::string deep(1000, '[');
  std::vector<Case> cases = {
      {"", "the body is empty"},
      {"not json", "the body is not a JSON object"},
      {"{\"apiVersion\": ", "the body is not valid JSON"},
      {"[1,2]", "the body is not a JSON object"},
      {replaceAll(good, "admission.k8s.io/v1", "admission.k8s.io/v1beta1"), "apiVersion must be admission.k8s.io/v1"},
      {replaceAll(good, R"("kind":"AdmissionReview")", R"("kind":"Review")"), "kind must be AdmissionReview"},
      {replaceAll(good, R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002")", R"("uidx":"1")"), "request.uid is missing"},
      {replaceAll(good, R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002")", R"("uid":7)"), "request.uid is missing or not a string"},
      {reviewOf("CREATE", "", "v1", "Pod", "pods", "shop", "p", R"("a pod")"), "request.object is not an object"},
      {reviewOf("CREATE", "", "v1", "Pod", "pods", "shop", "p", "null"), "request.object is missing for CREATE"},
      {reviewOf("UPDATE", "", "v1", "Pod", "pods", "shop", "p", "{}"), "request.oldObject is missing for UPDATE"},
      {replaceAll(good, R"("operation":"CREATE")", R"("operation":"PATCH")"), "request.operation must be"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":)" + deep + "}}",
       "nested deeper than the limit of 256"},
      {good + good, "exactly one JSON object"},
  };
  for (const Case& c : cases) {
    Outcome outcome = controller->review(c.body);
    EXPECT_EQ(outcome.http_status, 400) << c.message << ": " << outcome.body;
    EXPECT_EQ(outcome.decision, Outcome::Decision::kMalformed);
    EXPECT_NE(outcome.body.find(c.message), std::string::npos) << outcome.body;
    EXPECT_EQ(outcome.body.find('\n'), outcome.body.size() - 1) << "one line: " << outcome.body;
  }
  // The uid, when there is one, is in the message.
  Outcome with_uid = controller->review(replaceAll(good, R"("operation":"CREATE")", R"("operation":"PATCH")"));
  EXPECT_NE(with_uid.body.find("(uid 705ab4f5-6393-11e8-b7cc-42010a800002)"), std::string::npos) << with_uid.body;

  ControllerOptions small;
  small.max_body_bytes = 1000;
  Outcome oversized = controllerFrom("", nullptr, small)->review(good);
  EXPECT_EQ(oversized.http_status, 400);
  EXPECT_NE(oversized.body.find("larger than the limit of 1000 bytes"), std::string::npos) << oversized.body;
}

TEST(AdmissionReview, ResponsesAreValidJsonWhateverTheStrings) {
  // Control characters and invalid UTF-8 in names end up escaped or replaced, never as broken JSON.
  auto controller = controllerFrom("");
  std::string object = std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p\u0001\"q","namespace":"shop"},"spec":)") +
                       R"({"containers":[{"name":"a\"pp)" + std::string("\xff\xfe") + R"(","image":"x","securityContext":{"privileged":true}}]}})";
  Outcome outcome = controller->review(reviewOf("CREATE", "", "v1", "Pod", "pods", "shop", "p", object));
  Response r(outcome);
  EXPECT_FALSE(r.allowed());
  EXPECT_NE(r.message().find("\xef\xbf\xbd"), std::string::npos) << r.message();

  // Replacement characters are longer than the bytes they replace: the bound holds on the result
  // (found by fuzz/admission_fuzz.cc).
  std::string containers;
  for (int i = 0; i < 40; ++i) {
    if (i > 0) containers += ',';
    containers += R"({"name":"c)" + std::to_string(i) + std::string(60, '\xff') +
                  R"(","image":"x","securityContext":{"privileged":true}})";
  }
  Outcome long_names = controller->review(reviewOf(
      "CREATE", "", "v1", "Pod", "pods", "shop", "p",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},"spec":{"containers":[)" + containers + "]}}"));
  Response r2(long_names);
  EXPECT_FALSE(r2.allowed());
  EXPECT_LE(r2.message().size(), 2048u);
}

TEST(AdmissionReview, ConcurrentReviewsGiveTheSameAnswers) {
  auto controller = controllerFrom("");
  std::vector<std::string> bodies = {fixture("pod_create_allowed.json"), fixture("pod_create_privileged.json"),
                                     fixture("deployment_update_add_privileged.json"),
                                     fixture("pod_ephemeral_sysadmin.json")};
  std::vector<std::string> expected;
  for (const std::string& b : bodies) expected.push_back(controller->review(b).body);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        for (size_t k = 0; k < bodies.size(); ++k) {
          if (controller->review(bodies[k]).body != expected[k]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace kspm::admission
