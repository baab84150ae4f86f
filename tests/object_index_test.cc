// ObjectIndex lookups and ScanContext::derived: answers equal a plain scan over the objects.
#include "kspm/object_index.h"

#include <gtest/gtest.h>

#include "kspm/catalog.h"
#include "kspm/engine.h"
#include "test_util.h"

namespace kspm {
namespace {

constexpr const char* kInput = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: shop}
spec: {template: {metadata: {labels: {app: a, tier: web}}, spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: shop}
spec: {template: {metadata: {labels: {app: b, tier: web}}, spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: other}
spec: {template: {metadata: {labels: {app: a, tier: web}}, spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: shop}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: g}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: g}]
)";

std::vector<std::string> names(const std::vector<Workload>& workloads) {
  std::vector<std::string> out;
  for (const Workload& w : workloads) out.emplace_back(w.object->name);
  return out;
}

TEST(ObjectIndexTest, LookupsByKindNamespaceNameAndLabels) {
  ObjectSet set = testing::loadText(kInput);
  ObjectIndex index(set, checks::defaultWorkloadKinds());
  EXPECT_EQ(index.ofKind("Deployment").size(), 3u);
  EXPECT_EQ(index.ofKindIn("Deployment", "shop").size(), 2u);
  ASSERT_NE(index.find("Deployment", "other", "a"), nullptr);
  EXPECT_EQ(index.find("Deployment", "other", "a")->namespace_, "other");
  EXPECT_EQ(index.find("Deployment", "nowhere", "a"), nullptr);
  EXPECT_EQ(names(index.workloadsIn("shop")), (std::vector<std::string>{"a", "b", "bare"}));
  EXPECT_EQ(names(index.workloadsWithLabel("shop", "tier", "web")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(index.namespaces(), (std::vector<std::string>{"other", "shop"}));
  EXPECT_EQ(index.bindingsTo("ClusterRole", "", "view").size(), 2u);
  EXPECT_TRUE(index.bindingsTo("Role", "shop", "view").empty());
}

TEST(ObjectIndexTest, MapAndSelectorCandidatesAreSupersetsInInputOrder) {
  ObjectSet set = testing::loadText(std::string(kInput) + R"(---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: shop}
spec: {selector: {tier: web, app: b}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p, namespace: shop}
spec: {selector: {matchLabels: {tier: web}, matchExpressions: [{key: app, operator: In, values: [a]}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: q, namespace: shop}
spec: {selector: {matchExpressions: [{key: app, operator: Exists}]}}
)");
  ObjectIndex index(set, checks::defaultWorkloadKinds());
  const Object* service = index.find("Service", "shop", "s");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(names(index.workloadsMatchingMap("shop", service->root->find({"spec", "selector"}))),
            (std::vector<std::string>{"b"}));
  const Node* p = index.find("PodDisruptionBudget", "shop", "p")->root->find({"spec", "selector"});
  EXPECT_EQ(names(index.selectorCandidates("shop", p)), (std::vector<std::string>{"a", "b"}));
  std::vector<std::string> selected;
  for (const Workload& w : index.selectorCandidates("shop", p)) {
    if (labelsMatchSelector(p, w.pod_labels)) selected.emplace_back(w.object->name);
  }
  EXPECT_EQ(selected, (std::vector<std::string>{"a"}));
  // No matchLabels: every workload of the namespace is a candidate.
  const Node* q = index.find("PodDisruptionBudget", "shop", "q")->root->find({"spec", "selector"});
  EXPECT_EQ(names(index.selectorCandidates("shop", q)), (std::vector<std::string>{"a", "b", "bare"}));
}

TEST(ScanContextTest, DerivedFactsAreComputedOnceAndShared) {
  ObjectSet set = testing::loadText(kInput);
  ScanContext context = buildScanContext(Catalog::builtin(), set);
  int computed = 0;
  auto compute = [&] {
    ++computed;
    return std::vector<int>{1, 2, 3};
  };
  const auto& first = context.derived<std::vector<int>>("test/fact", compute);
  const auto& second = context.derived<std::vector<int>>("test/fact", compute);
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(second.size(), 3u);
  context.derived<std::vector<int>>("test/other", compute);
  EXPECT_EQ(computed, 2);
}

}  // namespace
}  // namespace kspm
