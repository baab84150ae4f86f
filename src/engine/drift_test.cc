// kspm::drift::compare: manifests against live objects (include/kspm/drift.h).
#include "kspm/drift.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "kspm/engine.h"
#include "test_util.h"

namespace kspm::drift {
namespace {

std::string fixture(const std::string& name) {
  return testing::readFile(testing::sourceDir() + "/src/engine/testdata/drift/" + name);
}

/** `text` with the first occurrence of `from` replaced by `to`; fails the test when `from` is absent. */
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

/** The 1-based line of the first line of `text` containing `needle`. */
uint32_t lineOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1);
}

DriftReport run(const std::string& git, const std::string& live, DriftOptions options = {}) {
  ObjectSet desired = testing::loadText(git, "git.yaml");
  ObjectSet current = testing::loadText(live, "live.json");
  EXPECT_TRUE(desired.errors().empty());
  EXPECT_TRUE(current.errors().empty());
  return compare(desired, current, options);
}

std::string describe(const DriftReport& report) {
  std::string out;
  for (const DriftFinding& f : report.findings) out += std::string(f.finding.check->id) + " " + f.finding.message + "\n";
  return out;
}

TEST(DriftCompare, ServerDefaultsSidecarsAndStatusAreNotDrift) {
  DriftReport r = run(fixture("git.yaml"), fixture("live.json"));
  EXPECT_TRUE(r.findings.empty()) << describe(r);
  EXPECT_TRUE(r.not_assessable.empty());
  EXPECT_EQ(r.summary.desired_objects, 5u);
  EXPECT_EQ(r.summary.matched, 5u);
  EXPECT_EQ(r.summary.live_objects, 7u);
}

TEST(DriftCompare, PrivilegedChangedLiveIsOneChangedFindingWithBothValues) {
  std::string git = fixture("git.yaml");
  DriftReport r = run(git, replaced(fixture("live.json"), "\"privileged\": false", "\"privileged\": true"));
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  const DriftFinding& f = r.findings[0];
  EXPECT_EQ(f.kind, DriftKind::kChanged);
  EXPECT_EQ(f.finding.check->id, "drift-changed");
  EXPECT_EQ(f.finding.severity, Severity::kHigh);
  EXPECT_EQ(f.finding.path, "spec.template.spec.containers[0].securityContext.privileged");
  EXPECT_EQ(f.finding.field, "spec.template.spec.containers[web].securityContext.privileged");
  EXPECT_EQ(f.finding.container, "web");
  EXPECT_EQ(f.desired, "false");
  EXPECT_EQ(f.live, "true");
  EXPECT_EQ(f.file, "git.yaml");
  EXPECT_EQ(f.finding.line, lineOf(git, "privileged: false"));
  EXPECT_EQ(f.object.kind, "Deployment");
  EXPECT_EQ(f.object.namespace_, "shop");
  EXPECT_EQ(f.fingerprint.size(), 16u);
  EXPECT_NE(f.finding.message.find("Git sets false, the cluster has true"), std::string::npos) << f.finding.message;
  EXPECT_EQ(r.summary.changed, 1u);
  EXPECT_EQ(r.summary.by_severity[static_cast<int>(Severity::kHigh)], 1u);
}

TEST(DriftCompare, ImageChangedIsMedium) {
  DriftReport r = run(fixture("git.yaml"),
                      replaced(fixture("live.json"), "\"image\": \"registry.example.com/shop/web:1.4.2\"",
                               "\"image\": \"registry.example.com/shop/web:debug\""));
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.field, "spec.template.spec.containers[web].image");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kMedium);
  EXPECT_EQ(r.findings[0].desired, "\"registry.example.com/shop/web:1.4.2\"");
  EXPECT_EQ(r.findings[0].live, "\"registry.example.com/shop/web:debug\"");
}

