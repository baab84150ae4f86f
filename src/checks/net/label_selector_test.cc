// labelsMatchSelector against metav1.LabelSelector semantics (k8s.io/apimachinery
// pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector and pkg/labels/selector.go): a null selector
// matches nothing, an empty one everything; matchLabels and matchExpressions are ANDed; In needs
// the key with a listed value, NotIn matches a missing key, Exists/DoesNotExist take no values; an
// invalid selector (unknown operator, In/NotIn without values, Exists with values, invalid label
// key or value) is an error, which callers treat as matching nothing.
#include <gtest/gtest.h>

#include <string>

#include "kspm/loader.h"
#include "kspm/object_index.h"

namespace kspm {
namespace {

// Evaluates the `selector` member of a YAML document against its `labels` member (either may be
// absent or null). The document text must outlive the nodes, so it is evaluated here.
bool matches(const std::string& yaml) {
  LoadResult loaded = loadBuffer("selector.yaml", yaml);
  EXPECT_TRUE(loaded.errors.empty());
  EXPECT_EQ(loaded.documents.size(), 1u);
  const Node* root = loaded.documents[0].root();
  return labelsMatchSelector(root->get("selector"), root->get("labels"));
}

TEST(LabelSelectorTest, NullSelectorMatchesNothing) {
  EXPECT_FALSE(matches("labels: {app: web}"));
  EXPECT_FALSE(matches("selector: null\nlabels: {app: web}"));
  EXPECT_FALSE(matches("selector:\nlabels: {app: web}"));
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverything) {
  EXPECT_TRUE(matches("selector: {}\nlabels: {app: web}"));
  EXPECT_TRUE(matches("selector: {}\nlabels: {}"));
  EXPECT_TRUE(matches("selector: {}"));  // a pod without labels
  EXPECT_TRUE(matches("selector: {matchLabels: {}, matchExpressions: []}\nlabels: {app: web}"));
  EXPECT_TRUE(matches("selector: {matchLabels: null, matchExpressions: null}\nlabels: {app: web}"));
}

TEST(LabelSelectorTest, MatchLabelsNeedsEveryPair) {
  EXPECT_TRUE(matches("selector: {matchLabels: {app: web}}\nlabels: {app: web, tier: frontend}"));
  EXPECT_TRUE(
      matches("selector: {matchLabels: {app: web, tier: frontend}}\nlabels: {app: web, tier: frontend}"));
  EXPECT_FALSE(
      matches("selector: {matchLabels: {app: web, tier: backend}}\nlabels: {app: web, tier: frontend}"));
  EXPECT_FALSE(matches("selector: {matchLabels: {app: web}}\nlabels: {tier: frontend}"));
  EXPECT_FALSE(matches("selector: {matchLabels: {app: web}}"));
  EXPECT_TRUE(
      matches("selector: {matchLabels: {app: \"\"}}\nlabels: {app: \"\"}"));  // empty values are valid
  EXPECT_FALSE(matches("selector: {matchLabels: {app: \"\"}}\nlabels: {tier: x}"));
}

TEST(LabelSelectorTest, InOperator) {
  std::string sel = "selector: {matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}\n";
  EXPECT_TRUE(matches(sel + "labels: {env: prod}"));
  EXPECT_TRUE(matches(sel + "labels: {env: staging, app: web}"));
  EXPECT_FALSE(matches(sel + "labels: {env: dev}"));
  EXPECT_FALSE(matches(sel + "labels: {app: web}"));  // a missing key is not In
  EXPECT_FALSE(matches(sel));
}

TEST(LabelSelectorTest, NotInOperator) {
  std::string sel = "selector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}\n";
  EXPECT_TRUE(matches(sel + "labels: {env: dev}"));
  EXPECT_TRUE(matches(sel + "labels: {app: web}"));  // a missing key matches NotIn
  EXPECT_TRUE(matches(sel));
  EXPECT_FALSE(matches(sel + "labels: {env: prod}"));
}

TEST(LabelSelectorTest, ExistsAndDoesNotExist) {
  std::string exists = "selector: {matchExpressions: [{key: canary, operator: Exists}]}\n";
  EXPECT_TRUE(matches(exists + "labels: {canary: \"true\"}"));
  EXPECT_TRUE(matches(exists + "labels: {canary: \"\"}"));
  EXPECT_FALSE(matches(exists + "labels: {app: web}"));
  std::string absent = "selector: {matchExpressions: [{key: canary, operator: DoesNotExist}]}\n";
  EXPECT_TRUE(matches(absent + "labels: {app: web}"));
  EXPECT_TRUE(matches(absent));
  EXPECT_FALSE(matches(absent + "labels: {canary: \"\"}"));
  // values: [] is the same as no values.
  EXPECT_TRUE(
      matches("selector: {matchExpressions: [{key: a, operator: Exists, values: []}]}\nlabels: {a: b}"));
}

TEST(LabelSelectorTest, RequirementsAreAnded) {
  std::string sel =
      "selector:\n"
      "  matchLabels: {app: web}\n"
      "  matchExpressions:\n"
      "    - {key: env, operator: In, values: [prod]}\n"
      "    - {key: legacy, operator: DoesNotExist}\n";
  EXPECT_TRUE(matches(sel + "labels: {app: web, env: prod}"));
  EXPECT_FALSE(matches(sel + "labels: {app: api, env: prod}"));
  EXPECT_FALSE(matches(sel + "labels: {app: web, env: prod, legacy: \"1\"}"));
  EXPECT_FALSE(matches(sel + "labels: {app: web}"));
}

TEST(LabelSelectorTest, InvalidSelectorsMatchNothing) {
  const std::string labels = "labels: {app: web, env: prod}";
  // Unknown or wrongly cased operators (the API takes In, NotIn, Exists, DoesNotExist only).
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: app, operator: in, values: [web]}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: app, operator: Gt, values: [\"1\"]}]}\n" + labels));
  // In and NotIn need values; Exists and DoesNotExist take none.
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: app, operator: In, values: []}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: app, operator: NotIn}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: app, operator: Exists, values: [web]}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: zz, operator: DoesNotExist, values: [x]}]}\n" + labels));
  // Missing or invalid keys and values (label key: optional DNS-subdomain prefix, name of at most
  // 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric; values likewise, may be empty).
  EXPECT_FALSE(matches("selector: {matchExpressions: [{operator: Exists}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: \"\", operator: DoesNotExist}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: \"bad key\", operator: DoesNotExist}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: \"-x\", operator: DoesNotExist}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: \"Example.com/x\", operator: DoesNotExist}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: \"/x\", operator: DoesNotExist}]}\n" + labels));
  EXPECT_FALSE(
      matches("selector: {matchExpressions: [{key: env, operator: NotIn, values: [\"a b\"]}]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchLabels: {\"bad key\": web}}\nlabels: {\"bad key\": web}"));
  EXPECT_FALSE(matches("selector: {matchLabels: {app: \"web!\"}}\nlabels: {app: \"web!\"}"));
  EXPECT_FALSE(matches("selector: {matchLabels: {app: " + std::string(64, 'a') +
                       "}}\nlabels: {app: " + std::string(64, 'a') + "}"));
  // Wrong types: the API server would not decode them.
  EXPECT_FALSE(matches("selector: [app]\n" + labels));
  EXPECT_FALSE(matches("selector: {matchLabels: [app]}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchExpressions: {key: app}}\n" + labels));
  EXPECT_FALSE(matches("selector: {matchLabels: {app: 1}}\nlabels: {app: \"1\"}"));
  // An invalid requirement spoils the whole selector, even after a matching one.
  EXPECT_FALSE(matches(
      "selector: {matchLabels: {app: web}, matchExpressions: [{key: env, operator: Bogus}]}\n" + labels));
}

TEST(LabelSelectorTest, ValidQualifiedKeys) {
  EXPECT_TRUE(matches(
      "selector: {matchLabels: {app.kubernetes.io/name: web}}\nlabels: {app.kubernetes.io/name: web}"));
  EXPECT_TRUE(
      matches("selector: {matchExpressions: [{key: a_b.c-D, operator: Exists}]}\nlabels: {a_b.c-D: x}"));
  EXPECT_TRUE(matches("selector: {matchExpressions: [{key: " + std::string(63, 'k') +
                      ", operator: Exists}]}\nlabels: {" + std::string(63, 'k') + ": x}"));
  EXPECT_FALSE(matches("selector: {matchExpressions: [{key: " + std::string(64, 'k') +
                       ", operator: Exists}]}\nlabels: {" + std::string(64, 'k') + ": x}"));
}

}  // namespace
}  // namespace kspm
