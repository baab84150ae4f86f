// Configuration and exceptions files: parsing with file/line/key errors, and their effect on a scan
// (disabled checks, severity overrides, parameters, namespace filters, workload kinds, exceptions).
#include "kspm/config.h"

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "test_util.h"

namespace kspm {
namespace {

Config parse(const std::string& text, std::vector<ConfigError>* errors) {
  return parseConfig(".kspm.yaml", text, Catalog::builtin(), errors);
}

std::string joined(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += describeConfigError(e) + "\n";
  return out;
}

std::vector<Finding> scan(const ObjectSet& set, const ScanPolicy& policy, Engine** keep = nullptr) {
  static std::unique_ptr<Engine> last;
  last = std::make_unique<Engine>(Catalog::builtin(), policy);
  ScanContext context = buildScanContext(Catalog::builtin(), set, policy.workload_kinds);
  std::vector<Finding> out;
  for (const Object& o : set.objects()) {
    if (last->inScope(o, set)) last->evaluate(o, set, context, &out);
  }
  if (keep != nullptr) *keep = last.get();
  return out;
}

size_t count(const std::vector<Finding>& findings, std::string_view id, bool suppressed = false) {
  size_t n = 0;
  for (const Finding& f : findings) n += f.check->id == id && f.suppressed == suppressed;
  return n;
}

constexpr const char* kPods = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {team: payments}}
spec:
  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: lab}
spec:
  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
)";

TEST(ConfigTest, GlobMatch) {
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("pss-*", "pss-privileged"));
  EXPECT_TRUE(globMatch("team-?", "team-a"));
  EXPECT_FALSE(globMatch("team-?", "team-ab"));
  EXPECT_TRUE(globMatch("*-prod-*", "eu-prod-1"));
  EXPECT_FALSE(globMatch("shop", "shop2"));
  EXPECT_TRUE(globMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(globMatch("a*b*c", "aXXbYY"));
}

TEST(ConfigTest, UnknownKeysAndBadValuesNameTheKeyAndLine) {
  std::vector<ConfigError> errors;
  parse(R"(checks:
  disabel: [pss-privileged]
  severity:
    pss-privileged: urgent
    no-such-check: high
namespaces:
  include: shop
  exclude: {a: b}
k8sVersion: 1.30
framework: cis,bogus
)",
        &errors);
  std::string all = joined(errors);
  EXPECT_NE(all.find(".kspm.yaml:2: checks.disabel: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:4: checks.severity.pss-privileged: expected info, low, medium, high or critical"),
            std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:5: checks.severity.no-such-check: unknown check ID"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:8: namespaces.exclude: expected a list of strings"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:9: k8sVersion: expected a string, found the number 1.3"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:10: framework: unknown framework \"bogus\""), std::string::npos) << all;
  EXPECT_EQ(errors.size(), 6u) << all;
}