TEST(DriftCompare, CapabilityAddedAndSecurityContextRemovedLive) {
  std::string live = replaced(fixture("live.json"), "\"capabilities\": {\"drop\": [\"ALL\"]}}",
                              "\"capabilities\": {\"drop\": [\"ALL\"], \"add\": [\"SYS_ADMIN\"]}}");
  live = replaced(live, "\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": {\"type\": \"RuntimeDefault\"}},", "");
  DriftReport r = run(fixture("git.yaml"), live);
  // The pod securityContext gone: one finding per field the manifest sets. The capability added
  // live is drift although the manifest does not set `add`: securityContext is compared both ways.
  ASSERT_EQ(r.findings.size(), 3u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.field, "spec.template.spec.securityContext.runAsNonRoot");
  EXPECT_FALSE(r.findings[0].live_present);
  EXPECT_TRUE(r.findings[0].desired_present);
  EXPECT_EQ(r.findings[1].finding.field, "spec.template.spec.securityContext.seccompProfile.type");
  EXPECT_EQ(r.findings[2].finding.field, "spec.template.spec.containers[web].securityContext.capabilities.add");
  EXPECT_FALSE(r.findings[2].desired_present);
  EXPECT_EQ(r.findings[2].live, "[\"SYS_ADMIN\"]");
  EXPECT_EQ(r.findings[2].finding.severity, Severity::kHigh);
}

TEST(DriftCompare, PrivilegedOrHostNetworkAddedLiveWhereGitSetsNothing) {
  std::string git = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
                    "  containers:\n    - name: a\n      image: a\n";
  std::string live = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", "
                     "\"metadata\": {\"name\": \"p\", \"namespace\": \"shop\"}, \"spec\": {\"hostNetwork\": true, "
                     "\"dnsPolicy\": \"ClusterFirst\", \"containers\": ["
                     "{\"name\": \"a\", \"image\": \"a\", \"securityContext\": {\"privileged\": true, \"runAsNonRoot\": false}},"
                     "{\"name\": \"injected\", \"image\": \"sidecar\", \"securityContext\": {\"runAsUser\": 0}}]}}]}";
  DriftReport r = run(git, live);
  ASSERT_EQ(r.findings.size(), 2u) << describe(r);
  // The manifest's fields first, then what is set only live.
  EXPECT_EQ(r.findings[0].finding.path, "spec.containers[0].securityContext");
  EXPECT_EQ(r.findings[0].live, "{\"privileged\":true,\"runAsNonRoot\":false}");
  EXPECT_EQ(r.findings[0].finding.container, "a");
  EXPECT_NE(r.findings[0].finding.message.find("not set in Git"), std::string::npos);
  EXPECT_EQ(r.findings[1].finding.path, "spec.hostNetwork");
  EXPECT_EQ(r.findings[1].live, "true");
}

TEST(DriftCompare, RbacRuleAddedLiveIsDrift) {
  std::string live = replaced(fixture("live.json"), "\"verbs\": [\"get\", \"list\"]}]",
                              "\"verbs\": [\"get\", \"list\"]}, {\"apiGroups\": [\"\"], \"resources\": [\"secrets\"], "
                              "\"verbs\": [\"get\"]}]");
  DriftReport r = run(fixture("git.yaml"), live);
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  EXPECT_EQ(r.findings[0].object.kind, "Role");
  EXPECT_EQ(r.findings[0].finding.path, "rules");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kHigh);
  EXPECT_NE(r.findings[0].finding.message.find("1 item(s) in Git, 2 in the cluster"), std::string::npos);
  EXPECT_NE(r.findings[0].finding.message.find("secrets"), std::string::npos);
}

TEST(DriftCompare, VerbAddedAndSubjectChangedLive) {
  std::string live = replaced(fixture("live.json"), "\"verbs\": [\"get\", \"list\"]", "\"verbs\": [\"get\", \"list\", \"delete\"]");
  live = replaced(live, "\"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"web\"",
                  "\"subjects\": [{\"kind\": \"ServiceAccount\", \"name\": \"attacker\"");
  DriftReport r = run(fixture("git.yaml"), live);
  ASSERT_EQ(r.findings.size(), 2u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.path, "rules[0].verbs");
  EXPECT_EQ(r.findings[0].live, "[\"get\",\"list\",\"delete\"]");
  EXPECT_EQ(r.findings[1].finding.path, "subjects[0].name");
  EXPECT_EQ(r.findings[1].live, "\"attacker\"");
}

