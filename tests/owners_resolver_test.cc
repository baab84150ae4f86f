// Owners: each source (object labels and annotations, pod template labels, the Namespace, owners
// rules), their order, globs, selectors, "unowned", and the errors of owners configuration.
#include <gtest/gtest.h>

#include "kspm/config.h"
#include "kspm/owners.h"
#include "test_util.h"

namespace kspm {
namespace {

const Object* find(const ObjectSet& set, std::string_view kind, std::string_view name) {
  for (const Object& o : set.objects()) {
    if (o.kind == kind && o.name == name) return &o;
  }
  ADD_FAILURE() << "no " << kind << " " << name;
  return nullptr;
}

constexpr const char* kObjects = R"(apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels: {team: payments-team}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {owner: shop-team}
---
apiVersion: v1
kind: Namespace
metadata:
  name: bare
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: labelled
  namespace: payments
  labels: {team: checkout, owner: someone-else}
spec:
  template:
    metadata: {labels: {team: from-template}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: annotated
  namespace: payments
  annotations: {owner: " ledger "}
spec:
  template:
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: templated
  namespace: bare
spec:
  template:
    metadata: {labels: {app.kubernetes.io/part-of: storefront}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: payments}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: shop-config, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nobody, namespace: bare}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tier-db, namespace: bare, labels: {tier: db}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty-label, namespace: elsewhere, labels: {team: ""}}
)";

TEST(OwnersResolver, ObjectLabelsAnnotationsTemplateAndNamespace) {
  ObjectSet set = testing::loadText(kObjects);
  OwnerResolver r(OwnersConfig{}, set, checks::defaultWorkloadKinds());
  // The first key (team) wins over the second (owner), and the object over its template.
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "labelled")), "checkout");
  // An annotation counts, trimmed; the object's own annotation before its Namespace's label.
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "annotated")), "ledger");
  // The pod template's labels, with the third default key.
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "templated")), "storefront");
  // The Namespace: by label, by annotation; a Namespace object owns itself.
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "plain")), "payments-team");
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "shop-config")), "shop-team");
  EXPECT_EQ(r.ownerView(*find(set, "Namespace", "payments")), "payments-team");
  // Nothing says: unowned. An empty label names no one; cluster-scoped objects have no namespace.
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "nobody")), "unowned");
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "empty-label")), "unowned");
  EXPECT_EQ(r.ownerView(*find(set, "ClusterRole", "reader")), "unowned");
  EXPECT_EQ(r.ownerOf(*find(set, "ConfigMap", "nobody")), "unowned");
}

TEST(OwnersResolver, ConfiguredKeysReplaceTheDefaults) {
  ObjectSet set = testing::loadText(kObjects);
  OwnersConfig config;
  config.keys = {"owner"};
  OwnerResolver r(config, set, checks::defaultWorkloadKinds());
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "labelled")), "someone-else");
  // team is no longer read, on objects or namespaces.
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "plain")), "unowned");
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "templated")), "unowned");
}

OwnersConfig parseOwners(const std::string& yaml, std::vector<ConfigError>* errors) {
  Config c = parseConfig("/repo/.kspm.yaml", yaml, Catalog::builtin(), errors);
  return c.owners ? *c.owners : OwnersConfig{};
}

TEST(OwnersResolver, RulesNamespacesGlobsSelectorsAndPathsFirstMatchWins) {
  std::vector<ConfigError> errors;
  OwnersConfig config = parseOwners(R"(owners:
  rules:
  - team: databases
    selector:
      matchExpressions:
      - {key: tier, operator: In, values: [db, cache]}
  - team: pay-platform
    namespaces: ["pay*"]
  - team: everything-in-bare
    namespaces: [bare]
    kind: ConfigMap
  - team: roles
    kind: "Cluster*"
  - team: by-path
    paths: ["deploy/*.yaml"]
)", &errors);
  ASSERT_TRUE(errors.empty()) << describeConfigError(errors[0]);
  ASSERT_EQ(config.rules.size(), 5u);
  EXPECT_EQ(config.rules[0].source, "/repo/.kspm.yaml:3");
  ObjectSet set = testing::loadText(kObjects);
  // The file alone: rules decide even where labels would have.
  config.order = {OwnerSource::kFile};
  OwnerResolver r(config, set, checks::defaultWorkloadKinds());
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "tier-db")), "databases");   // selector, before the namespace rule
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "labelled")), "pay-platform");
  EXPECT_EQ(r.ownerView(*find(set, "Namespace", "payments")), "pay-platform");  // by its own name
  EXPECT_EQ(r.ownerView(*find(set, "ConfigMap", "nobody")), "everything-in-bare");
  EXPECT_EQ(r.ownerView(*find(set, "Deployment", "templated")), "unowned");  // bare, but not a ConfigMap
  EXPECT_EQ(r.ownerView(*find(set, "ClusterRole", "reader")), "roles");
  // Paths: `*` crosses directories, a leading ./ is ignored on both sides.
  ObjectSet in_deploy = testing::loadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "./deploy/sub/a.yaml");
  OwnerResolver by_path(config, in_deploy, checks::defaultWorkloadKinds());
  EXPECT_EQ(by_path.ownerView(in_deploy.objects()[0]), "by-path");
  ObjectSet elsewhere = testing::loadText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "other/a.yaml");
  OwnerResolver not_by_path(config, elsewhere, checks::defaultWorkloadKinds());
  EXPECT_EQ(not_by_path.ownerView(elsewhere.objects()[0]), "unowned");
}

