// Engine: selection, suppression, ordering across threads, fingerprints, namespace verdicts.
#include "kspm/engine.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/report.h"
#include "test_util.h"

namespace kspm {
namespace {

using testing::loadText;

std::vector<Finding> evaluateAll(const ObjectSet& set, ScanPolicy policy = {}) {
  Engine engine(Catalog::builtin(), policy);
  ScanContext context = buildScanContext(Catalog::builtin(), set);
  std::vector<Finding> out;
  for (const Object& o : set.objects()) engine.evaluate(o, set, context, &out);
  return out;
}

std::vector<const Finding*> byCheck(const std::vector<Finding>& findings, std::string_view id) {
  std::vector<const Finding*> out;
  for (const Finding& f : findings) {
    if (f.check->id == id) out.push_back(&f);
  }
  return out;
}

std::set<std::string_view> ids(const Engine& engine) {
  std::set<std::string_view> out;
  for (const Check* c : engine.checks()) out.insert(c->info().id);
  return out;
}

constexpr const char* kPrivilegedPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    ignore-check.kspm.dev/pss-privileged: "lab machine, accepted by security"
    ignore-check.kspm.dev/pss-run-as-non-root: ""
spec:
  containers:
  - name: c
    image: busybox
    securityContext:
      privileged: true
)";

TEST(EngineTest, SuppressionWithReasonMarksFindingButKeepsIt) {
  ObjectSet set = loadText(kPrivilegedPod);
  ASSERT_EQ(set.objects().size(), 1u);
  std::vector<Finding> findings = evaluateAll(set);
  auto privileged = byCheck(findings, "pss-privileged");
  ASSERT_EQ(privileged.size(), 1u);
  EXPECT_TRUE(privileged[0]->suppressed);
  EXPECT_EQ(privileged[0]->suppression_reason, "lab machine, accepted by security");
  EXPECT_EQ(privileged[0]->line, 13u);
  // An empty reason does not suppress.
  auto non_root = byCheck(findings, "pss-run-as-non-root");
  ASSERT_EQ(non_root.size(), 1u);
  EXPECT_FALSE(non_root[0]->suppressed);
}

TEST(EngineTest, PssFrameworksRunExactlyTheirLevel) {
  ScanPolicy baseline;
  baseline.frameworks = {Framework::kPssBaseline};
  std::set<std::string_view> b = ids(Engine(Catalog::builtin(), baseline));
  EXPECT_TRUE(b.count("pss-privileged"));
  EXPECT_TRUE(b.count("pss-host-path-volumes"));
  EXPECT_FALSE(b.count("pss-run-as-non-root"));
  EXPECT_FALSE(b.count("yaml-non-string-value"));
  EXPECT_FALSE(b.count("psa-namespace-verdict"));

  ScanPolicy restricted;
  restricted.frameworks = {Framework::kPssRestricted};
  std::set<std::string_view> r = ids(Engine(Catalog::builtin(), restricted));
  EXPECT_TRUE(r.count("pss-restricted-volumes"));
  EXPECT_FALSE(r.count("pss-host-path-volumes"));  // overridden by restrictedVolumes
  EXPECT_FALSE(r.count("yaml-duplicate-key"));

  std::set<std::string_view> all = ids(Engine(Catalog::builtin(), ScanPolicy{}));
  EXPECT_TRUE(all.count("yaml-duplicate-key"));
  EXPECT_TRUE(all.count("pss-restricted-volumes"));
  EXPECT_FALSE(all.count("pss-host-path-volumes"));

  // Before v1.8 allowPrivilegeEscalation did not exist.
  ScanPolicy old = restricted;
  old.pss_minor = 7;
  old.pss_latest = false;
  EXPECT_FALSE(ids(Engine(Catalog::builtin(), old)).count("pss-allow-privilege-escalation"));
}

TEST(EngineTest, SuppressedFindingsStillCountForPssVerdict) {
  ObjectSet set = loadText(kPrivilegedPod);
  ScanPolicy baseline;
  baseline.frameworks = {Framework::kPssBaseline};
  std::vector<Finding> findings = evaluateAll(set, baseline);
  // The pod is denied at baseline: the suppressed finding is still a finding.
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].suppressed);
}

std::string manyObjects(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d" + std::to_string(i) +
            "\n  namespace: ns" + std::to_string(i % 7) + "\nspec:\n  template:\n    spec:\n      containers:\n"
            "      - name: a\n        image: x\n        securityContext:\n          privileged: " +
            (i % 3 == 0 ? "true" : "false") + "\n" + (i % 5 == 0 ? "      hostNetwork: true\n" : "");
  }
  return text;
}