TEST(DriftCompare, MissingObject) {
  std::string live = fixture("live.json");
  size_t np = live.find(",\n{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\"");
  ASSERT_NE(np, std::string::npos);
  live = live.substr(0, np) + "\n]}\n";
  DriftReport r = run(fixture("git.yaml"), live);
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  EXPECT_EQ(r.findings[0].kind, DriftKind::kMissing);
  EXPECT_EQ(r.findings[0].finding.check->id, "drift-missing");
  EXPECT_EQ(r.findings[0].object.kind, "NetworkPolicy");
  EXPECT_EQ(r.findings[0].object.name, "web-ingress");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kHigh);  // a missing NetworkPolicy opens pods
  EXPECT_EQ(r.summary.missing, 1u);
}

TEST(DriftCompare, ExtraObjectsButNotOwnedAutomaticOrElsewhere) {
  std::string extra =
      ",\n{\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"RoleBinding\", \"metadata\": {\"name\": \"debug\", "
      "\"namespace\": \"shop\"}, \"roleRef\": {\"apiGroup\": \"rbac.authorization.k8s.io\", \"kind\": \"ClusterRole\", "
      "\"name\": \"cluster-admin\"}, \"subjects\": [{\"kind\": \"User\", \"name\": \"mallory\"}]}"
      ",\n{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"shell\", \"namespace\": \"shop\"}, "
      "\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"sh\", \"image\": \"busybox\"}]}}}}"
      ",\n{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"managed\", \"namespace\": \"shop\", "
      "\"ownerReferences\": [{\"apiVersion\": \"example.com/v1\", \"kind\": \"App\", \"name\": \"a\", \"uid\": \"u\"}]}, "
      "\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"m\", \"image\": \"m\"}]}}}}"
      ",\n{\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"Role\", \"metadata\": {\"name\": \"other\", "
      "\"namespace\": \"elsewhere\"}, \"rules\": []}"
      ",\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"not-managed-kind\", \"namespace\": \"shop\"}}"
      "\n]}\n";
  std::string live = fixture("live.json");
  live = live.substr(0, live.rfind("]}")) + extra;
  DriftReport r = run(fixture("git.yaml"), live);
  ASSERT_EQ(r.findings.size(), 2u) << describe(r);
  EXPECT_EQ(r.findings[0].kind, DriftKind::kExtra);
  EXPECT_EQ(r.findings[0].object.kind, "RoleBinding");
  EXPECT_EQ(r.findings[0].object.name, "debug");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kHigh);
  EXPECT_EQ(r.findings[0].file, "live.json");
  EXPECT_EQ(r.findings[1].object.kind, "Deployment");
  EXPECT_EQ(r.findings[1].object.name, "shell");
  EXPECT_EQ(r.findings[1].finding.severity, Severity::kMedium);
  EXPECT_EQ(r.summary.extra, 2u);
}

TEST(DriftCompare, ExtensionsV1beta1ManifestMatchesAppsV1Live) {
  std::string git = replaced(fixture("git.yaml"), "apiVersion: apps/v1\nkind: Deployment",
                             "apiVersion: extensions/v1beta1\nkind: Deployment");
  std::string live = replaced(fixture("live.json"), "\"privileged\": false", "\"privileged\": true");
  DriftReport old_api = run(git, live);
  DriftReport new_api = run(fixture("git.yaml"), live);
  ASSERT_EQ(old_api.findings.size(), 1u) << describe(old_api);
  EXPECT_EQ(old_api.findings[0].kind, DriftKind::kChanged);
  EXPECT_EQ(old_api.findings[0].object.group, "apps");
  EXPECT_EQ(old_api.summary.matched, 5u);
  ASSERT_EQ(new_api.findings.size(), 1u);
  EXPECT_EQ(old_api.findings[0].fingerprint, new_api.findings[0].fingerprint);
}

