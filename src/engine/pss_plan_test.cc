// planPodSecurity on small fixture sets: levels, breaking workloads, labels, versions, namespaces.
#include "kspm/pss_plan.h"

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kspm/ingest.h"
#include "test_util.h"

namespace kspm {
namespace {

std::string fixture(const std::string& name) {
  return std::string(KSPM_SOURCE_DIR) + "/src/engine/testdata/pss_plan/" + name;
}

ObjectSet load(const std::vector<std::string>& names, const std::string& default_namespace = "") {
  std::vector<std::string> paths;
  for (const std::string& n : names) paths.push_back(fixture(n));
  IngestOptions options;
  options.threads = 1;
  options.default_namespace = default_namespace;
  return ingestPaths(paths, options);
}

PssPlan plan(const ObjectSet& objects, uint32_t minor = kPssLatestMinor, bool latest = true) {
  return planPodSecurity(objects, Catalog::builtin(), minor, latest);
}

const PssNamespacePlan& ns(const PssPlan& p, const std::string& name) {
  for (const PssNamespacePlan& n : p.namespaces) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no namespace " << name;
  static const PssNamespacePlan kMissing;
  return kMissing;
}

std::vector<std::string> pssIds(const PssPlanWorkload& w) {
  std::vector<std::string> out;
  for (const Finding& f : w.findings) out.emplace_back(f.check->pss_id);
  return out;
}

std::string label(const PssNamespacePlan& n, const std::string& key) {
  for (const auto& [k, v] : n.suggested_labels) {
    if (k == "pod-security.kubernetes.io/" + key) return v;
  }
  return "<none>";
}

TEST(PssPlanTest, NamespaceThatCanGoRestricted) {
  ObjectSet objects = load({"can_go_restricted.yaml"});
  PssPlan p = plan(objects);
  ASSERT_EQ(p.namespaces.size(), 2u);
  EXPECT_EQ(p.namespaces[0].name, "apps");  // sorted
  EXPECT_EQ(p.namespaces[1].name, "empty");
  const PssNamespacePlan& apps = ns(p, "apps");
  EXPECT_EQ(apps.workloads, 1u);
  EXPECT_EQ(apps.workloads_at[2], 1u);
  EXPECT_EQ(apps.strictest, PssLevel::kRestricted);
  EXPECT_FALSE(apps.has_next);
  EXPECT_TRUE(apps.next_breaking.empty());
  EXPECT_NE(apps.namespace_object, nullptr);
  EXPECT_EQ(apps.status, PssPlanStatus::kNoEnforceLabel);
  EXPECT_EQ(label(apps, "enforce"), "restricted");
  EXPECT_EQ(label(apps, "enforce-version"), "v1.37");
  EXPECT_EQ(label(apps, "warn"), "restricted");
  EXPECT_EQ(label(apps, "audit-version"), "v1.37");
  EXPECT_EQ(apps.suggested_labels.size(), 6u);

  const PssNamespacePlan& empty = ns(p, "empty");
  EXPECT_EQ(empty.workloads, 0u);
  EXPECT_EQ(empty.strictest, PssLevel::kRestricted);
  EXPECT_EQ(empty.status, PssPlanStatus::kCanTighten);  // enforces baseline, nothing in the input needs it
  EXPECT_TRUE(empty.labels[0].has_level);
  EXPECT_FALSE(empty.labels[0].has_version);
  EXPECT_EQ(empty.labels[0].effective_level, PssLevel::kBaseline);
  EXPECT_TRUE(empty.labels[0].effective_latest);  // missing version: the default, latest
  EXPECT_FALSE(empty.labels[1].has_level);

  std::string table = pssPlanTable(p, objects);
  EXPECT_NE(table.find("Could enforce:  restricted (no workloads in the input)"), std::string::npos) << table;
  EXPECT_NE(table.find("could tighten to restricted today"), std::string::npos) << table;
}

TEST(PssPlanTest, PrivilegedPodBlocksBaseline) {
  ObjectSet objects = load({"privileged_pod.yaml"});
  PssPlan p = plan(objects);
  ASSERT_EQ(p.namespaces.size(), 2u);
  const PssNamespacePlan& config = ns(p, "config-only");  // only a ConfigMap: listed, no workloads
  EXPECT_EQ(config.workloads, 0u);
  EXPECT_EQ(config.status, PssPlanStatus::kNamespaceNotInInput);

  const PssNamespacePlan& infra = ns(p, "infra");
  EXPECT_EQ(infra.namespace_object, nullptr);
  EXPECT_EQ(infra.status, PssPlanStatus::kNamespaceNotInInput);
  EXPECT_EQ(infra.workloads, 2u);
  EXPECT_EQ(infra.workloads_at[0], 1u);  // the privileged Pod
  EXPECT_EQ(infra.workloads_at[1], 1u);  // the DaemonSet running as root
  EXPECT_EQ(infra.strictest, PssLevel::kNone);
  ASSERT_TRUE(infra.has_next);
  EXPECT_EQ(infra.next, PssLevel::kBaseline);
  ASSERT_EQ(infra.next_breaking.size(), 1u);
  const PssPlanWorkload& pod = infra.next_breaking[0];
  EXPECT_EQ(pod.object->kind, "Pod");
  EXPECT_EQ(pod.object->name, "node-debugger");
  EXPECT_EQ(pod.object->line, 3u);
  EXPECT_EQ(pssIds(pod), std::vector<std::string>{"privileged"});
  EXPECT_EQ(pod.findings[0].container, "shell");
  EXPECT_EQ(pod.findings[0].path, "spec.containers[0].securityContext.privileged");
  EXPECT_EQ(pod.findings[0].line, 13u);
  EXPECT_EQ(pssEnforceEffect(*pod.object), "the API server would reject this Pod");
  EXPECT_EQ(label(infra, "enforce"), "privileged");
  EXPECT_EQ(label(infra, "warn"), "baseline");
  EXPECT_EQ(label(infra, "audit"), "baseline");
}

TEST(PssPlanTest, DeploymentInANamespaceEnforcingRestricted) {
  ObjectSet objects = load({"restricted_namespace.yaml"});
  PssPlan p = plan(objects);
  ASSERT_EQ(p.namespaces.size(), 1u);
  const PssNamespacePlan& shop = p.namespaces[0];
  EXPECT_EQ(shop.name, "shop");
  EXPECT_EQ(shop.labels[0].level, "restricted");
  EXPECT_EQ(shop.labels[0].version, "v1.37");
  EXPECT_EQ(shop.labels[0].line, 7u);
  EXPECT_FALSE(shop.labels[0].effective_latest);
  EXPECT_EQ(shop.labels[1].level, "restricted");
  EXPECT_EQ(shop.strictest, PssLevel::kBaseline);
  EXPECT_EQ(shop.status, PssPlanStatus::kEnforceViolated);
  ASSERT_EQ(shop.enforce_violations.size(), 1u);
  const PssPlanWorkload& web = shop.enforce_violations[0];
  EXPECT_EQ(web.object->kind, "Deployment");
  EXPECT_EQ(pssIds(web), std::vector<std::string>{"runAsNonRoot"});
  EXPECT_EQ(web.findings[0].container, "web");
  EXPECT_EQ(pssEnforceEffect(*web.object),
            "the Deployment is admitted (enforce applies to Pods only), but the API server would reject every Pod "
            "it creates");
  ASSERT_TRUE(shop.has_next);
  EXPECT_EQ(shop.next, PssLevel::kRestricted);
  ASSERT_EQ(shop.next_breaking.size(), 1u);
  EXPECT_EQ(shop.next_breaking[0].object, web.object);
  EXPECT_EQ(label(shop, "enforce"), "baseline");
  EXPECT_EQ(label(shop, "warn"), "restricted");

  std::string table = pssPlanTable(p, objects);
  EXPECT_NE(table.find("enforce=restricted (v1.37) is violated by 1 of 1 workloads"), std::string::npos) << table;
  EXPECT_NE(table.find("(the ones listed above)"), std::string::npos) << table;
}

TEST(PssPlanTest, VersionSensitiveCheck) {
  ObjectSet objects = load({"version_sensitive.yaml"});
  // v1.33: hostProbesAndHostLifecycle does not exist yet, the Pod meets restricted.
  PssPlan old_plan = plan(objects, 33, false);
  const PssNamespacePlan& old_ns = ns(old_plan, "legacy");
  EXPECT_EQ(old_ns.strictest, PssLevel::kRestricted);
  EXPECT_EQ(old_ns.status, PssPlanStatus::kCanTighten);
  EXPECT_EQ(label(old_ns, "enforce-version"), "v1.33");

  // Latest: the probe's host breaks baseline; the namespace's own enforce=baseline:v1.33 still passes.
  PssPlan latest = plan(objects);
  const PssNamespacePlan& now = ns(latest, "legacy");
  EXPECT_EQ(now.strictest, PssLevel::kNone);
  EXPECT_EQ(now.labels[0].effective_minor, 33u);
  EXPECT_EQ(now.status, PssPlanStatus::kSatisfied);
  EXPECT_TRUE(now.enforce_violations.empty());
  ASSERT_TRUE(now.has_next);
  EXPECT_EQ(now.next, PssLevel::kBaseline);
  ASSERT_EQ(now.next_breaking.size(), 1u);
  EXPECT_EQ(pssIds(now.next_breaking[0]), std::vector<std::string>{"hostProbesAndHostLifecycle"});
  EXPECT_EQ(now.next_breaking[0].findings[0].path, "spec.containers[0].livenessProbe.httpGet.host");
}

TEST(PssPlanTest, UnspecifiedNamespaceAndDashN) {
  ObjectSet objects = load({"unspecified.yaml"});
  PssPlan p = plan(objects);
  ASSERT_EQ(p.namespaces.size(), 1u);
  const PssNamespacePlan& unspecified = p.namespaces[0];
  EXPECT_EQ(unspecified.name, "");
  EXPECT_EQ(unspecified.workloads, 2u);
  EXPECT_EQ(unspecified.strictest, PssLevel::kNone);
  ASSERT_EQ(unspecified.next_breaking.size(), 1u);
  EXPECT_EQ(unspecified.next_breaking[0].object->name, "net-probe");
  EXPECT_EQ(pssIds(unspecified.next_breaking[0]), std::vector<std::string>{"hostNamespaces"});
  EXPECT_EQ(pssEnforceEffect(*unspecified.next_breaking[0].object),
            "the Job is admitted (enforce applies to Pods only), but the API server would reject every Pod it "
            "creates");

  ObjectSet with_n = load({"unspecified.yaml", "can_go_restricted.yaml"}, "team");
  PssPlan named = plan(with_n);
  ASSERT_EQ(named.namespaces.size(), 3u);
  EXPECT_EQ(named.namespaces[0].name, "apps");
  EXPECT_EQ(named.namespaces[1].name, "empty");
  EXPECT_EQ(named.namespaces[2].name, "team");
  EXPECT_EQ(named.namespaces[2].workloads, 2u);

  // Without -n the unspecified group sorts after named namespaces.
  ObjectSet mixed = load({"unspecified.yaml", "can_go_restricted.yaml"});
  PssPlan m = plan(mixed);
  ASSERT_EQ(m.namespaces.size(), 3u);
  EXPECT_EQ(m.namespaces[2].name, "");
}

TEST(PssPlanTest, InvalidLabelsAreReadAsUpstreamReadsThem) {
  ObjectSet objects = load({"invalid_labels.yaml"});
  PssPlan p = plan(objects);
  const PssNamespacePlan& typo = ns(p, "typo");
  EXPECT_EQ(typo.labels[0].effective_level, PssLevel::kRestricted);  // fail closed
  EXPECT_NE(typo.labels[0].note.find("read as restricted"), std::string::npos);
  EXPECT_EQ(typo.labels[1].effective_level, PssLevel::kBaseline);
  EXPECT_TRUE(typo.labels[1].effective_latest);  // "1.30" is not v1.N
  EXPECT_NE(typo.labels[1].note.find("invalid version"), std::string::npos);
  EXPECT_EQ(typo.strictest, PssLevel::kBaseline);
  EXPECT_EQ(typo.status, PssPlanStatus::kEnforceViolated);
  ASSERT_EQ(typo.enforce_violations.size(), 1u);
  EXPECT_EQ(pssIds(typo.enforce_violations[0]),
            (std::vector<std::string>{"allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot",
                                      "seccompProfile_restricted"}));
}

TEST(PssPlanTest, SuppressionsDoNotChangeTheVerdict) {
  ObjectSet objects = testing::loadText(R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: x
  annotations:
    ignore-check.kspm.dev/pss-privileged: "accepted risk"
spec:
  containers:
  - name: c
    image: x
    securityContext:
      privileged: true
)");
  PssPlan p = plan(objects);
  const PssNamespacePlan& x = ns(p, "x");
  EXPECT_EQ(x.strictest, PssLevel::kNone);
  ASSERT_EQ(x.next_breaking.size(), 1u);
  EXPECT_TRUE(x.next_breaking[0].findings[0].suppressed);
}

TEST(PssPlanTest, HostileValuesDoNotCrash) {
  ObjectSet objects = testing::loadText(R"(apiVersion: v1
kind: Namespace
metadata:
  name: odd
  labels:
    pod-security.kubernetes.io/enforce: [restricted]
    pod-security.kubernetes.io/enforce-version: 37
    pod-security.kubernetes.io/audit: ~
    pod-security.kubernetes.io/warn-version: v1.99
---
apiVersion: v1
kind: Namespace
metadata:
  name: odd2
  labels: "not a map"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: odd}
spec: {template: "oops"}
---
apiVersion: v1
kind: Pod
metadata: {name: q, namespace: odd}
spec: {containers: "oops"}
)");
  PssPlan p = plan(objects);
  ASSERT_EQ(p.namespaces.size(), 2u);
  const PssNamespacePlan& odd = ns(p, "odd");
  EXPECT_EQ(odd.labels[0].effective_level, PssLevel::kRestricted);
  EXPECT_TRUE(odd.labels[0].effective_latest);
  EXPECT_EQ(odd.labels[2].effective_level, PssLevel::kNone);  // audit fails open
  EXPECT_FALSE(odd.labels[1].has_level);
  EXPECT_TRUE(odd.labels[1].has_version);
  EXPECT_EQ(odd.workloads, 1u);  // the Pod; the Deployment has no pod spec
  rapidjson::Document d;
  std::string json = pssPlanJson(p, objects, "test");
  d.Parse(json.c_str());
  ASSERT_FALSE(d.HasParseError()) << json;
  EXPECT_FALSE(pssPlanTable(p, objects).empty());
}

TEST(PssPlanTest, JsonShape) {
  ObjectSet objects = load({"restricted_namespace.yaml", "unspecified.yaml"});
  PssPlan p = plan(objects, 30, false);
  std::string json = pssPlanJson(p, objects, "0.1.0");
  rapidjson::Document d;
  d.Parse(json.c_str());
  ASSERT_FALSE(d.HasParseError()) << json;
  EXPECT_STREQ(d["schemaVersion"].GetString(), "1.0");
  EXPECT_STREQ(d["policy"]["pssVersion"].GetString(), "v1.30");
  EXPECT_STREQ(d["policy"]["pssVersionRequested"].GetString(), "v1.30");
  const auto& namespaces = d["namespaces"];
  ASSERT_EQ(namespaces.Size(), 2u);
  const auto& shop = namespaces[0];
  EXPECT_STREQ(shop["name"].GetString(), "shop");
  EXPECT_EQ(shop["namespaceObject"]["line"].GetUint(), 2u);
  EXPECT_STREQ(shop["labels"]["enforce"]["level"].GetString(), "restricted");
  EXPECT_STREQ(shop["labels"]["enforce"]["effectiveVersion"].GetString(), "v1.37");
  EXPECT_TRUE(shop["labels"]["audit"].IsNull());
  EXPECT_TRUE(shop["labels"]["warn"]["version"].IsNull());
  EXPECT_EQ(shop["workloads"].GetUint(), 1u);
  EXPECT_EQ(shop["workloadsByLevel"]["baseline"].GetUint(), 1u);
  EXPECT_STREQ(shop["strictestLevel"].GetString(), "baseline");
  EXPECT_FALSE(shop["noWorkloads"].GetBool());
  EXPECT_STREQ(shop["status"].GetString(), "enforce-violated");
  const auto& violation = shop["enforceViolations"][0];
  EXPECT_STREQ(violation["kind"].GetString(), "Deployment");
  EXPECT_STREQ(violation["name"].GetString(), "web");
  EXPECT_EQ(violation["source"]["line"].GetUint(), 11u);
  EXPECT_STREQ(violation["violations"][0]["pssCheck"].GetString(), "runAsNonRoot");
  EXPECT_STREQ(violation["violations"][0]["check"].GetString(), "pss-run-as-non-root");
  EXPECT_STREQ(shop["nextLevel"]["level"].GetString(), "restricted");
  EXPECT_EQ(shop["nextLevel"]["breaking"].Size(), 1u);
  EXPECT_STREQ(shop["suggestedLabels"]["pod-security.kubernetes.io/enforce"].GetString(), "baseline");
  EXPECT_STREQ(shop["suggestedLabels"]["pod-security.kubernetes.io/warn-version"].GetString(), "v1.30");
  const auto& unspecified = namespaces[1];
  EXPECT_TRUE(unspecified["name"].IsNull());
  EXPECT_TRUE(unspecified["namespaceObject"].IsNull());
  EXPECT_STREQ(unspecified["status"].GetString(), "namespace-not-in-input");
  const auto& host_network = unspecified["nextLevel"]["breaking"][0]["violations"][0];
  EXPECT_STREQ(host_network["pssCheck"].GetString(), "hostNamespaces");
  EXPECT_STREQ(host_network["path"].GetString(), "spec.template.spec.hostNetwork");
  EXPECT_FALSE(host_network.HasMember("container"));  // a pod-level field
  EXPECT_TRUE(d["errors"].IsArray());
}

}  // namespace
}  // namespace kspm