TEST(EngineTest, RunDeliversInInputOrderWhateverTheThreadCount) {
  ObjectSet set = loadText(manyObjects(3000));
  ASSERT_EQ(set.objects().size(), 3000u);
  Engine engine(Catalog::builtin(), ScanPolicy{});
  auto collect = [&](unsigned threads) {
    std::string text;
    std::vector<const Object*> order;
    engine.run(
        set, threads,
        [](std::span<const ObjectFindings> batch) {
          std::string s;
          for (const auto& r : batch) {
            for (const Finding& f : r.findings) s += std::string(r.object->name) + ":" + std::string(f.check->id) + ":" + std::to_string(f.line) + "\n";
          }
          return s;
        },
        [&](std::span<const ObjectFindings> batch, std::string&& s) {
          for (const auto& r : batch) order.push_back(r.object);
          text += s;
        });
    return std::make_pair(text, order);
  };
  auto one = collect(1);
  auto two = collect(2);
  auto four = collect(4);
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.first, four.first);
  ASSERT_EQ(one.second.size(), 3000u);
  for (size_t i = 0; i < one.second.size(); ++i) ASSERT_EQ(one.second[i], &set.objects()[i]);
  EXPECT_NE(one.first.find("d0:pss-privileged"), std::string::npos);
  EXPECT_EQ(one.first.find("d1:pss-privileged"), std::string::npos);
}

TEST(EngineTest, FingerprintIgnoresOrderAndLinesButNotIdentity) {
  const char* a = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: one
        image: x
      - name: two
        image: x
        securityContext: {privileged: true}
)";
  const char* b = R"(# moved and reordered
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {namespace: shop, name: web}
spec:
  template:
    spec:
      containers:
      - name: two
        securityContext: {privileged: true}
        image: x
      - name: one
        image: x
)";
  ObjectSet sa = loadText(a), sb = loadText(b);
  std::vector<Finding> all_a = evaluateAll(sa), all_b = evaluateAll(sb);
  auto fa = byCheck(all_a, "pss-privileged");
  auto fb = byCheck(all_b, "pss-privileged");
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_NE(fa[0]->path, fb[0]->path);  // list index differs
  EXPECT_NE(fa[0]->line, fb[0]->line);
  // Reordered and moved to apps/v1: the same fingerprint.
  std::string fpa = fingerprint(*fa[0], sa.objects()[0], "shop");
  std::string fb_text = b;
  fb_text.replace(fb_text.find("extensions/v1beta1"), 18, "apps/v1");
  ObjectSet sc = loadText(fb_text);
  std::vector<Finding> all_c = evaluateAll(sc);
  auto fc = byCheck(all_c, "pss-privileged");
  ASSERT_EQ(fc.size(), 1u);
  EXPECT_EQ(fpa, fingerprint(*fc[0], sc.objects()[0], "shop"));
  EXPECT_EQ(fpa.size(), 16u);
  EXPECT_NE(fpa, fingerprint(*fc[0], sc.objects()[0], "other"));
  // A move from extensions/v1beta1 to apps/v1 is the same finding (issue 9): the group is canonical.
  EXPECT_EQ(fingerprint(*fb[0], sb.objects()[0], "shop"), fpa);
  // The cluster is part of the fingerprint when there is one.
  EXPECT_NE(fingerprint(*fc[0], sc.objects()[0], "shop", "prod-eu"), fpa);
  EXPECT_EQ(fingerprint(*fc[0], sc.objects()[0], "shop", "prod-eu"), fingerprint(*fb[0], sb.objects()[0], "shop", "prod-eu"));
  EXPECT_NE(fingerprint(*fc[0], sc.objects()[0], "shop", "prod-eu"), fingerprint(*fc[0], sc.objects()[0], "shop", "prod-us"));
}

TEST(Fingerprint, CanonicalGroup) {
  EXPECT_EQ(canonicalGroup("extensions", "Deployment"), "apps");
  EXPECT_EQ(canonicalGroup("extensions", "DaemonSet"), "apps");
  EXPECT_EQ(canonicalGroup("extensions", "Ingress"), "networking.k8s.io");
  EXPECT_EQ(canonicalGroup("extensions", "NetworkPolicy"), "networking.k8s.io");
  EXPECT_EQ(canonicalGroup("extensions", "PodSecurityPolicy"), "policy");
  EXPECT_EQ(canonicalGroup("apps", "Deployment"), "apps");
  EXPECT_EQ(canonicalGroup("", "Pod"), "");
  EXPECT_EQ(canonicalGroup("example.com", "Deployment"), "example.com");
}

constexpr const char* kNamespaced = R"(apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.24
    pod-security.kubernetes.io/warn: nonsense
---
apiVersion: v1
kind: Namespace
metadata:
  name: odd
  labels:
    pod-security.kubernetes.io/enforce: strict
    pod-security.kubernetes.io/audit-version: v1.30
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: prod}
spec:
  containers:
  - name: c
    image: x
---
apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: odd}
spec:
  template:
    spec:
      containers:
      - name: c
        image: x
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: unknown}
spec:
  containers:
  - {name: c, image: x, securityContext: {privileged: true}}
)";