TEST(DriftCompare, ForbiddenKindIsNotAssessableNotMissing) {
  std::string live = fixture("live.json");
  std::string role = "{\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"Role\",\n \"metadata\": {\"name\": \"web\", "
                     "\"namespace\": \"shop\", \"uid\": \"r1\"},\n \"rules\": [{\"apiGroups\": [\"\"], \"resources\": "
                     "[\"configmaps\"], \"verbs\": [\"get\", \"list\"]}]},\n";
  live = replaced(live, role, "");
  DriftOptions options;
  options.unreadable.push_back({"rbac.authorization.k8s.io", "roles", "Role", "", "roles is forbidden: User \"kspm\" cannot list"});
  DriftReport r = run(fixture("git.yaml"), live, options);
  EXPECT_TRUE(r.findings.empty()) << describe(r);
  ASSERT_EQ(r.not_assessable.size(), 1u);
  EXPECT_EQ(r.not_assessable[0].object.kind, "Role");
  EXPECT_EQ(r.not_assessable[0].object.name, "web");
  EXPECT_NE(r.not_assessable[0].reason.find("forbidden"), std::string::npos);
  EXPECT_EQ(r.summary.not_assessable, 1u);
  // Without the coverage record the same input is a missing Role.
  DriftReport blind = run(fixture("git.yaml"), live);
  ASSERT_EQ(blind.findings.size(), 1u);
  EXPECT_EQ(blind.findings[0].kind, DriftKind::kMissing);
}

TEST(DriftCompare, KindsASnapshotDoesNotListAreNotAssessable) {
  std::string git = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\ntype: Opaque\n";
  DriftOptions options;
  options.restrict_to_listed = true;
  options.listed_kinds = {{"", "ConfigMap"}};
  DriftReport r = run(git, "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}", options);
  EXPECT_TRUE(r.findings.empty()) << describe(r);
  ASSERT_EQ(r.not_assessable.size(), 1u);
}

const char* kSecretGit = R"(apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
data:
  password: aHVudGVyMg==
  user: YWRtaW4=
stringData:
  token: abc
)";

std::string liveSecret(const std::string& data) {
  return "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Secret\", "
         "\"metadata\": {\"name\": \"db\", \"namespace\": \"shop\"}, \"type\": \"Opaque\", \"data\": {" + data + "}}]}";
}

TEST(DriftCompare, SecretValuesAreComparedButNeverShown) {
  DriftReport r = run(kSecretGit, liveSecret("\"password\": \"c3dvcmRmaXNo\", \"user\": \"YWRtaW4=\", \"token\": \"YWJj\""));
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  const DriftFinding& f = r.findings[0];
  EXPECT_EQ(f.finding.path, "data.password");
  EXPECT_EQ(f.desired, "\"<redacted>\"");
  EXPECT_EQ(f.live, "\"<redacted>\"");
  EXPECT_EQ(f.finding.message.find("aHVudGVyMg"), std::string::npos);
  EXPECT_EQ(f.finding.message.find("c3dvcmRmaXNo"), std::string::npos);
  EXPECT_NE(f.finding.message.find("redacted"), std::string::npos);
  // The type is not a secret value: shown.
  std::string live = replaced(liveSecret("\"password\": \"aHVudGVyMg==\", \"user\": \"YWRtaW4=\", \"token\": \"YWJj\""),
                              "\"type\": \"Opaque\"", "\"type\": \"kubernetes.io/basic-auth\"");
  DriftReport typed = run(kSecretGit, live);
  ASSERT_EQ(typed.findings.size(), 1u) << describe(typed);
  EXPECT_EQ(typed.findings[0].finding.path, "type");
  EXPECT_EQ(typed.findings[0].live, "\"kubernetes.io/basic-auth\"");
}

TEST(DriftCompare, SecretKeysOnlyWhenTheLiveReadHasNoValues) {
  // kspm's cluster reads keep key names with "" values: only missing keys can be told.
  DriftReport same = run(kSecretGit, liveSecret("\"password\": \"\", \"user\": \"\", \"token\": \"\""));
  EXPECT_TRUE(same.findings.empty()) << describe(same);
  DriftReport gone = run(kSecretGit, liveSecret("\"password\": \"\", \"user\": \"\""));
  ASSERT_EQ(gone.findings.size(), 1u) << describe(gone);
  EXPECT_EQ(gone.findings[0].finding.path, "stringData.token");
  EXPECT_FALSE(gone.findings[0].live_present);
  EXPECT_EQ(gone.findings[0].desired, "\"<redacted>\"");
  EXPECT_EQ(gone.findings[0].finding.message.find("abc"), std::string::npos);
}