TEST(ConfigTest, UnknownParameterIsAnError) {
  std::vector<ConfigError> errors;
  parse("checks:\n  parameters:\n    alowed-registries: [a]\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_NE(errors[0].message.find("checks.parameters.alowed-registries: unknown parameter"), std::string::npos);
}

TEST(ConfigTest, YamlSyntaxErrorIsReportedWithLine) {
  std::vector<ConfigError> errors;
  parse("checks:\n  disable: [a\n", &errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_GT(errors[0].line, 0u);
}

TEST(ConfigTest, DisableSeverityAndNamespaceFiltersApply) {
  std::vector<ConfigError> errors;
  Config config = parse(R"(checks:
  disable: ["pss-run-as-*"]
  severity: {pss-privileged: low}
namespaces:
  exclude: ["l*"]
k8sVersion: "1.25"
)",
                        &errors);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  ScanPolicy policy;
  applyConfig(config, &policy);
  EXPECT_EQ(policy.k8s_minor, 25u);
  EXPECT_FALSE(policy.k8s_default);
  ObjectSet set = testing::loadText(kPods);
  std::vector<Finding> findings = scan(set, policy);
  EXPECT_EQ(count(findings, "pss-run-as-non-root"), 0u);
  EXPECT_EQ(count(findings, "pss-run-as-user"), 0u);
  ASSERT_EQ(count(findings, "pss-privileged"), 1u);  // lab is excluded
  for (const Finding& f : findings) {
    if (f.check->id == "pss-privileged") EXPECT_EQ(f.severity, Severity::kLow);
  }
}

TEST(ConfigTest, EnableListRunsOnlyThoseChecksMinusDisabled) {
  std::vector<ConfigError> errors;
  Config config = parse("checks:\n  enable: [\"pss-*\", rbac-wildcard]\n  disable: [pss-privileged]\n", &errors);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  ScanPolicy policy;
  applyConfig(config, &policy);
  Engine engine(Catalog::builtin(), policy);
  ASSERT_FALSE(engine.checks().empty());
  bool saw_wildcard = false;
  for (const Check* c : engine.checks()) {
    EXPECT_TRUE(c->info().id.starts_with("pss-") || c->info().id == "rbac-wildcard") << c->info().id;
    EXPECT_NE(c->info().id, "pss-privileged");
    saw_wildcard |= c->info().id == "rbac-wildcard";
  }
  EXPECT_TRUE(saw_wildcard);
  errors.clear();
  parse("checks:\n  enable: []\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("checks.enable: an empty list would run no check"), std::string::npos);
}

TEST(ConfigTest, NamespaceIncludeKeepsClusterScopedObjects) {
  ScanPolicy policy;
  policy.namespace_include = {"shop"};
  Engine engine(Catalog::builtin(), policy);
  ObjectSet set = testing::loadText(std::string(kPods) + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: lab}\n");
  ASSERT_EQ(set.objects().size(), 3u);
  EXPECT_TRUE(engine.inScope(set.objects()[0], set));
  EXPECT_FALSE(engine.inScope(set.objects()[1], set));
  EXPECT_TRUE(engine.inScope(set.objects()[2], set));
}

TEST(ConfigTest, ExceptionsSuppressExpireAndReportUse) {
  std::vector<ConfigError> errors;
  std::vector<PolicyException> list = parseExceptions("exceptions.yaml", R"(exceptions:
- checks: [pss-privileged]
  objects: [{kind: Pod, namespace: shop, selector: {matchLabels: {team: payments}}}]
  reason: payments needs raw device access until Q3
  expires: "2999-12-31"
- checks: ["pss-*"]
  objects: [{namespace: lab}]
  reason: old lab exception
  expires: "2020-01-01"
- checks: [pss-host-ports]
  objects: [{name: "nothing-*"}]
  reason: unused
)",
                                                      Catalog::builtin(), &errors);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].source, "exceptions.yaml:2");
  ScanPolicy policy;
  policy.exceptions = list;
  policy.today = "2026-11-26";
  ObjectSet set = testing::loadText(kPods);
  Engine* engine = nullptr;
  std::vector<Finding> findings = scan(set, policy, &engine);
  EXPECT_EQ(count(findings, "pss-privileged", true), 1u);   // shop, by the first exception
  EXPECT_EQ(count(findings, "pss-privileged", false), 1u);  // lab: its exception expired
  for (const Finding& f : findings) {
    if (f.suppressed) {
      EXPECT_TRUE(f.suppressed_by_exception);
      EXPECT_EQ(f.suppression_reason, "payments needs raw device access until Q3");
    }
  }
  std::vector<Engine::ExceptionUse> use = engine->exceptionUse();
  ASSERT_EQ(use.size(), 3u);
  EXPECT_FALSE(use[0].expired);
  EXPECT_EQ(use[0].matched, 1u);
  EXPECT_TRUE(use[1].expired);
  EXPECT_GT(use[1].matched, 1u);  // every pss finding on the lab pod would have been covered
  EXPECT_FALSE(use[2].expired);
  EXPECT_EQ(use[2].matched, 0u);
}