TEST(EngineTest, NamespaceLabelsGiveAdmissionVerdicts) {
  ObjectSet set = loadText(kNamespaced);
  ASSERT_EQ(set.objects().size(), 5u);
  std::vector<Finding> findings = evaluateAll(set);
  auto verdicts = byCheck(findings, "psa-namespace-verdict");
  // Pod p: rejected at restricted:v1.24. warn=nonsense is read as privileged (fail open): nothing.
  // Job j: enforce=strict is invalid, read as restricted (fail closed); audit-version without audit
  // level is not assessable. Pod elsewhere: its namespace is not in the input: nothing.
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_NE(verdicts[0]->message.find("would reject this Pod"), std::string::npos) << verdicts[0]->message;
  EXPECT_NE(verdicts[0]->message.find("restricted:v1.24"), std::string::npos);
  EXPECT_NE(verdicts[0]->message.find("runAsNonRoot"), std::string::npos);
  EXPECT_EQ(verdicts[0]->severity, Severity::kHigh);
  bool saw_job = false, saw_not_assessable = false;
  for (const Finding* f : verdicts) {
    if (f->message.find("pods this Job creates would be rejected") != std::string::npos) {
      saw_job = true;
      EXPECT_NE(f->message.find("invalid level \"strict\" is read as restricted"), std::string::npos) << f->message;
    }
    if (f->message.find("not assessable") != std::string::npos) {
      saw_not_assessable = true;
      EXPECT_EQ(f->severity, Severity::kInfo);
    }
  }
  EXPECT_TRUE(saw_job);
  EXPECT_TRUE(saw_not_assessable);
  EXPECT_TRUE(byCheck(findings, "psa-namespace-unlabeled").empty());
}

TEST(EngineTest, NonStringValuesAreReportedWhereTheApiExpectsStrings) {
  ObjectSet set = loadText(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels:
    enabled: yes
    quoted: "on"
    port: 8080
data:
  flag: off
  ok: "off"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata:
      annotations: {a: 1.5}
    spec:
      containers:
      - name: c
        image: x
        args: [--v, 3]
        env:
        - {name: A, value: on}
        - {name: B, value: "on"}
)");
  std::vector<Finding> all = evaluateAll(set);
  auto f = byCheck(all, "yaml-non-string-value");
  std::vector<std::string> paths;
  for (const Finding* x : f) paths.push_back(x->path);
  std::vector<std::string> want = {"metadata.labels[enabled]", "metadata.labels[port]", "data[flag]",
                                   "spec.template.metadata.annotations[a]",
                                   "spec.template.spec.containers[0].args[1]",
                                   "spec.template.spec.containers[0].env[0].value"};
  EXPECT_EQ(paths, want);
  ASSERT_EQ(f.size(), want.size());
  EXPECT_EQ(f[0]->line, 6u);
  EXPECT_NE(f[0]->message.find("boolean true"), std::string::npos);
}

TEST(EngineTest, DuplicateKeysAreAttributedToTheirListItem) {
  ObjectSet set = loadText(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: b
    name: c
)");
  ASSERT_EQ(set.objects().size(), 2u);
  Engine engine(Catalog::builtin(), ScanPolicy{});
  ScanContext context = buildScanContext(Catalog::builtin(), set);
  std::vector<Finding> first, second;
  engine.evaluate(set.objects()[0], set, context, &first);
  engine.evaluate(set.objects()[1], set, context, &second);
  EXPECT_TRUE(byCheck(first, "yaml-duplicate-key").empty());
  auto dup = byCheck(second, "yaml-duplicate-key");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0]->line, 11u);
  EXPECT_EQ(set.objects()[1].name, "c");  // last wins
}

TEST(CatalogTest, MetadataIsWellFormed) {
  const Catalog& catalog = Catalog::builtin();
  ASSERT_GE(catalog.all().size(), 23u);
  std::string_view previous;
  for (const Check* c : catalog.all()) {
    const CheckInfo& i = c->info();
    SCOPED_TRACE(std::string(i.id));
    EXPECT_LT(previous, i.id);  // sorted, unique
    previous = i.id;
    for (char ch : i.id) {
      EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
    }
    EXPECT_FALSE(i.title.empty());
    EXPECT_FALSE(i.description.empty());
    ASSERT_FALSE(i.remediation.empty());
    EXPECT_EQ(i.remediation.back(), '.');
    // Framework mappings are optional (best-practice checks have none); FrameworksTest checks
    // that every mapping names a real control.
    for (const ParameterInfo& p : i.parameters) {
      EXPECT_FALSE(p.name.empty());
      EXPECT_FALSE(p.description.empty());
    }
    if (!i.pss_id.empty()) {
      EXPECT_NE(i.pss_level, PssLevel::kNone);
    }
  }
}

TEST(CatalogDeathTest, DuplicateIdAborts) {
  EXPECT_DEATH(
      {
        Catalog c;
        registerBuiltinChecks(c);
        registerBuiltinChecks(c);
      },
      "duplicate check id");
}

}  // namespace
}  // namespace kspm