TEST(DriftCompare, ManifestWithoutNamespaceLandsInTheDefaultNamespace) {
  std::string git = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\nautomountServiceAccountToken: false\n";
  std::string live = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": "
                     "\"ServiceAccount\", \"metadata\": {\"name\": \"web\", \"namespace\": \"shop\"}, "
                     "\"automountServiceAccountToken\": true}]}";
  DriftReport in_default = run(git, live);
  // Missing in "default"; the live one in shop is not extra: the manifests do not cover shop.
  ASSERT_EQ(in_default.findings.size(), 1u) << describe(in_default);
  EXPECT_EQ(in_default.findings[0].kind, DriftKind::kMissing);
  EXPECT_EQ(in_default.findings[0].object.namespace_, "default");
  DriftOptions options;
  options.default_namespace = "shop";
  DriftReport in_shop = run(git, live, options);
  ASSERT_EQ(in_shop.findings.size(), 1u) << describe(in_shop);
  EXPECT_EQ(in_shop.findings[0].finding.path, "automountServiceAccountToken");
  EXPECT_EQ(in_shop.findings[0].live, "true");
}

TEST(DriftCompare, NetworkPolicyIngressOpenedLiveAndPssLabelLowered) {
  std::string live = replaced(fixture("live.json"), "\"ingress\": [{\"ports\": [{\"port\": 8080, \"protocol\": \"TCP\"}]}]",
                              "\"ingress\": [{\"ports\": [{\"port\": 8080, \"protocol\": \"TCP\"}]}, {}]");
  DriftReport r = run(fixture("git.yaml"), live);
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.path, "spec.ingress");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kHigh);

  std::string ns_git = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
                       "    pod-security.kubernetes.io/enforce: restricted\n    team: shop\n";
  std::string ns_live = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": "
                        "\"Namespace\", \"metadata\": {\"name\": \"shop\", \"labels\": {\"pod-security.kubernetes.io/enforce\": "
                        "\"privileged\", \"team\": \"other\", \"kubernetes.io/metadata.name\": \"shop\"}}}]}";
  DriftReport ns = run(ns_git, ns_live);
  ASSERT_EQ(ns.findings.size(), 1u) << describe(ns);  // the team label is not security-relevant
  EXPECT_EQ(ns.findings[0].finding.path, "metadata.labels.pod-security.kubernetes.io/enforce");
  EXPECT_EQ(ns.findings[0].finding.severity, Severity::kHigh);
  EXPECT_EQ(ns.findings[0].object.namespace_, "");
}

TEST(DriftCompare, RemovedContainerIsOneFindingAndOmittedZerosAreEqual) {
  std::string git = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  hostPID: false\n"
                    "  containers:\n    - name: a\n      image: a\n      securityContext: {privileged: false}\n"
                    "    - name: b\n      image: b\n      securityContext: {privileged: false, runAsUser: 1000}\n";
  std::string live = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", "
                     "\"metadata\": {\"name\": \"p\", \"namespace\": \"shop\"}, \"spec\": {\"containers\": ["
                     "{\"name\": \"a\", \"image\": \"a\", \"securityContext\": {\"privileged\": false}}]}}]}";
  DriftReport r = run(git, live);
  ASSERT_EQ(r.findings.size(), 1u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.field, "spec.containers[b]");
  EXPECT_EQ(r.findings[0].finding.container, "b");
  EXPECT_EQ(r.findings[0].finding.severity, Severity::kHigh);
}