TEST(ConfigTest, InvalidExceptionsAreErrors) {
  std::vector<ConfigError> errors;
  parseExceptions("e.yaml", R"(exceptions:
- checks: [no-such-check]
  objects: [{kind: Pod}]
  reason: x
- checks: [pss-privileged]
  objects: [{knd: Pod}]
  reason: x
- checks: [pss-privileged]
  objects: [{kind: Pod}]
- checks: [pss-privileged]
  objects: [{kind: Pod}]
  reason: x
  expires: 31/12/2026
)",
                  Catalog::builtin(), &errors);
  std::string all = joined(errors);
  EXPECT_NE(all.find("e.yaml:2: exceptions[0].checks: \"no-such-check\" matches no check"), std::string::npos) << all;
  EXPECT_NE(all.find("e.yaml:6: exceptions[1].objects[0].knd: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find("e.yaml:8: exceptions[2]: an exception needs a `reason`"), std::string::npos) << all;
  EXPECT_NE(all.find("e.yaml:13: exceptions[3].expires: expected a date YYYY-MM-DD"), std::string::npos) << all;
}

TEST(ConfigTest, ConfiguredWorkloadKindReachesPodChecks) {
  std::vector<ConfigError> errors;
  Config config = parse(R"(workloads:
- apiVersion: example.com/v1
  kind: WebApp
  podSpec: spec.runtime.pod
)",
                        &errors);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  ScanPolicy policy;
  applyConfig(config, &policy);
  ObjectSet set = testing::loadText(R"(apiVersion: example.com/v1
kind: WebApp
metadata: {name: w, namespace: shop}
spec:
  runtime:
    pod:
      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
)");
  std::vector<Finding> findings = scan(set, policy);
  ASSERT_EQ(count(findings, "pss-privileged"), 1u);
  for (const Finding& f : findings) {
    if (f.check->id == "pss-privileged") {
      EXPECT_EQ(f.path, "spec.runtime.pod.containers[0].securityContext.privileged");
      EXPECT_EQ(f.line, 7u);
    }
  }
}

TEST(ConfigTest, DefaultWorkloadKindsCoverArgoRolloutsAndWorkflows) {
  ObjectSet set = testing::loadText(R"Y(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w, namespace: shop}
spec:
  hostNetwork: true
  templates:
  - name: main
    container: {image: alpine, securityContext: {privileged: true}}
  - name: step
    script: {image: python, source: "print(1)"}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: k, namespace: shop}
spec:
  template:
    spec:
      containers: [{image: nginx, securityContext: {privileged: true}}]
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: shop}
spec: {selector: {a: b}}
)Y");
  std::vector<Finding> findings = scan(set, ScanPolicy());
  std::vector<std::string> privileged;
  for (const Finding& f : findings) {
    if (f.check->id == "pss-privileged") privileged.push_back(f.path);
  }
  ASSERT_EQ(privileged.size(), 3u);
  EXPECT_EQ(privileged[0], "spec.template.spec.containers[0].securityContext.privileged");
  EXPECT_EQ(privileged[1], "spec.templates[0].container.securityContext.privileged");
  EXPECT_EQ(count(findings, "pss-host-namespaces"), 1u);
}

TEST(ConfigTest, FindConfigFileWalksUpward) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/a/b");
  EXPECT_EQ(findConfigFile(dir.path() + "/a/b"), "");
  { std::ofstream(dir.path() + "/.kspm.yaml") << "{}\n"; }
  EXPECT_EQ(findConfigFile(dir.path() + "/a/b"), std::filesystem::absolute(dir.path() + "/a/b").parent_path().parent_path().string() + "/.kspm.yaml");
}

}  // namespace
}  // namespace kspm