TEST(OwnersResolver, OrderDecidesBetweenLabelsNamespaceAndFile) {
  std::vector<ConfigError> errors;
  OwnersConfig file_last = parseOwners("owners:\n  rules:\n  - {team: platform, namespaces: [payments]}\n", &errors);
  OwnersConfig file_first = parseOwners(
      "owners:\n  order: [file, labels, namespace]\n  rules:\n  - {team: platform, namespaces: [payments]}\n", &errors);
  OwnersConfig ns_first =
      parseOwners("owners:\n  order: [namespace, labels]\n  rules:\n  - {team: platform, namespaces: [payments]}\n", &errors);
  ASSERT_TRUE(errors.empty()) << describeConfigError(errors[0]);
  ObjectSet set = testing::loadText(kObjects);
  const Object& labelled = *find(set, "Deployment", "labelled");
  const Object& plain = *find(set, "ConfigMap", "plain");
  // Default order labels, namespace, file: the object's label, then its Namespace's, then the rule.
  OwnerResolver a(file_last, set, checks::defaultWorkloadKinds());
  EXPECT_EQ(a.ownerView(labelled), "checkout");
  EXPECT_EQ(a.ownerView(plain), "payments-team");
  OwnerResolver b(file_first, set, checks::defaultWorkloadKinds());
  EXPECT_EQ(b.ownerView(labelled), "platform");
  EXPECT_EQ(b.ownerView(plain), "platform");
  // Sources left out of the order are not consulted.
  OwnerResolver c(ns_first, set, checks::defaultWorkloadKinds());
  EXPECT_EQ(c.ownerView(labelled), "payments-team");
  EXPECT_EQ(c.ownerView(*find(set, "ConfigMap", "tier-db")), "unowned");  // bare has no owner, no file source
}

TEST(OwnersResolver, ConfigSectionResolvesTheFileAgainstTheConfigDirectory) {
  std::vector<ConfigError> errors;
  OwnersConfig config = parseOwners("owners:\n  keys: [squad]\n  file: teams/owners.yaml\n", &errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(config.file, "/repo/teams/owners.yaml");
  EXPECT_EQ(config.keys, std::vector<std::string>{"squad"});
  EXPECT_EQ(config.order.size(), 3u);
}

TEST(OwnersResolver, ConfigErrorsNameTheLineAndKey) {
  std::vector<ConfigError> errors;
  parseOwners(R"(owners:
  order: [labels, teams, labels]
  rules:
  - namespaces: [a]
  - team: x
  - team: y
    selector: {matchExpressions: [{key: k, operator: Near}]}
  - team: z
    colour: blue
)", &errors);
  std::string all;
  for (const ConfigError& e : errors) all += describeConfigError(e) + "\n";
  EXPECT_NE(all.find(".kspm.yaml:2: owners.order: unknown source \"teams\""), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:2: owners.order: \"labels\" is listed twice"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:4: owners.rules[0]: a rule needs `team`"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:5: owners.rules[1]: a rule needs at least one of"), std::string::npos) << all;
  EXPECT_NE(all.find(".kspm.yaml:7: owners.rules[2].selector.matchExpressions[0].operator: expected In, NotIn"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(".kspm.yaml:9: owners.rules[3].colour: unknown key"), std::string::npos) << all;
}

TEST(OwnersResolver, OwnersFileParsesRulesAndReportsErrorsWithLines) {
  std::vector<ConfigError> errors;
  std::vector<OwnerRule> rules =
      parseOwnersFile("owners.yaml", "rules:\n- team: a\n  namespaces: [x]\n- team: b\n  paths: [\"k8s/*\"]\n", &errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1].team, "b");
  EXPECT_EQ(rules[1].source, "owners.yaml:4");

  errors.clear();
  parseOwnersFile("owners.yaml", "rules:\n- team: a\n  namespaces: yes\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(describeConfigError(errors[0]),
            "owners.yaml:3: rules[0].namespaces: expected a list of strings, found the boolean true (quote it to "
            "make it a string)");
  errors.clear();
  parseOwnersFile("owners.yaml", "teams: []\n", &errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].line, 1u);
  errors.clear();
  parseOwnersFile("owners.yaml", "rules:\n- team: [unclosed\n", &errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].file, "owners.yaml");
  EXPECT_GE(errors[0].line, 2u);
}

}  // namespace
}  // namespace kspm