TEST(DriftCompare, PodSpecIsFoundInEveryWorkloadKind) {
  std::string git = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec:\n  schedule: '@daily'\n"
                    "  jobTemplate:\n    spec:\n      template:\n        spec:\n          hostPID: false\n"
                    "          volumes:\n            - name: data\n              hostPath: {path: /var/data}\n"
                    "          containers:\n            - name: job\n              image: job:1\n";
  std::string live = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"batch/v1\", \"kind\": \"CronJob\", "
                     "\"metadata\": {\"name\": \"c\", \"namespace\": \"shop\"}, \"spec\": {\"schedule\": \"@hourly\", "
                     "\"jobTemplate\": {\"spec\": {\"template\": {\"spec\": {\"hostPID\": true, \"volumes\": [{\"name\": \"data\", "
                     "\"hostPath\": {\"path\": \"/\", \"type\": \"\"}}], \"containers\": [{\"name\": \"job\", \"image\": \"job:1\"}]}}}}}}]}";
  DriftReport r = run(git, live);
  // schedule is not security-relevant; hostPID and the hostPath are.
  ASSERT_EQ(r.findings.size(), 2u) << describe(r);
  EXPECT_EQ(r.findings[0].finding.path, "spec.jobTemplate.spec.template.spec.hostPID");
  EXPECT_EQ(r.findings[1].finding.path, "spec.jobTemplate.spec.template.spec.volumes[0].hostPath.path");
  EXPECT_EQ(r.findings[1].finding.field, "spec.jobTemplate.spec.template.spec.volumes[data].hostPath.path");
  EXPECT_EQ(r.findings[1].finding.severity, Severity::kHigh);
}

TEST(DriftCompare, ClusterIsPartOfTheFingerprint) {
  std::string live = replaced(fixture("live.json"), "\"privileged\": false", "\"privileged\": true");
  DriftOptions a, b;
  a.cluster = "prod";
  b.cluster = "staging";
  DriftReport ra = run(fixture("git.yaml"), live, a), rb = run(fixture("git.yaml"), live, b);
  ASSERT_EQ(ra.findings.size(), 1u);
  ASSERT_EQ(rb.findings.size(), 1u);
  EXPECT_NE(ra.findings[0].fingerprint, rb.findings[0].fingerprint);
}

TEST(DriftCompare, FindingRecordsCarryIdentityAndFingerprint) {
  std::string git = replaced(fixture("git.yaml"), "apiVersion: apps/v1\nkind: Deployment",
                             "apiVersion: extensions/v1beta1\nkind: Deployment");
  DriftReport r = run(git, replaced(fixture("live.json"), "\"privileged\": false", "\"privileged\": true"));
  std::vector<FindingRecord> records;
  appendFindingRecords(r, &records);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fingerprint, r.findings[0].fingerprint);
  EXPECT_EQ(records[0].check_id, "drift-changed");
  EXPECT_EQ(records[0].api_group, "apps");
  EXPECT_EQ(records[0].namespace_, "shop");
  EXPECT_EQ(records[0].container, "web");
  EXPECT_EQ(records[0].field, "spec.template.spec.containers[web].securityContext.privileged");
  EXPECT_EQ(records[0].line, 32u);
  EXPECT_EQ(records[0].owner, "unowned");
}

TEST(DriftQuantity, EquivalentRepresentations) {
  auto check = [](const std::string& a, const std::string& b) {
    ObjectSet s = testing::loadText("apiVersion: v1\nkind: X\nmetadata: {name: q}\na: " + a + "\nb: " + b + "\n");
    const Node* root = s.objects().at(0).root;
    return sameQuantity(*root->get("a"), *root->get("b"));
  };
  EXPECT_TRUE(check("\"0.5\"", "500m"));
  EXPECT_TRUE(check("0.5", "500m"));
  EXPECT_TRUE(check("1Gi", "1024Mi"));
  EXPECT_TRUE(check("1e3", "1k"));
  EXPECT_TRUE(check("1", "1000m"));
  EXPECT_TRUE(check("2", "\"2\""));
  EXPECT_FALSE(check("1Gi", "1G"));
  EXPECT_FALSE(check("100m", "100Mi"));
  EXPECT_FALSE(check("abc", "abc"));
}

TEST(DriftTable, EveryRuleIsDocumentedAndChecksHaveIds) {
  EXPECT_GT(securityFields().size(), 30u);
  for (const FieldRule& r : securityFields()) {
    EXPECT_FALSE(r.why.empty()) << r.path;
    EXPECT_FALSE(r.path.empty());
    EXPECT_GE(r.severity, Severity::kLow) << r.path;
  }
  ASSERT_EQ(driftChecks().size(), 3u);
  EXPECT_EQ(driftChecks()[0]->id, "drift-missing");
  EXPECT_EQ(driftChecks()[1]->id, "drift-extra");
  EXPECT_EQ(driftChecks()[2]->id, "drift-changed");
}

}  // namespace
}  // namespace kspm::drift
